// Package widget stands in for the chat widget's Socket.IO server at
// /socket.io/ (Engine.IO 3 and 4): visitors join their session's room and
// hear the chats service's changes.
package widget

import (
	"errors"
	"log"
	"net/http"
	"sync"

	"github.com/zishang520/engine.io/v2/engine"
	"github.com/zishang520/engine.io/v2/transports"
	"github.com/zishang520/engine.io/v2/types"
	"github.com/zishang520/socket.io/v2/socket"

	"twin-panel/sandbox/internal/chat"
	"twin-panel/sandbox/internal/httpapi"
	"twin-panel/sandbox/internal/stats"
)

// Path is where the chat widget's Socket.IO endpoint lives, the
// library's and the clients' default.
const Path = "/socket.io"

// Client → server events of the widget socket (chosen: the seed lists only
// server → client events).
const (
	widgetClientTyping = "clientTyping"
	widgetClientRead   = "clientRead"
	widgetClientClose  = "clientClose"
)

// Hub serves the visitor side of the chat over Socket.IO at
// /socket.io/, Engine.IO 4 and 3, polling and WebSocket, through
// github.com/zishang520/socket.io. A socket names its session with the
// sessionId query parameter (or, on EIO 4, the handshake auth object) and
// joins that session's room; the chats service's changes reach the room as the seed's
// events. It implements WidgetNotifier.
type Hub struct {
	io      *socket.Server
	handler http.Handler
	chats   *chat.Service
	stats   *stats.Stats
	verbose bool
	queue   *queue

	mu     sync.Mutex
	online map[string]int // session id → sockets in its room
}

// New builds the Socket.IO server over chats; mount Handler at
// /socket.io/ and call Close on shutdown.
func New(chats *chat.Service, stats *stats.Stats, verbose bool) *Hub {
	opts := socket.DefaultServerOptions()
	opts.SetPath(Path)
	opts.SetServeClient(false)
	opts.SetAllowEIO3(true) // python-socketio 4.x, the seed's client, speaks EIO 3
	opts.SetTransports(types.NewSet(transports.POLLING, transports.WEBSOCKET))
	h := &Hub{
		io:      socket.NewServer(nil, opts),
		chats:   chats,
		stats:   stats,
		verbose: verbose,
		queue:   newQueue(),
		online:  make(map[string]int),
	}
	h.io.Use(h.admit)
	_ = h.io.On("connection", h.onConnection)
	h.handler = h.io.ServeHandler(nil)
	_ = h.io.Engine().On("connection", closeWebSocketOnClose)
	go h.queue.run(h.do)
	return h
}

// closeWebSocketOnClose makes sure a WebSocket's TCP connection ends with
// its Engine.IO connection. When the client closes first, the library
// (engine.io v2.5.0) answers the close frame but marks its transport
// closed before it would close the connection itself, so the TCP
// connection stays open until the client gives up: 30 s for Node's ws,
// whose socket.io-client then reports close code 1005.
func closeWebSocketOnClose(args ...any) {
	conn, ok := args[0].(engine.Socket)
	if !ok {
		return
	}
	_ = conn.Once("close", func(...any) {
		if t := conn.Transport(); t != nil && t.Name() == transports.WEBSOCKET {
			t.DoClose(nil)
		}
	})
}

// Handler serves Engine.IO requests (polling and WebSocket upgrades).
func (h *Hub) Handler() http.Handler { return h.handler }

// NotifySession implements WidgetNotifier.
func (h *Hub) NotifySession(sessionID, event string, data any) {
	h.queue.push(task{sessionID: sessionID, event: event, data: data})
}

// DisconnectAll ends every widget socket with a Socket.IO disconnect
// ("io server disconnect": clients do not reconnect on their own) and
// returns once that is done. Tasks queued before it are delivered first.
// The caller must not hold the chats service's lock.
func (h *Hub) DisconnectAll() {
	done := make(chan struct{})
	if h.queue.push(task{all: true, done: done}) {
		<-done
	}
}

// Close delivers what is queued, then closes every socket and connection.
func (h *Hub) Close() {
	h.queue.close()
	h.io.Close(nil)
}

// room is the room of a session's sockets.
func room(sessionID string) socket.Room { return socket.Room("session:" + sessionID) }

// do runs one queued task on the library.
func (h *Hub) do(t task) {
	if t.all {
		h.io.DisconnectSockets(false)
		return
	}
	if err := h.io.To(room(t.sessionID)).Emit(t.event, t.data); err != nil {
		log.Printf("socket.io: emit %s to session %s: %v", t.event, t.sessionID, err)
	}
}

