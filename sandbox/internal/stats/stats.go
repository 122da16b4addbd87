// Package stats counts what tests assert on (logins, refreshes, connects,
// requests) and the live connection gauges, served at /__sandbox/stats.
package stats

import (
	"maps"
	"sync"
	"sync/atomic"
)

// Stats counts what tests want to assert on: how often clients logged in,
// refreshed and (re)connected. Counters only move up until Reset; gauges
// (live connections) follow the connections and Reset leaves them alone.
type Stats struct {
	logins          atomic.Int64
	refreshes       atomic.Int64
	refreshRequests atomic.Int64
	connects        atomic.Int64
	rejects         [rejectKinds]atomic.Int64

	// restarts counts Centrifuge node restarts since start or Reset.
	restarts atomic.Int64

	// Widget sockets: connects by Engine.IO version, and a live gauge.
	socketioEIO3   atomic.Int64
	socketioEIO4   atomic.Int64
	socketioActive atomic.Int64

	mu sync.Mutex
	// requests counts chats-API requests by endpoint key, such as
	// "POST /sessions/{id}/operators/messages".
	requests map[string]int64
	// connections is the gauge of live Centrifuge connections by user id.
	connections map[string]int64
}

// RejectKind is why a Centrifuge connect was refused.
type RejectKind int

// The reasons a connect is refused, counted separately.
const (
	RejectExpired RejectKind = iota
	RejectInvalid
	RejectBadRequest
	RejectBlocked
	rejectKinds
)

// CountLogin counts a successful login.
func (s *Stats) CountLogin() { s.logins.Add(1) }

// CountRefreshRequest counts a call of the refresh endpoint, refused or not.
func (s *Stats) CountRefreshRequest() { s.refreshRequests.Add(1) }

// CountRefresh counts a refresh that issued a new token pair.
func (s *Stats) CountRefresh() { s.refreshes.Add(1) }

// CountReject counts a refused Centrifuge connect.
func (s *Stats) CountReject(kind RejectKind) { s.rejects[kind].Add(1) }

// CountRestart counts a replaced Centrifuge node.
func (s *Stats) CountRestart() { s.restarts.Add(1) }

// ConnectionOpened counts a Centrifuge connection of userID and adds it to
// the live gauges.
func (s *Stats) ConnectionOpened(userID string) {
	s.connects.Add(1)
	s.addTo(&s.connections, userID, 1)
}

// ConnectionClosed takes a Centrifuge connection of userID off the gauges.
func (s *Stats) ConnectionClosed(userID string) { s.addTo(&s.connections, userID, -1) }

// CountRequest adds one request to an endpoint key.
func (s *Stats) CountRequest(key string) { s.addTo(&s.requests, key, 1) }

// addTo adds delta to key of the map *m, made on first use; a key that
// drops to zero is removed.
func (s *Stats) addTo(m *map[string]int64, key string, delta int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if *m == nil {
		*m = make(map[string]int64)
	}
	if (*m)[key] += delta; (*m)[key] <= 0 {
		delete(*m, key)
	}
}

// SocketIOOpened counts a widget socket that joined its session.
func (s *Stats) SocketIOOpened(eio int) {
	if eio == 3 {
		s.socketioEIO3.Add(1)
	} else {
		s.socketioEIO4.Add(1)
	}
	s.socketioActive.Add(1)
}

// SocketIOClosed takes a widget socket off the live gauge.
func (s *Stats) SocketIOClosed() { s.socketioActive.Add(-1) }

// StatsSnapshot is the JSON form of Stats.
type StatsSnapshot struct {
	Logins int64 `json:"logins"`
	// Refreshes counts refreshes that issued new tokens; RefreshRequests
	// every call of the refresh endpoint, refused ones included.
	Refreshes       int64          `json:"refreshes"`
	RefreshRequests int64          `json:"refreshRequests"`
	Connects        int64          `json:"connects"`
	ConnectRejects  RejectSnapshot `json:"connectRejects"`
	// ActiveConnections is the number of live Centrifuge connections, and
	// ConnectionsByOperator the same by operator id (operators without one
	// are left out).
	ActiveConnections     int64            `json:"activeConnections"`
	ConnectionsByOperator map[string]int64 `json:"connectionsByOperator"`
	Restarts              int64            `json:"restarts"`
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
	connections := maps.Clone(s.connections)
	s.mu.Unlock()
	if requests == nil {
		requests = map[string]int64{}
	}
	if connections == nil {
		connections = map[string]int64{}
	}
	var active int64
	for _, n := range connections {
		active += n
	}
	return StatsSnapshot{
		Requests:        requests,
		Logins:          s.logins.Load(),
		Refreshes:       s.refreshes.Load(),
		RefreshRequests: s.refreshRequests.Load(),
		Connects:        s.connects.Load(),
		ConnectRejects: RejectSnapshot{
			Expired:    s.rejects[RejectExpired].Load(),
			Invalid:    s.rejects[RejectInvalid].Load(),
			BadRequest: s.rejects[RejectBadRequest].Load(),
			Blocked:    s.rejects[RejectBlocked].Load(),
		},
		ActiveConnections:     active,
		ConnectionsByOperator: connections,
		Restarts:              s.restarts.Load(),
		SocketIO: SocketIOSnapshot{
			EIO3:   s.socketioEIO3.Load(),
			EIO4:   s.socketioEIO4.Load(),
			Active: s.socketioActive.Load(),
		},
	}
}

// Reset zeroes the counters but not the live-connection gauges.
func (s *Stats) Reset() {
	counters := []*atomic.Int64{
		&s.logins, &s.refreshes, &s.refreshRequests, &s.connects,
		&s.restarts, &s.socketioEIO3, &s.socketioEIO4,
	}
	for i := range s.rejects {
		counters = append(counters, &s.rejects[i])
	}
	for _, c := range counters {
		c.Store(0)
	}
	s.mu.Lock()
	clear(s.requests)
	s.mu.Unlock()
}
