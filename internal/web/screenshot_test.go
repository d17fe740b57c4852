package web_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"todo/internal/apptest"
	"todo/internal/database"
)

// TestScreenshot renders a lived-in task list at desktop and phone widths, in light and dark,
// checks that nothing overflows the window, and, when SCREENSHOT_PATH is set, saves the
// desktop view there as PNG, and the others beside it (-phone, -dark):
//
//	SCREENSHOT_PATH=$PWD/docs/screenshot.png go test ./internal/web -run Screenshot
func TestScreenshot(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	const email, password = "sam@example.com", "a long and happy password"
	first := openPage(t, srv)
	first.signUp("Sam Rivera", email, password)
	token := evaluateAsync[string](first, `fetch("/api/auth/token").then(r => r.json()).then(b => b.token)`)
	for _, task := range []struct {
		title, description string
		completed          bool
	}{
		{"Renew passport", "Photos are in the desk drawer; the form wants both signed.", true},
		{"Book dentist appointment", "", true},
		{"Pick up dry cleaning", "", false},
		{"Call Grandma for her birthday", "", false},
		{"Draft the quarterly report", "Numbers from finance by Thursday.\nKeep it to two pages.", false},
		{"Buy groceries", "Oat milk, eggs, spinach, coffee beans", false},
	} {
		res := srv.Do(t, http.MethodPost, "/api/v1/tasks", token, map[string]string{"title": task.title, "description": task.description})
		var created struct{ ID string }
		res.JSON(t, &created)
		if task.completed {
			srv.Do(t, http.MethodPost, "/api/v1/tasks/"+created.ID+"/toggle", token, nil)
		}
	}

	base := os.Getenv("SCREENSHOT_PATH")
	for _, view := range []struct {
		suffix        string
		width, height int64
		scheme        string
	}{
		{"", 1200, 900, "light"},
		{"-phone", 390, 844, "light"},
		{"-dark", 1200, 900, "dark"},
	} {
		t.Run("view"+view.suffix, func(t *testing.T) {
			p := openPage(t, srv, withViewport(view.width, view.height), withColorScheme(view.scheme))
			p.open("/signin")
			p.fillRole("form", "Email", email)
			p.fillRole("form", "Password", password)
			p.press("Enter")
			p.waitFor("the list", `document.querySelectorAll("#tasks li.task").length === 6`)
			p.do(evaluateVoid(`document.activeElement.blur()`)) // no focus ring in the picture
			p.waitFor("transitions to end", `document.getAnimations().length === 0`)
			if overflow := evaluate[int](p, `document.documentElement.scrollWidth - window.innerWidth`); overflow > 0 {
				t.Errorf("at %d px wide, the page is %d px wider than the window", view.width, overflow)
			}
			if got := p.text(".count"); got != "4 items left" {
				t.Errorf("count says %q", got)
			}
			if base == "" {
				return
			}
			shot := chromedp.CaptureScreenshot()
			if view.suffix == "" {
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
