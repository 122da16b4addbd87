package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"twin-panel/sandbox/internal/httpapi"
	"twin-panel/sandbox/internal/testkit"
)

// TestControlEndpointsRefuseCrossSiteRequests sends what a page of another
// site can send without a preflight (a form POST) and what a caller that
// forgets a header sends: none of them may change state.
func TestControlEndpointsRefuseCrossSiteRequests(t *testing.T) {
	sb, base := newTestSandbox(t)
	send := func(origin, contentType string, control bool) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, base+"/__sandbox/operators/block", strings.NewReader(`{"userId":389,"blocked":true}`))
		if err != nil {
			t.Fatal(err)
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if control {
			req.Header.Set(httpapi.ControlHeader, "1")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for _, c := range []struct {
		name, origin, contentType string
		control                   bool
		want                      int
	}{
		{"cross-site form POST", "https://evil.example", "application/x-www-form-urlencoded", false, http.StatusForbidden},
		{"cross-site text/plain POST", "https://evil.example", "text/plain", false, http.StatusForbidden},
		{"cross-site with every header", "https://evil.example", "application/json", true, http.StatusForbidden},
		{"no Content-Type", "", "", true, http.StatusUnsupportedMediaType},
		{"text/plain from loopback", "http://127.0.0.1:5173", "text/plain", true, http.StatusUnsupportedMediaType},
		{"no control header", "", "application/json", false, http.StatusForbidden},
	} {
		if got := send(c.origin, c.contentType, c.control); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	loginStatus := func() int {
		status, _ := testkit.Call(t, http.MethodPost, base+"/iam/api/v1/auth/login", nil,
			map[string]string{"email": "operator@twin.local", "password": "operator"})
		return status
	}
	if got := loginStatus(); got != http.StatusOK {
		t.Fatalf("a refused request blocked the operator: login %d", got)
	}
	if got := send("http://localhost:5173", "application/json; charset=utf-8", true); got != http.StatusOK {
		t.Fatalf("a loopback caller with both headers: %d", got)
	}
	if got := loginStatus(); got != http.StatusForbidden {
		t.Fatalf("the accepted request did not block the operator: login %d", got)
	}
	// Reads stay open: health and stats are polled by scripts with plain GETs.
	if res := serveRequest(sb, http.MethodGet, "/__sandbox/stats"); res.Code != http.StatusOK {
		t.Fatalf("GET stats: %d", res.Code)
	}
}

// TestControlPreflight allows the control header for loopback pages only.
func TestControlPreflight(t *testing.T) {
	sb, _ := newTestSandbox(t)
	for origin, allowed := range map[string]bool{"http://127.0.0.1:9000": true, "https://evil.example": false} {
		req := httptest.NewRequest(http.MethodOptions, "/__sandbox/chats/reset", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type, x-sandbox-control")
		rec := httptest.NewRecorder()
		sb.Handler().ServeHTTP(rec, req)
		got := rec.Header().Get("Access-Control-Allow-Origin") == origin &&
			strings.Contains(rec.Header().Get("Access-Control-Allow-Headers"), httpapi.ControlHeader)
		if got != allowed {
			t.Errorf("preflight from %s: allowed=%v, headers %v", origin, got, rec.Header())
		}
	}
}
