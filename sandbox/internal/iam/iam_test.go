package iam

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"twin-panel/sandbox/internal/stats"
	"twin-panel/sandbox/internal/testkit"
)

// The IAM paths the tests call.
const (
	loginPath   = "/iam/api/v1/auth/login"
	refreshPath = "/iam/api/v1/auth/refresh"
	mePath      = "/iam/api/v1/users/me"
)

func TestLoginIssuesTokenWithRequestedTTL(t *testing.T) {
	iam, base, clock := newTestIAM(t)
	token, _ := testkit.Login(t, base, testkit.OperatorLogin(map[string]any{"ttl": 86400, "companyId": nil, "extra": []any{}}))
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
	iam, base, clock := newTestIAM(t)
	for _, tc := range []struct {
		ttl  any
		want int64
	}{{nil, 3600}, {1, 1}, {10 * 86400, 86400}} {
		body := testkit.OperatorLogin(nil)
		if tc.ttl != nil {
			body["ttl"] = tc.ttl
		}
		token, _ := testkit.Login(t, base, body)
		claims, _ := iam.tokens.Verify(token, clock.Now())
		if got := claims.ExpiresAt - claims.IssuedAt; got != tc.want {
			t.Errorf("ttl %v: lifetime %d, want %d", tc.ttl, got, tc.want)
		}
	}
}

