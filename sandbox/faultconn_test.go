package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTextFrameLengthEncodings(t *testing.T) {
	for _, tc := range []struct {
		size       int
		headerSize int
		lenByte    byte
	}{{0, 2, 0}, {125, 2, 125}, {126, 4, 126}, {65535, 4, 126}, {65536, 10, 127}} {
		frame := textFrame(bytes.Repeat([]byte("x"), tc.size))
		if frame[0] != 0x81 || frame[1] != tc.lenByte || len(frame) != tc.headerSize+tc.size {
			t.Errorf("size %d: header % x, total %d", tc.size, frame[:min(len(frame), 10)], len(frame))
		}
		switch tc.lenByte {
		case 126:
			if got := binary.BigEndian.Uint16(frame[2:4]); int(got) != tc.size {
				t.Errorf("size %d: 16-bit length %d", tc.size, got)
			}
		case 127:
			if got := binary.BigEndian.Uint64(frame[2:10]); int(got) != tc.size {
				t.Errorf("size %d: 64-bit length %d", tc.size, got)
			}
		}
	}
}

func TestFrameTrackerFollowsSplitAndFragmentedFrames(t *testing.T) {
	var tr frameTracker
	big := textFrame(bytes.Repeat([]byte("y"), 70000))
	// Written in odd pieces, as header+part and the rest.
	for _, piece := range [][]byte{big[:1], big[1:7], big[7:500], big[500:]} {
		if tr.atMessageBoundary() && len(piece) > 0 && &piece[0] != &big[0] {
			t.Fatal("boundary reported inside a frame")
		}
		tr.advance(piece)
	}
	if !tr.atMessageBoundary() {
		t.Fatal("no boundary after a complete frame")
	}

	// A fragmented message: text without FIN, a ping in between, final continuation.
	tr.advance([]byte{0x01, 3, 'a', 'b', 'c'})
	if tr.atMessageBoundary() {
		t.Fatal("boundary inside a fragmented message")
	}
	tr.advance([]byte{0x89, 0}) // ping, allowed between fragments
	if tr.atMessageBoundary() {
		t.Fatal("a control frame ended a fragmented message")
	}
	tr.advance([]byte{0x80, 2, 'd', 'e'})
	if !tr.atMessageBoundary() {
		t.Fatal("no boundary after the final continuation")
	}
}

func TestHandshakeEndAcrossWrites(t *testing.T) {
	c := &faultConn{}
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
	if got := c.handshakeEnd([]byte(resp[:len(resp)-3])); got != -1 {
		t.Fatalf("end found early at %d", got)
	}
	if got := c.handshakeEnd([]byte("\n\r\n\x81\x00")); got != 3 || !c.handshakeDone {
		t.Fatalf("end = %d, done = %v", got, c.handshakeDone)
	}
}

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
	_, base := newTestSandbox(t)
	token, _ := login(t, base, operatorLogin(nil))
	client := dialWS(t, base)
	client.connect(token)

	const count = 3000
	call(t, http.MethodPost, base+"/__sandbox/stream", nil, map[string]any{"userId": "389", "count": count})
	garbage := []string{"not json at all", strings.Repeat("z", 70000)}
	for _, g := range garbage {
		status, out := call(t, http.MethodPost, base+"/__sandbox/faults/garbage", nil, map[string]any{"payload": g})
		if status != http.StatusOK || out["sent"] != 1.0 {
			t.Fatalf("garbage: %d %v", status, out)
		}
	}
	_, out := call(t, http.MethodPost, base+"/__sandbox/faults/garbage", nil, map[string]any{"repeat": "ab", "size": 5})
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
	sb, base := newTestSandbox(t)
	token, _ := login(t, base, operatorLogin(nil))
	client := dialWS(t, base)
	client.connect(token)

	_, out := call(t, http.MethodPost, base+"/__sandbox/faults/drop", nil, nil)
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
	deadline := time.Now().Add(3 * time.Second)
	for sb.stats.Snapshot().ActiveConnections != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the node still counts the dropped connection")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSilenceSwallowsFramesUntilSwitchedOff(t *testing.T) {
	_, base := newTestSandbox(t)
	token, _ := login(t, base, operatorLogin(nil))
	client := dialWS(t, base)
	client.connect(token)

	call(t, http.MethodPost, base+"/__sandbox/faults/silence", nil, map[string]any{"on": true})
	call(t, http.MethodPost, base+"/__sandbox/publish", nil, map[string]any{"userId": "389", "event": "lost"})
	if message, ok := client.next(700 * time.Millisecond); ok {
		t.Fatalf("received %q during silence", message)
	}
	call(t, http.MethodPost, base+"/__sandbox/faults/silence", nil, map[string]any{"on": false})
	call(t, http.MethodPost, base+"/__sandbox/publish", nil, map[string]any{"userId": "389", "event": "seen"})
	message, ok := client.next(2 * time.Second)
	if !ok || !strings.Contains(message, `"event":"seen"`) {
		t.Fatalf("after silence: %q", message)
	}
}

func TestCloseDuringSilenceKeepsTCPOpenUntilSilenceEnds(t *testing.T) {
	faults := NewConnFaults()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ln = faults.Listen(ln)
	peer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	faults.ConnState(server, http.StateHijacked)
	faults.SetSilent(true)

	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		_, _ = server.Read(make([]byte, 1))
	}()
	if err := server.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-readDone:
	case <-time.After(2 * time.Second):
		t.Fatal("Close during silence did not wake the owner's reader")
	}
	_ = peer.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := peer.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("peer read during silence: %v, want a timeout (no FIN)", err)
	}
	faults.SetSilent(false)
	_ = peer.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := peer.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("peer read after silence: %v, want EOF", err)
	}
}

func TestCloseFaultSendsCustomCode(t *testing.T) {
	_, base := newTestSandbox(t)
	token, _ := login(t, base, operatorLogin(nil))
	client := dialWS(t, base)
	client.connect(token)
	_, out := call(t, http.MethodPost, base+"/__sandbox/faults/close", nil, map[string]any{"userId": "389", "code": 4001, "reason": "test"})
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
