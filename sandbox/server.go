package main

import (
	"context"
	"crypto/rand"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/centrifugal/centrifuge"
)

// Sandbox is the whole local TWIN stack behind one HTTP handler.
type Sandbox struct {
	cfg        Config
	stats      *Stats
	realtime   *Realtime
	widget     *WidgetHub
	chats      *Chats
	streams    *Streams
	connFaults *ConnFaults
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
	store := NewStore()
	stats := &Stats{}
	iam := &IAM{
		store:      store,
		tokens:     NewJWTSigner(secret),
		maxTTL:     cfg.MaxTokenTTL,
		refreshTTL: cfg.RefreshTTL,
		stats:      stats,

		singleUseRefresh: cfg.SingleUseRefresh,
		now:              now,
	}
	realtime, err := NewRealtime(RealtimeConfig{
		Ping:        centrifuge.PingPongConfig{PingInterval: cfg.PingInterval, PongTimeout: cfg.PongTimeout},
		HistorySize: cfg.HistorySize,
		HistoryTTL:  cfg.HistoryTTL,
		QueueMax:    cfg.ClientQueueMaxSize,
		Verbose:     cfg.Verbose,
	}, iam, stats)
	if err != nil {
		return nil, err
	}
	chats := NewChats(store, realtime, realtime, now)
	iam.onLogin = chats.NotifyLogin
	widget := NewWidgetHub(chats, stats, cfg.Verbose)
	chats.SetWidget(widget)
	s := &Sandbox{
		cfg:        cfg,
		chats:      chats,
		widget:     widget,
		stats:      stats,
		realtime:   realtime,
		streams:    NewStreams(realtime, now),
		connFaults: NewConnFaults(),
	}
	httpFaults := NewHTTPFaults()

	apis := http.NewServeMux()
	iam.Register(apis)
	(&ChatAPI{iam: iam, chats: chats, stats: stats, now: now}).Register(apis)

	testMux := http.NewServeMux()
	(&TestAPI{
		iam:        iam,
		store:      store,
		chats:      chats,
		realtime:   realtime,
		widget:     widget,
		streams:    s.streams,
		connFaults: s.connFaults,
		httpFaults: httpFaults,
		stats:      stats,
	}).Register(testMux)

	mux := http.NewServeMux()
	mux.Handle("/iam/", withCORS(httpFaults.Wrap(apis)))
	mux.Handle("/chat/", withCORS(httpFaults.Wrap(apis)))
	mux.Handle("/__sandbox/", withCORS(withControlGuard(testMux)))
	mux.Handle("/centrifugo/connection/websocket", httpFaults.Wrap(realtime))
	mux.Handle(widgetPath+"/", withSocketIOOrigin(httpFaults.WrapUnder(widgetPath, withEIO3TextPayloads(widget.Handler()))))
	mux.Handle("/pkg/", httpFaults.Wrap(http.StripPrefix("/pkg", staticDir(cfg.PkgDir))))
	mux.Handle("/", httpFaults.Wrap(staticDir(cfg.WWWDir)))

	s.handler = mux
	if cfg.Verbose {
		s.handler = logRequests(mux)
	}
	s.server = &http.Server{
		Handler:           s.handler,
		ConnState:         s.connFaults.ConnState,
		ReadHeaderTimeout: 10 * time.Second,
	}
	if cfg.Simulate {
		ctx, cancel := context.WithCancel(context.Background())
		s.stopSimulator, s.simulatorDone = cancel, make(chan struct{})
		go func() {
			defer close(s.simulatorDone)
			NewSimulator(chats, DefaultSimulatorConfig()).Run(ctx)
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
