package web

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
)

// serviceWorker is the script of the service worker that shows the reminders of Web Push.
//
//go:embed worker/sw.js
var serviceWorker []byte

// workerPolicy lets the service worker talk to this server only (to snooze) and show its icon.
const workerPolicy = "default-src 'none'; connect-src 'self'; img-src 'self'"

// ServiceWorker serves GET /sw.js: the service worker, at the root so that its scope is the
// whole site, as browsers allow a worker only the path it is served under. Browsers look for a
// new version of it on their own; no-cache makes each look ask this server.
func (ui *UI) ServiceWorker() http.Handler {
	sum := sha256.Sum256(serviceWorker)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/javascript; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Security-Policy", workerPolicy)
		h.Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(serviceWorker)
	})
}
