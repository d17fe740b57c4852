// Package apidocs serves the interactive API documentation page at /docs: Swagger UI
// (npm swagger-ui-dist 5.35.0, Apache-2.0, vendored with its LICENSE and NOTICE) reading the
// server's /openapi.json, with no request leaving the server.
package apidocs

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed assets
var assets embed.FS

// csp allows only the page's own files; Swagger UI sets inline styles and shows data: images.
const csp = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// Handler serves /docs and its assets.
func Handler() http.Handler {
	files, _ := fs.Sub(assets, "assets")
	static := http.StripPrefix("/docs/", http.FileServerFS(files))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		if r.URL.Path == "/docs" || r.URL.Path == "/docs/" {
			http.ServeFileFS(w, r, files, "index.html")
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		static.ServeHTTP(w, r)
	})
}
