package server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/centrifugal/centrifuge"

	"twin-panel/sandbox/internal/realtime"
	"twin-panel/sandbox/internal/testkit"
)

func TestPublishReturnsIncreasingOffsets(t *testing.T) {
	_, base := newTestSandbox(t)
	var epoch string
	for want := 1.0; want <= 5; want++ {
		status, out := testkit.Call(t, http.MethodPost, base+"/__sandbox/publish", nil,
			map[string]any{"userId": "389", "event": "chatMessageCreated", "data": map[string]any{"n": want}})
		if status != http.StatusOK || out["offset"] != want {
			t.Fatalf("publish %v: %d %v", want, status, out)
		}
		if epoch == "" {
			epoch, _ = out["epoch"].(string)
		}
		if epoch == "" || out["epoch"] != epoch {
			t.Fatalf("epoch changed within one node: %v", out)
		}
	}
	// Channels are independent streams; a numeric userId is accepted.
	_, out := testkit.Call(t, http.MethodPost, base+"/__sandbox/publish", nil, map[string]any{"userId": 472, "event": "typing"})
	if out["offset"] != 1.0 {
		t.Fatalf("other channel: %v", out)
	}
	// A restart starts a new epoch with empty history.
	status, out := testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/restart", nil, nil)
	if status != http.StatusOK || out["epochChanged"] != true {
		t.Fatalf("restart: %d %v", status, out)
	}
	_, out = testkit.Call(t, http.MethodPost, base+"/__sandbox/publish", nil, map[string]any{"userId": "389", "event": "x"})
	if out["offset"] != 1.0 || out["epoch"] == epoch {
		t.Fatalf("after restart: %v (old epoch %s)", out, epoch)
	}
}

func TestPublishValidation(t *testing.T) {
	_, base := newTestSandbox(t)
	for _, body := range []map[string]any{
		{"event": "x"},
		{"userId": "a b", "event": "x"},
		{"userId": "389"},
	} {
		if status, out := testkit.Call(t, http.MethodPost, base+"/__sandbox/publish", nil, body); status != http.StatusBadRequest {
			t.Errorf("%v: %d %v", body, status, out)
		}
	}
}

func TestStreamPublishesInOrder(t *testing.T) {
	_, base := newTestSandbox(t)
	status, out := testkit.Call(t, http.MethodPost, base+"/__sandbox/stream", nil, map[string]any{"userId": "389", "count": 200, "intervalMs": 0})
	id, _ := out["streamId"].(string)
	if status != http.StatusOK || id == "" {
		t.Fatalf("stream: %d %v", status, out)
	}
	eventually(t, func() bool {
		_, out = testkit.Call(t, http.MethodGet, base+"/__sandbox/stream/"+id, nil, nil)
		return out["done"] == true
	}, func() string { return fmt.Sprintf("stream not done: %v", out) })
	if out["published"] != 200.0 {
		t.Fatalf("status = %v", out)
	}
	// The stream's publications went to history: the next offset follows them.
	_, out = testkit.Call(t, http.MethodPost, base+"/__sandbox/publish", nil, map[string]any{"userId": "389", "event": "x"})
	if out["offset"] != 201.0 {
		t.Fatalf("offset after stream = %v", out["offset"])
	}
	if status, _ := testkit.Call(t, http.MethodPost, base+"/__sandbox/stream", nil, map[string]any{"userId": "389", "count": 0}); status != http.StatusBadRequest {
		t.Fatalf("count 0 accepted: %d", status)
	}
	if status, _ := testkit.Call(t, http.MethodGet, base+"/__sandbox/stream/nope", nil, nil); status != http.StatusNotFound {
		t.Fatalf("unknown stream: %d", status)
	}
}

