package main

import (
	"net/http"
	"time"
)

// ChatAPI serves /chat/api/v1, the chats API of twin-api.md §5. State lives
// in the Store; every state change publishes its event through the Publisher.
type ChatAPI struct {
	iam   *IAM
	store *Store
	pub   Publisher
	now   func() time.Time
}

// isoDateTime formats times as the platform's examples do:
// 2018-05-27T21:30:54+00:00.
const isoDateTime = "2006-01-02T15:04:05-07:00"

// chatPrefix is the sandbox's stand-in for https://chat-api.twin24.ai/api/v1.
const chatPrefix = "/chat/api/v1"

// Register mounts the chats API on mux.
func (c *ChatAPI) Register(mux *http.ServeMux) {
	mux.Handle(chatPrefix+"/users/me", methods{http.MethodGet: c.iam.Authenticated(c.me)})
	mux.Handle(chatPrefix+"/timestamp", methods{http.MethodGet: c.iam.Authenticated(c.timestamp)})
	mux.HandleFunc("/chat/", notFound)
}

// me answers the current operator, the same entity as IAM /users/me.
func (c *ChatAPI) me(w http.ResponseWriter, _ *http.Request, user User) {
	writeJSON(w, http.StatusOK, user)
}

// timestamp answers the server time, for clock-skew correction. The real
// shape is unknown (twin-api.md §5.1); this one gives both common forms.
func (c *ChatAPI) timestamp(w http.ResponseWriter, _ *http.Request, _ User) {
	now := c.now().UTC()
	writeJSON(w, http.StatusOK, map[string]any{
		"timestamp": now.Unix(),
		"datetime":  now.Format(isoDateTime),
	})
}
