package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func login(t *testing.T, base string, body map[string]any) (string, string) {
	t.Helper()
	status, out := call(t, http.MethodPost, base+"/iam/api/v1/auth/login", nil, body)
	if status != http.StatusOK {
		t.Fatalf("login: %d %v", status, out)
	}
	token, _ := out["token"].(string)
	refresh, _ := out["refreshToken"].(string)
	if token == "" || refresh == "" {
		t.Fatalf("login answer %v lacks token or refreshToken", out)
	}
	return token, refresh
}

func operatorLogin(extra map[string]any) map[string]any {
	body := map[string]any{"email": "operator@twin.local", "password": "operator"}
	for k, v := range extra {
		body[k] = v
	}
	return body
}

func TestLoginIssuesTokenWithRequestedTTL(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	iam, base := newTestIAM(t, clock)
	token, _ := login(t, base, operatorLogin(map[string]any{"ttl": 86400, "companyId": nil, "extra": []any{}}))
	claims, err := iam.tokens.Verify(token, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if claims.Subject != "389" || claims.UserID != 389 || claims.CompanyID != 1 || claims.Email != "operator@twin.local" {
		t.Fatalf("claims = %+v", claims)
	}
	if claims.IssuedAt != clock.Now().Unix() || claims.ExpiresAt != clock.Now().Unix()+86400 {
		t.Fatalf("iat/exp = %d/%d", claims.IssuedAt, claims.ExpiresAt)
	}
	if got := iam.stats.Snapshot().Logins; got != 1 {
		t.Fatalf("logins = %d, want 1", got)
	}
}

func TestLoginTTLDefaultAndCap(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	iam, base := newTestIAM(t, clock)
	for _, tc := range []struct {
		ttl  any
		want int64
	}{{nil, 3600}, {1, 1}, {10 * 86400, 86400}} {
		body := operatorLogin(nil)
		if tc.ttl != nil {
			body["ttl"] = tc.ttl
		}
		token, _ := login(t, base, body)
		claims, _ := iam.tokens.Verify(token, clock.Now())
		if got := claims.ExpiresAt - claims.IssuedAt; got != tc.want {
			t.Errorf("ttl %v: lifetime %d, want %d", tc.ttl, got, tc.want)
		}
	}
}

func TestLoginErrors(t *testing.T) {
	_, base := newTestIAM(t, &fakeClock{now: time.Unix(1_700_000_000, 0)})
	loginURL := base + "/iam/api/v1/auth/login"

	status, body := call(t, http.MethodPost, loginURL, nil, map[string]any{"email": "operator@twin.local", "password": "nope"})
	wantError(t, status, body, http.StatusUnauthorized, "Invalid credentials.")
	status, body = call(t, http.MethodPost, loginURL, nil, map[string]any{"email": "nobody@twin.local", "password": "operator"})
	wantError(t, status, body, http.StatusUnauthorized, "Invalid credentials.")
	status, body = call(t, http.MethodPost, loginURL, nil, map[string]any{"email": "blocked@twin.local", "password": "operator"})
	wantError(t, status, body, http.StatusForbidden, "User is blocked.")
	status, body = call(t, http.MethodPost, loginURL, nil, operatorLogin(map[string]any{"ttl": 0}))
	if status != http.StatusBadRequest {
		t.Fatalf("ttl 0: %d %v", status, body)
	}

	res, err := http.Post(loginURL, "application/json", strings.NewReader(`{"email":`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("malformed body: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	status, body = call(t, http.MethodGet, loginURL, nil, nil)
	wantError(t, status, body, http.StatusMethodNotAllowed, "Method not allowed.")
}

func TestRefreshRotatesTokens(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	iam, base := newTestIAM(t, clock)
	refreshURL := base + "/iam/api/v1/auth/refresh"
	token, refresh := login(t, base, operatorLogin(map[string]any{"ttl": 60}))

	// The access token may have expired: that is when clients refresh.
	clock.Advance(2 * time.Minute)
	status, out := call(t, http.MethodPost, refreshURL, http.Header{"Authorization": {token}}, map[string]any{"refreshToken": refresh, "ttl": 120})
	if status != http.StatusOK {
		t.Fatalf("refresh: %d %v", status, out)
	}
	newToken, newRefresh := out["token"].(string), out["refreshToken"].(string)
	if newRefresh == refresh || newToken == token {
		t.Fatal("refresh must issue a new pair")
	}
	claims, err := iam.tokens.Verify(newToken, clock.Now())
	if err != nil || claims.ExpiresAt-claims.IssuedAt != 120 || claims.UserID != 389 {
		t.Fatalf("new token: %+v, %v", claims, err)
	}

	// By default the old refresh token stays valid until it expires.
	status, out = call(t, http.MethodPost, refreshURL, http.Header{"Authorization": {newToken}}, map[string]any{"refreshToken": refresh})
	if status != http.StatusOK {
		t.Fatalf("refresh with the previous refresh token: %d %v", status, out)
	}

	// The old SDK's GET form, here with a Bearer prefix.
	q := url.Values{"refreshToken": {newRefresh}, "ttl": {"30"}}
	status, out = call(t, http.MethodGet, refreshURL+"?"+q.Encode(), bearer(newToken), nil)
	if status != http.StatusOK {
		t.Fatalf("GET refresh: %d %v", status, out)
	}
	if got := iam.stats.Snapshot(); got.Refreshes != 3 || got.RefreshRequests != 3 {
		t.Fatalf("refreshes = %d, requests = %d, want 3 and 3", got.Refreshes, got.RefreshRequests)
	}
}

// TestSingleUseRefreshTokens is -single-use-refresh: two refreshes with the
// same refresh token (two tabs racing) get one new pair and one 401.
func TestSingleUseRefreshTokens(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	iam, base := newTestIAM(t, clock)
	iam.singleUseRefresh = true
	refreshURL := base + "/iam/api/v1/auth/refresh"
	token, refresh := login(t, base, operatorLogin(nil))

	status, out := call(t, http.MethodPost, refreshURL, http.Header{"Authorization": {token}}, map[string]any{"refreshToken": refresh})
	if status != http.StatusOK {
		t.Fatalf("first use: %d %v", status, out)
	}
	next := out["refreshToken"].(string)
	status, out = call(t, http.MethodPost, refreshURL, http.Header{"Authorization": {token}}, map[string]any{"refreshToken": refresh})
	wantError(t, status, out, http.StatusUnauthorized, "Invalid refresh token.")
	// The token the first refresh issued works, once.
	status, _ = call(t, http.MethodPost, refreshURL, http.Header{"Authorization": {token}}, map[string]any{"refreshToken": next})
	if status != http.StatusOK {
		t.Fatalf("rotated token: %d", status)
	}
	if got := iam.stats.Snapshot(); got.Refreshes != 2 || got.RefreshRequests != 3 {
		t.Fatalf("refreshes = %d, requests = %d, want 2 and 3", got.Refreshes, got.RefreshRequests)
	}
}

func TestRefreshErrors(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	_, base := newTestIAM(t, clock)
	refreshURL := base + "/iam/api/v1/auth/refresh"
	token, refresh := login(t, base, operatorLogin(nil))
	_, otherRefresh := login(t, base, map[string]any{"email": "dev@twin.local", "password": "operator"})

	cases := []struct {
		name   string
		header http.Header
		body   map[string]any
	}{
		{"no access token", nil, map[string]any{"refreshToken": refresh}},
		{"forged access token", http.Header{"Authorization": {token + "x"}}, map[string]any{"refreshToken": refresh}},
		{"unknown refresh token", http.Header{"Authorization": {token}}, map[string]any{"refreshToken": "nope"}},
		{"no refresh token", http.Header{"Authorization": {token}}, map[string]any{}},
		{"another user's refresh token", http.Header{"Authorization": {token}}, map[string]any{"refreshToken": otherRefresh}},
	}
	for _, tc := range cases {
		status, out := call(t, http.MethodPost, refreshURL, tc.header, tc.body)
		if status != http.StatusUnauthorized || out["error"] != "Invalid refresh token." {
			t.Errorf("%s: %d %v", tc.name, status, out)
		}
	}
	// A refresh token past its lifetime is refused.
	clock.Advance(49 * time.Hour)
	status, out := call(t, http.MethodPost, refreshURL, http.Header{"Authorization": {token}}, map[string]any{"refreshToken": refresh})
	wantError(t, status, out, http.StatusUnauthorized, "Invalid refresh token.")
}

func TestBearerAuth(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	iam, base := newTestIAM(t, clock)
	meURL := base + "/iam/api/v1/users/me"
	token, _ := login(t, base, operatorLogin(map[string]any{"ttl": 60}))

	status, me := call(t, http.MethodGet, meURL, bearer(token), nil)
	if status != http.StatusOK || me["id"] != float64(389) || me["firstName"] != "Первый" || me["lastName"] != "Оператор V" {
		t.Fatalf("me: %d %v", status, me)
	}
	roles, _ := me["roles"].([]any)
	if len(roles) != 1 || roles[0].(map[string]any)["company_id"] != float64(1) {
		t.Fatalf("roles = %v", me["roles"])
	}
	for _, key := range []string{"phone", "avatar", "middleName"} {
		if v, ok := me[key]; !ok || v != nil {
			t.Errorf("%s = %v, want null", key, v)
		}
	}

	status, out := call(t, http.MethodGet, meURL, nil, nil)
	wantError(t, status, out, http.StatusUnauthorized, "Invalid token.")
	status, out = call(t, http.MethodGet, meURL, http.Header{"Authorization": {token}}, nil)
	wantError(t, status, out, http.StatusUnauthorized, "Invalid token.")
	status, out = call(t, http.MethodGet, meURL, bearer("a.b.c"), nil)
	wantError(t, status, out, http.StatusUnauthorized, "Invalid token.")

	if err := iam.store.SetBlocked(389, true); err != nil {
		t.Fatal(err)
	}
	status, out = call(t, http.MethodGet, meURL, bearer(token), nil)
	wantError(t, status, out, http.StatusForbidden, "User is blocked.")
	iam.store.RestoreSeedBlocks()

	clock.Advance(time.Minute)
	status, out = call(t, http.MethodGet, meURL, bearer(token), nil)
	wantError(t, status, out, http.StatusUnauthorized, "Token is expired.")
}
