package web_test

import (
	"net/http"
	"testing"

	"todo/internal/apptest"
)

// createTasks creates tasks through the task API, oldest first, as another client of the
// same user would.
func createTasks(t *testing.T, srv *apptest.Server, u apptest.User, titles ...string) []string {
	t.Helper()
	ids := make([]string, len(titles))
	for i, title := range titles {
		res := srv.Do(t, http.MethodPost, "/api/v1/tasks", u.Token, map[string]string{"title": title})
		if res.Status != http.StatusCreated {
			t.Fatalf("create task %q: got %d %s, want 201", title, res.Status, res.Body)
		}
		var created struct{ ID string }
		res.JSON(t, &created)
		ids[i] = created.ID
	}
	return ids
}