func TestHTTPFaults(t *testing.T) {
	_, base := newTestSandbox(t)
	status, out := testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/http", nil,
		map[string]any{"failNext": 2, "status": 503, "pathPrefix": "/iam/api/v1/auth"})
	if status != http.StatusOK {
		t.Fatalf("install: %d %v", status, out)
	}
	loginURL := base + "/iam/api/v1/auth/login"
	creds := testkit.OperatorLogin(nil)
	for range 2 {
		status, out = testkit.Call(t, http.MethodPost, loginURL, nil, creds)
		testkit.WantError(t, status, out, http.StatusServiceUnavailable, "Service Unavailable")
	}
	if status, out = testkit.Call(t, http.MethodPost, loginURL, nil, creds); status != http.StatusOK {
		t.Fatalf("third testkit.Login: %d %v", status, out)
	}

	// A custom error body, and a delay without failure.
	testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/http", nil,
		map[string]any{"failNext": 1, "status": 401, "error": "Token is expired.", "pathPrefix": "/chat/"})
	status, out = testkit.Call(t, http.MethodGet, base+"/chat/api/v1/timestamp", nil, nil)
	testkit.WantError(t, status, out, http.StatusUnauthorized, "Token is expired.")
	testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/http", nil, map[string]any{"delayNext": 1, "delayMs": 150})
	start := time.Now()
	if status, _ = testkit.Call(t, http.MethodPost, loginURL, nil, creds); status != http.StatusOK {
		t.Fatalf("delayed testkit.Login: %d", status)
	}
	if elapsed := time.Since(start); elapsed < 150*time.Millisecond {
		t.Fatalf("delay not applied: %s", elapsed)
	}

	// The test API itself is never failed, and reset clears the rules.
	testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/http", nil, map[string]any{"failNext": 5})
	if status, _ = testkit.Call(t, http.MethodGet, base+"/__sandbox/stats", nil, nil); status != http.StatusOK {
		t.Fatalf("stats failed under a fault: %d", status)
	}
	testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/reset", nil, nil)
	if status, _ = testkit.Call(t, http.MethodPost, loginURL, nil, creds); status != http.StatusOK {
		t.Fatalf("login after reset: %d", status)
	}
	if status, _ = testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/http", nil, map[string]any{"status": 503}); status != http.StatusBadRequest {
		t.Fatalf("a rule without failNext/delayNext was accepted: %d", status)
	}
}

func TestStatsCountLoginsAndReset(t *testing.T) {
	_, base := newTestSandbox(t)
	token, refresh := testkit.Login(t, base, testkit.OperatorLogin(nil))
	status, _ := testkit.Call(t, http.MethodPost, base+"/iam/api/v1/auth/refresh", http.Header{"Authorization": {token}}, map[string]any{"refreshToken": refresh})
	if status != http.StatusOK {
		t.Fatalf("refresh: %d", status)
	}
	_, stats := testkit.Call(t, http.MethodGet, base+"/__sandbox/stats", nil, nil)
	if stats["logins"] != 1.0 || stats["refreshes"] != 1.0 || stats["connects"] != 0.0 {
		t.Fatalf("stats = %v", stats)
	}
	if _, ok := stats["connectRejects"].(map[string]any)["expired"]; !ok {
		t.Fatalf("stats lack connectRejects.expired: %v", stats)
	}
	_, stats = testkit.Call(t, http.MethodPost, base+"/__sandbox/stats/reset", nil, nil)
	if stats["logins"] != 0.0 || stats["refreshes"] != 0.0 {
		t.Fatalf("after reset: %v", stats)
	}
}

func TestStaticFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "twin_panel_bg.wasm"), []byte("\x00asm"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "twin_panel.mjs"), []byte("export {}"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.PkgDir = dir
	sb, err := NewSandbox(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Shutdown(t.Context()) })
	for path, ctype := range map[string]string{
		"/pkg/twin_panel_bg.wasm": "application/wasm",
		"/pkg/twin_panel.mjs":     "text/javascript; charset=utf-8",
	} {
		res := serveRequest(sb, http.MethodGet, path)
		if res.Code != http.StatusOK || res.Header().Get("Content-Type") != ctype || res.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d %v", path, res.Code, res.Header())
		}
	}
	if res := serveRequest(sb, http.MethodGet, "/app.js"); res.Code != http.StatusNotFound {
		t.Errorf("missing www dir: %d", res.Code)
	}
	if res := serveRequest(sb, http.MethodGet, "/chat/api/v1/nope"); res.Code != http.StatusNotFound || res.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("unknown API path: %d %v", res.Code, res.Header())
	}
}

