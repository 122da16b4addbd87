package server

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// Config holds everything the command line can change.
type Config struct {
	// Addr is the host:port to listen on; the host must be a loopback address.
	Addr string
	// PortFile, when set, receives the bound port number once the listener is up.
	PortFile string
	// WWWDir is served at "/" and PkgDir at "/pkg/".
	WWWDir string
	PkgDir string

	// PingInterval and PongTimeout drive the Centrifuge application-level ping.
	PingInterval time.Duration
	PongTimeout  time.Duration

	// HistorySize and HistoryTTL apply to every publication on an operator channel.
	HistorySize int
	HistoryTTL  time.Duration

	// MaxTokenTTL caps the access-token lifetime a client may ask for.
	MaxTokenTTL time.Duration
	// RefreshTTL is the lifetime of a refresh token.
	RefreshTTL time.Duration
	// SingleUseRefresh spends a refresh token on its first use, as IAMs that
	// rotate refresh tokens do; by default one stays valid until it expires.
	SingleUseRefresh bool

	// ClientQueueMaxSize is the Centrifuge per-client queue in bytes; a
	// client whose queue grows past it is disconnected (slow consumer).
	ClientQueueMaxSize int
	// JWTSecret signs access tokens; empty means a random secret per process,
	// so tokens do not survive a restart of the sandbox.
	JWTSecret string

	// Simulate runs simulated visitors for the demo.
	Simulate bool

	// Verbose turns on request and Centrifuge logging.
	Verbose bool
	// Describe prints, once listening, what a developer needs to point a
	// client at the sandbox: the URLs and the seeded accounts and chats.
	Describe bool
}

// DefaultConfig returns the configuration used when no flag is given.
func DefaultConfig() Config {
	return Config{
		Addr:         "127.0.0.1:8080",
		WWWDir:       "www-demo",
		PkgDir:       "pkg",
		PingInterval: 25 * time.Second,
		PongTimeout:  8 * time.Second,
		HistorySize:  10000,
		HistoryTTL:   time.Hour,
		MaxTokenTTL:  30 * 24 * time.Hour,
		RefreshTTL:   720 * time.Hour,
		// The library's default, 1 MiB.
		ClientQueueMaxSize: 1 << 20,
	}
}

// ParseFlags reads the command line into a Config and validates it.
func ParseFlags(args []string, output io.Writer) (Config, error) {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("twin-sandbox", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (loopback only); port 0 picks a free port")
	fs.StringVar(&cfg.PortFile, "port-file", "", "write the bound port number to this file once listening")
	fs.StringVar(&cfg.WWWDir, "www", cfg.WWWDir, "directory served at /")
	fs.StringVar(&cfg.PkgDir, "pkg", cfg.PkgDir, "directory served at /pkg/")
	fs.DurationVar(&cfg.PingInterval, "ping-interval", cfg.PingInterval, "Centrifuge server ping interval")
	fs.DurationVar(&cfg.PongTimeout, "pong-timeout", cfg.PongTimeout, "Centrifuge pong timeout (must be less than -ping-interval)")
	fs.IntVar(&cfg.HistorySize, "history-size", cfg.HistorySize, "publications kept per operator channel")
	fs.DurationVar(&cfg.HistoryTTL, "history-ttl", cfg.HistoryTTL, "how long publications stay in history")
	fs.DurationVar(&cfg.MaxTokenTTL, "max-token-ttl", cfg.MaxTokenTTL, "upper bound of the requested access-token ttl")
	fs.DurationVar(&cfg.RefreshTTL, "refresh-ttl", cfg.RefreshTTL, "lifetime of refresh tokens")
	fs.BoolVar(&cfg.SingleUseRefresh, "single-use-refresh", false, "a refresh token works once; a reused one is refused with 401")
	fs.IntVar(&cfg.ClientQueueMaxSize, "client-queue-max-size", cfg.ClientQueueMaxSize, "Centrifuge per-client queue in bytes; a client past it is disconnected")
	fs.StringVar(&cfg.JWTSecret, "jwt-secret", "", "HS256 secret for access tokens (default: random per start)")
	fs.BoolVar(&cfg.Simulate, "simulate", false, "simulate visitors writing to the seeded operators (for the demo)")
	fs.BoolVar(&cfg.Verbose, "v", false, "verbose logging")
	fs.BoolVar(&cfg.Describe, "describe", false, "print the URLs to configure a client with and the seeded accounts and chats once listening")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return cfg, cfg.Validate()
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	if err := checkLoopbackAddr(c.Addr); err != nil {
		return err
	}
	switch {
	case c.PingInterval <= 0:
		return errors.New("-ping-interval must be positive")
	case c.PongTimeout <= 0:
		return errors.New("-pong-timeout must be positive")
	case c.PongTimeout >= c.PingInterval:
		return fmt.Errorf("-pong-timeout (%s) must be less than -ping-interval (%s)", c.PongTimeout, c.PingInterval)
	case c.HistorySize <= 0:
		return errors.New("-history-size must be positive")
	case c.HistoryTTL <= 0:
		return errors.New("-history-ttl must be positive")
	case c.MaxTokenTTL < time.Second:
		return errors.New("-max-token-ttl must be at least 1s")
	case c.RefreshTTL < time.Second:
		return errors.New("-refresh-ttl must be at least 1s")
	case c.ClientQueueMaxSize < 1024:
		return errors.New("-client-queue-max-size must be at least 1024 bytes")
	}
	return nil
}

// checkLoopbackAddr accepts host:port only when the host is a loopback IP or
// "localhost", so the sandbox is never reachable from another machine.
func checkLoopbackAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %q: host must be a loopback address such as 127.0.0.1", addr)
	}
	return nil
}

// ListenAddr turns "localhost" into 127.0.0.1 so the listener binds exactly
// one loopback address.
func ListenAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err == nil && host == "localhost" {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return addr
}
