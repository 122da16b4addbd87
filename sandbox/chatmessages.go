package main

import (
	"net/http"
)

// messageCreated is the answer of sending a message: {id, createdAt}.
type messageCreated struct {
	ID        string `json:"id"`
	CreatedAt string `json:"createdAt"`
}

func (c *ChatAPI) sessionMessages(w http.ResponseWriter, r *http.Request, user User) {
	writeList(w, func() (map[string]any, error) {
		return c.chats.SessionMessages(user, r.PathValue("id"), r.URL.Query())
	})
}

func (c *ChatAPI) clientMessages(w http.ResponseWriter, r *http.Request, user User) {
	writeList(w, func() (map[string]any, error) {
		return c.chats.ClientMessages(user, r.PathValue("clientId"), r.URL.Query())
	})
}

// sendMessage is POST /sessions/{id}/operators/messages
// {body, attachments?, replyToMessageId?}.
func (c *ChatAPI) sendMessage(w http.ResponseWriter, r *http.Request, user User) {
	var in MessageInput
	if err := decodeJSON(w, r, &in); err != nil {
		writeBadRequest(w, err)
		return
	}
	m, err := c.chats.OperatorMessage(user, r.PathValue("id"), in)
	if err != nil {
		writeAPIError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, messageCreated{ID: m.ID, CreatedAt: m.CreatedAt})
}

// editMessage answers the updated Message.
func (c *ChatAPI) editMessage(w http.ResponseWriter, r *http.Request, user User) {
	var in MessageInput
	if err := decodeJSON(w, r, &in); err != nil {
		writeBadRequest(w, err)
		return
	}
	m, err := c.chats.EditMessage(user, r.PathValue("id"), r.PathValue("messageId"), in)
	if err != nil {
		writeAPIError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (c *ChatAPI) deleteMessage(w http.ResponseWriter, r *http.Request, user User) {
	writeDone(w, c.chats.DeleteMessage(user, r.PathValue("id"), r.PathValue("messageId")))
}

func (c *ChatAPI) markRead(w http.ResponseWriter, r *http.Request, user User) {
	writeDone(w, c.chats.MarkRead(user, r.PathValue("messageId")))
}

// operatorTyping is POST /sessions/{id}/operators/typing (chosen): the
// widget shows the operator typing. A body is ignored; the answer is {}.
func (c *ChatAPI) operatorTyping(w http.ResponseWriter, r *http.Request, user User) {
	writeDone(w, c.chats.OperatorTyping(user, r.PathValue("id")))
}
