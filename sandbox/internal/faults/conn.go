// Package faults misbehaves on purpose for tests: TCP-level faults on
// every WebSocket (drop, silence, raw frames) and failing or slow HTTP
// answers by path prefix.
package faults

import (
	"bytes"
	"context"
	"encoding/binary"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// zombieTTL bounds how long a connection closed during silence is kept open.
const zombieTTL = 2 * time.Minute

// Conns misbehaves at the TCP level. Every accepted connection is a
// faultConn; those that became WebSockets (hijacked by the upgrade) are
// tracked so tests can drop them, silence them or inject raw frames.
type Conns struct {
	silent atomic.Bool

	mu    sync.Mutex
	conns map[*faultConn]struct{}
}

// NewConns returns switches with everything off.
func NewConns() *Conns {
	return &Conns{conns: make(map[*faultConn]struct{})}
}

// Listen wraps l so every accepted connection is a faultConn.
func (f *Conns) Listen(l net.Listener) net.Listener {
	return faultListener{Listener: l, faults: f}
}

// ConnState is an http.Server.ConnState hook: the upgrade hijacks the
// connection just before it writes the 101 response, which is where the
// WebSocket byte stream starts.
func (f *Conns) ConnState(c net.Conn, state http.ConnState) {
	if fc, ok := c.(*faultConn); ok && state == http.StateHijacked {
		fc.markWebSocket()
		f.mu.Lock()
		f.conns[fc] = struct{}{}
		f.mu.Unlock()
	}
}

// snapshot lists the tracked WebSocket connections.
func (f *Conns) snapshot() []*faultConn {
	f.mu.Lock()
	defer f.mu.Unlock()
	conns := make([]*faultConn, 0, len(f.conns))
	for c := range f.conns {
		conns = append(conns, c)
	}
	return conns
}

func (f *Conns) forget(c *faultConn) {
	f.mu.Lock()
	delete(f.conns, c)
	f.mu.Unlock()
}

// connKey keys the faultConn in a request's context (ConnContext).
type connKey struct{}

// ConnContext is an http.Server.ConnContext hook: it puts the faultConn in
// every request's context, so Label can name what the connection serves.
func (f *Conns) ConnContext(ctx context.Context, c net.Conn) context.Context {
	if fc, ok := c.(*faultConn); ok {
		return context.WithValue(ctx, connKey{}, fc)
	}
	return ctx
}

// Label names the connections that next serves (e.g. "centrifugo",
// "socketio"), so DropLabelled can drop only those. The label is set on
// every request, so a kept-alive connection carries the name of the last
// one, which for a WebSocket is its upgrade.
func (f *Conns) Label(label string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fc, ok := r.Context().Value(connKey{}).(*faultConn); ok {
			fc.label.Store(&label)
		}
		next.ServeHTTP(w, r)
	})
}

// Drop closes the TCP connection under every WebSocket without a close
// frame, so browsers report 1006. It returns how many live ones it closed.
func (f *Conns) Drop() int {
	return f.DropLabelled("", false)
}

// DropLabelled is Drop for the WebSockets labelled label only ("" drops
// every one). With reset, each connection ends with a TCP reset (RST)
// instead of a FIN, as when a NAT or a proxy forgets it; browsers tell a
// reset from a close (Firefox logs it on the page's console).
func (f *Conns) DropLabelled(label string, reset bool) int {
	dropped := 0
	for _, c := range f.snapshot() {
		if label != "" {
			if l := c.label.Load(); l == nil || *l != label {
				continue
			}
		}
		if !c.closed.Load() {
			dropped++
		}
		if reset {
			c.resetOnClose()
		}
		_ = c.closeRaw()
	}
	return dropped
}

// SetSilent switches silence. While on, every WebSocket frame written to any
// connection, existing or new, is swallowed; the handshake still completes,
// so a client sees an open socket that never speaks. Connections the server
// closes meanwhile stay open at the TCP level (a silent server sends no FIN
// either) until silence ends or zombieTTL passes.
func (f *Conns) SetSilent(on bool) {
	f.silent.Store(on)
	if on {
		return
	}
	for _, c := range f.snapshot() {
		if c.closed.Load() {
			_ = c.closeRaw()
		}
	}
}

