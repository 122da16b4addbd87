package chat

import (
	"cmp"
	"net/http"
	"strings"

	"twin-panel/sandbox/internal/httpapi"
)

// startSessionRequest is the start-session body of twin-api.md §6.7. The
// sandbox uses the fields below and accepts (ignores) the rest.
type startSessionRequest struct {
	Name                  string   `json:"name"`
	BotID                 string   `json:"botId"`
	ClientID              string   `json:"clientId"`
	ClientName            string   `json:"clientName"`
	ClientFirstName       string   `json:"clientFirstName"`
	ClientLastName        string   `json:"clientLastName"`
	ClientNameForOperator string   `json:"clientNameForOperator"`
	SessionTTL            int      `json:"sessionTtl"`
	MessageBody           string   `json:"messageBody"`
	MessageAttachments    []string `json:"messageAttachments"`
}

// startSession serves POST (start) and PUT (continue the client's last open
// session, else start) of /chats/{chatId}/sessions; the answer is the
// Started-session {id, clientId, startedAt, ttl, messages}.
func (c publicRoutes) startSession(continueLast bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req startSessionRequest
		if !httpapi.ReadJSON(w, r, &req) {
			return
		}
		fullName := strings.TrimSpace(req.ClientFirstName + " " + req.ClientLastName)
		res, err := c.chats.Sessions.Start(StartOptions{
			ChatID:      r.PathValue("chatId"),
			ClientID:    req.ClientID,
			ClientName:  cmp.Or(req.ClientNameForOperator, req.ClientName, fullName),
			Name:        req.Name,
			BotID:       req.BotID,
			Message:     req.MessageBody,
			Attachments: req.MessageAttachments,
			TTL:         req.SessionTTL,
			Continue:    continueLast,
		})
		if err != nil {
			httpapi.WriteAPIError(w, err)
			return
		}
		httpapi.WriteJSON(w, http.StatusOK, res.Started)
	}
}

// clientMessage is POST /sessions/{id}/clients/messages, the client's
// message: {id, createdAt}. The sandbox does not authenticate it.
func (c publicRoutes) clientMessage(w http.ResponseWriter, r *http.Request) {
	var in MessageInput
	if !httpapi.ReadJSON(w, r, &in) {
		return
	}
	m, err := c.chats.Clients.Write(r.PathValue("id"), in)
	if err != nil {
		httpapi.WriteAPIError(w, err)
		return
	}
	c.chats.answerDelay()
	httpapi.WriteJSON(w, http.StatusOK, messageCreated{ID: m.ID, CreatedAt: m.CreatedAt})
}
