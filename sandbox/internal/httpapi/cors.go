package httpapi

import (
	"net"
	"net/http"
	"net/url"
)

// ControlHeader must be "1" on every state-changing request to /__sandbox/.
// A browser adds a custom header only after a CORS preflight, and the
// sandbox answers preflights for loopback origins only, so a page of
// another site cannot block operators or reset chats while the demo runs.
const ControlHeader = "X-Sandbox-Control"

// Browser tests load their pages from another localhost port, so the APIs
// allow cross-origin calls, but only from loopback origins.
const (
	corsAllowMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
	corsAllowHeaders = "Authorization, Content-Type, " + ControlHeader
	CORSMaxAge       = "600"
)

// IsLoopbackOrigin reports whether origin is http(s) on localhost,
// 127.0.0.0/8 or [::1], any port.
func IsLoopbackOrigin(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	if u.Path != "" || u.RawQuery != "" || u.User != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// WebSocketOriginAllowed accepts clients without an Origin (non-browser
// clients such as Node) and pages served from a loopback origin.
func WebSocketOriginAllowed(origin string) bool {
	return origin == "" || IsLoopbackOrigin(origin)
}

// WithCORS adds CORS headers for loopback origins and answers preflight
// requests itself, before any fault injection can touch them.
func WithCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		h := w.Header()
		h.Add("Vary", "Origin")
		if origin != "" && IsLoopbackOrigin(origin) {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", corsAllowMethods)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", CORSMaxAge)
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
