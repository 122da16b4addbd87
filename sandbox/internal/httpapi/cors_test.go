package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestIsLoopbackOrigin(t *testing.T) {
	for origin, want := range map[string]bool{
		"http://localhost:5173":   true,
		"https://localhost":       true,
		"http://127.0.0.1:8080":   true,
		"http://127.1.2.3:9":      true,
		"http://[::1]:3000":       true,
		"http://example.com":      false,
		"http://localhost.evil":   false,
		"http://10.0.0.1:8080":    false,
		"file://localhost":        false,
		"null":                    false,
		"":                        false,
		"http://localhost:5173/x": false,
	} {
		if got := IsLoopbackOrigin(origin); got != want {
			t.Errorf("IsLoopbackOrigin(%q) = %v, want %v", origin, got, want)
		}
	}
}

func TestCORS(t *testing.T) {
	handler := WithCORS(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	serve := func(method, origin string, preflight bool) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "/iam/api/v1/users/me", nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if preflight {
			req.Header.Set("Access-Control-Request-Method", "GET")
			req.Header.Set("Access-Control-Request-Headers", "authorization")
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		return rec
	}

	rec := serve(http.MethodOptions, "http://localhost:5173", true)
	h := rec.Header()
	if rec.Code != http.StatusNoContent ||
		h.Get("Access-Control-Allow-Origin") != "http://localhost:5173" ||
		h.Get("Access-Control-Allow-Methods") != "GET, POST, PUT, PATCH, DELETE, OPTIONS" ||
		h.Get("Access-Control-Allow-Headers") != "Authorization, Content-Type, X-Sandbox-Control" ||
		h.Get("Access-Control-Max-Age") != "600" ||
		h.Get("Vary") != "Origin" {
		t.Fatalf("preflight: %d %v", rec.Code, h)
	}

	rec = serve(http.MethodGet, "http://127.0.0.1:4000", false)
	if rec.Code != http.StatusTeapot || rec.Header().Get("Access-Control-Allow-Origin") != "http://127.0.0.1:4000" {
		t.Fatalf("simple request: %d %v", rec.Code, rec.Header())
	}

	for _, origin := range []string{"https://example.com", ""} {
		rec = serve(http.MethodGet, origin, false)
		if rec.Code != http.StatusTeapot || rec.Header().Get("Access-Control-Allow-Origin") != "" || rec.Header().Get("Access-Control-Allow-Methods") != "" {
			t.Fatalf("origin %q got CORS headers: %v", origin, rec.Header())
		}
	}
}
