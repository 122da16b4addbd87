// Package control serves /__sandbox/, the test-only control endpoints:
// publishing, streams, fault switches, token expiry, resets and stats.
// State-changing requests need JSON and the control header (Guard).
package control

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"twin-panel/sandbox/internal/chat"
	"twin-panel/sandbox/internal/faults"
	"twin-panel/sandbox/internal/httpapi"
	"twin-panel/sandbox/internal/iam"
	"twin-panel/sandbox/internal/realtime"
	"twin-panel/sandbox/internal/stats"
	"twin-panel/sandbox/internal/widget"

	"github.com/centrifugal/centrifuge"
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

// Register mounts the test endpoints on mux.
func (t *API) Register(mux *http.ServeMux) {
	post := func(h http.HandlerFunc) http.Handler { return httpapi.Methods{http.MethodPost: h} }
	mux.Handle("/__sandbox/health", httpapi.Methods{http.MethodGet: t.health})
	mux.Handle("/__sandbox/publish", post(t.publish))
	mux.Handle("/__sandbox/publish/raw", post(t.publishRaw))
	mux.Handle("/__sandbox/stream", post(t.startStream))
	mux.Handle("/__sandbox/stream/{id}", httpapi.Methods{http.MethodGet: t.streamStatus, http.MethodDelete: t.stopStream})
	mux.Handle("/__sandbox/operators/block", post(t.block))
	mux.Handle("/__sandbox/operators/logout", post(t.logout))
	mux.Handle("/__sandbox/tokens/expire", post(t.expireTokens))
	mux.Handle("/__sandbox/chats/reset", post(t.chatsReset))
	chat.NewVisitorAPI(t.chats).Register(mux)
	mux.Handle("/__sandbox/faults/drop", post(t.drop))
	mux.Handle("/__sandbox/faults/silence", post(t.silence))
	mux.Handle("/__sandbox/faults/close", post(t.closeUser))
	mux.Handle("/__sandbox/faults/restart", post(t.restart))
	mux.Handle("/__sandbox/faults/garbage", post(t.garbage))
	mux.Handle("/__sandbox/faults/http", post(t.httpFault))
	mux.Handle("/__sandbox/faults/reset", post(t.reset))
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

// publish sends {"event", "data"} to the operator's channel; data is
// embedded as given.
func (t *API) publish(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID httpapi.ID      `json:"userId"`
		Event  string          `json:"event"`
		Data   json.RawMessage `json:"data"`
	}
	if !httpapi.ReadJSON(w, r, &req) || !validUserID(w, req.UserID) {
		return
	}
	if req.Event == "" {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"event": "required"})
		return
	}
	data := req.Data
	if data == nil {
		data = json.RawMessage("null")
	}
	pos, err := t.realtime.PublishEvent(string(req.UserID), req.Event, data)
	if err != nil {
		httpapi.WriteError(w, http.StatusInternalServerError, "Publish failed.", map[string]string{"message": err.Error()})
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"offset": pos.Offset, "epoch": pos.Epoch})
}

// publishRaw publishes {"userId", "payload"}: payload, a string, becomes
// the publication's data byte for byte, not wrapped in {"event", "data"}
// and not parsed, so a test can store what no encoder would write (deep
// nesting, duplicate keys, huge values, even broken JSON) in the operator's
// history and prove that recovery moves past it.
func (t *API) publishRaw(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID  httpapi.ID `json:"userId"`
		Payload *string    `json:"payload"`
	}
	if !httpapi.ReadJSON(w, r, &req) || !validUserID(w, req.UserID) {
		return
	}
	if req.Payload == nil || *req.Payload == "" {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"payload": "required: the publication data as a string"})
		return
	}
	pos, err := t.realtime.PublishRaw(string(req.UserID), []byte(*req.Payload))
	if err != nil {
		httpapi.WriteError(w, http.StatusInternalServerError, "Publish failed.", map[string]string{"message": err.Error()})
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"offset": pos.Offset, "epoch": pos.Epoch})
}

