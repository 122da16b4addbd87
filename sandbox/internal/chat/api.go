package chat

import (
	"net/http"
	"strconv"
	"time"

	"twin-panel/sandbox/internal/httpapi"
	"twin-panel/sandbox/internal/iam"
	"twin-panel/sandbox/internal/stats"
)

// ChatAPI serves /chat/api/v1, the chats API of twin-api.md §5, over the
// Service model. Every request is counted in stats under its endpoint key,
// e.g. "POST /sessions/{id}/operators/messages".
type ChatAPI struct {
	iam   *iam.IAM
	chats *Service
	stats *stats.Stats
	now   func() time.Time
}

// NewAPI returns the chats API over chats, authenticating with auth and
// counting requests in counters.
func NewAPI(auth *iam.IAM, chats *Service, counters *stats.Stats, now func() time.Time) *ChatAPI {
	return &ChatAPI{iam: auth, chats: chats, stats: counters, now: now}
}

// chatPrefix is the sandbox's stand-in for https://chat-api.twin24.ai/api/v1.
const chatPrefix = "/chat/api/v1"

// Register mounts the chats API on mux. Path values are unescaped segment
// by segment, so an encoded "/" (%2F) stays inside its segment.
func (c *ChatAPI) Register(mux *http.ServeMux) {
	auth := c.iam.Authenticated
	account, sessions, messages, public := accountRoutes{c}, sessionRoutes{c}, messageRoutes{c}, publicRoutes{c}
	c.route(mux, "/users/me", handlers{http.MethodGet: auth(account.me)})
	c.route(mux, "/timestamp", handlers{http.MethodGet: auth(account.timestamp)})
	activate, pause := auth(account.setStatus(StatusActive)), auth(account.setStatus(StatusPaused))
	c.route(mux, "/users/me/activate", handlers{http.MethodPost: activate, http.MethodPatch: activate, http.MethodPut: activate})
	c.route(mux, "/users/me/pause", handlers{http.MethodPost: pause, http.MethodPatch: pause, http.MethodPut: pause})
	c.route(mux, "/users", handlers{http.MethodGet: auth(account.users)})
	c.route(mux, "/groups", handlers{http.MethodGet: auth(account.groups)})

	c.route(mux, "/sessions", handlers{http.MethodGet: auth(sessions.listSessions)})
	c.route(mux, "/sessions/{id}", handlers{http.MethodGet: auth(sessions.getSession), http.MethodDelete: auth(sessions.closeSession)})
	c.route(mux, "/sessions/{id}/names/{name}", handlers{http.MethodPatch: auth(sessions.rename)})
	c.route(mux, "/sessions/{id}/spam", handlers{http.MethodPatch: auth(sessions.spam(true))})
	c.route(mux, "/sessions/{id}/notSpam", handlers{http.MethodPatch: auth(sessions.spam(false))})
	c.route(mux, "/sessions/{id}/operators/{operatorId}", handlers{
		http.MethodPatch:  auth(sessions.operatorChange(c.chats.Sessions.Transfer)),
		http.MethodPut:    auth(sessions.operatorChange(c.chats.Sessions.AddOperator)),
		http.MethodDelete: auth(sessions.operatorChange(c.chats.Sessions.RemoveOperator)),
	})
	c.route(mux, "/sessions/{id}/groupoperators/{groupId}", handlers{http.MethodPatch: auth(sessions.groupTransfer)})
	ban, unban := auth(sessions.ban(true)), auth(sessions.ban(false))
	c.route(mux, "/clients/{clientId}/ban", handlers{http.MethodPost: ban, http.MethodPatch: ban})
	c.route(mux, "/clients/{clientId}/unban", handlers{http.MethodPost: unban, http.MethodPatch: unban})

	c.route(mux, "/sessions/{id}/messages", handlers{http.MethodGet: auth(messages.sessionMessages)})
	c.route(mux, "/clients/{clientId}/messages", handlers{http.MethodGet: auth(messages.clientMessages)})
	c.route(mux, "/sessions/{id}/operators/messages", handlers{http.MethodPost: auth(messages.sendMessage)})
	c.route(mux, "/sessions/{id}/operators/typing", handlers{http.MethodPost: auth(messages.operatorTyping)})
	c.route(mux, "/sessions/{id}/operators/messages/{messageId}", handlers{
		http.MethodPut:    auth(messages.editMessage),
		http.MethodDelete: auth(messages.deleteMessage),
	})
	c.route(mux, "/messages/{messageId}/read", handlers{http.MethodPatch: auth(messages.markRead)})

	// The platform's public (widget-side) endpoints: no authentication.
	c.route(mux, "/chats/{chatId}/sessions", handlers{http.MethodPost: public.startSession(false), http.MethodPut: public.startSession(true)})
	c.route(mux, "/sessions/{id}/clients/messages", handlers{http.MethodPost: public.clientMessage})
	mux.HandleFunc("/chat/", httpapi.NotFound)
}

