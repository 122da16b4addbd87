package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable time source for token expiry tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newTestIAM serves only the IAM endpoints, on a fake clock.
func newTestIAM(t *testing.T, clock *fakeClock) (*IAM, string) {
	t.Helper()
	iam := &IAM{
		store:      NewStore(),
		tokens:     NewJWTSigner([]byte("test-secret")),
		maxTTL:     24 * time.Hour,
		refreshTTL: 48 * time.Hour,
		stats:      &Stats{},
		now:        clock.Now,
	}
	mux := http.NewServeMux()
	iam.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return iam, srv.URL
}

// testConfig is DefaultConfig with short pings and no static directories.
func testConfig() Config {
	cfg := DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.WWWDir = "testdata/no-such-dir"
	cfg.PkgDir = "testdata/no-such-dir"
	cfg.PingInterval = 2 * time.Second
	cfg.PongTimeout = time.Second
	return cfg
}

// newTestSandbox runs a whole sandbox on a real loopback listener, so the
// TCP-level faults apply, and returns it with its base URL.
func newTestSandbox(t *testing.T) (*Sandbox, string) {
	t.Helper()
	sb, err := NewSandbox(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sb.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := sb.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return sb, "http://" + ln.Addr().String()
}

// call sends a JSON request and decodes a JSON answer into a generic map.
func call(t *testing.T, method, url string, header http.Header, body any) (int, map[string]any) {
	t.Helper()
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, reader)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(url, "/__sandbox/") {
		// What every caller of the control endpoints sends.
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(ControlHeader, "1")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: non-JSON answer %d %q", method, url, res.StatusCode, raw)
		}
	}
	return res.StatusCode, out
}

// bearer builds an Authorization header.
func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// wantError checks a platform error answer.
func wantError(t *testing.T, gotStatus int, body map[string]any, status int, message string) {
	t.Helper()
	if gotStatus != status || body["error"] != message {
		t.Fatalf("got %d %v, want %d error %q", gotStatus, body, status, message)
	}
	if _, ok := body["details"]; !ok {
		t.Fatalf("error body %v has no details field", body)
	}
}

// serveRequest runs one request through the sandbox handler in memory.
func serveRequest(sb *Sandbox, method, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	sb.Handler().ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}
