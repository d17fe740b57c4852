package calendar

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"todo/internal/database"
)

// store keeps the calendar_feeds table. A handful of statements on a cold path: one
// implementation over database/sql serves both dialects, whose only difference here is how a
// timestamp is written ($n placeholders work on both).
type store struct {
	write, read *sql.DB
	postgres    bool
}

func newStore(db *database.DB) *store {
	if db.Dialect == database.Postgres {
		pooled := stdlib.OpenDBFromPool(db.Postgres)
		return &store{write: pooled, read: pooled, postgres: true}
	}
	return &store{write: db.SQLite.Write, read: db.SQLite.Read}
}

// sqliteTime is how SQLite keeps the time: UTC text of fixed width.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

func (s *store) timestamp(t time.Time) any {
	if s.postgres {
		return t
	}
	return t.UTC().Format(sqliteTime)
}

// put gives the user the feed whose token hashes to hash, replacing the one they had.
func (s *store) put(ctx context.Context, userID string, hash []byte, at time.Time) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`,
		userID, hash, s.timestamp(at))
	return err
}

// owner is the user whose feed's token hashes to hash; found is false when no feed does.
func (s *store) owner(ctx context.Context, hash []byte) (userID string, found bool, err error) {
	err = s.read.QueryRowContext(ctx, `SELECT user_id FROM calendar_feeds WHERE token_hash = $1`, hash).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return userID, err == nil, err
}

// created is when the user's feed was made; found is false when they have none.
func (s *store) created(ctx context.Context, userID string) (at time.Time, found bool, err error) {
	var v timeValue
	err = s.read.QueryRowContext(ctx, `SELECT created_at FROM calendar_feeds WHERE user_id = $1`, userID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	return v.Time, err == nil, err
}

// remove deletes the user's feed, if they have one.
func (s *store) remove(ctx context.Context, userID string) error {
	_, err := s.write.ExecContext(ctx, `DELETE FROM calendar_feeds WHERE user_id = $1`, userID)
	return err
}

// timeValue reads a timestamp of either dialect: timestamptz, or SQLite's text.
type timeValue struct{ time.Time }

func (v *timeValue) Scan(src any) error {
	switch x := src.(type) {
	case time.Time:
		v.Time = x.UTC()
		return nil
	case string:
		t, err := time.Parse(time.RFC3339Nano, x)
		v.Time = t.UTC()
		return err
	}
	return fmt.Errorf("timestamp of type %T", src)
}
