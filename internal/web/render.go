package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"

	"todo/internal/apperr"
)

// fragment is one named template of a page and its data.
type fragment struct {
	name string
	data any
}

// isHTMX tells whether htmx sent the request and will swap a fragment of the answer in. A
// history restore (back button) wants the whole page.
func isHTMX(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-History-Restore-Request") != "true"
}

// page writes a whole page: the named template set rendered through its layout.
func (ui *UI) page(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	ui.write(w, r, status, name, fragment{"layout", data})
}

// write renders fragments of the page template set name, one after the other, into a buffer
// first, so that a template error becomes a clean 500 rather than half a page.
func (ui *UI) write(w http.ResponseWriter, r *http.Request, status int, name string, parts ...fragment) {
	var buf bytes.Buffer
	for _, p := range parts {
		if err := ui.pages[name].ExecuteTemplate(&buf, p.name, p.data); err != nil {
			ui.log.ErrorContext(r.Context(), "render template", "page", name, "template", p.name, "err", err)
			http.Error(w, "Internal server error", http.StatusInternalServerError)
			return
		}
	}
	setPageHeaders(w.Header())
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// Messages for failures that are nobody's fault but ours.
const (
	unavailableMessage = "We can't reach the database right now, so nothing was changed. Please try again in a moment."
	internalMessage    = "Something went wrong on our side, so nothing was changed. Please try again."
	notFoundMessage    = "This task no longer exists. It may have been deleted in another window."
)

// fail answers a request whose service call failed, with the status and headers of apperr's
// table: a missing task is 404, an unreachable database 503 (never 500), anything unexpected
// a 500 that shows no internals and is logged here, once.
func (ui *UI) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the browser went away; nobody reads the answer
	}
	e := apperr.From(err)
	apperr.Log(r.Context(), ui.log, e)
	e.SetHeaders(w.Header())
	msg := e.Message
	switch e.Kind {
	case apperr.NotFound:
		msg = notFoundMessage
	case apperr.Unavailable:
		msg = unavailableMessage
	case apperr.Internal:
		msg = internalMessage
	}
	ui.showError(w, r, e.Status(), msg)
}

// showError tells the user what went wrong. With htmx it goes to the page's alert area and
// leaves every form as it is, so nothing typed is lost; otherwise it is a page of its own.
func (ui *UI) showError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if isHTMX(r) {
		w.Header().Set("HX-Retarget", "#alerts")
		w.Header().Set("HX-Reswap", "innerHTML")
		ui.write(w, r, status, "tasks", fragment{"alert", msg})
		return
	}
	heading := "Something went wrong"
	switch status {
	case http.StatusNotFound:
		heading = "Not found"
	case http.StatusServiceUnavailable:
		heading = "Temporarily unavailable"
	case http.StatusForbidden:
		heading = "Request refused"
	case http.StatusConflict:
		heading = "Limit reached"
	case http.StatusTooManyRequests:
		heading = "Too many requests"
	}
	ui.page(w, r, status, "error", errorView{
		layoutView: layoutView{Title: heading},
		Heading:    heading,
		Message:    msg,
		Back:       "/",
	})
}
