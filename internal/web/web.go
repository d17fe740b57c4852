// Package web is the browser front end: server-rendered pages to sign up, sign in and manage
// tasks. Every page works as plain HTML forms (POST, then redirect); with JavaScript on, htmx
// swaps fragments of the same templates in place. It goes through the same task and auth
// services as the JSON API, and the same sessions.
package web

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"

	"todo/internal/auth"
	"todo/internal/task"
	"todo/internal/userrate"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pageNames are the templates that render a whole page; each one is parsed over the layout and
// the partials, which every page shares.
var pageNames = []string{"signin", "signup", "tasks", "confirm", "error",
	"forgot-password", "reset-password", "notice", "account", "prefs"}

// Tasks is what the UI asks of the task service.
type Tasks interface {
	Query(ctx context.Context, userID string, q task.Query) (task.Page, task.Prefs, error)
	Create(ctx context.Context, userID string, d task.Draft) (task.Task, error)
	Get(ctx context.Context, userID string, id uuid.UUID) (task.Task, error)
	Edit(ctx context.Context, userID string, id uuid.UUID, p task.Patch) (task.Task, error)
	Toggle(ctx context.Context, userID string, id uuid.UUID, ifMatch string) (task.Task, error)
	Delete(ctx context.Context, userID string, id uuid.UUID, ifMatch string) error
	SetAllCompleted(ctx context.Context, userID string, completed bool) (int64, error)
	DeleteCompleted(ctx context.Context, userID string) (int64, error)
	Apply(ctx context.Context, userID string, b task.Bulk) ([]task.Task, error)
	History(ctx context.Context, userID string, id uuid.UUID) ([]task.Completion, error)
	Tags(ctx context.Context, userID string) ([]task.Tag, error)
	Prefs(ctx context.Context, userID string) (task.Prefs, error)
	SavePrefs(ctx context.Context, userID string, p task.Prefs) error
	// Now is the service's clock, which "today" and "overdue" are computed by.
	Now() time.Time
}

// Auth is what the UI asks of the auth service: the same sessions and cookies as its API's.
type Auth interface {
	Session(ctx context.Context, w http.ResponseWriter, r *http.Request) (*auth.Authenticated, error)
	SignIn(ctx context.Context, in auth.SignInInput, c auth.Client) (auth.Authenticated, error)
	SignUp(ctx context.Context, in auth.SignUpInput, c auth.Client) (auth.Authenticated, error)
	SignOut(ctx context.Context, token string) error
	SetSessionCookie(w http.ResponseWriter, a auth.Authenticated)
	ClearSessionCookies(w http.ResponseWriter)
	ClientIP(r *http.Request) string
	Issuer() string

	// The account pages: password reset, email verification, changes of address and password.
	EmailFeatures() auth.EmailFeatures
	RequestPasswordReset(ctx context.Context, email, redirectTo string, c auth.Client) error
	CheckResetToken(ctx context.Context, token string) error
	ResetPassword(ctx context.Context, token, newPassword string, c auth.Client) error
	SendVerificationEmail(ctx context.Context, email, callbackURL string, a *auth.Authenticated, c auth.Client) error
	ChangeEmail(ctx context.Context, a auth.Authenticated, newEmail, callbackURL string, c auth.Client) error
	ChangePassword(ctx context.Context, a auth.Authenticated, current, next string, revokeOthers bool, c auth.Client) (*auth.Session, error)
}

// UI serves the web front end.
type UI struct {
	tasks       Tasks
	auth        Auth
	log         *slog.Logger
	pages       map[string]*template.Template
	assets      assets
	crossOrigin *http.CrossOriginProtection
	// origin is the site's public origin; strictOrigin says it is the only one a form may
	// come from (it was configured, or this is production).
	origin       string
	strictOrigin bool
	// Limit, when set, is the per-user rate limit, the same buckets as the task API's.
	Limit *userrate.Limiter
	// Calendar, when set, is the calendar feeds, which the settings page makes and revokes.
	Calendar Calendar
	// Reminders, when set, is the reminders of tasks: in the edit form, their settings, the
	// browser's push subscription, and the notices of the open page.
	Reminders Reminders
}

// New builds the UI over the task and auth services. strictOrigin says that forms must come
// from the auth service's public origin and no other (see UI.sameOrigin).
func New(tasks Tasks, authn Auth, strictOrigin bool, log *slog.Logger) (*UI, error) {
	ui := &UI{tasks: tasks, auth: authn, log: log.With("component", "web"),
		origin: authn.Issuer(), strictOrigin: strictOrigin}
	var err error
	if ui.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if ui.pages, err = parsePages(ui.assets, authn.EmailFeatures, func() bool { return ui.Reminders != nil }); err != nil {
		return nil, err
	}
	if ui.crossOrigin, err = newCrossOriginProtection(authn.Issuer()); err != nil {
		return nil, err
	}
	ui.crossOrigin.SetDenyHandler(http.HandlerFunc(ui.crossSiteRefused))
	return ui, nil
}

// parsePages parses the pages; emailFeatures tells the layout whether to offer what needs
// mail (the banner that asks to verify an address, "Forgot password?"), remindersOn whether
// the pages show the reminders that fire while they are open.
func parsePages(a assets, emailFeatures func() auth.EmailFeatures, remindersOn func() bool) (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(template.FuncMap{
		"asset":         a.url,
		"plural":        plural,
		"emailFeatures": emailFeatures,
		"remindersOn":   remindersOn,
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
