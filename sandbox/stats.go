package main

import (
	"maps"
	"sync"
	"sync/atomic"
)

// Stats counts what tests want to assert on: how often clients logged in,
// refreshed and (re)connected. Counters only move up until Reset.
type Stats struct {
	logins    atomic.Int64
	refreshes atomic.Int64
	connects  atomic.Int64

	rejectExpired    atomic.Int64
	rejectInvalid    atomic.Int64
	rejectBadRequest atomic.Int64
	rejectBlocked    atomic.Int64

	// activeConnections is a gauge, so Reset leaves it alone.
	activeConnections atomic.Int64
	// restarts counts Centrifuge node restarts since start or Reset.
	restarts atomic.Int64

	// Widget sockets: connects by Engine.IO version, and a live gauge.
	socketioEIO3   atomic.Int64
	socketioEIO4   atomic.Int64
	socketioActive atomic.Int64

	// requests counts chats-API requests by endpoint key, such as
	// "POST /sessions/{id}/operators/messages".
	mu       sync.Mutex
	requests map[string]int64
}

// CountRequest adds one request to an endpoint key.
func (s *Stats) CountRequest(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.requests == nil {
		s.requests = make(map[string]int64)
	}
	s.requests[key]++
}

// StatsSnapshot is the JSON form of Stats.
type StatsSnapshot struct {
	Logins            int64          `json:"logins"`
	Refreshes         int64          `json:"refreshes"`
	Connects          int64          `json:"connects"`
	ConnectRejects    RejectSnapshot `json:"connectRejects"`
	ActiveConnections int64          `json:"activeConnections"`
	Restarts          int64          `json:"restarts"`
	// Requests counts chats-API requests by "METHOD /path" (the path relative
	// to /chat/api/v1, with its {wildcards}).
	Requests map[string]int64 `json:"requests"`
	SocketIO SocketIOSnapshot `json:"socketio"`
}

// SocketIOSnapshot counts widget sockets that joined a session, by the
// Engine.IO version of their connection, and those connected now.
type SocketIOSnapshot struct {
	EIO3   int64 `json:"eio3"`
	EIO4   int64 `json:"eio4"`
	Active int64 `json:"active"`
}

// RejectSnapshot counts refused Centrifuge connects by reason.
type RejectSnapshot struct {
	Expired    int64 `json:"expired"`
	Invalid    int64 `json:"invalid"`
	BadRequest int64 `json:"badRequest"`
	Blocked    int64 `json:"blocked"`
}

// Snapshot reads every counter.
func (s *Stats) Snapshot() StatsSnapshot {
	s.mu.Lock()
	requests := maps.Clone(s.requests)
	s.mu.Unlock()
	if requests == nil {
		requests = map[string]int64{}
	}
	return StatsSnapshot{
		Requests:  requests,
		Logins:    s.logins.Load(),
		Refreshes: s.refreshes.Load(),
		Connects:  s.connects.Load(),
		ConnectRejects: RejectSnapshot{
			Expired:    s.rejectExpired.Load(),
			Invalid:    s.rejectInvalid.Load(),
			BadRequest: s.rejectBadRequest.Load(),
			Blocked:    s.rejectBlocked.Load(),
		},
		ActiveConnections: s.activeConnections.Load(),
		Restarts:          s.restarts.Load(),
		SocketIO: SocketIOSnapshot{
			EIO3:   s.socketioEIO3.Load(),
			EIO4:   s.socketioEIO4.Load(),
			Active: s.socketioActive.Load(),
		},
	}
}

// countSocketIOConnect counts a widget socket that joined its session.
func (s *Stats) countSocketIOConnect(eio int) {
	if eio == 3 {
		s.socketioEIO3.Add(1)
	} else {
		s.socketioEIO4.Add(1)
	}
	s.socketioActive.Add(1)
}

// Reset zeroes the counters but not the live-connection gauges.
func (s *Stats) Reset() {
	for _, c := range []*atomic.Int64{
		&s.logins, &s.refreshes, &s.connects,
		&s.rejectExpired, &s.rejectInvalid, &s.rejectBadRequest, &s.rejectBlocked,
		&s.restarts, &s.socketioEIO3, &s.socketioEIO4,
	} {
		c.Store(0)
	}
	s.mu.Lock()
	clear(s.requests)
	s.mu.Unlock()
}
