package main

import (
	"net"
	"net/http"
	"net/url"
)

// Browser tests load their pages from another localhost port, so the APIs
// allow cross-origin calls, but only from loopback origins.
const (
	corsAllowMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
	corsAllowHeaders = "Authorization, Content-Type, " + ControlHeader
	corsMaxAge       = "600"
)

// isLoopbackOrigin reports whether origin is http(s) on localhost,
// 127.0.0.0/8 or [::1], any port.
func isLoopbackOrigin(origin string) bool {
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

// webSocketOriginAllowed accepts clients without an Origin (non-browser
// clients such as Node) and pages served from a loopback origin.
func webSocketOriginAllowed(origin string) bool {
	return origin == "" || isLoopbackOrigin(origin)
}

// withCORS adds CORS headers for loopback origins and answers preflight
// requests itself, before any fault injection can touch them.
func withCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		h := w.Header()
		h.Add("Vary", "Origin")
		if origin != "" && isLoopbackOrigin(origin) {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", corsAllowMethods)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// withSocketIOOrigin guards the widget's Socket.IO endpoint: requests with
// a non-loopback Origin get 403 before the library sees them (no Origin is
// fine: Node and Python clients send none). Loopback pages may poll across
// ports, so they get CORS headers with credentials, as Socket.IO clients
// with withCredentials expect, and preflights are answered here.
func withSocketIOOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		h := w.Header()
		h.Add("Vary", "Origin")
		if !webSocketOriginAllowed(origin) {
			writeError(w, http.StatusForbidden, "Origin not allowed.", map[string]string{"origin": origin})
			return
		}
		if origin != "" {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			if asked := r.Header.Get("Access-Control-Request-Headers"); asked != "" {
				h.Set("Access-Control-Allow-Headers", asked)
			}
			h.Set("Access-Control-Max-Age", corsMaxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
