package chat

import (
	"net/http"

	"twin-panel/sandbox/internal/httpapi"
	"twin-panel/sandbox/internal/iam"
)

// messageCreated is the answer of sending a message: {id, createdAt}.
type messageCreated struct {
	ID        string `json:"id"`
	CreatedAt string `json:"createdAt"`
}

func (c messageRoutes) sessionMessages(w http.ResponseWriter, r *http.Request, user iam.User) {
	writeList(w, func() (map[string]any, error) {
		return c.chats.Messages.OfSession(user, r.PathValue("id"), r.URL.Query())
	})
}

func (c messageRoutes) clientMessages(w http.ResponseWriter, r *http.Request, user iam.User) {
	writeList(w, func() (map[string]any, error) {
		return c.chats.Messages.OfClient(user, r.PathValue("clientId"), r.URL.Query())
	})
}

// sendMessage is POST /sessions/{id}/operators/messages
// {body, attachments?, replyToMessageId?}.
func (c messageRoutes) sendMessage(w http.ResponseWriter, r *http.Request, user iam.User) {
	var in MessageInput
	if !httpapi.ReadJSON(w, r, &in) {
		return
	}
	m, err := c.chats.Messages.Send(user, r.PathValue("id"), in)
	if err != nil {
		httpapi.WriteAPIError(w, err)
		return
	}
	c.chats.answerDelay()
	httpapi.WriteJSON(w, http.StatusOK, messageCreated{ID: m.ID, CreatedAt: m.CreatedAt})
}

// editMessage answers the updated Message.
func (c messageRoutes) editMessage(w http.ResponseWriter, r *http.Request, user iam.User) {
	var in MessageInput
	if !httpapi.ReadJSON(w, r, &in) {
		return
	}
	m, err := c.chats.Messages.Edit(user, r.PathValue("id"), r.PathValue("messageId"), in)
	if err != nil {
		httpapi.WriteAPIError(w, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, m)
}

func (c messageRoutes) deleteMessage(w http.ResponseWriter, r *http.Request, user iam.User) {
	writeDone(w, c.chats.Messages.Delete(user, r.PathValue("id"), r.PathValue("messageId")))
}

func (c messageRoutes) markRead(w http.ResponseWriter, r *http.Request, user iam.User) {
	writeDone(w, c.chats.Messages.MarkRead(user, r.PathValue("messageId")))
}

// operatorTyping is POST /sessions/{id}/operators/typing (chosen): the
// widget shows the operator typing. A body is ignored; the answer is {}.
func (c messageRoutes) operatorTyping(w http.ResponseWriter, r *http.Request, user iam.User) {
	writeDone(w, c.chats.Messages.Typing(user, r.PathValue("id")))
}
