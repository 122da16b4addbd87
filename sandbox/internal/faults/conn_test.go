package faults

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
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

func TestCloseDuringSilenceKeepsTCPOpenUntilSilenceEnds(t *testing.T) {
	conns := NewConns()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ln = conns.Listen(ln)
	peer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	conns.ConnState(server, http.StateHijacked)
	conns.SetSilent(true)

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
	conns.SetSilent(false)
	_ = peer.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := peer.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("peer read after silence: %v, want EOF", err)
	}
}
