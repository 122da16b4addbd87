package chat

import (
	"net/http"

	"twin-panel/sandbox/internal/httpapi"
	"twin-panel/sandbox/internal/iam"
)

func (c sessionRoutes) listSessions(w http.ResponseWriter, r *http.Request, user iam.User) {
	writeList(w, func() (map[string]any, error) { return c.chats.Sessions.List(user, r.URL.Query()) })
}

func (c sessionRoutes) getSession(w http.ResponseWriter, r *http.Request, user iam.User) {
	s, err := c.chats.Sessions.Get(user, r.PathValue("id"))
	if err != nil {
		httpapi.WriteAPIError(w, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, s)
}

// closeSession is DELETE /sessions/{id} with an optional body {result}.
func (c sessionRoutes) closeSession(w http.ResponseWriter, r *http.Request, user iam.User) {
	var req struct {
		Result string `json:"result"`
	}
	if !httpapi.ReadJSON(w, r, &req) {
		return
	}
	writeDone(w, c.chats.Sessions.Close(user, r.PathValue("id"), req.Result))
}

// rename takes the new name from the path, percent-decoded.
func (c sessionRoutes) rename(w http.ResponseWriter, r *http.Request, user iam.User) {
	writeDone(w, c.chats.Sessions.Rename(user, r.PathValue("id"), r.PathValue("name")))
}

func (c sessionRoutes) spam(spam bool) iam.AuthedHandler {
	return func(w http.ResponseWriter, r *http.Request, user iam.User) {
		writeDone(w, c.chats.Sessions.SetSpam(user, r.PathValue("id"), spam))
	}
}

func (c sessionRoutes) ban(banned bool) iam.AuthedHandler {
	return func(w http.ResponseWriter, r *http.Request, user iam.User) {
		writeDone(w, c.chats.Clients.SetBanned(user, r.PathValue("clientId"), banned))
	}
}

// operatorChange serves transfer, add and remove of
// /sessions/{id}/operators/{operatorId}.
func (c sessionRoutes) operatorChange(change func(iam.User, string, int) error) iam.AuthedHandler {
	return func(w http.ResponseWriter, r *http.Request, user iam.User) {
		target, ok := pathInt(r, "operatorId")
		if !ok {
			httpapi.WriteAPIError(w, errOperatorNotFound)
			return
		}
		writeDone(w, change(user, r.PathValue("id"), target))
	}
}

func (c sessionRoutes) groupTransfer(w http.ResponseWriter, r *http.Request, user iam.User) {
	group, ok := pathInt(r, "groupId")
	if !ok {
		httpapi.WriteAPIError(w, errGroupNotFound)
		return
	}
	writeDone(w, c.chats.Sessions.TransferToGroup(user, r.PathValue("id"), group))
}
