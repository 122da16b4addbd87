package control

import (
	"mime"
	"net/http"

	"twin-panel/sandbox/internal/httpapi"
)

// Guard lets GET, HEAD and OPTIONS through and requires, for
// every other method, a loopback Origin (or none, as Node and curl send),
// Content-Type application/json and X-Sandbox-Control: 1. A simple cross-site
// form POST carries none of these.
func Guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		if origin := r.Header.Get("Origin"); origin != "" && !httpapi.IsLoopbackOrigin(origin) {
			httpapi.WriteError(w, http.StatusForbidden, "Origin not allowed.", map[string]string{"origin": origin})
			return
		}
		if mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mediaType != "application/json" {
			httpapi.WriteError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json.", nil)
			return
		}
		if r.Header.Get(httpapi.ControlHeader) != "1" {
			httpapi.WriteError(w, http.StatusForbidden, httpapi.ControlHeader+": 1 is required.", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}
