// Package testkit holds the helpers the sandbox's Go tests share: a fake
// clock and JSON calls over HTTP. Only test files import it.
package testkit

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"twin-panel/sandbox/internal/httpapi"
)

// Clock is a settable time source for token expiry tests.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at now.
func NewClock(now time.Time) *Clock { return &Clock{now: now} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Call sends a JSON request and decodes a JSON answer into a generic map.
// Requests to /__sandbox/ carry the control headers every caller sends.
func Call(t *testing.T, method, url string, header http.Header, body any) (int, map[string]any) {
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
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(httpapi.ControlHeader, "1")
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

// Bearer builds an Authorization header.
func Bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// WantError checks a platform error answer.
func WantError(t *testing.T, gotStatus int, body map[string]any, status int, message string) {
	t.Helper()
	if gotStatus != status || body["error"] != message {
		t.Fatalf("got %d %v, want %d error %q", gotStatus, body, status, message)
	}
	if _, ok := body["details"]; !ok {
		t.Fatalf("error body %v has no details field", body)
	}
}

// Login logs in over REST with body and returns the token pair.
func Login(t *testing.T, base string, body map[string]any) (token, refresh string) {
	t.Helper()
	status, out := Call(t, http.MethodPost, base+"/iam/api/v1/auth/login", nil, body)
	if status != http.StatusOK {
		t.Fatalf("login: %d %v", status, out)
	}
	token, _ = out["token"].(string)
	refresh, _ = out["refreshToken"].(string)
	if token == "" || refresh == "" {
		t.Fatalf("login answer %v lacks token or refreshToken", out)
	}
	return token, refresh
}

// OperatorLogin is the login body of operator@twin.local plus extra.
func OperatorLogin(extra map[string]any) map[string]any {
	body := map[string]any{"email": "operator@twin.local", "password": "operator"}
	for k, v := range extra {
		body[k] = v
	}
	return body
}

// Items returns the items of a list answer.
func Items(t *testing.T, out map[string]any) []map[string]any {
	t.Helper()
	raw, ok := out["items"].([]any)
	if !ok {
		t.Fatalf("no items in %v", out)
	}
	list := make([]map[string]any, 0, len(raw))
	for _, it := range raw {
		list = append(list, it.(map[string]any))
	}
	return list
}

// Field collects one field of every item.
func Field(list []map[string]any, name string) []any {
	out := make([]any, 0, len(list))
	for _, it := range list {
		out = append(out, it[name])
	}
	return out
}
