// Package control serves /__sandbox/, the test-only control endpoints:
// publishing, streams, fault switches, token expiry, resets and stats.
// State-changing requests need JSON and the control header (Guard).
package control

import (
	"net/http"
	"regexp"

	"twin-panel/sandbox/internal/chat"
	"twin-panel/sandbox/internal/faults"
	"twin-panel/sandbox/internal/httpapi"
	"twin-panel/sandbox/internal/iam"
	"twin-panel/sandbox/internal/realtime"
	"twin-panel/sandbox/internal/stats"
	"twin-panel/sandbox/internal/widget"
)

// API serves /__sandbox/: publishing on demand, publication streams,
// fault switches and counters. It is never subject to HTTP faults, so a
// test can always switch them off again.
type API struct {
	iam        *iam.IAM
	store      *iam.Store
	chats      *chat.Service
	realtime   *realtime.Server
	widget     *widget.Hub // may be nil
	streams    *Streams
	connFaults *faults.Conns
	httpFaults *faults.HTTP
	stats      *stats.Stats
}

// Deps are the services the control endpoints drive.
type Deps struct {
	IAM        *iam.IAM
	Chats      *chat.Service
	Realtime   *realtime.Server
	Widget     *widget.Hub // may be nil: no widget sockets to reset
	Streams    *Streams
	ConnFaults *faults.Conns
	HTTPFaults *faults.HTTP
	Stats      *stats.Stats
}

// New returns the control API over d.
func New(d Deps) *API {
	return &API{
		iam: d.IAM, store: d.IAM.Store(), chats: d.Chats, realtime: d.Realtime, widget: d.Widget,
		streams: d.Streams, connFaults: d.ConnFaults, httpFaults: d.HTTPFaults, stats: d.Stats,
	}
}

// The handlers, grouped by what they drive; each reaches the services
// through the embedded API.
type (
	publishRoutes struct{ *API }
	accountRoutes struct{ *API }
	faultRoutes   struct{ *API }
)

// Register mounts the test endpoints on mux.
func (t *API) Register(mux *http.ServeMux) {
	post := func(h http.HandlerFunc) http.Handler { return httpapi.Methods{http.MethodPost: h} }
	publish, accounts, fault := publishRoutes{t}, accountRoutes{t}, faultRoutes{t}
	mux.Handle("/__sandbox/health", httpapi.Methods{http.MethodGet: t.health})
	mux.Handle("/__sandbox/publish", post(publish.publish))
	mux.Handle("/__sandbox/publish/raw", post(publish.publishRaw))
	mux.Handle("/__sandbox/stream", post(publish.startStream))
	mux.Handle("/__sandbox/stream/{id}", httpapi.Methods{http.MethodGet: publish.streamStatus, http.MethodDelete: publish.stopStream})
	mux.Handle("/__sandbox/operators/block", post(accounts.block))
	mux.Handle("/__sandbox/operators/logout", post(accounts.logout))
	mux.Handle("/__sandbox/tokens/expire", post(accounts.expireTokens))
	mux.Handle("/__sandbox/chats/reset", post(t.chatsReset))
	mux.Handle("/__sandbox/chats/echo", post(t.chatsEcho))
	chat.NewVisitorAPI(t.chats).Register(mux)
	mux.Handle("/__sandbox/faults/drop", post(fault.drop))
	mux.Handle("/__sandbox/faults/silence", post(fault.silence))
	mux.Handle("/__sandbox/faults/close", post(fault.closeUser))
	mux.Handle("/__sandbox/faults/restart", post(fault.restart))
	mux.Handle("/__sandbox/faults/garbage", post(fault.garbage))
	mux.Handle("/__sandbox/faults/http", post(fault.httpFault))
	mux.Handle("/__sandbox/faults/reset", post(fault.reset))
	mux.Handle("/__sandbox/stats", httpapi.Methods{http.MethodGet: t.statsGet})
	mux.Handle("/__sandbox/stats/reset", post(t.statsReset))
	mux.HandleFunc("/__sandbox/", httpapi.NotFound)
}

var userIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// validUserID checks a user id before it becomes part of a channel name.
func validUserID(w http.ResponseWriter, id httpapi.ID) bool {
	if !userIDPattern.MatchString(string(id)) {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"userId": "required: letters, digits, '_' or '-'"})
		return false
	}
	return true
}

func (t *API) health(w http.ResponseWriter, _ *http.Request) {
	httpapi.WriteJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// chatsReset restores the seeded chats, sessions, messages and statuses,
// and disconnects every widget socket: their sessions are gone or restarted.
func (t *API) chatsReset(w http.ResponseWriter, _ *http.Request) {
	t.chats.Reset()
	if t.widget != nil {
		t.widget.DisconnectAll()
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// chatsEcho switches the echo of an author's own messages (chat.Echo):
// {on, answerDelayMs?}; a reset switches it off.
func (t *API) chatsEcho(w http.ResponseWriter, r *http.Request) {
	var e chat.Echo
	if !httpapi.ReadJSON(w, r, &e) {
		return
	}
	if e.AnswerDelay < 0 || e.AnswerDelay > 10_000 {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"answerDelayMs": "0 to 10000"})
		return
	}
	t.chats.SetEcho(e)
	httpapi.WriteJSON(w, http.StatusOK, e)
}

func (t *API) statsGet(w http.ResponseWriter, _ *http.Request) {
	httpapi.WriteJSON(w, http.StatusOK, t.stats.Snapshot())
}

func (t *API) statsReset(w http.ResponseWriter, _ *http.Request) {
	t.stats.Reset()
	httpapi.WriteJSON(w, http.StatusOK, t.stats.Snapshot())
}
