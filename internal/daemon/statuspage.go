package daemon

import (
	"embed"
	"encoding/json"
	"net/http"
)

// statusPageFiles are the page's assets: no external URL, so the page works
// on an air-gapped load balancer.
//
//go:embed statuspage
var statusPageFiles embed.FS

// statusPageCSP lets the page load only its own assets and fetch only its
// own origin.
const statusPageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// addStatusPage adds the read-only status page to mux: the page at /, its
// assets, and /status.json, the control socket's status report. Every
// route is GET (and HEAD); other methods get 405 from the mux.
func addStatusPage(mux *http.ServeMux, status func() StatusReport) {
	mux.HandleFunc("GET /{$}", pageAsset("index.html", "text/html; charset=utf-8"))
	mux.HandleFunc("GET /status.css", pageAsset("status.css", "text/css; charset=utf-8"))
	mux.HandleFunc("GET /status.js", pageAsset("status.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /status.json", func(rw http.ResponseWriter, _ *http.Request) {
		pageHeaders(rw, "application/json")
		_ = json.NewEncoder(rw).Encode(status())
	})
}

// pageAsset serves one embedded file with its content type.
func pageAsset(name, contentType string) http.HandlerFunc {
	body, err := statusPageFiles.ReadFile("statuspage/" + name)
	return func(rw http.ResponseWriter, _ *http.Request) {
		if err != nil { // only if the embed directive and the names disagree
			http.Error(rw, "status page asset "+name+": "+err.Error(), http.StatusInternalServerError)
			return
		}
		pageHeaders(rw, contentType)
		_, _ = rw.Write(body)
	}
}

// pageHeaders sets the content type and the headers that keep the page
// self-contained and always fresh.
func pageHeaders(rw http.ResponseWriter, contentType string) {
	h := rw.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Security-Policy", statusPageCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}
