package server

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"twin-panel/sandbox/internal/testkit"
)

// wsClient is a bare WebSocket client that sees every frame, including
// what a browser would hide.
type wsClient struct {
	t        *testing.T
	conn     net.Conn
	br       *bufio.Reader
	wmu      sync.Mutex
	messages chan string
	closed   chan error // the read error that ended the connection
	sawClose bool
	token    string   // the access token of the last connect
	lines    []string // replies of a frame nextEvent has not looked at yet
}

func dialWS(t *testing.T, base string) *wsClient {
	t.Helper()
	return dialWSPath(t, base, "/centrifugo/connection/websocket")
}

// dialWSPath opens a raw WebSocket to path (with its query) on base.
func dialWSPath(t *testing.T, base, path string) *wsClient {
	t.Helper()
	host := strings.TrimPrefix(base, "http://")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	key := make([]byte, 16)
	_, _ = rand.Read(key)
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
		path, host, base64.StdEncoding.EncodeToString(key))
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil || res.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", res, err)
	}
	c := &wsClient{t: t, conn: conn, br: br, messages: make(chan string, 100000), closed: make(chan error, 1)}
	go c.readLoop()
	return c
}

// send writes one masked text frame.
func (c *wsClient) send(text string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	payload := []byte(text)
	header := []byte{0x81}
	switch n := len(payload); {
	case n <= 125:
		header = append(header, 0x80|byte(n))
	default:
		header = append(header, 0x80|126)
		header = binary.BigEndian.AppendUint16(header, uint16(n))
	}
	mask := []byte{1, 2, 3, 4}
	header = append(header, mask...)
	for i := range payload {
		payload[i] ^= mask[i%4]
	}
	_, _ = c.conn.Write(append(header, payload...))
}

// readLoop assembles messages and answers Centrifuge pings.
func (c *wsClient) readLoop() {
	var message []byte
	for {
		var head [2]byte
		if _, err := io.ReadFull(c.br, head[:]); err != nil {
			c.closed <- err
			return
		}
		length := uint64(head[1] & 0x7f)
		switch length {
		case 126:
			var ext [2]byte
			if _, err := io.ReadFull(c.br, ext[:]); err != nil {
				c.closed <- err
				return
			}
			length = uint64(binary.BigEndian.Uint16(ext[:]))
		case 127:
			var ext [8]byte
			if _, err := io.ReadFull(c.br, ext[:]); err != nil {
				c.closed <- err
				return
			}
			length = binary.BigEndian.Uint64(ext[:])
		}
		payload := make([]byte, length)
		if _, err := io.ReadFull(c.br, payload); err != nil {
			c.closed <- err
			return
		}
		switch opcode := head[0] & 0x0f; opcode {
		case 0x8:
			c.sawClose = true
			c.closed <- io.EOF
			return
		case 0x1, 0x0:
			message = append(message, payload...)
			if head[0]&0x80 == 0 {
				continue
			}
			text := string(message)
			message = nil
			if text == "{}" {
				c.send("{}") // pong
				continue
			}
			c.messages <- text
		}
	}
}

// next returns the next message or fails after timeout.
func (c *wsClient) next(timeout time.Duration) (string, bool) {
	select {
	case m := <-c.messages:
		return m, true
	case <-time.After(timeout):
		return "", false
	}
}

// connect sends the platform's connect command and waits for the reply.
func (c *wsClient) connect(token string) {
	c.t.Helper()
	c.token = token
	c.send(`{"id":1,"connect":{"data":{"application":"notifications","settings":{"token":"` + token + `"}}}}`)
	reply, ok := c.next(5 * time.Second)
	if !ok || !strings.Contains(reply, `"connect":`) || !strings.Contains(reply, `"operator:389"`) {
		c.t.Fatalf("connect reply: %q", reply)
	}
}

// publicationSeqs extracts the stream sequence numbers of a message, which
// may hold several newline-separated replies.
func publicationSeqs(t *testing.T, message string) []int {
	t.Helper()
	var seqs []int
	for _, line := range strings.Split(message, "\n") {
		var reply struct {
			Push struct {
				Pub struct {
					Data struct {
						Data struct {
							Seq int `json:"seq"`
						} `json:"data"`
					} `json:"data"`
				} `json:"pub"`
			} `json:"push"`
		}
		if err := json.Unmarshal([]byte(line), &reply); err != nil {
			t.Fatalf("corrupt frame %.80q: %v", line, err)
		}
		if seq := reply.Push.Pub.Data.Data.Seq; seq > 0 {
			seqs = append(seqs, seq)
		}
	}
	return seqs
}