// TestClientQueueBoundsRecovery: a publication larger than the per-client
// queue usually cannot be replayed (the node closes the connection as a
// slow consumer when the reply is queued rather than written at once, and
// again on every reconnect); -client-queue-max-size makes room. The fault
// suite stores a 2 MiB publication in history, so it runs with a larger
// queue.
func TestClientQueueBoundsRecovery(t *testing.T) {
	recoverHuge := func(cfg Config) (reply string, closed bool) {
		t.Helper()
		_, base, client := newConnectedSandboxWith(t, cfg)
		_, out := testkit.Call(t, http.MethodPost, base+"/__sandbox/publish", nil, map[string]any{"userId": "389", "event": "first"})
		epoch := out["epoch"].(string)
		if _, ok := client.next(5 * time.Second); !ok {
			t.Fatal("no first publication")
		}
		client.conn.Close()
		huge := `{"event":"huge","data":"` + strings.Repeat("x", 2<<20) + `"}`
		testkit.Call(t, http.MethodPost, base+"/__sandbox/publish/raw", nil, map[string]any{"userId": "389", "payload": huge})
		again := dialWS(t, base)
		again.send(`{"id":1,"connect":{"data":{"application":"notifications","settings":{"token":"` + client.token +
			`"}},"subs":{"operator:389":{"recover":true,"offset":1,"epoch":"` + epoch + `"}}}}`)
		select {
		case reply = <-again.messages:
			return reply, false
		case <-again.closed:
			return "", again.sawClose // written before closed is sent
		case <-time.After(5 * time.Second):
			t.Fatal("neither a reply nor a close")
		}
		return "", false
	}
	cfg := testConfig()
	cfg.ClientQueueMaxSize = 16 << 20
	reply, closed := recoverHuge(cfg)
	if closed || !strings.Contains(reply, `"recovered":true`) || !strings.Contains(reply, strings.Repeat("x", 2<<20)) {
		t.Fatalf("16 MiB queue: closed %v, reply %.200q", closed, reply)
	}
	// The setting reaches the node that replaces the first one.
	sb, _ := newTestSandboxWith(t, cfg)
	if err := sb.realtime.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := sb.realtime.Node().Config().ClientQueueMaxSize; got != 16<<20 {
		t.Fatalf("node queue after restart = %d", got)
	}
}

// TestPublishRawStoresOddPayloadsInHistory publishes payloads no encoder
// writes: they reach the live connection and the channel history byte for
// byte (the node only strips raw newlines).
func TestPublishRawStoresOddPayloadsInHistory(t *testing.T) {
	sb, base, client := newConnectedSandbox(t)

	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	payloads := []string{
		`{"event":"chatMessageCreated","data":{"id":"a","id":"b","body":"dup"}}`,
		`{"event":"chatMessageCreated","data":` + deep + `}`,
		// Half the default per-client queue, so a slow reader is not dropped.
		`{"event":"chatMessageCreated","data":{"body":"` + strings.Repeat("x", 512<<10) + `"}}`,
	}
	for i, payload := range payloads {
		status, out := testkit.Call(t, http.MethodPost, base+"/__sandbox/publish/raw", nil, map[string]any{"userId": "389", "payload": payload})
		if status != http.StatusOK || out["offset"] != float64(i+1) {
			t.Fatalf("publish/raw %d: %d %v", i, status, out)
		}
	}
	var live []string
	for len(live) < len(payloads) {
		msg, ok := client.next(5 * time.Second)
		if !ok {
			t.Fatalf("got %d of %d publications live", len(live), len(payloads))
		}
		for _, line := range strings.Split(msg, "\n") {
			if i := strings.Index(line, `"data":`); strings.HasPrefix(line, `{"push":`) && i > 0 {
				live = append(live, line)
			}
		}
	}
	for i, line := range live {
		if !strings.Contains(line, payloads[i]) {
			t.Errorf("live publication %d does not carry the payload as sent (%.120q)", i, line)
		}
	}
	hist, err := sb.realtime.Node().History(realtime.OperatorChannel("389"), centrifuge.WithLimit(-1))
	if err != nil {
		t.Fatal(err)
	}
	if len(hist.Publications) != len(payloads) {
		t.Fatalf("history holds %d publications", len(hist.Publications))
	}
	for i, pub := range hist.Publications {
		if string(pub.Data) != payloads[i] {
			t.Errorf("history %d differs from the payload (%.80q)", i, pub.Data)
		}
	}
	for _, body := range []map[string]any{{"userId": "389"}, {"userId": "389", "payload": ""}, {"payload": "{}"}} {
		if status, out := testkit.Call(t, http.MethodPost, base+"/__sandbox/publish/raw", nil, body); status != http.StatusBadRequest {
			t.Errorf("%v: %d %v", body, status, out)
		}
	}
}

