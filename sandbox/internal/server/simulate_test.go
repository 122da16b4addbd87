package server

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestSandboxWithSimulatorShutsDown(t *testing.T) {
	cfg := testConfig()
	cfg.Simulate = true
	sb, err := NewSandbox(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res := serveRequest(sb, http.MethodGet, "/__sandbox/health"); res.Code != http.StatusOK {
		t.Fatalf("health: %d", res.Code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	if err := sb.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Fatalf("shutdown took %s", elapsed)
	}
}
