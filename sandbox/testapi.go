package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/centrifugal/centrifuge"
)

// TestAPI serves /__sandbox/: publishing on demand, publication streams,
// fault switches and counters. It is never subject to HTTP faults, so a
// test can always switch them off again.
type TestAPI struct {
	iam        *IAM
	store      *Store
	chats      *Chats
	realtime   *Realtime
	widget     *WidgetHub // nil in tests that build the API alone
	streams    *Streams
	connFaults *ConnFaults
	httpFaults *HTTPFaults
	stats      *Stats
}

// Register mounts the test endpoints on mux.
func (t *TestAPI) Register(mux *http.ServeMux) {
	post := func(h http.HandlerFunc) http.Handler { return methods{http.MethodPost: h} }
	mux.Handle("/__sandbox/health", methods{http.MethodGet: t.health})
	mux.Handle("/__sandbox/publish", post(t.publish))
	mux.Handle("/__sandbox/publish/raw", post(t.publishRaw))
	mux.Handle("/__sandbox/stream", post(t.startStream))
	mux.Handle("/__sandbox/stream/{id}", methods{http.MethodGet: t.streamStatus, http.MethodDelete: t.stopStream})
	mux.Handle("/__sandbox/operators/block", post(t.block))
	mux.Handle("/__sandbox/operators/logout", post(t.logout))
	mux.Handle("/__sandbox/tokens/expire", post(t.expireTokens))
	mux.Handle("/__sandbox/chats/reset", post(t.chatsReset))
	(&VisitorAPI{chats: t.chats}).Register(mux)
	mux.Handle("/__sandbox/faults/drop", post(t.drop))
	mux.Handle("/__sandbox/faults/silence", post(t.silence))
	mux.Handle("/__sandbox/faults/close", post(t.closeUser))
	mux.Handle("/__sandbox/faults/restart", post(t.restart))
	mux.Handle("/__sandbox/faults/garbage", post(t.garbage))
	mux.Handle("/__sandbox/faults/http", post(t.httpFault))
	mux.Handle("/__sandbox/faults/reset", post(t.reset))
	mux.Handle("/__sandbox/stats", methods{http.MethodGet: t.statsGet})
	mux.Handle("/__sandbox/stats/reset", post(t.statsReset))
	mux.HandleFunc("/__sandbox/", notFound)
}

// userID accepts a user id given as a JSON string or number.
type userID string

var userIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (u *userID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*u = userID(s)
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("userId must be a string or an integer")
	}
	*u = userID(strconv.FormatInt(n, 10))
	return nil
}

// validUserID checks a user id before it becomes part of a channel name.
func validUserID(w http.ResponseWriter, id userID) bool {
	if !userIDPattern.MatchString(string(id)) {
		writeError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"userId": "required: letters, digits, '_' or '-'"})
		return false
	}
	return true
}

func (t *TestAPI) health(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// publish sends {"event", "data"} to the operator's channel; data is
// embedded as given.
func (t *TestAPI) publish(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID userID          `json:"userId"`
		Event  string          `json:"event"`
		Data   json.RawMessage `json:"data"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeBadRequest(w, err)
		return
	}
	if !validUserID(w, req.UserID) {
		return
	}
	if req.Event == "" {
		writeError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"event": "required"})
		return
	}
	data := req.Data
	if data == nil {
		data = json.RawMessage("null")
	}
	pos, err := t.realtime.PublishEvent(string(req.UserID), req.Event, data)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Publish failed.", map[string]string{"message": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"offset": pos.Offset, "epoch": pos.Epoch})
}

// publishRaw publishes {"userId", "payload"}: payload, a string, becomes
// the publication's data byte for byte, not wrapped in {"event", "data"}
// and not parsed, so a test can store what no encoder would write (deep
// nesting, duplicate keys, huge values, even broken JSON) in the operator's
// history and prove that recovery moves past it.
func (t *TestAPI) publishRaw(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID  userID  `json:"userId"`
		Payload *string `json:"payload"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeBadRequest(w, err)
		return
	}
	if !validUserID(w, req.UserID) {
		return
	}
	if req.Payload == nil || *req.Payload == "" {
		writeError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"payload": "required: the publication data as a string"})
		return
	}
	pos, err := t.realtime.PublishRaw(string(req.UserID), []byte(*req.Payload))
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Publish failed.", map[string]string{"message": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"offset": pos.Offset, "epoch": pos.Epoch})
}

// maxStreamCount bounds a stream; a million events is the memory budget.
const maxStreamCount = 1_000_000

func (t *TestAPI) startStream(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID     userID `json:"userId"`
		Count      int    `json:"count"`
		IntervalMs int    `json:"intervalMs"`
		Event      string `json:"event"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeBadRequest(w, err)
		return
	}
	if !validUserID(w, req.UserID) {
		return
	}
	if req.Count < 1 || req.Count > maxStreamCount {
		writeError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"count": "must be 1..1000000"})
		return
	}
	if req.IntervalMs < 0 || req.IntervalMs > 1000 {
		writeError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"intervalMs": "must be 0..1000"})
		return
	}
	if req.Event == "" {
		req.Event = "chatMessageCreated"
	}
	id := t.streams.Start(string(req.UserID), req.Event, req.Count, time.Duration(req.IntervalMs)*time.Millisecond)
	writeJSON(w, http.StatusOK, map[string]string{"streamId": id})
}

func (t *TestAPI) streamStatus(w http.ResponseWriter, r *http.Request) {
	status, ok := t.streams.Status(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "Stream not found.", nil)
		return
	}
	writeJSON(w, http.StatusOK, status)
}

func (t *TestAPI) stopStream(w http.ResponseWriter, r *http.Request) {
	if !t.streams.Stop(r.PathValue("id")) {
		writeError(w, http.StatusNotFound, "Stream not found.", nil)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// block sets an operator's blocked flag, so tests can reach the paths of a
// token whose owner was blocked after logging in (403 on REST, close 4503 on
// connect). Open connections stay, but a newly blocked operator gets
// operatorBlocked.
func (t *TestAPI) block(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID  userID `json:"userId"`
		Blocked *bool  `json:"blocked"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeBadRequest(w, err)
		return
	}
	id, err := strconv.Atoi(string(req.UserID))
	if err != nil || req.Blocked == nil {
		writeError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"userId": "required integer", "blocked": "required boolean"})
		return
	}
	if err := t.store.SetBlocked(id, *req.Blocked); err != nil {
		writeError(w, http.StatusNotFound, "User not found.", nil)
		return
	}
	if *req.Blocked {
		t.chats.NotifyBlocked(id)
	}
	writeJSON(w, http.StatusOK, map[string]bool{"blocked": *req.Blocked})
}

