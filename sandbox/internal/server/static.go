package server

import (
	"net/http"
	"path"
	"strings"
)

// staticTypes pins the content types a browser is strict about: streaming
// WebAssembly compilation needs application/wasm, module scripts need a
// JavaScript type.
var staticTypes = map[string]string{
	".wasm": "application/wasm",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".json": "application/json",
	".map":  "application/json",
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
}

// staticDir serves the files of dir. A missing directory just answers 404.
// Nothing is cached: the package is rebuilt while the sandbox runs.
func staticDir(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if ctype, ok := staticTypes[strings.ToLower(path.Ext(r.URL.Path))]; ok {
			w.Header().Set("Content-Type", ctype)
		}
		files.ServeHTTP(w, r)
	})
}