// TestStatsCountConnectionsPerOperator: the gauge follows each operator's
// live connections; refresh requests count refused ones too.
func TestStatsCountConnectionsPerOperator(t *testing.T) {
	_, base := newTestSandbox(t)
	connections := func() map[string]any {
		_, stats := testkit.Call(t, http.MethodGet, base+"/__sandbox/stats", nil, nil)
		return stats["connectionsByOperator"].(map[string]any)
	}
	waitFor := func(want map[string]float64) {
		t.Helper()
		var got map[string]any
		eventually(t, func() bool {
			got = connections()
			same := len(got) == len(want)
			for k, v := range want {
				same = same && got[k] == v
			}
			return same
		}, func() string { return fmt.Sprintf("connectionsByOperator = %v, want %v", got, want) })
	}
	token389, refresh := testkit.Login(t, base, testkit.OperatorLogin(nil))
	token472, _ := testkit.Login(t, base, map[string]any{"email": "dev@twin.local", "password": "operator"})
	first, second := dialWS(t, base), dialWS(t, base)
	first.connect(token389)
	second.connect(token389)
	other := dialWS(t, base)
	other.send(`{"id":1,"connect":{"data":{"application":"notifications","settings":{"token":"` + token472 + `"}}}}`)
	if reply, ok := other.next(5 * time.Second); !ok || !strings.Contains(reply, `"operator:472"`) {
		t.Fatalf("connect 472: %q", reply)
	}
	waitFor(map[string]float64{"389": 2, "472": 1})
	first.conn.Close()
	waitFor(map[string]float64{"389": 1, "472": 1})
	_, stats := testkit.Call(t, http.MethodGet, base+"/__sandbox/stats", nil, nil)
	if stats["activeConnections"] != 2.0 {
		t.Fatalf("activeConnections = %v", stats["activeConnections"])
	}

	refreshURL := base + "/iam/api/v1/auth/refresh"
	testkit.Call(t, http.MethodPost, refreshURL, http.Header{"Authorization": {token389}}, map[string]any{"refreshToken": refresh})
	testkit.Call(t, http.MethodPost, refreshURL, http.Header{"Authorization": {token389}}, map[string]any{"refreshToken": "nope"})
	_, stats = testkit.Call(t, http.MethodGet, base+"/__sandbox/stats", nil, nil)
	if stats["refreshes"] != 1.0 || stats["refreshRequests"] != 2.0 {
		t.Fatalf("refreshes %v, refreshRequests %v", stats["refreshes"], stats["refreshRequests"])
	}
	// A reset zeroes counters, not the gauge.
	testkit.Call(t, http.MethodPost, base+"/__sandbox/stats/reset", nil, nil)
	waitFor(map[string]float64{"389": 1, "472": 1})
}
