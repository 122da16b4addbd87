package chat

import "twin-panel/sandbox/internal/iam"

// Write adds a message from the session's client and publishes
// chatMessageCreated (the Message) to the session's operators, or to every
// ACTIVE operator while the session waits in the help queue.
func (c *Clients) Write(sessionID string, in MessageInput) (Message, error) {
	return withSession(c.model, sessionID, anySession, func(s *session) (Message, error) {
		return c.clientMessageLocked(s, in)
	})
}

// Read is the client reading an operator's message: readAt is set
// and chatMessageRead {messageId, sessionId, readAt} goes to the session's
// operators.
func (c *Clients) Read(sessionID, messageID string) (MessageRead, error) {
	return withSession(c.model, sessionID, anySession, func(s *session) (MessageRead, error) {
		m, ok := c.messages[messageID]
		if !ok || m.deleted || m.sessionID != s.id {
			return MessageRead{}, errMessageNotFound
		}
		if m.readAt.IsZero() {
			m.readAt = c.stamp()
		}
		read := MessageRead{MessageID: m.id, SessionID: s.id, ReadAt: *formatTime(m.readAt)}
		c.publishAll(c.recipientsLocked(s), 0, evChatMessageRead, read)
		return read, nil
	})
}

// View returns the visitor's view of a session; ok is false for an
// unknown session.
func (c *Clients) View(id string) (VisitorView, bool) {
	v, err := withSession(c.model, id, anySession, func(s *session) (VisitorView, error) {
		v := VisitorView{Name: s.name, Status: s.status, BotStatus: s.botStatus}
		for _, m := range s.messages {
			if m.authorType == authorOperator && !m.deleted && m.readAt.IsZero() {
				v.UnreadReplies = append(v.UnreadReplies, m.id)
			}
		}
		return v, nil
	})
	return v, err == nil
}

// Close closes a session from the visitor's side and publishes
// sessionClosedByClient (the Session).
func (c *Clients) Close(id string) (Session, error) {
	return withSession(c.model, id, openSession, func(s *session) (Session, error) {
		s.status, s.clientOfflineAt = StatusClosed, c.stamp()
		entity := c.entityLocked(s)
		c.publishAll(c.recipientsLocked(s), 0, evSessionClosedByClient, entity)
		return entity, nil
	})
}

// SetBanned bans or unbans a client; its sessions show clientBanned.
func (c *Clients) SetBanned(user iam.User, clientID string, banned bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	cl, err := c.clientForLocked(user, clientID)
	if err == nil {
		cl.banned = banned
	}
	return err
}

// SetOnline records the client coming online or going offline and
// publishes clientOnline or clientOffline {sessionId, clientId, at}.
func (c *Clients) SetOnline(id string, online bool) (ClientEvent, error) {
	return withSession(c.model, id, anySession, func(s *session) (ClientEvent, error) {
		now := c.stamp()
		event := evClientOffline
		if online {
			s.clientOnlineAt, event = now, evClientOnline
		} else {
			s.clientOfflineAt = now
		}
		data := ClientEvent{SessionID: s.id, ClientID: s.clientID, At: *formatTime(now)}
		c.publishAll(c.recipientsLocked(s), 0, event, data)
		return data, nil
	})
}

// Typing publishes typing {sessionId, authorType, authorId} for the
// session's client.
func (c *Clients) Typing(id string) (TypingEvent, error) {
	return withSession(c.model, id, openSession, func(s *session) (TypingEvent, error) {
		data := TypingEvent{SessionID: s.id, AuthorType: authorClient, AuthorID: s.clientID}
		c.publishAll(c.recipientsLocked(s), 0, evTyping, data)
		return data, nil
	})
}

// CheckWidgetSession checks that a socket may join session id: it must exist
// and be open. The widget side has no company: the session id is the key.
func (c *Clients) CheckWidgetSession(id string) error {
	_, err := withSession(c.model, id, openSession, func(*session) (struct{}, error) { return struct{}{}, nil })
	return err
}

// VisitorView is what a simulated visitor knows about its session.
type VisitorView struct {
	Name      string // the session's name, the visitor's name unless renamed
	Status    string
	BotStatus string
	// UnreadReplies are the operator messages the client has not read.
	UnreadReplies []string
}
