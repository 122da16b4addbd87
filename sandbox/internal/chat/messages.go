package chat

import (
	"cmp"
	"net/http"
	"net/url"
	"strings"

	"twin-panel/sandbox/internal/httpapi"
	"twin-panel/sandbox/internal/iam"
)

// Event names of twin-api.md §7 and the operator-panel seed.
const (
	evChatSessionStarted        = "chatSessionStarted"
	evOperatorNotFound          = "operatorNotFound"
	evChatSessionAdded          = "chatSessionAdded"
	evChatMessageCreated        = "chatMessageCreated"
	evChatMessageEdited         = "chatMessageEdited"
	evChatMessageRead           = "chatMessageRead"
	evChatSessionDeleted        = "chatSessionDeleted"
	evSwitchedFromBotToOperator = "chatSessionSwitchedFromBotToOperator"
	evSessionClosedByClient     = "sessionClosedByClient"
	evOperatorBlocked           = "operatorBlocked"
	evChatUserExists            = "chatUserExists"
	evTyping                    = "typing"
	evOperatorLoggedOut         = "operatorLoggedOut"
	evClientOnline              = "clientOnline"
	evClientOffline             = "clientOffline"
)

// MessageInput is the body of a message a client or an operator sends.
type MessageInput struct {
	Body             string   `json:"body"`
	Attachments      []string `json:"attachments"`
	ReplyToMessageID string   `json:"replyToMessageId"`
}

// MessageRead is the data of chatMessageRead.
type MessageRead struct {
	MessageID string `json:"messageId"`
	SessionID string `json:"sessionId"`
	ReadAt    string `json:"readAt"`
}

// appendMessageLocked files m under s: ids, order, unread count.
func (c *model) appendMessageLocked(s *session, m *message) {
	if m.id == "" {
		m.id = newUUID()
	}
	m.sessionID = s.id
	m.seq = c.nextSeqLocked()
	s.messages = append(s.messages, m)
	c.messages[m.id] = m
	if m.authorType == authorClient && m.readAt.IsZero() {
		s.unread++
	}
}

// newMessageLocked validates input and builds a message of s.
func (c *model) newMessageLocked(s *session, in MessageInput) (*message, error) {
	if strings.TrimSpace(in.Body) == "" && len(in.Attachments) == 0 {
		return nil, httpapi.ValidationError(http.StatusUnprocessableEntity, map[string]string{"body": "required"})
	}
	atts, err := c.resolveAttachmentsLocked(in.Attachments)
	if err != nil {
		return nil, err
	}
	m := &message{body: in.Body, attachments: atts, createdAt: c.stamp()}
	if in.ReplyToMessageID != "" {
		r, ok := c.messages[in.ReplyToMessageID]
		if !ok || r.deleted || r.sessionID != s.id && c.sessions[r.sessionID].clientID != s.clientID {
			return nil, httpapi.ValidationError(http.StatusUnprocessableEntity, map[string]string{"replyToMessageId": "unknown message"})
		}
		m.replyTo = r
	}
	return m, nil
}

func (c *model) clientMessageLocked(s *session, in MessageInput) (Message, error) {
	if s.status == StatusClosed {
		return Message{}, errSessionClosed
	}
	if cl := c.clients[s.clientID]; cl != nil && cl.banned {
		return Message{}, errClientBanned
	}
	m, err := c.newMessageLocked(s, in)
	if err != nil {
		return Message{}, err
	}
	m.authorType, m.authorID, m.authorName = authorClient, s.clientID, c.clients[s.clientID].name
	c.appendMessageLocked(s, m)
	entity := m.entity()
	c.publishAll(c.recipientsLocked(s), 0, evChatMessageCreated, entity)
	if c.echo.On {
		c.notifyWidgetLocked(s.id, wevMessageCreated, c.widgetMessageLocked(m))
	}
	return entity, nil
}

// Send adds a message from user, who must take part in the open
// session, and publishes chatMessageCreated to the session's other
// operators (not to the author, who has the answer already). The widget
// sockets get chatMessageCreatedEmit.
func (c *Messages) Send(user iam.User, sessionID string, in MessageInput) (Message, error) {
	return withUserSession(c.model, user, sessionID, openSession, func(s *session) (Message, error) {
		if !s.hasMember(user.ID) {
			return Message{}, errNotAssigned
		}
		m, err := c.newMessageLocked(s, in)
		if err != nil {
			return Message{}, err
		}
		m.authorType, m.authorID, m.authorName = authorOperator, operatorIDString(user.ID), user.FullName()
		c.appendMessageLocked(s, m)
		entity := m.entity()
		c.publishAll(s.memberIDs(), c.echoExcept(user.ID), evChatMessageCreated, entity)
		c.notifyWidgetLocked(s.id, wevMessageCreated, c.widgetMessageLocked(m))
		return entity, nil
	})
}

