package server

import (
	"context"
	"net"
	"net/http/httptest"
	"testing"
	"time"

	"twin-panel/sandbox/internal/testkit"
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
	return newTestSandboxWith(t, testConfig())
}

// newTestSandboxWith is newTestSandbox with cfg.
func newTestSandboxWith(t *testing.T, cfg Config) (*Sandbox, string) {
	t.Helper()
	sb, err := NewSandbox(cfg)
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

// newConnectedSandbox is newTestSandbox with operator 389 logged in and
// connected over a raw WebSocket.
func newConnectedSandbox(t *testing.T) (*Sandbox, string, *wsClient) {
	t.Helper()
	return newConnectedSandboxWith(t, testConfig())
}

// newConnectedSandboxWith is newConnectedSandbox with cfg.
func newConnectedSandboxWith(t *testing.T, cfg Config) (*Sandbox, string, *wsClient) {
	t.Helper()
	sb, base := newTestSandboxWith(t, cfg)
	token, _ := testkit.Login(t, base, testkit.OperatorLogin(nil))
	client := dialWS(t, base)
	client.connect(token)
	return sb, base, client
}

// eventually polls done every 10 ms for up to 5 s; then the test fails
// with the message describe gives.
func eventually(t *testing.T, done func() bool, describe func() string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatal(describe())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