// SendText writes one unmasked text frame carrying payload to every live
// WebSocket, between the library's own frames. It returns how many
// connections got it.
func (f *Conns) SendText(payload []byte) int {
	frame := textFrame(payload)
	var sent atomic.Int64
	var wg sync.WaitGroup
	for _, c := range f.snapshot() {
		wg.Go(func() {
			if c.inject(frame, 10*time.Second) {
				sent.Add(1)
			}
		})
	}
	wg.Wait()
	return int(sent.Load())
}

// CloseAll closes every tracked connection; used on shutdown.
func (f *Conns) CloseAll() {
	for _, c := range f.snapshot() {
		_ = c.closeRaw()
	}
}

// faultListener hands out faultConns.
type faultListener struct {
	net.Listener
	faults *Conns
}

func (l faultListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	fc := &faultConn{Conn: c, faults: l.faults}
	fc.idle = sync.NewCond(&fc.wmu)
	return fc, nil
}

// faultConn passes everything through until the connection becomes a
// WebSocket. From then on it follows the outgoing frame stream, so an
// injected frame can be placed between two messages of the library, and
// applies silence.
type faultConn struct {
	net.Conn
	faults *Conns

	closed    atomic.Bool // the owner called Close
	rawClosed atomic.Bool // the TCP connection is closed
	label     atomic.Pointer[string]

	wmu           sync.Mutex
	idle          *sync.Cond // signalled after every write and on close
	websocket     bool
	handshakeDone bool
	handshakeTail []byte
	frames        frameTracker
	swallowing    bool

	deadlineMu    sync.Mutex
	writeDeadline time.Time // the owner's; restored after an injected write
}

func (c *faultConn) markWebSocket() {
	c.wmu.Lock()
	c.websocket = true
	c.wmu.Unlock()
}

// Write serialises with inject and applies silence to WebSocket frames.
func (c *faultConn) Write(b []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if !c.websocket {
		return c.Conn.Write(b)
	}
	defer c.idle.Broadcast()
	if c.handshakeDone {
		return c.writeFrames(b)
	}
	end := c.handshakeEnd(b)
	if end < 0 {
		return c.Conn.Write(b)
	}
	n, err := c.Conn.Write(b[:end])
	if err != nil {
		return n, err
	}
	m, err := c.writeFrames(b[end:])
	return n + m, err
}

// handshakeEnd returns the index just past the "\r\n\r\n" ending the 101
// response, or -1 while it has not been written yet.
func (c *faultConn) handshakeEnd(b []byte) int {
	const terminator = "\r\n\r\n"
	joined := append(c.handshakeTail, b...)
	i := bytes.Index(joined, []byte(terminator))
	if i < 0 {
		c.handshakeTail = joined[max(0, len(joined)-len(terminator)+1):]
		return -1
	}
	c.handshakeDone = true
	c.handshakeTail = nil
	return i + len(terminator) - (len(joined) - len(b))
}

// writeFrames tracks frame boundaries and sends, or swallows during silence.
// Silence only switches at a message boundary, so no frame is ever cut.
func (c *faultConn) writeFrames(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if c.frames.atMessageBoundary() {
		c.swallowing = c.faults.silent.Load()
	}
	c.frames.advance(b)
	if c.swallowing {
		return len(b), nil
	}
	return c.Conn.Write(b)
}

// inject writes frame once the outgoing stream is between two messages.
func (c *faultConn) inject(frame []byte, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	wake := time.AfterFunc(timeout, func() {
		c.wmu.Lock()
		c.idle.Broadcast()
		c.wmu.Unlock()
	})
	defer wake.Stop()

	c.wmu.Lock()
	defer c.wmu.Unlock()
	ready := func() bool { return c.handshakeDone && c.frames.atMessageBoundary() }
	for !ready() && !c.closed.Load() && time.Now().Before(deadline) {
		c.idle.Wait()
	}
	if !ready() || c.closed.Load() || c.faults.silent.Load() {
		return false
	}
	_ = c.Conn.SetWriteDeadline(deadline)
	_, err := c.Conn.Write(frame)
	c.deadlineMu.Lock()
	_ = c.Conn.SetWriteDeadline(c.writeDeadline)
	c.deadlineMu.Unlock()
	return err == nil
}

