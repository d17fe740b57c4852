package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"todo/internal/apptest"
	"todo/internal/database"
)

// TestScreenshot renders a lived-in task list (priorities, tags, dues, one of them overdue) at
// desktop and phone widths, in light and dark, and the Upcoming view, checks that nothing
// overflows the window, and, when SCREENSHOT_PATH is set, saves the desktop view there as PNG,
// and the others beside it (-upcoming, -phone, -dark):
//
//	SCREENSHOT_PATH=$PWD/docs/screenshot.png go test ./internal/web -run Screenshot
func TestScreenshot(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	const email, password = "sam@example.com", "a long and happy password"
	first := openPage(t, srv)
	first.signUp("Sam Rivera", email, password)
	token := evaluateAsync[string](first, `fetch("/api/auth/token").then(r => r.json()).then(b => b.token)`)
	u := apptest.User{Email: email, Token: token}
	day := atNoon(t, srv, u)
	for _, task := range []struct {
		body      map[string]any
		completed bool
	}{
		{map[string]any{"title": "Renew passport", "description": "Photos are in the desk drawer; the form wants both signed.", "tags": []string{"admin"}, "due": day.due(-3)}, true},
		{map[string]any{"title": "Book dentist appointment", "tags": []string{"health"}}, true},
		{map[string]any{"title": "Pay the electricity bill", "priority": "high", "tags": []string{"home", "admin"}, "due": day.due(-2)}, false},
		{map[string]any{"title": "Pick up dry cleaning", "priority": "low", "due": map[string]string{"date": day.date(0), "time": "17:30"}}, false},
		{map[string]any{"title": "Call Grandma for her birthday", "priority": "medium", "tags": []string{"family"}, "due": day.due(1)}, false},
		{map[string]any{"title": "Draft the quarterly report", "description": "Numbers from finance by Thursday.\nKeep it to two pages.", "priority": "high", "tags": []string{"work"}, "due": map[string]string{"date": day.date(3), "time": "09:00"}}, false},
		{map[string]any{"title": "Buy groceries", "description": "Oat milk, eggs, spinach, coffee beans", "tags": []string{"home"}}, false},
	} {
		id := createTask(t, srv, u, task.body)
		if task.completed {
			srv.Do(t, http.MethodPost, "/api/v2/tasks/"+id+"/toggle", token, nil)
		}
	}

	base := os.Getenv("SCREENSHOT_PATH")
	for _, view := range []struct {
		suffix        string
		width, height int64
		scheme        string
		path          string
		tasks         int  // how many the view shows
		whole         bool // the whole page, not only the window
	}{
		{"", 1200, 900, "light", "/", 7, true},
		{"-upcoming", 1200, 900, "light", "/?view=upcoming", 3, true},
		{"-phone", 390, 844, "light", "/", 7, false},
		{"-dark", 1200, 900, "dark", "/", 7, false},
	} {
		t.Run("view"+view.suffix, func(t *testing.T) {
			p := openPage(t, srv, withViewport(view.width, view.height), withColorScheme(view.scheme))
			p.open("/signin?next=" + url.QueryEscape(view.path))
			p.fillRole("form", "Email", email)
			p.fillRole("form", "Password", password)
			p.press("Enter")
			p.waitFor("the list", fmt.Sprintf(`document.querySelectorAll("#tasks li.task").length === %d`, view.tasks))
			p.do(evaluateVoid(`document.activeElement.blur()`)) // no focus ring in the picture
			p.waitFor("transitions to end", `document.getAnimations().length === 0`)
			if overflow := evaluate[int](p, `document.documentElement.scrollWidth - window.innerWidth`); overflow > 0 {
				t.Errorf("at %d px wide, the page is %d px wider than the window", view.width, overflow)
			}
			if got := p.text(".count"); got != "5 items left" {
				t.Errorf("count says %q", got)
			}
			if view.width < 600 {
				// On a phone the list is below the new-task form and the filters: the picture
				// shows it, as the user sees it after scrolling.
				p.do(evaluateVoid(`document.getElementById("tasks").scrollIntoView()`))
			}
			if base == "" {
				return
			}
			shot := chromedp.CaptureScreenshot()
			if view.whole {
				shot = chromedp.FullScreenshot(100) // the whole list; PNG at quality 100
			}
			path := strings.TrimSuffix(base, filepath.Ext(base)) + view.suffix + filepath.Ext(base)
			if err := os.WriteFile(path, run(p, shot), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s", path)
		})
	}
}
