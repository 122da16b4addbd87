package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestTokenExpirySwitch(t *testing.T) {
	_, base := newTestSandbox(t)
	meURL := base + "/chat/api/v1/users/me"
	oldToken, refresh := login(t, base, operatorLogin(nil))
	if status, out := call(t, http.MethodGet, meURL, bearer(oldToken), nil); status != http.StatusOK {
		t.Fatalf("before the switch: %d %v", status, out)
	}

	status, out := call(t, http.MethodPost, base+"/__sandbox/tokens/expire", nil, map[string]any{})
	if status != http.StatusOK || out["expiredBefore"] == nil {
		t.Fatalf("expire: %d %v", status, out)
	}
	status, out = call(t, http.MethodGet, meURL, bearer(oldToken), nil)
	wantError(t, status, out, http.StatusUnauthorized, "Token is expired.")
	if out["details"] != nil {
		t.Fatalf("details = %v, want null", out["details"])
	}

	// A token issued right after the switch, within the same second, is valid.
	fresh, _ := login(t, base, operatorLogin(nil))
	if status, out := call(t, http.MethodGet, meURL, bearer(fresh), nil); status != http.StatusOK {
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
	status, out = call(t, http.MethodPost, base+"/iam/api/v1/auth/refresh",
		http.Header{"Authorization": {oldToken}}, map[string]any{"refreshToken": refresh})
	if status != http.StatusOK {
		t.Fatalf("refresh: %d %v", status, out)
	}
	if status, out := call(t, http.MethodGet, meURL, bearer(out["token"].(string)), nil); status != http.StatusOK {
		t.Fatalf("refreshed token: %d %v", status, out)
	}

	// faults/reset switches it off: the old token is accepted again.
	call(t, http.MethodPost, base+"/__sandbox/faults/reset", nil, nil)
	if status, out := call(t, http.MethodGet, meURL, bearer(oldToken), nil); status != http.StatusOK {
		t.Fatalf("after reset: %d %v", status, out)
	}
	_, stats := call(t, http.MethodGet, base+"/__sandbox/stats", nil, nil)
	if stats["connectRejects"].(map[string]any)["expired"] != 1.0 {
		t.Fatalf("stats = %v", stats)
	}
}

func TestTokenExpirySwitchOnACoarseClock(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	iam, base := newTestIAM(t, clock)
	before, _ := login(t, base, operatorLogin(nil))
	iam.ExpireIssuedTokens()
	// The clock has not moved at all, yet the two tokens are told apart.
	after, _ := login(t, base, operatorLogin(nil))
	if _, err := iam.VerifyAccessToken(before); err != ErrTokenExpired {
		t.Fatalf("token issued before the switch: err = %v", err)
	}
	if _, err := iam.VerifyAccessToken(after); err != nil {
		t.Fatalf("token issued after the switch: err = %v", err)
	}
	iam.ClearTokenExpiry()
	if _, err := iam.VerifyAccessToken(before); err != nil {
		t.Fatalf("after clearing: err = %v", err)
	}
}
