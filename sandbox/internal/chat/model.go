// Package chat stands in for TWIN's chats service: the in-memory model
// (sessions, clients, messages, operators, files), the /chat/api/v1 API, the
// visitor test API, and the events each change publishes to operators and
// to the widget.
package chat

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/centrifugal/centrifuge"

	"twin-panel/sandbox/internal/httpapi"
	"twin-panel/sandbox/internal/iam"
)

// Publisher delivers an operator event, {"event": name, "data": data}, to the
// operator's personal channel. The chats service publishes through it.
type Publisher interface {
	PublishEvent(userID, event string, data any) (centrifuge.StreamPosition, error)
}

// Presence tells whether an operator holds a live Centrifuge connection.
type Presence interface {
	Online(userID string) bool
}

// Service is the chats service: chats, clients, sessions, messages,
// operator groups and operator statuses, in memory and seeded at start.
// Every change publishes the events a real operator would get. One lock
// guards one model; the operations are grouped by what they act on.
type Service struct {
	Sessions  *Sessions
	Clients   *Clients
	Messages  *Messages
	Operators *Operators
	Files     *Files

	m *model
}

// Sessions starts, lists, closes and moves chat sessions.
type Sessions struct{ *model }

// Clients is the visitor's side of a session: writing, reading, typing,
// presence, leaving, and the operators' bans.
type Clients struct{ *model }

// Messages is the operator's side of the conversation and message lists.
type Messages struct{ *model }

// Operators holds operator statuses, groups and account events.
type Operators struct{ *model }

// Files stores the files messages attach.
type Files struct{ *model }

// model is the state every operation works on. Events are published under
// the lock, so their order on a channel is the order of the changes.
type model struct {
	roster
	outbox
	now func() time.Time

	mu       sync.Mutex
	chats    map[string]*chatConfig
	clients  map[string]*chatClient
	sessions map[string]*session
	messages map[string]*message
	files    map[string]*sandboxFile
	groups   []Group
	seededAt time.Time
	seq      int
	echo     Echo
}

// sandboxFile is an uploaded file messages can attach.
type sandboxFile struct {
	meta    Attachment
	content []byte
}

// New returns the chats service seeded with sample data around now().
func New(store *iam.Store, pub Publisher, presence Presence, now func() time.Time) *Service {
	m := &model{roster: roster{store: store, presence: presence}, outbox: outbox{pub: pub}, now: now}
	m.reset()
	return &Service{
		Sessions: &Sessions{m}, Clients: &Clients{m}, Messages: &Messages{m}, Operators: &Operators{m}, Files: &Files{m},
		m: m,
	}
}

// Reset drops every change and restores the seed.
func (s *Service) Reset() { s.m.reset() }

// reset drops every change and restores the seed.
func (c *model) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.chats = make(map[string]*chatConfig)
	c.clients = make(map[string]*chatClient)
	c.sessions = make(map[string]*session)
	c.messages = make(map[string]*message)
	c.files = make(map[string]*sandboxFile)
	c.statuses = make(map[int]string)
	c.blocked = make(map[int]time.Time)
	c.seq = 0
	c.echo = Echo{}
	c.seededAt = c.stamp()
	c.seedLocked(c.seededAt)
}

// Errors of the chats service; the messages are the sandbox's choice.
var (
	errSessionNotFound  = httpapi.NewError(http.StatusNotFound, "Session not found.")
	errMessageNotFound  = httpapi.NewError(http.StatusNotFound, "Message not found.")
	errClientNotFound   = httpapi.NewError(http.StatusNotFound, "Client not found.")
	errChatNotFound     = httpapi.NewError(http.StatusNotFound, "Chat not found.")
	errOperatorNotFound = httpapi.NewError(http.StatusNotFound, "Operator not found.")
	errGroupNotFound    = httpapi.NewError(http.StatusNotFound, "Group not found.")
	errForeignSession   = httpapi.NewError(http.StatusForbidden, "Session belongs to another company.")
	errForeignClient    = httpapi.NewError(http.StatusForbidden, "Client belongs to another company.")
	errNotAssigned      = httpapi.NewError(http.StatusForbidden, "Session is not assigned to you.")
	errSessionClosed    = httpapi.NewError(http.StatusForbidden, "Session is closed.")
	errNotAuthor        = httpapi.NewError(http.StatusForbidden, "Only the author may change this message.")
	errClientBanned     = httpapi.NewError(http.StatusForbidden, "Client is banned.")
	errOperatorBlocked  = httpapi.NewError(http.StatusUnprocessableEntity, "Operator is blocked.")
	errNotMember        = httpapi.NewError(http.StatusUnprocessableEntity, "Operator is not assigned to the session.")
	errNotWithBot       = httpapi.NewError(http.StatusUnprocessableEntity, "Session is not with the bot.")
)

// stamp is the current time in whole seconds, the platform's precision, so
// from/to filters agree with what clients see.
func (c *model) stamp() time.Time { return c.now().UTC().Truncate(time.Second) }

// nextSeqLocked numbers sessions and messages in creation order.
func (c *model) nextSeqLocked() int {
	c.seq++
	return c.seq
}

// memberIDs lists the operators taking part in s.
func (s *session) memberIDs() []int {
	ids := make([]int, 0, len(s.members))
	for _, m := range s.members {
		ids = append(ids, m.id)
	}
	return ids
}