// operatorMessageLocked finds a live message of the user's session that the
// user wrote and may still change.
func (c *Messages) operatorMessageLocked(user iam.User, sessionID, messageID string) (*session, *message, error) {
	s, err := c.sessionForLocked(user, sessionID)
	if err != nil {
		return nil, nil, err
	}
	m, ok := c.messages[messageID]
	if !ok || m.deleted || m.sessionID != s.id {
		return nil, nil, errMessageNotFound
	}
	if m.authorType != authorOperator || m.authorID != operatorIDString(user.ID) {
		return nil, nil, errNotAuthor
	}
	if s.status == StatusClosed {
		return nil, nil, errSessionClosed
	}
	return s, m, nil
}

// Edit changes the body of the user's own message, sets updatedAt
// and publishes chatMessageEdited (the Message) to the other operators.
func (c *Messages) Edit(user iam.User, sessionID, messageID string, in MessageInput) (Message, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, m, err := c.operatorMessageLocked(user, sessionID, messageID)
	if err != nil {
		return Message{}, err
	}
	if strings.TrimSpace(in.Body) == "" && len(in.Attachments) == 0 {
		return Message{}, httpapi.ValidationError(http.StatusUnprocessableEntity, map[string]string{"body": "required"})
	}
	if in.Attachments != nil {
		atts, err := c.resolveAttachmentsLocked(in.Attachments)
		if err != nil {
			return Message{}, err
		}
		m.attachments = atts
	}
	m.body, m.updatedAt = in.Body, c.stamp()
	entity := m.entity()
	c.publishAll(s.memberIDs(), c.echoExcept(user.ID), evChatMessageEdited, entity)
	return entity, nil
}

// Delete removes the user's own message from every list. No event
// is published: none of the known operator events announces a deletion.
func (c *Messages) Delete(user iam.User, sessionID, messageID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, m, err := c.operatorMessageLocked(user, sessionID, messageID)
	if err != nil {
		return err
	}
	m.deleted = true
	return nil
}

// MarkRead is the operator reading a message: readAt is set once and a
// client message leaves the unread count. Operators hear nothing; the
// first read of a client message sends chatMessageReadEmit {messageId} to
// the widget sockets.
func (c *Messages) MarkRead(user iam.User, messageID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.messages[messageID]
	if !ok || m.deleted {
		return errMessageNotFound
	}
	s, err := c.sessionForLocked(user, m.sessionID)
	if err != nil {
		return err
	}
	if m.readAt.IsZero() {
		m.readAt = c.stamp()
		if m.authorType == authorClient {
			s.unread = max(s.unread-1, 0)
			c.notifyWidgetLocked(s.id, wevMessageRead, WidgetMessageRead{MessageID: m.id})
		}
	}
	return nil
}

// messageSortFields are the sortable message fields (DEV chatmessageslist).
var messageSortFields = map[string]func(a, b *message) int{
	"createdAt": func(a, b *message) int { return compareTime(a.createdAt, b.createdAt) },
	"readAt":    func(a, b *message) int { return compareTime(a.readAt, b.readAt) },
	"updatedAt": func(a, b *message) int { return compareTime(a.updatedAt, b.updatedAt) },
}

// listMessagesLocked filters (from/to on createdAt), sorts and pages.
func listMessagesLocked(msgs []*message, q url.Values) (map[string]any, error) {
	lq, err := parseListQuery(q, []string{"createdAt", "readAt", "updatedAt"}, "createdAt")
	if err != nil {
		return nil, err
	}
	problems := map[string]string{}
	from, to := timeRange(q, problems)
	if len(problems) > 0 {
		return nil, httpapi.ValidationError(http.StatusBadRequest, problems)
	}
	var all []*message
	for _, m := range msgs {
		if !m.deleted && inRange(m.createdAt, from, to) {
			all = append(all, m)
		}
	}
	sortItems(all, lq.sort, messageSortFields, func(a, b *message) int { return cmp.Compare(a.seq, b.seq) })
	return listPage(lq, all, (*message).entity), nil
}

// OfSession lists the messages of one session.
func (c *Messages) OfSession(user iam.User, sessionID string, q url.Values) (map[string]any, error) {
	return withUserSession(c.model, user, sessionID, anySession, func(s *session) (map[string]any, error) {
		return listMessagesLocked(s.messages, q)
	})
}

// OfClient lists the messages of every session of one client.
func (c *Messages) OfClient(user iam.User, clientID string, q url.Values) (map[string]any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.clientForLocked(user, clientID); err != nil {
		return nil, err
	}
	var msgs []*message
	for _, s := range c.sessions {
		if s.clientID == clientID {
			msgs = append(msgs, s.messages...)
		}
	}
	return listMessagesLocked(msgs, q)
}

// Typing is the operator typing in an open session they take part
// in: showTypingIndicatorEmit {authorType: OPERATOR, authorId, sessionId}
// goes to the session's widget sockets. Operators hear nothing.
func (c *Messages) Typing(user iam.User, sessionID string) error {
	return c.changeSession(user, sessionID, openSession, func(s *session) error {
		if !s.hasMember(user.ID) {
			return errNotAssigned
		}
		c.notifyWidgetLocked(s.id, wevTyping, WidgetTyping{AuthorType: authorOperator, AuthorID: operatorIDString(user.ID), SessionID: s.id})
		return nil
	})
}
