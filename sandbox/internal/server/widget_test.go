package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"twin-panel/sandbox/internal/testkit"
	"twin-panel/sandbox/internal/widget"
)

// visitorSession starts a session for operatorID through the test API.
func visitorSession(t *testing.T, base string, operatorID int) map[string]any {
	t.Helper()
	status, s := testkit.Call(t, http.MethodPost, base+"/__sandbox/visitor/session", nil, map[string]any{"operatorId": operatorID})
	if status != http.StatusOK || s["operatorId"] != "389" {
		t.Fatalf("visitor session: %d %v", status, s)
	}
	return s
}

// socketioStats reads stats.socketio.
func socketioStats(t *testing.T, base string) map[string]any {
	t.Helper()
	_, out := testkit.Call(t, http.MethodGet, base+"/__sandbox/stats", nil, nil)
	return out["socketio"].(map[string]any)
}

// wantStats compares stats.socketio with eio3, eio4 and active.
// The library reports a closed socket a moment after its TCP connection
// ends, so the counters are polled.
func wantStats(t *testing.T, base string, eio3, eio4, active float64) {
	t.Helper()
	var got map[string]any
	eventually(t, func() bool {
		got = socketioStats(t, base)
		return got["eio3"] == eio3 && got["eio4"] == eio4 && got["active"] == active
	}, func() string {
		return fmt.Sprintf("stats.socketio = %v, want eio3 %v, eio4 %v, active %v", got, eio3, eio4, active)
	})
}

func TestWidgetSocketEIO4(t *testing.T) {
	_, base, operator := newConnectedSandbox(t)
	s := visitorSession(t, base, 389)
	id, clientID := s["id"].(string), s["clientId"].(string)
	if event, _ := nextEvent(t, operator); event != "chatSessionStarted" {
		t.Fatalf("got %s", event)
	}

	p := openPoller(t, base, 4, url.Values{"sessionId": {id}})
	p.send("40")
	p.expect(`40{"sid":`)
	if event, data := nextEvent(t, operator); event != "clientOnline" || data["sessionId"] != id || data["clientId"] != clientID {
		t.Fatalf("got %s %v", event, data)
	}

	status, sent := testkit.Call(t, http.MethodPost, base+"/chat/api/v1/sessions/"+id+"/operators/messages", testkit.Bearer(operator.token), map[string]any{"body": "Hi 👋"})
	if status != http.StatusOK {
		t.Fatalf("send: %d %v", status, sent)
	}
	if got := p.expectEvent("chatMessageCreatedEmit"); got["id"] != sent["id"] || got["body"] != "Hi 👋" || got["authorId"] != "389" {
		t.Fatalf("chatMessageCreatedEmit = %v", got)
	}

	p.send(`421["clientTyping",{}]`)
	if ack := p.expectAck(1); len(ack) != 1 || ack["ok"] != true {
		t.Fatalf("ack = %v", ack)
	}
	if event, data := nextEvent(t, operator); event != "typing" || data["sessionId"] != id || data["authorType"] != "CLIENT" || data["authorId"] != clientID {
		t.Fatalf("got %s %v", event, data)
	}
	p.send(`422["clientRead",{"messageId":"nope"}]`)
	if ack := p.expectAck(2); ack["error"] != "Message not found." || ack["details"] != nil {
		t.Fatalf("ack = %v", ack)
	}

	// A second socket names the session in the handshake's auth object.
	second := openPoller(t, base, 4, nil)
	second.send(`40{"sessionId":"` + id + `"}`)
	second.expect(`40{"sid":`)
	testkit.Call(t, http.MethodPost, base+"/chat/api/v1/sessions/"+id+"/operators/typing", testkit.Bearer(operator.token), nil)
	for _, socket := range []*eioPoller{p, second} {
		if got := socket.expectEvent("showTypingIndicatorEmit"); got["authorId"] != "389" || got["sessionId"] != id {
			t.Fatalf("showTypingIndicatorEmit = %v", got)
		}
	}

	for _, query := range []url.Values{{"sessionId": {"nope"}}, nil} {
		refused := openPoller(t, base, 4, query)
		refused.send("40")
		refused.expect(`44{"data":null,"message":"Session not found."}`)
	}
	wantStats(t, base, 0, 2, 2)

	// chats/reset ends every widget socket, and its answer waits for that.
	testkit.Call(t, http.MethodPost, base+"/__sandbox/chats/reset", nil, nil)
	wantStats(t, base, 0, 2, 0)
	p.expect("41")
	second.expect("41")
	testkit.Call(t, http.MethodPost, base+"/__sandbox/stats/reset", nil, nil)
	wantStats(t, base, 0, 0, 0)
}

