// Package server wires the sandbox's services behind one HTTP handler and
// holds its configuration.
package server

import (
	"context"
	"crypto/rand"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/centrifugal/centrifuge"

	"twin-panel/sandbox/internal/chat"
	"twin-panel/sandbox/internal/control"
	"twin-panel/sandbox/internal/faults"
	"twin-panel/sandbox/internal/httpapi"
	"twin-panel/sandbox/internal/iam"
	"twin-panel/sandbox/internal/realtime"
	"twin-panel/sandbox/internal/simulate"
	"twin-panel/sandbox/internal/stats"
	"twin-panel/sandbox/internal/widget"
)

// Sandbox is the whole local TWIN stack behind one HTTP handler.
type Sandbox struct {
	cfg        Config
	stats      *stats.Stats
	realtime   *realtime.Server
	widget     *widget.Hub
	streams    *control.Streams
	connFaults *faults.Conns
	handler    http.Handler
	server     *http.Server

	stopSimulator context.CancelFunc // nil without -simulate
	simulatorDone chan struct{}
}

// NewSandbox builds the services and starts the Centrifuge node.
func NewSandbox(cfg Config) (*Sandbox, error) {
	secret := []byte(cfg.JWTSecret)
	if len(secret) == 0 {
		secret = make([]byte, 32)
		_, _ = rand.Read(secret)
	}
	now := time.Now
	counters := &stats.Stats{}
	auth := iam.New(iam.Config{
		Store:            iam.NewStore(),
		Secret:           secret,
		MaxTTL:           cfg.MaxTokenTTL,
		RefreshTTL:       cfg.RefreshTTL,
		SingleUseRefresh: cfg.SingleUseRefresh,
		Stats:            counters,
		Now:              now,
	})
	rt, err := realtime.New(realtime.Config{
		Ping:        centrifuge.PingPongConfig{PingInterval: cfg.PingInterval, PongTimeout: cfg.PongTimeout},
		HistorySize: cfg.HistorySize,
		HistoryTTL:  cfg.HistoryTTL,
		QueueMax:    cfg.ClientQueueMaxSize,
		Verbose:     cfg.Verbose,
	}, auth, counters)
	if err != nil {
		return nil, err
	}
	chats := chat.New(auth.Store(), rt, rt, now)
	auth.OnLogin(chats.Operators.NotifyLogin)
	hub := widget.New(chats, counters, cfg.Verbose)
	chats.SetWidget(hub)
	s := &Sandbox{
		cfg:        cfg,
		stats:      counters,
		realtime:   rt,
		widget:     hub,
		streams:    control.NewStreams(rt, now),
		connFaults: faults.NewConns(),
	}
	httpFaults := faults.NewHTTP()

	apis := http.NewServeMux()
	auth.Register(apis)
	chat.NewAPI(auth, chats, counters, now).Register(apis)

	controlMux := http.NewServeMux()
	control.New(control.Deps{
		IAM:        auth,
		Chats:      chats,
		Realtime:   rt,
		Widget:     hub,
		Streams:    s.streams,
		ConnFaults: s.connFaults,
		HTTPFaults: httpFaults,
		Stats:      counters,
	}).Register(controlMux)

	mux := http.NewServeMux()
	mux.Handle("/iam/", httpapi.WithCORS(httpFaults.Wrap(apis)))
	mux.Handle("/chat/", httpapi.WithCORS(httpFaults.Wrap(apis)))
	mux.Handle("/__sandbox/", httpapi.WithCORS(control.Guard(controlMux)))
	mux.Handle("/centrifugo/connection/websocket", s.connFaults.Label("centrifugo", httpFaults.Wrap(rt)))
	mux.Handle(widget.Path+"/", s.connFaults.Label("socketio", widget.WithOrigin(httpFaults.WrapUnder(widget.Path, widget.WithEIO3TextPayloads(hub.Handler())))))
	mux.Handle("/pkg/", httpFaults.Wrap(http.StripPrefix("/pkg", staticDir(cfg.PkgDir))))
	mux.Handle("/", httpFaults.Wrap(staticDir(cfg.WWWDir)))

	s.handler = mux
	if cfg.Verbose {
		s.handler = logRequests(mux)
	}
	s.server = &http.Server{
		Handler:           s.handler,
		ConnState:         s.connFaults.ConnState,
		ConnContext:       s.connFaults.ConnContext,
		ReadHeaderTimeout: 10 * time.Second,
	}
	if cfg.Simulate {
		ctx, cancel := context.WithCancel(context.Background())
		s.stopSimulator, s.simulatorDone = cancel, make(chan struct{})
		go func() {
			defer close(s.simulatorDone)
			simulate.New(chats, simulate.DefaultConfig()).Run(ctx)
		}()
	}
	return s, nil
}

// Handler returns the sandbox's HTTP handler; tests use it with httptest.
func (s *Sandbox) Handler() http.Handler { return s.handler }

// Serve accepts connections on l until Shutdown. Connections are wrapped
// so the TCP-level faults can reach them.
func (s *Sandbox) Serve(l net.Listener) error {
	err := s.server.Serve(s.connFaults.Listen(l))
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops the simulator and streams, closes the widget sockets,
// disconnects every Centrifuge client with the library's shutdown code,
// then stops the HTTP server.
func (s *Sandbox) Shutdown(ctx context.Context) error {
	if s.stopSimulator != nil {
		s.stopSimulator()
		<-s.simulatorDone
	}
	s.streams.Close()
	s.widget.Close()
	err := s.realtime.Shutdown(ctx)
	s.connFaults.CloseAll()
	return errors.Join(err, s.server.Shutdown(ctx))
}
