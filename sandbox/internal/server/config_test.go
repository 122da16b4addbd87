package server

import (
	"io"
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	cfg, err := ParseFlags([]string{"-addr", "127.0.0.1:0", "-ping-interval", "2s", "-pong-timeout", "1s"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:0" || cfg.HistorySize != 10000 || cfg.WWWDir != "www-demo" || cfg.PkgDir != "pkg" || cfg.Simulate {
		t.Fatalf("cfg = %+v", cfg)
	}
	if cfg, err := ParseFlags([]string{"-simulate"}, io.Discard); err != nil || !cfg.Simulate {
		t.Fatalf("-simulate: %+v, %v", cfg, err)
	}
	if cfg.ClientQueueMaxSize != 1<<20 || cfg.SingleUseRefresh {
		t.Fatalf("defaults: queue %d, single-use refresh %v", cfg.ClientQueueMaxSize, cfg.SingleUseRefresh)
	}
	cfg, err = ParseFlags([]string{"-client-queue-max-size", "268435456", "-single-use-refresh"}, io.Discard)
	if err != nil || cfg.ClientQueueMaxSize != 256<<20 || !cfg.SingleUseRefresh {
		t.Fatalf("-client-queue-max-size, -single-use-refresh: %+v, %v", cfg, err)
	}
	for _, args := range [][]string{
		{"-addr", "0.0.0.0:8080"},
		{"-addr", ":8080"},
		{"-addr", "192.168.1.2:8080"},
		{"-ping-interval", "5s", "-pong-timeout", "5s"},
		{"-history-size", "0"},
		{"-client-queue-max-size", "10"},
		{"extra"},
	} {
		if _, err := ParseFlags(args, io.Discard); err == nil {
			t.Errorf("ParseFlags(%s) accepted", strings.Join(args, " "))
		}
	}
	for _, addr := range []string{"localhost:1", "[::1]:0", "127.0.0.2:80"} {
		if _, err := ParseFlags([]string{"-addr", addr}, io.Discard); err != nil {
			t.Errorf("-addr %s: %v", addr, err)
		}
	}
	if got := ListenAddr("localhost:99"); got != "127.0.0.1:99" {
		t.Errorf("ListenAddr = %s", got)
	}
}
