package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/task"
	"todo/internal/task/postgres"
)

// TestTextChangesUpdateInPlace: a change of a task's title or description, the usual PATCH of
// the specification's API, rewrites the row in place (a "HOT" update, which adds no entry to
// any index). PostgreSQL does that only while no index holds a column the change writes: the
// update time, the version and the texts stay out of the indexes of tasks.
func TestTextChangesUpdateInPlace(t *testing.T) {
	db := apptest.OpenDB(t, database.Postgres)
	svc := task.NewService(postgres.New(db.Postgres))
	ctx := context.Background()
	created, err := svc.Create(ctx, "u", task.Draft{Title: "Buy milk"})
	if err != nil {
		t.Fatal(err)
	}
	// The counters of a transaction are its own, and read at once.
	tx, err := db.Postgres.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	id := pgtype.UUID{Bytes: created.ID, Valid: true}
	for _, c := range []struct{ title, description *string }{{title: ptr("Buy oat milk")}, {description: ptr("Two litres")}} {
		if _, err := tx.Exec(ctx, postgres.ChangeStatement, id, "u", c.title, c.description, nil, time.Now(), false); err != nil {
			t.Fatal(err)
		}
	}
	var updated, inPlace int64
	if err := tx.QueryRow(ctx, `SELECT pg_stat_get_xact_tuples_updated('tasks'::regclass),
		pg_stat_get_xact_tuples_hot_updated('tasks'::regclass)`).Scan(&updated, &inPlace); err != nil {
		t.Fatal(err)
	}
	if updated != 2 || inPlace != 2 {
		t.Errorf("%d of %d changes of the text updated the row in place, want 2 of 2", inPlace, updated)
	}
}

func ptr[T any](v T) *T { return &v }