// recipientsLocked is who hears about a session: its operators, or, while
// nobody is assigned (the help queue), the help audience of the company.
// Nobody hears about a session the bot is still answering.
func (c *model) recipientsLocked(s *session) []int {
	switch {
	case len(s.members) > 0:
		return s.memberIDs()
	case s.botStatus == BotStatusActive:
		return nil
	}
	return c.helpAudienceLocked(s.companyID)
}

// sessionForLocked finds a session the user's company owns.
func (c *model) sessionForLocked(user iam.User, id string) (*session, error) {
	s, ok := c.sessions[id]
	if !ok {
		return nil, errSessionNotFound
	}
	if s.companyID != user.CompanyID {
		return nil, errForeignSession
	}
	return s, nil
}

// clientForLocked finds a client the user's company owns.
func (c *model) clientForLocked(user iam.User, id string) (*chatClient, error) {
	cl, ok := c.clients[id]
	switch {
	case !ok:
		return nil, errClientNotFound
	case cl.companyID != user.CompanyID:
		return nil, errForeignClient
	}
	return cl, nil
}

// entityLocked renders a session as the API's Session.
func (c *model) entityLocked(s *session) Session {
	out := Session{
		ID:                       s.id,
		ChatID:                   s.chatID,
		Name:                     s.name,
		MarkedAsSpam:             s.markedAsSpam,
		TTL:                      s.ttl,
		Operators:                make([]SessionOperator, 0, len(s.members)),
		Channel:                  s.channel,
		MessengerType:            s.messengerType,
		BotStatus:                stringPtr(s.botStatus),
		Status:                   s.status,
		StartedAt:                *formatTime(s.startedAt),
		ClientOnlineAt:           formatTime(s.clientOnlineAt),
		ClientOfflineAt:          formatTime(s.clientOfflineAt),
		UnreadClientMessageCount: s.unread,
		ClientID:                 s.clientID,
		Tags:                     s.tags,
	}
	out.UnreadClientMessageExists = s.unread > 0
	if s.operatorID != 0 {
		id, name, kind := operatorIDString(s.operatorID), c.operatorName(s.operatorID), operatorTypeHuman
		out.OperatorID, out.OperatorName, out.OperatorType = &id, &name, &kind
		out.OperatorAssignedAt = formatTime(s.operatorAssignedAt)
	}
	for _, m := range s.members {
		out.Operators = append(out.Operators, SessionOperator{
			ID: m.id, Name: c.operatorName(m.id), Type: operatorTypeHuman, AssignedAt: *formatTime(m.assignedAt),
		})
	}
	if s.previousOperator != 0 {
		out.PreviousOperator = &PreviousOperator{ID: operatorIDString(s.previousOperator), Name: c.operatorName(s.previousOperator)}
	}
	if last := s.lastMessage(); last != nil {
		out.LastMessage = last.compact()
		out.LastMessageCreatedAt = formatTime(last.createdAt)
	}
	if cl, ok := c.clients[s.clientID]; ok {
		out.ClientBanned = cl.banned
	}
	return out
}

// resolveAttachmentsLocked turns file ids into attachments; an unknown id
// is a validation error.
func (c *model) resolveAttachmentsLocked(ids []string) ([]Attachment, error) {
	var out []Attachment
	for _, id := range ids {
		f, ok := c.files[id]
		if !ok {
			return nil, httpapi.ValidationError(http.StatusUnprocessableEntity, map[string]string{"attachments": "unknown file id " + strconv.Quote(id)})
		}
		out = append(out, f.meta)
	}
	return out, nil
}

func (c *model) addFileLocked(id, name, contentType string, content []byte, at time.Time) Attachment {
	base, ext := name, ""
	if i := lastDot(name); i > 0 {
		base, ext = name[:i], name[i+1:]
	}
	url := "/__sandbox/files/" + id
	meta := Attachment{
		ID: id, CreatedAt: *formatTime(at), ContentType: contentType,
		Name: name, BaseName: base, Extension: ext, SugestedExtension: ext, SuggestedExtension: ext,
		Size: int64(len(content)), URL: url, DownloadLink: url + "?download=1",
	}
	c.files[id] = &sandboxFile{meta: meta, content: slices.Clone(content)}
	return meta
}

func lastDot(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}

// newUUID returns a random version 4 UUID, the platform's id form.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// sessionNeed says which sessions an operation accepts.
type sessionNeed int

const (
	anySession  sessionNeed = iota // closed ones too
	openSession                    // a closed session answers errSessionClosed
)

// withSession runs f on session id under the lock. It is the visitor's
// side: the id alone is the key.
func withSession[T any](c *model, id string, need sessionNeed, f func(s *session) (T, error)) (T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.sessions[id]
	var err error
	if !ok {
		err = errSessionNotFound
	}
	return runOn(s, err, need, f)
}

// withUserSession runs f on session id under the lock, provided the
// operator's company owns it.
func withUserSession[T any](c *model, user iam.User, id string, need sessionNeed, f func(s *session) (T, error)) (T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.sessionForLocked(user, id)
	return runOn(s, err, need, f)
}

// runOn applies need to a looked-up session, then runs f.
func runOn[T any](s *session, err error, need sessionNeed, f func(s *session) (T, error)) (T, error) {
	if err == nil && need == openSession && s.status == StatusClosed {
		err = errSessionClosed
	}
	if err != nil {
		var zero T
		return zero, err
	}
	return f(s)
}

// changeSession is withUserSession for a change without an answer.
func (c *model) changeSession(user iam.User, id string, need sessionNeed, f func(s *session) error) error {
	_, err := withUserSession(c, user, id, need, func(s *session) (struct{}, error) { return struct{}{}, f(s) })
	return err
}
