// Command twin-sandbox is a local stand-in for the TWIN chat platform: IAM
// with HS256 tokens, the chats API, a Centrifuge node for operator events,
// static hosting for the demo and the built package, and fault switches for
// tests. Everything is in memory and listens on loopback only.
//
//	twin-sandbox -addr 127.0.0.1:0 -port-file /tmp/sandbox.port
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"twin-panel/sandbox/internal/server"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		log.Fatalf("twin-sandbox: %v", err)
	}
}

// run starts the sandbox and blocks until SIGINT or SIGTERM.
func run(args []string) error {
	cfg, err := server.ParseFlags(args, os.Stderr)
	if err != nil {
		return err
	}
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)

	sandbox, err := server.NewSandbox(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", server.ListenAddr(cfg.Addr))
	if err != nil {
		return err
	}
	if cfg.PortFile != "" {
		port := ln.Addr().(*net.TCPAddr).Port
		if err := writeFileAtomic(cfg.PortFile, []byte(strconv.Itoa(port))); err != nil {
			_ = ln.Close()
			return fmt.Errorf("write port file: %w", err)
		}
		defer os.Remove(cfg.PortFile)
	}
	fmt.Printf("twin-sandbox listening on http://%s\n", ln.Addr())
	if cfg.Describe {
		fmt.Print(server.Describe(fmt.Sprintf("http://%s", ln.Addr())))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- sandbox.Serve(ln) }()

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	stop() // a second signal kills the process the usual way
	if cfg.Verbose {
		log.Print("shutting down")
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sandbox.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return <-served
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it, so a reader never sees a partial file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