// SetDeadline records the owner's write deadline, see inject.
func (c *faultConn) SetDeadline(t time.Time) error {
	c.deadlineMu.Lock()
	defer c.deadlineMu.Unlock()
	c.writeDeadline = t
	return c.Conn.SetDeadline(t)
}

// SetWriteDeadline records the owner's write deadline, see inject.
func (c *faultConn) SetWriteDeadline(t time.Time) error {
	c.deadlineMu.Lock()
	defer c.deadlineMu.Unlock()
	c.writeDeadline = t
	return c.Conn.SetWriteDeadline(t)
}

// Close closes the connection, except during silence: then the owner's
// reader is woken with a timeout but the TCP connection stays open and
// quiet, as it would with a hung server.
func (c *faultConn) Close() error {
	c.closed.Store(true)
	c.wmu.Lock()
	isWebSocket := c.websocket
	c.idle.Broadcast()
	c.wmu.Unlock()
	if isWebSocket && c.faults.silent.Load() && !c.rawClosed.Load() {
		_ = c.Conn.SetReadDeadline(time.Now())
		time.AfterFunc(zombieTTL, func() { _ = c.closeRaw() })
		return nil
	}
	return c.closeRaw()
}

// resetOnClose makes the next close of the TCP connection a reset (RST):
// with a zero linger the kernel discards what is unsent and resets.
func (c *faultConn) resetOnClose() {
	if tcp, ok := c.Conn.(*net.TCPConn); ok && !c.rawClosed.Load() {
		_ = tcp.SetLinger(0)
	}
}

// closeRaw closes the TCP connection once. It must not take wmu: a write
// blocked on a peer that stopped reading holds it.
func (c *faultConn) closeRaw() error {
	if c.rawClosed.Swap(true) {
		return nil
	}
	c.faults.forget(c)
	return c.Conn.Close()
}

// frameTracker follows a server's outgoing WebSocket frames (RFC 6455 §5.2)
// just far enough to know where messages begin and end.
type frameTracker struct {
	header     [14]byte
	headerLen  int
	remaining  uint64 // payload bytes of the current frame still to come
	fragmented bool   // a data message was started without FIN
}

// atMessageBoundary reports whether a new data frame may be written now.
func (t *frameTracker) atMessageBoundary() bool {
	return t.headerLen == 0 && t.remaining == 0 && !t.fragmented
}

// advance consumes bytes written to the connection.
func (t *frameTracker) advance(b []byte) {
	for len(b) > 0 {
		if t.remaining > 0 {
			n := min(uint64(len(b)), t.remaining)
			t.remaining -= n
			b = b[n:]
			continue
		}
		t.header[t.headerLen] = b[0]
		t.headerLen++
		b = b[1:]
		if t.headerLen >= 2 && t.headerLen == t.headerSize() {
			t.endHeader()
		}
	}
}

// headerSize is the full header length implied by its first two bytes.
func (t *frameTracker) headerSize() int {
	size := 2
	switch t.header[1] & 0x7f {
	case 126:
		size += 2
	case 127:
		size += 8
	}
	if t.header[1]&0x80 != 0 {
		size += 4 // masking key
	}
	return size
}

func (t *frameTracker) endHeader() {
	fin := t.header[0]&0x80 != 0
	opcode := t.header[0] & 0x0f
	var length uint64
	switch l := t.header[1] & 0x7f; l {
	case 126:
		length = uint64(binary.BigEndian.Uint16(t.header[2:4]))
	case 127:
		length = binary.BigEndian.Uint64(t.header[2:10])
	default:
		length = uint64(l)
	}
	switch opcode {
	case 0x1, 0x2: // text, binary
		t.fragmented = !fin
	case 0x0: // continuation
		if fin {
			t.fragmented = false
		}
	}
	t.remaining = length
	t.headerLen = 0
}

// textFrame encodes payload as one final, unmasked text frame.
func textFrame(payload []byte) []byte {
	frame := make([]byte, 0, len(payload)+10)
	frame = append(frame, 0x80|0x1)
	switch n := len(payload); {
	case n <= 125:
		frame = append(frame, byte(n))
	case n <= 0xffff:
		frame = append(frame, 126)
		frame = binary.BigEndian.AppendUint16(frame, uint16(n))
	default:
		frame = append(frame, 127)
		frame = binary.BigEndian.AppendUint64(frame, uint64(n))
	}
	return append(frame, payload...)
}
