package auth

import (
	"context"
	"time"
)

// DeletedUsers learns of a deletion the moment this instance makes it (the task API's set of
// users whose tokens it refuses).
type DeletedUsers interface {
	Add(userID string, at time.Time)
}

// recordDeleted writes the user into deleted_users, which every instance reads.
func (s *store) recordDeleted(ctx context.Context, userID string, at time.Time) error {
	_, err := s.write.ExecContext(ctx, s.rebind(`INSERT INTO deleted_users (user_id, deleted_at) VALUES (?, ?)
		ON CONFLICT (user_id) DO UPDATE SET deleted_at = excluded.deleted_at`), userID, s.timestamp(at))
	return err
}

// deletedSince prunes the deletions before since, which no longer matter, and returns the
// others.
func (s *store) deletedSince(ctx context.Context, since time.Time) (map[string]time.Time, error) {
	if _, err := s.write.ExecContext(ctx, s.rebind(`DELETE FROM deleted_users WHERE deleted_at < ?`), s.timestamp(since)); err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT user_id, deleted_at FROM deleted_users`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	deleted := map[string]time.Time{}
	for rows.Next() {
		var (
			id string
			at Time
		)
		if err := rows.Scan(&id, &at); err != nil {
			return nil, err
		}
		deleted[id] = at.Time
	}
	return deleted, rows.Err()
}

// DeletedUsers returns the users deleted since a time, by any instance on this database, and
// forgets older deletions: the source of the task API's set (bearer.DeletedUsers.Refresh).
func (s *Service) DeletedUsers(ctx context.Context, since time.Time) (map[string]time.Time, error) {
	return s.store.deletedSince(ctx, since)
}