// The handlers, grouped by what they serve; each reaches the API's
// services through the embedded ChatAPI.
type (
	accountRoutes struct{ *ChatAPI } // the operator's own account, time, users, groups
	sessionRoutes struct{ *ChatAPI } // sessions and clients
	messageRoutes struct{ *ChatAPI } // messages, reads and typing
	publicRoutes  struct{ *ChatAPI } // the widget side: no authentication
)

// handlers maps methods to the handlers of one path.
type handlers map[string]http.HandlerFunc

// route mounts one path, relative to chatPrefix, counting each request.
func (c *ChatAPI) route(mux *http.ServeMux, path string, hs handlers) {
	m := httpapi.Methods{}
	for method, h := range hs {
		key := method + " " + path
		m[method] = func(w http.ResponseWriter, r *http.Request) {
			c.stats.CountRequest(key)
			h(w, r)
		}
	}
	mux.Handle(chatPrefix+path, m)
}

// me answers the current operator, the same entity as iam.IAM /users/me.
func (c accountRoutes) me(w http.ResponseWriter, _ *http.Request, user iam.User) {
	httpapi.WriteJSON(w, http.StatusOK, user)
}

// timestamp answers the server time, for clock-skew correction. The real
// shape is unknown (twin-api.md §5.1); this one gives both common forms.
func (c accountRoutes) timestamp(w http.ResponseWriter, _ *http.Request, _ iam.User) {
	now := c.now().UTC()
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{
		"timestamp": now.Unix(),
		"datetime":  now.Format(httpapi.ISODateTime),
	})
}

// setStatus serves activate and pause: {id, status}.
func (c accountRoutes) setStatus(status string) iam.AuthedHandler {
	return func(w http.ResponseWriter, _ *http.Request, user iam.User) {
		httpapi.WriteJSON(w, http.StatusOK, c.chats.Operators.SetStatus(user, status))
	}
}

func (c accountRoutes) users(w http.ResponseWriter, r *http.Request, user iam.User) {
	writeList(w, func() (map[string]any, error) { return c.chats.Operators.List(user, r.URL.Query()) })
}

func (c accountRoutes) groups(w http.ResponseWriter, r *http.Request, _ iam.User) {
	writeList(w, func() (map[string]any, error) { return c.chats.Operators.Groups(r.URL.Query()) })
}

// writeList answers a list, or the error that prevented it.
func writeList(w http.ResponseWriter, list func() (map[string]any, error)) {
	out, err := list()
	if err != nil {
		httpapi.WriteAPIError(w, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// writeDone answers an action without a typed body: 200 {} (chosen, so a
// client can always parse the body), or the error.
func writeDone(w http.ResponseWriter, err error) {
	if err != nil {
		httpapi.WriteAPIError(w, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, struct{}{})
}

// pathInt reads an integer path value; ok is false when it is not one.
func pathInt(r *http.Request, name string) (n int, ok bool) {
	n, err := strconv.Atoi(r.PathValue(name))
	return n, err == nil
}