// handshakeSessionID reads the session a socket asks for: auth.sessionId
// (EIO 4 clients) wins over the sessionId query parameter (both versions).
func handshakeSessionID(hs *socket.Handshake) string {
	if auth, ok := hs.Auth.(map[string]any); ok {
		if id, ok := auth["sessionId"].(string); ok && id != "" {
			return id
		}
	}
	if ids := hs.Query["sessionId"]; len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// admit is the namespace middleware: an unknown, missing or closed session
// refuses the socket with CONNECT_ERROR {message: "Session not found."}
// (EIO 3: an ERROR packet with the message).
func (h *Hub) admit(s *socket.Socket, next func(*socket.ExtendedError)) {
	sessionID := handshakeSessionID(s.Handshake())
	if err := h.chats.Clients.CheckWidgetSession(sessionID); err != nil {
		if h.verbose {
			log.Printf("socket.io: refused session %q: %v", sessionID, err)
		}
		next(socket.NewExtendedError(err.Error(), nil))
		return
	}
	s.SetData(sessionID)
	// The library sends the connect packet before "connection" handlers
	// run, and in another goroutine than the one reading the client's next
	// packets. So the room and the client events are set up here, before
	// the client can see it is connected: an event for the session, or a
	// client event sent right after connecting, is never missed. (One
	// window is left, inside the library: it files the socket under its
	// namespace just after sending that packet, and closes a connection
	// whose next packet arrives in between. A client then reconnects.)
	s.Join(room(sessionID))
	h.wireClientEvents(s, sessionID)
	next(nil)
}

// onConnection counts an admitted socket (already in its session's room,
// see admit) and tells the operators the client came online (first
// socket of the session).
func (h *Hub) onConnection(args ...any) {
	s, ok := args[0].(*socket.Socket)
	if !ok {
		return
	}
	sessionID, _ := s.Data().(string)
	eio := s.Conn().Protocol()
	h.stats.SocketIOOpened(eio)
	if h.verbose {
		log.Printf("socket.io: socket %s (EIO %d) joined session %s", s.Id(), eio, sessionID)
	}
	if h.track(sessionID, +1) == 1 {
		_, _ = h.chats.Clients.SetOnline(sessionID, true)
	}
	// The client may close before "disconnect" is wired (the library sends
	// the connect packet before this handler runs), so the state is checked
	// once more afterwards; left runs once either way.
	var leave sync.Once
	left := func(reason any) {
		leave.Do(func() {
			h.stats.SocketIOClosed()
			if h.verbose {
				log.Printf("socket.io: socket %s left session %s: %v", s.Id(), sessionID, reason)
			}
			if h.track(sessionID, -1) == 0 {
				// The session may be gone (chats/reset): nothing to tell then.
				_, _ = h.chats.Clients.SetOnline(sessionID, false)
			}
		})
	}
	_ = s.On("disconnect", func(reason ...any) { left(reason) })
	if s.Disconnected() {
		left("disconnected while joining")
	}
}

// wireClientEvents answers the session's client → server events on s.
func (h *Hub) wireClientEvents(s *socket.Socket, sessionID string) {
	_ = s.On(widgetClientTyping, h.clientEvent(s, widgetClientTyping, func(map[string]any) error {
		_, err := h.chats.Clients.Typing(sessionID)
		return err
	}))
	_ = s.On(widgetClientRead, h.clientEvent(s, widgetClientRead, func(payload map[string]any) error {
		messageID, _ := payload["messageId"].(string)
		if messageID == "" {
			return httpapi.ValidationError(http.StatusBadRequest, map[string]string{"messageId": "required"})
		}
		_, err := h.chats.Clients.Read(sessionID, messageID)
		return err
	}))
	_ = s.On(widgetClientClose, h.clientEvent(s, widgetClientClose, func(map[string]any) error {
		_, err := h.chats.Clients.Close(sessionID)
		return err
	}))
}

// track adds delta to a session's socket count and returns the new count.
func (h *Hub) track(sessionID string, delta int) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := h.online[sessionID] + delta
	if n <= 0 {
		delete(h.online, sessionID)
		return 0
	}
	h.online[sessionID] = n
	return n
}

// clientEvent adapts a client → server event. Its first object argument
// is the payload (absent: empty); when the client asked for an ack, it
// answers {ok: true} or the platform's error shape {error, details}.
func (h *Hub) clientEvent(s *socket.Socket, name string, do func(payload map[string]any) error) func(...any) {
	return func(args ...any) {
		var payload map[string]any
		var ack socket.Ack
		for _, arg := range args {
			switch v := arg.(type) {
			case map[string]any:
				if payload == nil {
					payload = v
				}
			case socket.Ack:
				ack = v
			}
		}
		err := do(payload)
		if h.verbose {
			log.Printf("socket.io: %s from socket %s: %v", name, s.Id(), err)
		}
		if ack != nil {
			ack([]any{ackBody(err)}, nil)
		}
	}
}

// ackBody is the acknowledgement of a client event.
func ackBody(err error) map[string]any {
	if err == nil {
		return map[string]any{"ok": true}
	}
	var ae *httpapi.Error
	if errors.As(err, &ae) {
		return map[string]any{"error": ae.Message, "details": ae.Details}
	}
	log.Printf("socket.io: internal error: %v", err)
	return map[string]any{"error": "Internal server error.", "details": nil}
}
