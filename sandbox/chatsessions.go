package main

import (
	"net/http"
)

func (c *ChatAPI) listSessions(w http.ResponseWriter, r *http.Request, user User) {
	writeList(w, func() (map[string]any, error) { return c.chats.ListSessions(user, r.URL.Query()) })
}

func (c *ChatAPI) getSession(w http.ResponseWriter, r *http.Request, user User) {
	s, err := c.chats.GetSession(user, r.PathValue("id"))
	if err != nil {
		writeAPIError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}

// closeSession is DELETE /sessions/{id} with an optional body {result}.
func (c *ChatAPI) closeSession(w http.ResponseWriter, r *http.Request, user User) {
	var req struct {
		Result string `json:"result"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeBadRequest(w, err)
		return
	}
	writeDone(w, c.chats.CloseByOperator(user, r.PathValue("id"), req.Result))
}

// rename takes the new name from the path, percent-decoded.
func (c *ChatAPI) rename(w http.ResponseWriter, r *http.Request, user User) {
	writeDone(w, c.chats.Rename(user, r.PathValue("id"), r.PathValue("name")))
}

func (c *ChatAPI) spam(spam bool) authedHandler {
	return func(w http.ResponseWriter, r *http.Request, user User) {
		writeDone(w, c.chats.SetSpam(user, r.PathValue("id"), spam))
	}
}

func (c *ChatAPI) ban(banned bool) authedHandler {
	return func(w http.ResponseWriter, r *http.Request, user User) {
		writeDone(w, c.chats.SetBanned(user, r.PathValue("clientId"), banned))
	}
}

// operatorChange serves transfer, add and remove of
// /sessions/{id}/operators/{operatorId}.
func (c *ChatAPI) operatorChange(change func(User, string, int) error) authedHandler {
	return func(w http.ResponseWriter, r *http.Request, user User) {
		target, ok := pathInt(r, "operatorId")
		if !ok {
			writeAPIError(w, errOperatorNotFound)
			return
		}
		writeDone(w, change(user, r.PathValue("id"), target))
	}
}

func (c *ChatAPI) groupTransfer(w http.ResponseWriter, r *http.Request, user User) {
	group, ok := pathInt(r, "groupId")
	if !ok {
		writeAPIError(w, errGroupNotFound)
		return
	}
	writeDone(w, c.chats.TransferToGroup(user, r.PathValue("id"), group))
}
