package server

import (
	"bufio"
	"errors"
	"log"
	"net"
	"net/http"
	"time"
)

// logRequests logs one line per request; only used with -v.
func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		status := "hijacked"
		if !rec.hijacked {
			status = http.StatusText(rec.status)
		}
		log.Printf("%s %s -> %d %s (%s)", r.Method, r.URL.RequestURI(), rec.status, status, time.Since(start).Round(time.Microsecond))
	})
}

// statusRecorder remembers the status code. It keeps Hijack and Flush
// working, since the WebSocket upgrade needs the former.
type statusRecorder struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("response writer cannot hijack")
	}
	r.hijacked = true
	r.status = http.StatusSwitchingProtocols
	return h.Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