func TestGarbageFramesNeverSplitLibraryFrames(t *testing.T) {
	_, base, client := newConnectedSandbox(t)

	const count = 3000
	testkit.Call(t, http.MethodPost, base+"/__sandbox/stream", nil, map[string]any{"userId": "389", "count": count})
	garbage := []string{"not json at all", strings.Repeat("z", 70000)}
	for _, g := range garbage {
		status, out := testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/garbage", nil, map[string]any{"payload": g})
		if status != http.StatusOK || out["sent"] != 1.0 {
			t.Fatalf("garbage: %d %v", status, out)
		}
	}
	_, out := testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/garbage", nil, map[string]any{"repeat": "ab", "size": 5})
	if out["sent"] != 1.0 {
		t.Fatalf("repeat garbage: %v", out)
	}
	garbage = append(garbage, "ababa")

	var seqs []int
	var gotGarbage []string
	for len(seqs) < count || len(gotGarbage) < len(garbage) {
		message, ok := client.next(5 * time.Second)
		if !ok {
			t.Fatalf("stalled after %d publications and %d garbage frames", len(seqs), len(gotGarbage))
		}
		if !strings.HasPrefix(message, "{") || message == "not json at all" {
			gotGarbage = append(gotGarbage, message)
			continue
		}
		seqs = append(seqs, publicationSeqs(t, message)...)
	}
	for i, seq := range seqs {
		if seq != i+1 {
			t.Fatalf("publication %d has seq %d", i, seq)
		}
	}
	for i := range garbage {
		if gotGarbage[i] != garbage[i] {
			t.Fatalf("garbage %d arrived as %.40q (len %d)", i, gotGarbage[i], len(gotGarbage[i]))
		}
	}
}

func TestDropClosesWithoutCloseFrame(t *testing.T) {
	sb, base, client := newConnectedSandbox(t)

	_, out := testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/drop", nil, nil)
	if out["dropped"] != 1.0 {
		t.Fatalf("drop: %v", out)
	}
	select {
	case err := <-client.closed:
		if client.sawClose || !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset") {
			t.Fatalf("connection ended with %v (close frame seen: %v)", err, client.sawClose)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("connection still open after drop")
	}
	eventually(t, func() bool { return sb.stats.Snapshot().ActiveConnections == 0 },
		func() string { return "the node still counts the dropped connection" })
}

func TestDropWithResetEndsWithATCPReset(t *testing.T) {
	_, base, client := newConnectedSandbox(t)

	_, out := testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/drop", nil, map[string]any{"reset": true})
	if out["dropped"] != 1.0 {
		t.Fatalf("drop: %v", out)
	}
	select {
	case err := <-client.closed:
		if client.sawClose || !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("connection ended with %v (close frame seen: %v), want a reset", err, client.sawClose)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("connection still open after drop")
	}
}

func TestSilenceSwallowsFramesUntilSwitchedOff(t *testing.T) {
	_, base, client := newConnectedSandbox(t)

	testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/silence", nil, map[string]any{"on": true})
	testkit.Call(t, http.MethodPost, base+"/__sandbox/publish", nil, map[string]any{"userId": "389", "event": "lost"})
	if message, ok := client.next(700 * time.Millisecond); ok {
		t.Fatalf("received %q during silence", message)
	}
	testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/silence", nil, map[string]any{"on": false})
	testkit.Call(t, http.MethodPost, base+"/__sandbox/publish", nil, map[string]any{"userId": "389", "event": "seen"})
	message, ok := client.next(2 * time.Second)
	if !ok || !strings.Contains(message, `"event":"seen"`) {
		t.Fatalf("after silence: %q", message)
	}
}

func TestCloseFaultSendsCustomCode(t *testing.T) {
	_, base, client := newConnectedSandbox(t)
	_, out := testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/close", nil, map[string]any{"userId": "389", "code": 4001, "reason": "test"})
	if out["ok"] != true {
		t.Fatalf("close: %v", out)
	}
	select {
	case <-client.closed:
		if !client.sawClose {
			t.Fatal("no close frame")
		}
	case <-time.After(3 * time.Second):
		t.Fatal("not closed")
	}
}

func TestDropOnlyOneService(t *testing.T) {
	_, base, operator := newConnectedSandbox(t)
	id := visitorSession(t, base, 389)["id"].(string)
	visitor := dialWSPath(t, base, "/socket.io/?EIO=4&transport=websocket&sessionId="+id)
	if open, _ := visitor.next(5 * time.Second); !strings.HasPrefix(open, "0{") {
		t.Fatalf("open packet %q", open)
	}
	closedWithin := func(c *wsClient, d time.Duration) bool {
		select {
		case <-c.closed:
			return true
		case <-time.After(d):
			return false
		}
	}

	if status, out := testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/drop", nil, map[string]any{"only": "nothing"}); status != http.StatusBadRequest {
		t.Fatalf("unknown service: %d %v", status, out)
	}
	_, out := testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/drop", nil, map[string]any{"only": "socketio"})
	if out["dropped"] != 1.0 {
		t.Fatalf("drop socketio: %v", out)
	}
	if !closedWithin(visitor, 3*time.Second) {
		t.Fatal("the widget socket is still open")
	}
	if closedWithin(operator, 300*time.Millisecond) {
		t.Fatal("the Centrifugo socket was dropped too")
	}
	_, out = testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/drop", nil, map[string]any{"only": "centrifugo"})
	if out["dropped"] != 1.0 {
		t.Fatalf("drop centrifugo: %v", out)
	}
	if !closedWithin(operator, 3*time.Second) {
		t.Fatal("the Centrifugo socket is still open")
	}
}
