// Package realtime stands in for TWIN's Centrifugo: a real Centrifuge node
// behind /centrifugo/connection/websocket that authenticates by the IAM
// token and subscribes each connection to its operator's channel.
package realtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/centrifugal/centrifuge"
	"github.com/prometheus/client_golang/prometheus"

	"twin-panel/sandbox/internal/httpapi"
	"twin-panel/sandbox/internal/iam"
	"twin-panel/sandbox/internal/stats"
)

// DisconnectOperatorBlocked closes the connection of a blocked operator. It
// is terminal (4500–4999): the seed says a blocked operator must leave.
var DisconnectOperatorBlocked = centrifuge.Disconnect{Code: 4503, Reason: "operator blocked"}

// OperatorChannel is the server-side channel every connection of an operator
// is subscribed to.
func OperatorChannel(userID string) string { return "operator:" + userID }

// connectData is the connect payload of the platform's own integration page:
// {"application":"notifications","settings":{"token":"<iam.IAM access token>"}}.
type connectData struct {
	Application string `json:"application"`
	Settings    struct {
		Token string `json:"token"`
	} `json:"settings"`
}

// Config tunes the Centrifuge node.
type Config struct {
	Ping        centrifuge.PingPongConfig
	HistorySize int
	HistoryTTL  time.Duration
	// QueueMax is the per-client queue in bytes (0: the library's 1 MiB).
	QueueMax int
	Verbose  bool
}

// Server owns the Centrifuge node behind /centrifugo/connection/websocket.
// The node can be replaced at run time (the restart fault); requests always
// reach the current one.
type Server struct {
	cfg   Config
	iam   *iam.IAM
	stats *stats.Stats

	restartMu sync.Mutex // serialises Restart and Shutdown
	stopped   bool       // guarded by restartMu
	current   atomic.Pointer[generation]
}

// errStopped is returned by Restart after Shutdown.
var errStopped = errors.New("realtime node is shut down")

// generation is one node with its WebSocket handler; a restart starts
// the next one.
type generation struct {
	node    *centrifuge.Node
	handler http.Handler
}

// New starts the first node.
func New(cfg Config, iam *iam.IAM, stats *stats.Stats) (*Server, error) {
	r := &Server{cfg: cfg, iam: iam, stats: stats}
	first, err := r.startNode()
	if err != nil {
		return nil, err
	}
	r.current.Store(first)
	return r, nil
}

// ServeHTTP hands the WebSocket upgrade to the current node.
func (r *Server) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.current.Load().handler.ServeHTTP(w, req)
}

// startNode creates and runs a node with a fresh memory broker, so its
// streams start with new epochs and empty history.
func (r *Server) startNode() (*generation, error) {
	level := centrifuge.LogLevelError
	if r.cfg.Verbose {
		level = centrifuge.LogLevelInfo
	}
	node, err := centrifuge.New(centrifuge.Config{
		Name:               "twin-sandbox",
		ClientQueueMaxSize: r.cfg.QueueMax,
		LogLevel:           level,
		LogHandler:         logCentrifuge,
		// A registry per node: restarts would otherwise re-register the
		// library's collectors on the global Prometheus registry.
		Metrics: centrifuge.MetricsConfig{RegistererGatherer: prometheus.NewRegistry()},
	})
	if err != nil {
		return nil, err
	}
	node.OnConnecting(r.onConnecting)
	node.OnConnect(r.onConnect)
	if err := node.Run(); err != nil {
		return nil, err
	}
	handler := centrifuge.NewWebsocketHandler(node, centrifuge.WebsocketConfig{
		CheckOrigin:    func(req *http.Request) bool { return httpapi.WebSocketOriginAllowed(req.Header.Get("Origin")) },
		PingPongConfig: r.cfg.Ping,
	})
	return &generation{node: node, handler: handler}, nil
}