func TestWidgetSocketEIO3(t *testing.T) {
	_, base := newTestSandbox(t)
	token, _ := testkit.Login(t, base, testkit.OperatorLogin(nil))
	id := visitorSession(t, base, 389)["id"].(string)

	// EIO 3 clients join the default namespace without asking.
	p := openPoller(t, base, 3, url.Values{"sessionId": {id}})
	p.expect("40")
	// The library sends "40" a moment before it files the socket under its
	// namespace, and closes a connection whose packet falls in between, so
	// the test sends nothing until the socket is counted (after filing).
	wantStats(t, base, 1, 0, 1)
	body := "Привет 👋 <b>"
	_, sent := testkit.Call(t, http.MethodPost, base+"/chat/api/v1/sessions/"+id+"/operators/messages", testkit.Bearer(token), map[string]any{"body": body})
	if got := p.expectEvent("chatMessageCreatedEmit"); got["id"] != sent["id"] || got["body"] != body {
		t.Fatalf("chatMessageCreatedEmit = %v", got)
	}

	// python-engineio 3 posts several packets in the binary framing; a
	// short packet after a longer one is what the library misreads.
	p.post(widget.EIO3BinaryType, testkit.EIO3BinaryFrame(`421["clientTyping",{}]`, "2", `422["clientRead"]`))
	seen := map[string]string{}
	for len(seen) < 3 {
		packet := p.expect("")
		switch {
		case packet == "3":
			seen["pong"] = packet
		case strings.HasPrefix(packet, "431["), strings.HasPrefix(packet, "432["):
			seen[packet[:3]] = packet[3:]
		}
	}
	if seen["431"] != `[{"ok":true}]` || !strings.Contains(seen["432"], `"Validation failed."`) {
		t.Fatalf("acks %v", seen)
	}

	refused := openPoller(t, base, 3, url.Values{"sessionId": {"nope"}})
	refused.expect(`44"Session not found."`)
	wantStats(t, base, 1, 0, 1)
}

func TestWidgetOriginsAndFaults(t *testing.T) {
	_, base := newTestSandbox(t)
	handshake := func(method, origin string, header http.Header) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, base+"/socket.io/?EIO=4&transport=polling", nil)
		for k, v := range header {
			req.Header[k] = v
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}

	if res := handshake(http.MethodGet, "http://example.com", nil); res.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin: %d", res.StatusCode)
	}
	res := handshake(http.MethodGet, "http://localhost:5173", nil)
	if res.StatusCode != http.StatusOK || res.Header.Get("Access-Control-Allow-Origin") != "http://localhost:5173" ||
		res.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Fatalf("loopback origin: %d %v", res.StatusCode, res.Header)
	}
	res = handshake(http.MethodOptions, "http://[::1]:8000", http.Header{
		"Access-Control-Request-Method":  {"POST"},
		"Access-Control-Request-Headers": {"content-type"},
	})
	if res.StatusCode != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Headers") != "content-type" ||
		!strings.Contains(res.Header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Fatalf("preflight: %d %v", res.StatusCode, res.Header)
	}

	// A catch-all HTTP fault is meant for the APIs, not for the socket.
	testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/http", nil, map[string]any{"failNext": 1, "status": 503})
	if res := handshake(http.MethodGet, "", nil); res.StatusCode != http.StatusOK {
		t.Fatalf("handshake under a catch-all fault: %d", res.StatusCode)
	}
	if status, _ := testkit.Call(t, http.MethodGet, base+"/chat/api/v1/timestamp", nil, nil); status != http.StatusServiceUnavailable {
		t.Fatalf("the catch-all fault was used up elsewhere: %d", status)
	}
	testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/http", nil, map[string]any{"failNext": 1, "status": 503, "pathPrefix": "/socket.io/"})
	if res := handshake(http.MethodGet, "", nil); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("handshake under a socket fault: %d", res.StatusCode)
	}
}

// sendClose writes a masked close frame with status 1000.
func (c *wsClient) sendClose() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	mask := []byte{1, 2, 3, 4}
	frame := append([]byte{0x88, 0x80 | 2}, mask...)
	for i, b := range []byte{0x03, 0xE8} {
		frame = append(frame, b^mask[i])
	}
	_, _ = c.conn.Write(frame)
}

func TestWidgetWebSocketClosedByTheClientEndsTheConnection(t *testing.T) {
	_, base := newTestSandbox(t)
	id := visitorSession(t, base, 389)["id"].(string)
	c := dialWSPath(t, base, "/socket.io/?EIO=4&transport=websocket&sessionId="+id)
	if open, _ := c.next(5 * time.Second); !strings.HasPrefix(open, "0{") {
		t.Fatalf("open packet %q", open)
	}
	c.send("40")
	if connected, _ := c.next(5 * time.Second); !strings.HasPrefix(connected, `40{"sid":`) {
		t.Fatalf("connect packet %q", connected)
	}
	wantStats(t, base, 0, 1, 1)

	c.sendClose()
	select {
	case <-c.closed:
	case <-time.After(5 * time.Second):
		t.Fatal("no close frame")
	}
	if !c.sawClose {
		t.Fatal("the connection ended without a close frame")
	}
	// The server closes TCP after the closing handshake (RFC 6455 §7.1.1).
	_ = c.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := c.br.ReadByte(); !errors.Is(err, io.EOF) {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatal("the server left the TCP connection open")
		}
		t.Fatalf("read after close: %v", err)
	}
	wantStats(t, base, 0, 1, 0)
}
