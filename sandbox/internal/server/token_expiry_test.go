package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"twin-panel/sandbox/internal/testkit"
)

func TestTokenExpirySwitch(t *testing.T) {
	_, base := newTestSandbox(t)
	meURL := base + "/chat/api/v1/users/me"
	oldToken, refresh := testkit.Login(t, base, testkit.OperatorLogin(nil))
	if status, out := testkit.Call(t, http.MethodGet, meURL, testkit.Bearer(oldToken), nil); status != http.StatusOK {
		t.Fatalf("before the switch: %d %v", status, out)
	}

	status, out := testkit.Call(t, http.MethodPost, base+"/__sandbox/tokens/expire", nil, map[string]any{})
	if status != http.StatusOK || out["expiredBefore"] == nil {
		t.Fatalf("expire: %d %v", status, out)
	}
	status, out = testkit.Call(t, http.MethodGet, meURL, testkit.Bearer(oldToken), nil)
	testkit.WantError(t, status, out, http.StatusUnauthorized, "Token is expired.")
	if out["details"] != nil {
		t.Fatalf("details = %v, want null", out["details"])
	}

	// A token issued right after the switch, within the same second, is valid.
	fresh, _ := testkit.Login(t, base, testkit.OperatorLogin(nil))
	if status, out := testkit.Call(t, http.MethodGet, meURL, testkit.Bearer(fresh), nil); status != http.StatusOK {
		t.Fatalf("token issued after the switch: %d %v", status, out)
	}

	// The Centrifuge connect answers error 109 for the retired token.
	client := dialWS(t, base)
	client.send(`{"id":1,"connect":{"data":{"application":"notifications","settings":{"token":"` + oldToken + `"}}}}`)
	reply, ok := client.next(5 * time.Second)
	if !ok || !strings.Contains(reply, `"code":109`) {
		t.Fatalf("connect with a retired token: %q", reply)
	}
	dialWS(t, base).connect(fresh)

	// Refreshing with the retired token works and yields a valid token.
	status, out = testkit.Call(t, http.MethodPost, base+"/iam/api/v1/auth/refresh",
		http.Header{"Authorization": {oldToken}}, map[string]any{"refreshToken": refresh})
	if status != http.StatusOK {
		t.Fatalf("refresh: %d %v", status, out)
	}
	if status, out := testkit.Call(t, http.MethodGet, meURL, testkit.Bearer(out["token"].(string)), nil); status != http.StatusOK {
		t.Fatalf("refreshed token: %d %v", status, out)
	}

	// faults/reset switches it off: the old token is accepted again.
	testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/reset", nil, nil)
	if status, out := testkit.Call(t, http.MethodGet, meURL, testkit.Bearer(oldToken), nil); status != http.StatusOK {
		t.Fatalf("after reset: %d %v", status, out)
	}
	_, stats := testkit.Call(t, http.MethodGet, base+"/__sandbox/stats", nil, nil)
	if stats["connectRejects"].(map[string]any)["expired"] != 1.0 {
		t.Fatalf("stats = %v", stats)
	}
}
