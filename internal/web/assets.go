package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// The files served under /static/. Notes and licences beside them are kept out of the binary's
// URL space on purpose.
//
//go:embed static/*.css static/*.js static/*.svg
var staticFiles embed.FS

// asset is one static file, ready to serve: its bytes, gzipped when that is worth it, and a
// version taken from its content.
type asset struct {
	body        []byte
	gzipped     []byte
	contentType string
	version     string
}

// assets are the static files by name ("app.css").
type assets map[string]*asset

func loadAssets() (assets, error) {
	a := assets{}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		f := &asset{
			body:        body,
			contentType: mime.TypeByExtension(path.Ext(p)),
			version:     hex.EncodeToString(sum[:6]),
		}
		if f.gzipped, err = gzipBytes(body); err != nil {
			return err
		}
		a[path.Base(p)] = f
		return nil
	})
	return a, err
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// url is the address of a static file with its content version, so that browsers may keep it
// forever and still fetch the new file after a deploy. Templates call it as {{asset "app.css"}}.
func (a assets) url(name string) (string, error) {
	f, ok := a[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return "/static/" + name + "?v=" + f.version, nil
}

// Static serves GET /static/{name}. A request that names the current version may be cached for
// a year; any other must be revalidated.
func (ui *UI) Static() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		f, ok := ui.assets[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.contentType)
		h.Set("ETag", `"`+f.version+`"`)
		h.Set("Vary", "Accept-Encoding")
		if r.URL.Query().Get("v") == f.version {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		if r.Header.Get("If-None-Match") == `"`+f.version+`"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body := f.body
		if acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			body = f.gzipped
		}
		w.Write(body)
	})
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
