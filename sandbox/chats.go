package main

import (
	"crypto/rand"
	"fmt"
	"log"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Presence tells whether an operator holds a live Centrifuge connection.
type Presence interface {
	Online(userID string) bool
}

// Chats is the chats business model: chats, clients, sessions, messages,
// operator groups and operator statuses, in memory and seeded at start.
// Every change publishes the events a real operator would get. Events are
// published under the lock, so their order on a channel is the order of the
// changes.
type Chats struct {
	store    *Store
	pub      Publisher
	presence Presence       // may be nil: nobody is online
	widget   WidgetNotifier // may be nil: no widget sockets
	now      func() time.Time

	mu       sync.Mutex
	chats    map[string]*chatConfig
	clients  map[string]*chatClient
	sessions map[string]*session
	messages map[string]*message
	files    map[string]*sandboxFile
	groups   []Group
	statuses map[int]string    // operator id → ACTIVE, PAUSED or OFFLINE
	blocked  map[int]time.Time // when the test API blocked an operator
	seededAt time.Time
	seq      int
}

// sandboxFile is an uploaded file messages can attach.
type sandboxFile struct {
	meta    Attachment
	content []byte
}

// NewChats returns the chats model seeded with sample data around now().
func NewChats(store *Store, pub Publisher, presence Presence, now func() time.Time) *Chats {
	c := &Chats{store: store, pub: pub, presence: presence, now: now}
	c.Reset()
	return c
}

// Reset drops every change and restores the seed.
func (c *Chats) Reset() {
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
	c.seededAt = c.stamp()
	c.seedLocked(c.seededAt)
}

// Errors of the chats service; the messages are the sandbox's choice.
var (
	errSessionNotFound  = newAPIError(http.StatusNotFound, "Session not found.")
	errMessageNotFound  = newAPIError(http.StatusNotFound, "Message not found.")
	errClientNotFound   = newAPIError(http.StatusNotFound, "Client not found.")
	errChatNotFound     = newAPIError(http.StatusNotFound, "Chat not found.")
	errOperatorNotFound = newAPIError(http.StatusNotFound, "Operator not found.")
	errGroupNotFound    = newAPIError(http.StatusNotFound, "Group not found.")
	errForeignSession   = newAPIError(http.StatusForbidden, "Session belongs to another company.")
	errForeignClient    = newAPIError(http.StatusForbidden, "Client belongs to another company.")
	errNotAssigned      = newAPIError(http.StatusForbidden, "Session is not assigned to you.")
	errSessionClosed    = newAPIError(http.StatusForbidden, "Session is closed.")
	errNotAuthor        = newAPIError(http.StatusForbidden, "Only the author may change this message.")
	errClientBanned     = newAPIError(http.StatusForbidden, "Client is banned.")
	errOperatorBlocked  = newAPIError(http.StatusUnprocessableEntity, "Operator is blocked.")
	errNotMember        = newAPIError(http.StatusUnprocessableEntity, "Operator is not assigned to the session.")
	errNotWithBot       = newAPIError(http.StatusUnprocessableEntity, "Session is not with the bot.")
)

// stamp is the current time in whole seconds, the platform's precision, so
// from/to filters agree with what clients see.
func (c *Chats) stamp() time.Time { return c.now().UTC().Truncate(time.Second) }

// nextSeq numbers sessions and messages in creation order.
func (c *Chats) nextSeqLocked() int {
	c.seq++
	return c.seq
}

// publish sends one event to one operator. A failure (the node refuses
// publications for a moment during a restart) is logged, not returned: the
// change itself has happened.
func (c *Chats) publish(operatorID int, event string, data any) {
	if _, err := c.pub.PublishEvent(strconv.Itoa(operatorID), event, data); err != nil {
		log.Printf("publish %s to operator %d: %v", event, operatorID, err)
	}
}

// publishAll sends one event to several operators, skipping except.
func (c *Chats) publishAll(operatorIDs []int, except int, event string, data any) {
	for _, id := range operatorIDs {
		if id != except {
			c.publish(id, event, data)
		}
	}
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
func (c *Chats) recipientsLocked(s *session) []int {
	switch {
	case len(s.members) > 0:
		return s.memberIDs()
	case s.botStatus == botStatusActive:
		return nil
	}
	return c.helpAudienceLocked(s.companyID)
}

// operatorsWithStatusLocked lists the unblocked operators of a company
// whose status is one of statuses.
func (c *Chats) operatorsWithStatusLocked(companyID int, statuses ...string) []int {
	var ids []int
	for _, op := range c.store.Operators() {
		if op.CompanyID == companyID && !op.Blocked && slices.Contains(statuses, c.statuses[op.ID]) {
			ids = append(ids, op.ID)
		}
	}
	return ids
}

// activeOperatorsLocked lists the operators taking new sessions.
func (c *Chats) activeOperatorsLocked(companyID int) []int {
	return c.operatorsWithStatusLocked(companyID, statusActive)
}

// helpAudienceLocked lists who gets operatorNotFound: every operator at
// work, ACTIVE or PAUSED. With somebody ACTIVE a new session is assigned,
// so for new sessions this is the paused operators who could step in.
func (c *Chats) helpAudienceLocked(companyID int) []int {
	return c.operatorsWithStatusLocked(companyID, statusActive, statusPaused)
}

// leastBusyLocked picks the operator a new session goes to: among the
// ACTIVE operators, those holding a live connection come first, so a
// newcomer who logs in and starts a chat sees it arrive; among them (or, with
// nobody connected, among all ACTIVE ones) the one with the fewest open
// sessions, lowest id on a tie. 0 means nobody is ACTIVE.
func (c *Chats) leastBusyLocked(companyID int) int {
	load := map[int]int{}
	for _, s := range c.sessions {
		if s.status == statusActive && s.operatorID != 0 {
			load[s.operatorID]++
		}
	}
	candidates := c.activeOperatorsLocked(companyID)
	if online := slices.DeleteFunc(slices.Clone(candidates), func(id int) bool { return !c.isOnline(id) }); len(online) > 0 {
		candidates = online
	}
	best := 0
	for _, id := range candidates {
		if best == 0 || load[id] < load[best] {
			best = id
		}
	}
	return best
}

// isOnline reports whether operator id holds a live Centrifuge connection.
func (c *Chats) isOnline(id int) bool {
	return c.presence != nil && c.presence.Online(operatorIDString(id))
}

// operatorName is the display name of an operator, "" when unknown.
func (c *Chats) operatorName(id int) string {
	op, ok := c.store.Operator(id)
	if !ok {
		return ""
	}
	return op.FullName()
}

// companyOperator returns operator id if it exists in companyID.
func (c *Chats) companyOperator(id, companyID int) (OperatorInfo, error) {
	op, ok := c.store.Operator(id)
	if !ok || op.CompanyID != companyID {
		return OperatorInfo{}, errOperatorNotFound
	}
	return op, nil
}

// sessionForLocked finds a session the user's company owns.
func (c *Chats) sessionForLocked(user User, id string) (*session, error) {
	s, ok := c.sessions[id]
	if !ok {
		return nil, errSessionNotFound
	}
	if s.companyID != user.CompanyID {
		return nil, errForeignSession
	}
	return s, nil
}

// entityLocked renders a session as the API's Session.
func (c *Chats) entityLocked(s *session) Session {
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
func (c *Chats) resolveAttachmentsLocked(ids []string) ([]Attachment, error) {
	var out []Attachment
	for _, id := range ids {
		f, ok := c.files[id]
		if !ok {
			return nil, validationError(http.StatusUnprocessableEntity, map[string]string{"attachments": "unknown file id " + strconv.Quote(id)})
		}
		out = append(out, f.meta)
	}
	return out, nil
}

// AddFile stores a file messages can attach and returns its metadata.
func (c *Chats) AddFile(name, contentType string, content []byte) Attachment {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.addFileLocked(newUUID(), name, contentType, content, c.stamp())
}

func (c *Chats) addFileLocked(id, name, contentType string, content []byte, at time.Time) Attachment {
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

// File returns a stored file.
func (c *Chats) File(id string) (Attachment, []byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.files[id]
	if !ok {
		return Attachment{}, nil, false
	}
	return f.meta, f.content, true
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

// visitorView is what a simulated visitor knows about its session.
type visitorView struct {
	name      string // the session's name, the visitor's name unless renamed
	status    string
	botStatus string
	// unreadReplies are the operator messages the client has not read.
	unreadReplies []string
}

// viewForVisitor returns the visitor's view of a session; ok is false for an
// unknown session.
func (c *Chats) viewForVisitor(id string) (visitorView, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.sessions[id]
	if !ok {
		return visitorView{}, false
	}
	v := visitorView{name: s.name, status: s.status, botStatus: s.botStatus}
	for _, m := range s.messages {
		if m.authorType == authorOperator && !m.deleted && m.readAt.IsZero() {
			v.unreadReplies = append(v.unreadReplies, m.id)
		}
	}
	return v, true
}
