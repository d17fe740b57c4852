package api_test

import (
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"todo/internal/apptest"
	"todo/internal/database"
)

// TestBriefRoutes: the hackathon brief's /api/{user_id}/tasks routes answer as v1 does, for
// the token's own user only, on both databases.
func TestBriefRoutes(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		t.Parallel()
		s := apptest.Start(t, d, nil)
		alice, bob := s.SignUp(t, "alice@example.com"), s.SignUp(t, "bob@example.com")
		mine := "/api/" + alice.ID + "/tasks"

		r := s.Do(t, "POST", mine, alice.Token, map[string]any{"title": "  From the brief  "})
		expectStatus(t, r, http.StatusCreated)
		var created taskJSON
		r.JSON(t, &created)
		if created.Title != "From the brief" || created.UpdatedAt != nil {
			t.Fatalf("created %+v", created)
		}
		var raw map[string]any
		r.JSON(t, &raw)
		if keys, want := slices.Sorted(maps.Keys(raw)), []string{"completed", "created_at", "description", "id", "title", "updated_at"}; !slices.Equal(keys, want) {
			t.Fatalf("keys %v, want v1's TaskRead %v", keys, want)
		}
		one := mine + "/" + created.ID

		r = s.Do(t, "GET", mine+"?completed=false", alice.Token, nil)
		expectStatus(t, r, http.StatusOK)
		var l listJSON
		r.JSON(t, &l)
		if l.Total != 1 || len(l.Tasks) != 1 || l.Tasks[0].ID != created.ID {
			t.Fatalf("list %+v", l)
		}
		// v1 sees the same task: one service, two route styles.
		expectStatus(t, s.Do(t, "GET", "/api/v1/tasks/"+created.ID, alice.Token, nil), http.StatusOK)

		expectStatus(t, s.Do(t, "GET", one, alice.Token, nil), http.StatusOK)
		r = s.Do(t, "PUT", one, alice.Token, map[string]any{"title": "Renamed", "description": "by PUT"})
		expectStatus(t, r, http.StatusOK)
		var put taskJSON
		r.JSON(t, &put)
		if put.Title != "Renamed" || put.Description != "by PUT" || put.UpdatedAt == nil || put.Completed {
			t.Fatalf("PUT: %+v", put)
		}
		for _, want := range []bool{true, false} {
			r = s.Do(t, "PATCH", one+"/complete", alice.Token, nil)
			expectStatus(t, r, http.StatusOK)
			var toggled taskJSON
			r.JSON(t, &toggled)
			if toggled.Completed != want {
				t.Fatalf("complete: completed %v, want %v", toggled.Completed, want)
			}
		}
		expectInvalid(t, s.Do(t, "PUT", one, alice.Token, map[string]any{"title": ""}), "body.title", "string_too_short")
		expectInvalid(t, s.Do(t, "GET", mine+"/not-a-uuid", alice.Token, nil), "path.id", "uuid_parsing")
		expectInvalid(t, s.Do(t, "GET", mine+"?limit=-1", alice.Token, nil), "query.limit", "greater_than_equal")

		// Someone else's {user_id} is a 403 that says nothing about that user, whether the id
		// exists or not, before anything else is looked at; a foreign task under one's own id
		// is not found.
		const notYours = `{"detail":"Not allowed for this user"}`
		for _, c := range []struct{ method, path string }{
			{"GET", mine}, {"POST", mine}, {"GET", one}, {"PUT", one}, {"DELETE", one}, {"PATCH", one + "/complete"},
			{"GET", "/api/" + uuid.NewString() + "/tasks"}, {"GET", mine + "/not-a-uuid"},
		} {
			r := s.Do(t, c.method, c.path, bob.Token, map[string]any{"title": "mallory"})
			if r.Status != http.StatusForbidden || string(r.Body) != notYours {
				t.Errorf("bob %s %s: got %d %s, want 403 %s", c.method, c.path, r.Status, r.Body, notYours)
			}
			if r := s.Do(t, c.method, c.path, "", nil); r.Status != http.StatusUnauthorized {
				t.Errorf("no token %s %s: got %d, want 401", c.method, c.path, r.Status)
			}
		}
		r = s.Do(t, "GET", "/api/"+bob.ID+"/tasks/"+created.ID, bob.Token, nil)
		if r.Status != http.StatusNotFound || string(r.Body) != notFound {
			t.Errorf("bob's route to alice's task: got %d %s, want 404", r.Status, r.Body)
		}

		r = s.Do(t, "DELETE", one, alice.Token, nil)
		expectStatus(t, r, http.StatusNoContent)
		r = s.Do(t, "GET", one, alice.Token, nil)
		if r.Status != http.StatusNotFound || string(r.Body) != notFound {
			t.Errorf("after delete: got %d %s", r.Status, r.Body)
		}
		// /api/auth/… stays the auth API's, whatever the brief's pattern would match.
		if r := s.Do(t, "GET", "/api/auth/tasks", alice.Token, nil); r.Status != http.StatusNotFound || len(r.Body) != 0 {
			t.Errorf("GET /api/auth/tasks: got %d %q, want the auth API's empty 404", r.Status, r.Body)
		}
	})
}
