// Package web is the browser front end: server-rendered pages to sign up, sign in and manage
// tasks. Every page works as plain HTML forms (POST, then redirect); with JavaScript on, htmx
// swaps fragments of the same templates in place. It goes through the same task and auth
// services as the JSON API, and the same sessions.
package web

import (
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"

	"todo/internal/auth"
	"todo/internal/task"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pageNames are the templates that render a whole page; each one is parsed over the layout and
// the partials, which every page shares.
var pageNames = []string{"signin", "signup", "tasks", "confirm", "error"}

// UI serves the web front end.
type UI struct {
	tasks       *task.Service
	auth        *auth.Service
	log         *slog.Logger
	pages       map[string]*template.Template
	assets      assets
	crossOrigin *http.CrossOriginProtection
}

// New builds the UI over the task and auth services.
func New(tasks *task.Service, authn *auth.Service, log *slog.Logger) (*UI, error) {
	ui := &UI{tasks: tasks, auth: authn, log: log.With("component", "web")}
	var err error
	if ui.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if ui.pages, err = parsePages(ui.assets); err != nil {
		return nil, err
	}
	if ui.crossOrigin, err = newCrossOriginProtection(authn.Issuer()); err != nil {
		return nil, err
	}
	ui.crossOrigin.SetDenyHandler(http.HandlerFunc(ui.crossSiteRefused))
	return ui, nil
}

func parsePages(a assets) (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(template.FuncMap{
		"asset":  a.url,
		"plural": plural,
	}).ParseFS(templateFiles, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if pages[name], err = t.ParseFS(templateFiles, "templates/"+name+".html"); err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
	}
	return pages, nil
}

// plural picks the word for n: plural 1 "item" "items" is "item".
func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
