package control

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/centrifugal/centrifuge"

	"twin-panel/sandbox/internal/httpapi"
)

// Publishing on demand: single events, raw publications and numbered streams.

// maxStreamCount bounds a stream; a million events is the memory budget.
const maxStreamCount = 1_000_000

// publish sends {"event", "data"} to the operator's channel; data is
// embedded as given.
func (t publishRoutes) publish(w http.ResponseWriter, r *http.Request) {
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
	writePosition(w)(t.realtime.PublishEvent(string(req.UserID), req.Event, data))
}

// publishRaw publishes {"userId", "payload"}: payload, a string, becomes
// the publication's data byte for byte, not wrapped in {"event", "data"}
// and not parsed, so a test can store what no encoder would write (deep
// nesting, duplicate keys, huge values, even broken JSON) in the operator's
// history and prove that recovery moves past it.
func (t publishRoutes) publishRaw(w http.ResponseWriter, r *http.Request) {
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
	writePosition(w)(t.realtime.PublishRaw(string(req.UserID), []byte(*req.Payload)))
}

// writePosition answers a publication: {offset, epoch}, or 500.
func writePosition(w http.ResponseWriter) func(centrifuge.StreamPosition, error) {
	return func(pos centrifuge.StreamPosition, err error) {
		if err != nil {
			httpapi.WriteError(w, http.StatusInternalServerError, "Publish failed.", map[string]string{"message": err.Error()})
			return
		}
		httpapi.WriteJSON(w, http.StatusOK, map[string]any{"offset": pos.Offset, "epoch": pos.Epoch})
	}
}

func (t publishRoutes) startStream(w http.ResponseWriter, r *http.Request) {
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

func (t publishRoutes) streamStatus(w http.ResponseWriter, r *http.Request) {
	status, ok := t.streams.Status(r.PathValue("id"))
	if !ok {
		httpapi.WriteError(w, http.StatusNotFound, "Stream not found.", nil)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, status)
}

func (t publishRoutes) stopStream(w http.ResponseWriter, r *http.Request) {
	if !t.streams.Stop(r.PathValue("id")) {
		httpapi.WriteError(w, http.StatusNotFound, "Stream not found.", nil)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]bool{"ok": true})
}
