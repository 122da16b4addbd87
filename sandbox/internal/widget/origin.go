package widget

import (
	"net/http"

	"twin-panel/sandbox/internal/httpapi"
)

// WithOrigin guards the widget's Socket.IO endpoint: requests with
// a non-loopback Origin get 403 before the library sees them (no Origin is
// fine: Node and Python clients send none). Loopback pages may poll across
// ports, so they get CORS headers with credentials, as Socket.IO clients
// with withCredentials expect, and preflights are answered here.
func WithOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		h := w.Header()
		h.Add("Vary", "Origin")
		if !httpapi.WebSocketOriginAllowed(origin) {
			httpapi.WriteError(w, http.StatusForbidden, "Origin not allowed.", map[string]string{"origin": origin})
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
			h.Set("Access-Control-Max-Age", httpapi.CORSMaxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