// logout makes an operator OFFLINE and publishes operatorLoggedOut to it.
func (t *TestAPI) logout(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID userID `json:"userId"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeBadRequest(w, err)
		return
	}
	id, err := strconv.Atoi(string(req.UserID))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"userId": "required integer"})
		return
	}
	if err := t.chats.Logout(id); err != nil {
		writeError(w, http.StatusNotFound, "User not found.", nil)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": statusOffline})
}

// chatsReset restores the seeded chats, sessions, messages and statuses,
// and disconnects every widget socket: their sessions are gone or restarted.
func (t *TestAPI) chatsReset(w http.ResponseWriter, _ *http.Request) {
	t.chats.Reset()
	if t.widget != nil {
		t.widget.DisconnectAll()
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (t *TestAPI) drop(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]int{"dropped": t.connFaults.Drop()})
}

func (t *TestAPI) silence(w http.ResponseWriter, r *http.Request) {
	var req struct {
		On *bool `json:"on"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeBadRequest(w, err)
		return
	}
	if req.On == nil {
		writeError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"on": "required: true or false"})
		return
	}
	t.connFaults.SetSilent(*req.On)
	writeJSON(w, http.StatusOK, map[string]bool{"silence": *req.On})
}

// closeUser disconnects every connection of a user with a chosen code.
func (t *TestAPI) closeUser(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID userID `json:"userId"`
		Code   uint32 `json:"code"`
		Reason string `json:"reason"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeBadRequest(w, err)
		return
	}
	if !validUserID(w, req.UserID) {
		return
	}
	if req.Code < 3000 || req.Code > 4999 {
		writeError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"code": "must be 3000..4999"})
		return
	}
	if len(req.Reason) > 123 {
		writeError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"reason": "at most 123 bytes (WebSocket close frame limit)"})
		return
	}
	d := centrifuge.Disconnect{Code: req.Code, Reason: req.Reason}
	if err := t.realtime.Disconnect(string(req.UserID), d); err != nil {
		writeError(w, http.StatusInternalServerError, "Disconnect failed.", map[string]string{"message": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (t *TestAPI) restart(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	if err := t.realtime.Restart(ctx); err != nil {
		writeError(w, http.StatusInternalServerError, "Restart failed.", map[string]string{"message": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"epochChanged": true})
}

// maxGarbageSize bounds the injected frame payload.
const maxGarbageSize = 16 << 20

// garbage writes one raw text frame to every live WebSocket. The payload is
// given as is, or built server-side from {"repeat": "x", "size": n}.
func (t *TestAPI) garbage(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Payload *string `json:"payload"`
		Repeat  string  `json:"repeat"`
		Size    int     `json:"size"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeBadRequest(w, err)
		return
	}
	var payload []byte
	switch {
	case req.Payload != nil:
		payload = []byte(*req.Payload)
	case req.Repeat != "" && req.Size > 0 && req.Size <= maxGarbageSize:
		payload = bytes.Repeat([]byte(req.Repeat), req.Size/len(req.Repeat)+1)[:req.Size]
	default:
		writeError(w, http.StatusBadRequest, "Validation failed.",
			map[string]string{"payload": "give payload, or repeat with size 1..16777216"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"sent": t.connFaults.SendText(payload)})
}

// httpFault installs a rule failing or delaying the next requests.
func (t *TestAPI) httpFault(w http.ResponseWriter, r *http.Request) {
	var rule HTTPFaultRule
	if err := decodeJSON(w, r, &rule); err != nil {
		writeBadRequest(w, err)
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
		writeError(w, http.StatusBadRequest, "Validation failed.", problems)
		return
	}
	t.httpFaults.Set(rule)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "rule": rule})
}

// expireTokens makes every access token issued so far count as expired, on
// REST (401 "Token is expired.") and on connect (error 109). Refreshing with
// such a token still works, and tokens issued afterwards are valid.
func (t *TestAPI) expireTokens(w http.ResponseWriter, _ *http.Request) {
	at := t.iam.ExpireIssuedTokens()
	writeJSON(w, http.StatusOK, map[string]string{"expiredBefore": at.UTC().Format(time.RFC3339Nano)})
}

// reset switches every fault off (the token-expiry switch too), stops
// running streams and restores the seeded blocked flags.
func (t *TestAPI) reset(w http.ResponseWriter, _ *http.Request) {
	t.connFaults.SetSilent(false)
	t.iam.ClearTokenExpiry()
	t.store.RestoreSeedBlocks()
	t.httpFaults.Reset()
	t.streams.StopAll()
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (t *TestAPI) statsGet(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, t.stats.Snapshot())
}

func (t *TestAPI) statsReset(w http.ResponseWriter, _ *http.Request) {
	t.stats.Reset()
	writeJSON(w, http.StatusOK, t.stats.Snapshot())
}
