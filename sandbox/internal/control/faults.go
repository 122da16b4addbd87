package control

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/centrifugal/centrifuge"

	"twin-panel/sandbox/internal/faults"
	"twin-panel/sandbox/internal/httpapi"
)

// Fault switches: TCP-level faults, forced closes, node restarts, HTTP faults.

// maxGarbageSize bounds the injected frame payload.
const maxGarbageSize = 16 << 20

// drop closes WebSockets without a close frame: every one, or with
// {"only": "centrifugo"} or {"only": "socketio"} those of one service.
// {"reset": true} ends each TCP connection with a reset instead of a FIN.
func (t faultRoutes) drop(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Only  string `json:"only"`
		Reset bool   `json:"reset"`
	}
	if !httpapi.ReadJSON(w, r, &req) {
		return
	}
	if req.Only != "" && req.Only != "centrifugo" && req.Only != "socketio" {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"only": "centrifugo or socketio"})
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]int{"dropped": t.connFaults.DropLabelled(req.Only, req.Reset)})
}

func (t faultRoutes) silence(w http.ResponseWriter, r *http.Request) {
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
func (t faultRoutes) closeUser(w http.ResponseWriter, r *http.Request) {
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

func (t faultRoutes) restart(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	if err := t.realtime.Restart(ctx); err != nil {
		httpapi.WriteError(w, http.StatusInternalServerError, "Restart failed.", map[string]string{"message": err.Error()})
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]bool{"epochChanged": true})
}

// garbage writes one raw text frame to every live WebSocket. The payload is
// given as is, or built server-side from {"repeat": "x", "size": n}.
func (t faultRoutes) garbage(w http.ResponseWriter, r *http.Request) {
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
func (t faultRoutes) httpFault(w http.ResponseWriter, r *http.Request) {
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

// reset switches every fault off (the token-expiry switch too), stops
// running streams and restores the seeded blocked flags.
func (t faultRoutes) reset(w http.ResponseWriter, _ *http.Request) {
	t.connFaults.SetSilent(false)
	t.iam.ClearTokenExpiry()
	t.store.RestoreSeedBlocks()
	t.httpFaults.Reset()
	t.streams.StopAll()
	httpapi.WriteJSON(w, http.StatusOK, map[string]bool{"ok": true})
}