// onConnecting authenticates a connect command by the iam.IAM token inside its
// data and subscribes the connection to the operator's channel.
func (r *Server) onConnecting(_ context.Context, e centrifuge.ConnectEvent) (centrifuge.ConnectReply, error) {
	var data connectData
	if len(e.Data) == 0 || json.Unmarshal(e.Data, &data) != nil || data.Application != "notifications" {
		r.stats.CountReject(stats.RejectBadRequest)
		return centrifuge.ConnectReply{}, centrifuge.DisconnectBadRequest
	}
	user, err := r.iam.VerifyAccessToken(data.Settings.Token)
	switch {
	case errors.Is(err, iam.ErrTokenExpired):
		// An error reply with code 109 (not a close): clients fetch a new
		// token and reconnect.
		r.stats.CountReject(stats.RejectExpired)
		return centrifuge.ConnectReply{}, centrifuge.ErrorTokenExpired
	case errors.Is(err, iam.ErrUserBlocked):
		r.stats.CountReject(stats.RejectBlocked)
		return centrifuge.ConnectReply{}, DisconnectOperatorBlocked
	case err != nil:
		r.stats.CountReject(stats.RejectInvalid)
		return centrifuge.ConnectReply{}, centrifuge.DisconnectInvalidToken
	}
	userID := strconv.Itoa(user.ID)
	// No Credentials.ExpireAt: how the platform treats an access token that
	// expires on an open socket is unknown, so the connection simply lives on.
	return centrifuge.ConnectReply{
		Credentials: &centrifuge.Credentials{UserID: userID},
		Subscriptions: map[string]centrifuge.SubscribeOptions{
			OperatorChannel(userID): {EnableRecovery: true, EnablePositioning: true},
		},
	}, nil
}

// onConnect counts live connections.
func (r *Server) onConnect(client *centrifuge.Client) {
	r.stats.ConnectionOpened(client.UserID())
	if r.cfg.Verbose {
		log.Printf("centrifuge: user %s connected (client %s)", client.UserID(), client.ID())
	}
	client.OnDisconnect(func(e centrifuge.DisconnectEvent) {
		r.stats.ConnectionClosed(client.UserID())
		if r.cfg.Verbose {
			log.Printf("centrifuge: user %s disconnected: %d %s", client.UserID(), e.Code, e.Reason)
		}
	})
}

// PublishEvent publishes {"event": event, "data": data} to the operator's
// channel; the chats service publishes through it. data may be a json.RawMessage, which is
// embedded as is (compacted, since the JSON protocol separates frames by
// newlines).
func (r *Server) PublishEvent(userID, event string, data any) (centrifuge.StreamPosition, error) {
	payload, err := encodeEvent(event, data)
	if err != nil {
		return centrifuge.StreamPosition{}, err
	}
	return r.PublishRaw(userID, payload)
}

// PublishRaw publishes payload, byte for byte, as the data of one
// publication on the operator's channel, so it lands in history too. The
// node strips raw newlines (they delimit frames); nothing else is checked.
func (r *Server) PublishRaw(userID string, payload []byte) (centrifuge.StreamPosition, error) {
	res, err := r.current.Load().node.Publish(OperatorChannel(userID), payload,
		centrifuge.WithHistory(r.cfg.HistorySize, r.cfg.HistoryTTL))
	return res.StreamPosition, err
}

// encodeEvent builds the publication payload {"event": ..., "data": ...}.
func encodeEvent(event string, data any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(struct {
		Event string `json:"event"`
		Data  any    `json:"data"`
	}{event, data})
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), err
}

// Node is the current Centrifuge node; tests read its history and config.
func (r *Server) Node() *centrifuge.Node { return r.current.Load().node }

// Online reports whether userID holds a live connection; it implements
// Presence.
func (r *Server) Online(userID string) bool {
	return len(r.current.Load().node.Hub().UserConnections(userID)) > 0
}

// Disconnect closes every connection of userID with a custom code.
func (r *Server) Disconnect(userID string, d centrifuge.Disconnect) error {
	return r.current.Load().node.Disconnect(userID, centrifuge.WithCustomDisconnect(d))
}

// Restart replaces the node with a fresh one. Clients of the old node get
// the library's shutdown close (3001, reconnect) and land on the new node,
// where recovery fails because the epoch changed.
func (r *Server) Restart(ctx context.Context) error {
	r.restartMu.Lock()
	defer r.restartMu.Unlock()
	if r.stopped {
		return errStopped
	}
	fresh, err := r.startNode()
	if err != nil {
		return err
	}
	old := r.current.Swap(fresh)
	r.stats.CountRestart()
	return old.node.Shutdown(ctx)
}

// Shutdown stops the current node, disconnecting every client.
func (r *Server) Shutdown(ctx context.Context) error {
	r.restartMu.Lock()
	defer r.restartMu.Unlock()
	r.stopped = true
	return r.current.Load().node.Shutdown(ctx)
}

// logCentrifuge forwards the library's log entries to the standard logger.
func logCentrifuge(e centrifuge.LogEntry) {
	if e.Error != nil {
		log.Printf("centrifuge %s: %s: %v %v", centrifuge.LogLevelToString(e.Level), e.Message, e.Error, e.Fields)
		return
	}
	log.Printf("centrifuge %s: %s %v", centrifuge.LogLevelToString(e.Level), e.Message, e.Fields)
}
