package control

import (
	"net/http"
	"strconv"
	"time"

	"twin-panel/sandbox/internal/chat"
	"twin-panel/sandbox/internal/httpapi"
)

// Operator accounts: blocking, logging out, retiring tokens.

// block sets an operator's blocked flag, so tests can reach the paths of a
// token whose owner was blocked after logging in (403 on REST, close 4503 on
// connect). Open connections stay, but a newly blocked operator gets
// operatorBlocked.
func (t accountRoutes) block(w http.ResponseWriter, r *http.Request) {
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
func (t accountRoutes) logout(w http.ResponseWriter, r *http.Request) {
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

// expireTokens makes every access token issued so far count as expired, on
// REST (401 "Token is expired.") and on connect (error 109). Refreshing with
// such a token still works, and tokens issued afterwards are valid.
func (t accountRoutes) expireTokens(w http.ResponseWriter, _ *http.Request) {
	at := t.iam.ExpireIssuedTokens()
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"expiredBefore": at.UTC().Format(time.RFC3339Nano)})
}