// maxStreamCount bounds a stream; a million events is the memory budget.
const maxStreamCount = 1_000_000

func (t *API) startStream(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID     httpapi.ID `json:"userId"`
		Count      int        `json:"count"`
		IntervalMs int        `json:"intervalMs"`
		Event      string     `json:"event"`
	}
	if !httpapi.ReadJSON(w, r, &req) || !validUserID(w, req.UserID) {
		return
	}
	if req.Count < 1 || req.Count > maxStreamCount {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"count": "must be 1..1000000"})
		return
	}
	if req.IntervalMs < 0 || req.IntervalMs > 1000 {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"intervalMs": "must be 0..1000"})
		return
	}
	if req.Event == "" {
		req.Event = "chatMessageCreated"
	}
	id := t.streams.Start(string(req.UserID), req.Event, req.Count, time.Duration(req.IntervalMs)*time.Millisecond)
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"streamId": id})
}

func (t *API) streamStatus(w http.ResponseWriter, r *http.Request) {
	status, ok := t.streams.Status(r.PathValue("id"))
	if !ok {
		httpapi.WriteError(w, http.StatusNotFound, "Stream not found.", nil)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, status)
}

func (t *API) stopStream(w http.ResponseWriter, r *http.Request) {
	if !t.streams.Stop(r.PathValue("id")) {
		httpapi.WriteError(w, http.StatusNotFound, "Stream not found.", nil)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// block sets an operator's blocked flag, so tests can reach the paths of a
// token whose owner was blocked after logging in (403 on REST, close 4503 on
// connect). Open connections stay, but a newly blocked operator gets
// operatorBlocked.
func (t *API) block(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID  httpapi.ID `json:"userId"`
		Blocked *bool      `json:"blocked"`
	}
	if !httpapi.ReadJSON(w, r, &req) {
		return
	}
	id, err := strconv.Atoi(string(req.UserID))
	if err != nil || req.Blocked == nil {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"userId": "required integer", "blocked": "required boolean"})
		return
	}
	if err := t.store.SetBlocked(id, *req.Blocked); err != nil {
		httpapi.WriteError(w, http.StatusNotFound, "User not found.", nil)
		return
	}
	if *req.Blocked {
		t.chats.Operators.NotifyBlocked(id)
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]bool{"blocked": *req.Blocked})
}

// logout makes an operator OFFLINE and publishes operatorLoggedOut to it.
func (t *API) logout(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID httpapi.ID `json:"userId"`
	}
	if !httpapi.ReadJSON(w, r, &req) {
		return
	}
	id, err := strconv.Atoi(string(req.UserID))
	if err != nil {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"userId": "required integer"})
		return
	}
	if err := t.chats.Operators.Logout(id); err != nil {
		httpapi.WriteError(w, http.StatusNotFound, "User not found.", nil)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"status": chat.StatusOffline})
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

func (t *API) drop(w http.ResponseWriter, _ *http.Request) {
	httpapi.WriteJSON(w, http.StatusOK, map[string]int{"dropped": t.connFaults.Drop()})
}

func (t *API) silence(w http.ResponseWriter, r *http.Request) {
	var req struct {
		On *bool `json:"on"`
	}
	if !httpapi.ReadJSON(w, r, &req) {
		return
	}
	if req.On == nil {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"on": "required: true or false"})
		return
	}
	t.connFaults.SetSilent(*req.On)
	httpapi.WriteJSON(w, http.StatusOK, map[string]bool{"silence": *req.On})
}

