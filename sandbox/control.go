package main

import (
	"mime"
	"net/http"
)

// ControlHeader must be "1" on every state-changing request to /__sandbox/.
// A browser adds a custom header only after a CORS preflight, and the
// sandbox answers preflights for loopback origins only, so a page of
// another site cannot block operators or reset chats while the demo runs.
const ControlHeader = "X-Sandbox-Control"

// withControlGuard lets GET, HEAD and OPTIONS through and requires, for
// every other method, a loopback Origin (or none, as Node and curl send),
// Content-Type application/json and ControlHeader: 1. A simple cross-site
// form POST carries none of these.
func withControlGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		if origin := r.Header.Get("Origin"); origin != "" && !isLoopbackOrigin(origin) {
			writeError(w, http.StatusForbidden, "Origin not allowed.", map[string]string{"origin": origin})
			return
		}
		if mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mediaType != "application/json" {
			writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json.", nil)
			return
		}
		if r.Header.Get(ControlHeader) != "1" {
			writeError(w, http.StatusForbidden, ControlHeader+": 1 is required.", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}
