package server

import (
	"context"
	"crypto/subtle"
	"net/http"
	"sync/atomic"
	"time"

	"todo/internal/api"
	"todo/internal/apidocs"
	"todo/internal/apperr"
	"todo/internal/auth"
	"todo/internal/database"
	"todo/internal/web"
)

type routeDeps struct {
	db       *database.DB
	stopping *atomic.Bool // set once Serve begins to shut down
	metrics  http.Handler
	api      *api.API
	auth     *auth.API
	web      *web.UI
	mcp      http.Handler
	calendar http.Handler
}

// addRoutes is the whole URL surface of the server.
func addRoutes(mux *http.ServeMux, d routeDeps) {
	// The task API of the specification (its OpenAPI document is /openapi.json), and its docs.
	d.api.Handle("GET /api/v1/tasks", d.api.ListTasks())
	d.api.Handle("POST /api/v1/tasks", d.api.CreateTask())
	d.api.Handle("GET /api/v1/tasks/{task_id}", d.api.GetTask())
	d.api.Handle("PATCH /api/v1/tasks/{task_id}", d.api.UpdateTask())
	d.api.Handle("DELETE /api/v1/tasks/{task_id}", d.api.DeleteTask())
	d.api.Handle("POST /api/v1/tasks/{task_id}/toggle", d.api.ToggleTask())
	// The same operations on the routes of the hackathon brief, for the caller's own {user_id}.
	d.api.Handle("GET /api/{user_id}/tasks", d.api.ListUserTasks())
	d.api.Handle("POST /api/{user_id}/tasks", d.api.CreateUserTask())
	d.api.Handle("GET /api/{user_id}/tasks/{id}", d.api.GetUserTask())
	d.api.Handle("PUT /api/{user_id}/tasks/{id}", d.api.ReplaceUserTask())
	d.api.Handle("DELETE /api/{user_id}/tasks/{id}", d.api.DeleteUserTask())
	d.api.Handle("PATCH /api/{user_id}/tasks/{id}/complete", d.api.CompleteUserTask())
	// The product's API: the whole task model, search, filters, sorts, cursors, ETags, bulk
	// changes, tags and settings.
	d.api.Handle("GET /api/v2/tasks", d.api.ListTasksV2())
	d.api.Handle("POST /api/v2/tasks", d.api.CreateTaskV2())
	d.api.Handle("POST /api/v2/tasks/bulk", d.api.BulkTasks())
	d.api.Handle("GET /api/v2/tasks/{task_id}", d.api.GetTaskV2())
	d.api.Handle("PATCH /api/v2/tasks/{task_id}", d.api.UpdateTaskV2())
	d.api.Handle("DELETE /api/v2/tasks/{task_id}", d.api.DeleteTaskV2())
	d.api.Handle("POST /api/v2/tasks/{task_id}/toggle", d.api.ToggleTaskV2())
	d.api.Handle("GET /api/v2/tasks/{task_id}/history", d.api.TaskHistory())
	d.api.Handle("GET /api/v2/tags", d.api.ListTags())
	d.api.Handle("PATCH /api/v2/tags/{name}", d.api.RenameTag())
	d.api.Handle("DELETE /api/v2/tags/{name}", d.api.DeleteTag())
	d.api.Handle("GET /api/v2/settings", d.api.GetSettings())
	d.api.Handle("PATCH /api/v2/settings", d.api.UpdateSettings())
	// Reminders: a task's, snoozing (also with a push notification's token), the settings,
	// the browsers subscribed to Web Push, and the notifications the open page polls for.
	d.api.Handle("GET /api/v2/tasks/{task_id}/reminders", d.api.TaskReminders())
	d.api.Handle("POST /api/v2/tasks/{task_id}/reminders", d.api.AddReminder())
	d.api.Handle("DELETE /api/v2/reminders/{reminder_id}", d.api.DeleteReminder())
	d.api.Handle("POST /api/v2/reminders/{reminder_id}/snooze", d.api.SnoozeReminder())
	d.api.Handle("GET /api/v2/reminder-settings", d.api.GetReminderSettings())
	d.api.Handle("PATCH /api/v2/reminder-settings", d.api.UpdateReminderSettings())
	d.api.Handle("GET /api/v2/push/vapid-public-key", d.api.VAPIDPublicKey())
	d.api.Handle("POST /api/v2/push/subscriptions", d.api.Subscribe())
	d.api.Handle("DELETE /api/v2/push/subscriptions", d.api.Unsubscribe())
	d.api.Handle("GET /api/v2/notifications", d.api.Notifications())
	d.api.Handle("GET /api/v2/calendar", d.api.GetCalendarFeed())
	d.api.Handle("POST /api/v2/calendar", d.api.CreateCalendarFeed())
	d.api.Handle("DELETE /api/v2/calendar", d.api.DeleteCalendarFeed())
	mux.Handle("GET /docs", apidocs.Handler())

	// The MCP tools for AI assistants (Streamable HTTP), over the same task service.
	mux.Handle("/mcp", d.mcp)
	mux.Handle("GET /docs/", apidocs.Handler())

	// The calendar feeds that calendar apps subscribe to (iCalendar): the {token}, which the
	// request log never shows, is the credential.
	mux.Handle("GET /calendar/{token}", d.calendar)

	// The built-in auth server, Better Auth's API. Anything else under /api/auth, a trailing
	// slash or another method included, is Better Auth's empty 404, not the mux's 405.
	mux.Handle("POST /api/auth/sign-up/email", d.auth.SignUp())
	mux.Handle("POST /api/auth/sign-in/email", d.auth.SignIn())
	mux.Handle("POST /api/auth/sign-out", d.auth.SignOut())
	mux.Handle("GET /api/auth/get-session", d.auth.GetSession())
	mux.Handle("POST /api/auth/get-session", d.auth.GetSession())
	mux.Handle("GET /api/auth/token", d.auth.Token())
	mux.Handle("GET /api/auth/jwks", d.auth.JWKS())
	mux.Handle("POST /api/auth/change-password", d.auth.ChangePassword())
	mux.Handle("GET /api/auth/list-sessions", d.auth.ListSessions())
	mux.Handle("POST /api/auth/revoke-session", d.auth.RevokeSession())
	mux.Handle("POST /api/auth/revoke-sessions", d.auth.RevokeSessions())
	mux.Handle("POST /api/auth/revoke-other-sessions", d.auth.RevokeOtherSessions())
	mux.Handle("POST /api/auth/update-user", d.auth.UpdateUser())
	mux.Handle("POST /api/auth/delete-user", d.auth.DeleteUser())
	mux.Handle("POST /api/auth/request-password-reset", d.auth.RequestPasswordReset())
	mux.Handle("GET /api/auth/reset-password/{token}", d.auth.ResetPasswordCallback())
	mux.Handle("POST /api/auth/reset-password", d.auth.ResetPassword())
	mux.Handle("POST /api/auth/send-verification-email", d.auth.SendVerificationEmail())
	mux.Handle("GET /api/auth/verify-email", d.auth.VerifyEmail())
	mux.Handle("POST /api/auth/change-email", d.auth.ChangeEmail())
	mux.Handle("/api/auth/", d.auth.NotFound())
	mux.Handle("/api/auth", d.auth.NotFound())

	// The web UI: pages and plain forms (POST, then redirect), which htmx also calls for
	// fragments. The GET pages of /tasks/{id}/delete and /tasks/clear-completed ask before
	// deleting when JavaScript is off.
	mux.Handle("GET /{$}", d.web.TaskList())
	mux.Handle("GET /signin", d.web.SignInPage())
	mux.Handle("POST /signin", d.web.SignIn())
	mux.Handle("GET /signup", d.web.SignUpPage())
	mux.Handle("POST /signup", d.web.SignUp())
	mux.Handle("POST /signout", d.web.SignOut())
	mux.Handle("GET /forgot-password", d.web.ForgotPasswordPage())
	mux.Handle("POST /forgot-password", d.web.ForgotPassword())
	mux.Handle("GET /reset-password", d.web.ResetPasswordPage())
	mux.Handle("POST /reset-password", d.web.ResetPassword())
	mux.Handle("POST /verify-email/send", d.web.SendVerification())
	mux.Handle("GET /email-verified", d.web.EmailVerifiedPage())
	mux.Handle("GET /account", d.web.AccountPage())
	mux.Handle("POST /account/email", d.web.ChangeEmail())
	mux.Handle("POST /account/password", d.web.ChangePassword())
	mux.Handle("POST /tasks", d.web.CreateTask())
	mux.Handle("GET /tasks/preview", d.web.QuickAddPreview())
	mux.Handle("POST /tasks/bulk", d.web.BulkTasks())
	mux.Handle("GET /tasks/{id}", d.web.TaskItem())
	mux.Handle("GET /tasks/{id}/edit", d.web.EditTaskForm())
	mux.Handle("GET /tasks/{id}/repeat", d.web.RepeatFields())
	mux.Handle("POST /tasks/{id}/reminders", d.web.AddReminder())
	mux.Handle("POST /tasks/{id}/reminders/{reminder}/delete", d.web.DeleteReminder())
	mux.Handle("POST /reminders/{id}/snooze", d.web.SnoozeReminder())
	mux.Handle("GET /notifications", d.web.Notices())
	mux.Handle("POST /tasks/{id}/edit", d.web.EditTask())
	mux.Handle("POST /tasks/{id}/toggle", d.web.ToggleTask())
	mux.Handle("GET /tasks/{id}/delete", d.web.ConfirmDeleteTask())
	mux.Handle("POST /tasks/{id}/delete", d.web.DeleteTask())
	mux.Handle("POST /tasks/complete-all", d.web.CompleteAll())
	mux.Handle("GET /tasks/clear-completed", d.web.ConfirmClearCompleted())
	mux.Handle("POST /tasks/clear-completed", d.web.ClearCompleted())
	mux.Handle("GET /settings", d.web.SettingsPage())
	mux.Handle("POST /settings", d.web.SaveSettings())
	mux.Handle("POST /settings/calendar", d.web.CreateCalendarFeed())
	mux.Handle("POST /settings/calendar/revoke", d.web.RevokeCalendarFeed())
	mux.Handle("POST /settings/reminders", d.web.SaveReminderSettings())
	mux.Handle("POST /settings/push", d.web.SubscribePush())
	mux.Handle("POST /settings/push/delete", d.web.UnsubscribePush())
	mux.Handle("GET /sw.js", d.web.ServiceWorker())
	mux.Handle("GET /static/", d.web.Static())

	// Operations.
	mux.HandleFunc("GET /healthz", healthz)
	mux.Handle("GET /readyz", readyz(d.db, d.stopping))
	mux.Handle("GET /api/v1/health", readyz(d.db, d.stopping)) // the spec's companion API document names it
	mux.Handle("GET /metrics", d.metrics)
}

// guardMetrics serves the metrics to the holder of token, when there is one; without a token
// they are open in development and off (404) in production.
func guardMetrics(h http.Handler, token string, production bool) http.Handler {
	if token == "" {
		if production {
			return http.NotFoundHandler()
		}
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// healthz answers as soon as the server accepts requests.
func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"status":"ok"}`))
}

// readyz answers 200 while the database answers, 503 otherwise, and 503 once the server has
// begun to shut down, so that a load balancer sends it no more requests while the ones it
// still gets are served.
func readyz(db *database.DB, stopping *atomic.Bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if stopping.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"status":"stopping"}`))
			return
		}
		if err := db.Ping(ctx); err != nil {
			(&apperr.Error{Kind: apperr.Unavailable}).SetHeaders(w.Header())
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"status":"unavailable","detail":"The database does not answer"}`))
			return
		}
		w.Write([]byte(`{"status":"ok"}`))
	})
}
