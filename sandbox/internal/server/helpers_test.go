package server

import (
	"context"
	"net"
	"net/http/httptest"
	"testing"
	"time"
)

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

// serveRequest runs one request through the sandbox handler in memory.
func serveRequest(sb *Sandbox, method, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	sb.Handler().ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}