// closeUser disconnects every connection of a user with a chosen code.
func (t *API) closeUser(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID httpapi.ID `json:"userId"`
		Code   uint32     `json:"code"`
		Reason string     `json:"reason"`
	}
	if !httpapi.ReadJSON(w, r, &req) || !validUserID(w, req.UserID) {
		return
	}
	if req.Code < 3000 || req.Code > 4999 {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"code": "must be 3000..4999"})
		return
	}
	if len(req.Reason) > 123 {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"reason": "at most 123 bytes (WebSocket close frame limit)"})
		return
	}
	d := centrifuge.Disconnect{Code: req.Code, Reason: req.Reason}
	if err := t.realtime.Disconnect(string(req.UserID), d); err != nil {
		httpapi.WriteError(w, http.StatusInternalServerError, "Disconnect failed.", map[string]string{"message": err.Error()})
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (t *API) restart(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	if err := t.realtime.Restart(ctx); err != nil {
		httpapi.WriteError(w, http.StatusInternalServerError, "Restart failed.", map[string]string{"message": err.Error()})
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]bool{"epochChanged": true})
}

// maxGarbageSize bounds the injected frame payload.
const maxGarbageSize = 16 << 20

// garbage writes one raw text frame to every live WebSocket. The payload is
// given as is, or built server-side from {"repeat": "x", "size": n}.
func (t *API) garbage(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Payload *string `json:"payload"`
		Repeat  string  `json:"repeat"`
		Size    int     `json:"size"`
	}
	if !httpapi.ReadJSON(w, r, &req) {
		return
	}
	var payload []byte
	switch {
	case req.Payload != nil:
		payload = []byte(*req.Payload)
	case req.Repeat != "" && req.Size > 0 && req.Size <= maxGarbageSize:
		payload = bytes.Repeat([]byte(req.Repeat), req.Size/len(req.Repeat)+1)[:req.Size]
	default:
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.",
			map[string]string{"payload": "give payload, or repeat with size 1..16777216"})
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]int{"sent": t.connFaults.SendText(payload)})
}

// httpFault installs a rule failing or delaying the next requests.
func (t *API) httpFault(w http.ResponseWriter, r *http.Request) {
	var rule faults.HTTPRule
	if !httpapi.ReadJSON(w, r, &rule) {
		return
	}
	if rule.PathPrefix == "" {
		rule.PathPrefix = "/"
	}
	if rule.Status == 0 {
		rule.Status = http.StatusServiceUnavailable
	}
	problems := map[string]string{}
	if !strings.HasPrefix(rule.PathPrefix, "/") {
		problems["pathPrefix"] = "must start with /"
	}
	if rule.Status < 400 || rule.Status > 599 {
		problems["status"] = "must be 400..599"
	}
	if rule.FailNext < 0 || rule.DelayNext < 0 || rule.FailNext+rule.DelayNext == 0 {
		problems["failNext"] = "failNext or delayNext must be positive"
	}
	if rule.DelayMs < 0 || rule.DelayMs > 60_000 {
		problems["delayMs"] = "must be 0..60000"
	}
	if len(problems) > 0 {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", problems)
		return
	}
	t.httpFaults.Set(rule)
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"ok": true, "rule": rule})
}

// expireTokens makes every access token issued so far count as expired, on
// REST (401 "Token is expired.") and on connect (error 109). Refreshing with
// such a token still works, and tokens issued afterwards are valid.
func (t *API) expireTokens(w http.ResponseWriter, _ *http.Request) {
	at := t.iam.ExpireIssuedTokens()
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"expiredBefore": at.UTC().Format(time.RFC3339Nano)})
}

// reset switches every fault off (the token-expiry switch too), stops
// running streams and restores the seeded blocked flags.
func (t *API) reset(w http.ResponseWriter, _ *http.Request) {
	t.connFaults.SetSilent(false)
	t.iam.ClearTokenExpiry()
	t.store.RestoreSeedBlocks()
	t.httpFaults.Reset()
	t.streams.StopAll()
	httpapi.WriteJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (t *API) statsGet(w http.ResponseWriter, _ *http.Request) {
	httpapi.WriteJSON(w, http.StatusOK, t.stats.Snapshot())
}

func (t *API) statsReset(w http.ResponseWriter, _ *http.Request) {
	t.stats.Reset()
	httpapi.WriteJSON(w, http.StatusOK, t.stats.Snapshot())
}