func TestLoginErrors(t *testing.T) {
	_, base, _ := newTestIAM(t)

	status, body := testkit.Call(t, http.MethodPost, base+loginPath, nil, map[string]any{"email": "operator@twin.local", "password": "nope"})
	testkit.WantError(t, status, body, http.StatusUnauthorized, "Invalid credentials.")
	status, body = testkit.Call(t, http.MethodPost, base+loginPath, nil, map[string]any{"email": "nobody@twin.local", "password": "operator"})
	testkit.WantError(t, status, body, http.StatusUnauthorized, "Invalid credentials.")
	status, body = testkit.Call(t, http.MethodPost, base+loginPath, nil, map[string]any{"email": "blocked@twin.local", "password": "operator"})
	testkit.WantError(t, status, body, http.StatusForbidden, "User is blocked.")
	status, body = testkit.Call(t, http.MethodPost, base+loginPath, nil, testkit.OperatorLogin(map[string]any{"ttl": 0}))
	if status != http.StatusBadRequest {
		t.Fatalf("ttl 0: %d %v", status, body)
	}

	res, err := http.Post(base+loginPath, "application/json", strings.NewReader(`{"email":`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("malformed body: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	status, body = testkit.Call(t, http.MethodGet, base+loginPath, nil, nil)
	testkit.WantError(t, status, body, http.StatusMethodNotAllowed, "Method not allowed.")
}

func TestRefreshRotatesTokens(t *testing.T) {
	iam, base, clock := newTestIAM(t)
	token, refresh := testkit.Login(t, base, testkit.OperatorLogin(map[string]any{"ttl": 60}))

	// The access token may have expired: that is when clients refresh.
	clock.Advance(2 * time.Minute)
	status, out := testkit.Call(t, http.MethodPost, base+refreshPath, http.Header{"Authorization": {token}}, map[string]any{"refreshToken": refresh, "ttl": 120})
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
	status, out = testkit.Call(t, http.MethodPost, base+refreshPath, http.Header{"Authorization": {newToken}}, map[string]any{"refreshToken": refresh})
	if status != http.StatusOK {
		t.Fatalf("refresh with the previous refresh token: %d %v", status, out)
	}

	// The old SDK's GET form, here with a Bearer prefix.
	q := url.Values{"refreshToken": {newRefresh}, "ttl": {"30"}}
	status, out = testkit.Call(t, http.MethodGet, base+refreshPath+"?"+q.Encode(), testkit.Bearer(newToken), nil)
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
	iam, base, _ := newTestIAM(t)
	iam.singleUseRefresh = true
	token, refresh := testkit.Login(t, base, testkit.OperatorLogin(nil))

	status, out := testkit.Call(t, http.MethodPost, base+refreshPath, http.Header{"Authorization": {token}}, map[string]any{"refreshToken": refresh})
	if status != http.StatusOK {
		t.Fatalf("first use: %d %v", status, out)
	}
	next := out["refreshToken"].(string)
	status, out = testkit.Call(t, http.MethodPost, base+refreshPath, http.Header{"Authorization": {token}}, map[string]any{"refreshToken": refresh})
	testkit.WantError(t, status, out, http.StatusUnauthorized, "Invalid refresh token.")
	// The token the first refresh issued works, once.
	status, _ = testkit.Call(t, http.MethodPost, base+refreshPath, http.Header{"Authorization": {token}}, map[string]any{"refreshToken": next})
	if status != http.StatusOK {
		t.Fatalf("rotated token: %d", status)
	}
	if got := iam.stats.Snapshot(); got.Refreshes != 2 || got.RefreshRequests != 3 {
		t.Fatalf("refreshes = %d, requests = %d, want 2 and 3", got.Refreshes, got.RefreshRequests)
	}
}

func TestRefreshErrors(t *testing.T) {
	_, base, clock := newTestIAM(t)
	token, refresh := testkit.Login(t, base, testkit.OperatorLogin(nil))
	_, otherRefresh := testkit.Login(t, base, map[string]any{"email": "dev@twin.local", "password": "operator"})

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
		status, out := testkit.Call(t, http.MethodPost, base+refreshPath, tc.header, tc.body)
		if status != http.StatusUnauthorized || out["error"] != "Invalid refresh token." {
			t.Errorf("%s: %d %v", tc.name, status, out)
		}
	}
	// A refresh token past its lifetime is refused.
	clock.Advance(49 * time.Hour)
	status, out := testkit.Call(t, http.MethodPost, base+refreshPath, http.Header{"Authorization": {token}}, map[string]any{"refreshToken": refresh})
	testkit.WantError(t, status, out, http.StatusUnauthorized, "Invalid refresh token.")
}

func TestBearerAuth(t *testing.T) {
	iam, base, clock := newTestIAM(t)
	token, _ := testkit.Login(t, base, testkit.OperatorLogin(map[string]any{"ttl": 60}))

	status, me := testkit.Call(t, http.MethodGet, base+mePath, testkit.Bearer(token), nil)
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

	status, out := testkit.Call(t, http.MethodGet, base+mePath, nil, nil)
	testkit.WantError(t, status, out, http.StatusUnauthorized, "Invalid token.")
	status, out = testkit.Call(t, http.MethodGet, base+mePath, http.Header{"Authorization": {token}}, nil)
	testkit.WantError(t, status, out, http.StatusUnauthorized, "Invalid token.")
	status, out = testkit.Call(t, http.MethodGet, base+mePath, testkit.Bearer("a.b.c"), nil)
	testkit.WantError(t, status, out, http.StatusUnauthorized, "Invalid token.")

	if err := iam.store.SetBlocked(389, true); err != nil {
		t.Fatal(err)
	}
	status, out = testkit.Call(t, http.MethodGet, base+mePath, testkit.Bearer(token), nil)
	testkit.WantError(t, status, out, http.StatusForbidden, "User is blocked.")
	iam.store.RestoreSeedBlocks()

	clock.Advance(time.Minute)
	status, out = testkit.Call(t, http.MethodGet, base+mePath, testkit.Bearer(token), nil)
	testkit.WantError(t, status, out, http.StatusUnauthorized, "Token is expired.")
}

// newTestIAM serves only the IAM endpoints, on a fake clock that starts
// at 2023-11-14T22:13:20Z.
func newTestIAM(t *testing.T) (*IAM, string, *testkit.Clock) {
	t.Helper()
	clock := testkit.NewClock(time.Unix(1_700_000_000, 0))
	iam := New(Config{
		Store:      NewStore(),
		Secret:     []byte("test-secret"),
		MaxTTL:     24 * time.Hour,
		RefreshTTL: 48 * time.Hour,
		Stats:      &stats.Stats{},
		Now:        clock.Now,
	})
	mux := http.NewServeMux()
	iam.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return iam, srv.URL, clock
}

func TestTokenExpirySwitchOnACoarseClock(t *testing.T) {
	iam, base, _ := newTestIAM(t)
	before, _ := testkit.Login(t, base, testkit.OperatorLogin(nil))
	iam.ExpireIssuedTokens()
	// The clock has not moved at all, yet the two tokens are told apart.
	after, _ := testkit.Login(t, base, testkit.OperatorLogin(nil))
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
