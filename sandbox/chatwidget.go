package main

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
)

// WidgetNotifier delivers an event to the chat widget's sockets of one
// session (the Socket.IO side). Chats calls it under its lock, in the order
// of the changes; an implementation must not block or call back into Chats.
type WidgetNotifier interface {
	NotifySession(sessionID, event string, data any)
}

// Widget (Socket.IO) event names, as the widget seed spells them.
const (
	wevMessageCreated        = "chatMessageCreatedEmit"
	wevTyping                = "showTypingIndicatorEmit"
	wevMessageRead           = "chatMessageReadEmit"
	wevOperatorChanged       = "operatorChangedEmit"
	wevOperatorStatusChanged = "operatorStatusChangedEmit"
	wevOperatorLoggedOut     = "operatorLoggedOutEmit"
)

// WidgetMessage is the chatMessageCreatedEmit payload, with exactly the
// seed's fields; avatar is the operator's avatar (null for the bot).
type WidgetMessage struct {
	ID          string       `json:"id"`
	AuthorID    string       `json:"authorId"`
	AuthorType  string       `json:"authorType"`
	AuthorName  string       `json:"authorName"`
	Type        string       `json:"type"`
	Body        string       `json:"body"`
	Answers     []any        `json:"answers"`
	CreatedAt   string       `json:"createdAt"`
	SessionID   string       `json:"sessionId"`
	Attachments []Attachment `json:"attachments"`
	Actions     []any        `json:"actions"`
	Avatar      any          `json:"avatar"`
}

// WidgetTyping is the showTypingIndicatorEmit payload.
type WidgetTyping struct {
	AuthorType string `json:"authorType"`
	AuthorID   string `json:"authorId"`
	SessionID  string `json:"sessionId"`
}

// WidgetMessageRead is the chatMessageReadEmit payload.
type WidgetMessageRead struct {
	MessageID string `json:"messageId"`
}

// WidgetOperatorChanged is the operatorChangedEmit payload. The previous
// party is null when the session had nobody (a new session, the help
// queue), and the bot when the bot handed over.
type WidgetOperatorChanged struct {
	OperatorID             *string `json:"operatorId"`
	OperatorName           *string `json:"operatorName"`
	Avatar                 any     `json:"avatar"`
	PreviousOperatorID     *string `json:"previousOperatorId"`
	PreviousOperatorName   *string `json:"previousOperatorName"`
	PreviousOperatorAvatar any     `json:"previousOperatorAvatar"`
}

// WidgetOperatorStatus is the operatorStatusChangedEmit payload.
type WidgetOperatorStatus struct {
	OperatorID     string `json:"operatorId"`
	PreviousStatus string `json:"previousStatus"`
	CurrentStatus  string `json:"currentStatus"`
}

// widgetParty is who answers a session, as the widget shows it: an
// operator, the bot, or nobody (all null).
type widgetParty struct {
	id, name *string
	avatar   any
}

// SetWidget connects the widget side; nil (the default) sends nothing.
func (c *Chats) SetWidget(w WidgetNotifier) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.widget = w
}

// notifyWidgetLocked sends one event to the sockets of a session.
func (c *Chats) notifyWidgetLocked(sessionID, event string, data any) {
	if c.widget != nil {
		c.widget.NotifySession(sessionID, event, data)
	}
}

// operatorPartyLocked is operator id as the widget shows it; 0 is nobody.
func (c *Chats) operatorPartyLocked(id int) widgetParty {
	if id == 0 {
		return widgetParty{}
	}
	op, _ := c.store.Operator(id)
	sid, name := operatorIDString(id), op.FullName()
	return widgetParty{id: &sid, name: &name, avatar: op.Avatar}
}

// botPartyLocked is the bot that answered s: the author of its last bot
// message, else the seeded bot.
func botPartyLocked(s *session) widgetParty {
	id, name := seedBotID, seedBotName
	for i := len(s.messages) - 1; i >= 0; i-- {
		if m := s.messages[i]; m.authorType == authorBot {
			id, name = m.authorID, cmp.Or(m.authorName, name)
			break
		}
	}
	return widgetParty{id: &id, name: &name}
}

// notifyOperatorChangedLocked tells the session's sockets that s.operatorID
// now answers instead of prev. Nothing is sent while nobody answers.
func (c *Chats) notifyOperatorChangedLocked(s *session, prev widgetParty) {
	if s.operatorID == 0 {
		return
	}
	now := c.operatorPartyLocked(s.operatorID)
	c.notifyWidgetLocked(s.id, wevOperatorChanged, WidgetOperatorChanged{
		OperatorID: now.id, OperatorName: now.name, Avatar: now.avatar,
		PreviousOperatorID: prev.id, PreviousOperatorName: prev.name, PreviousOperatorAvatar: prev.avatar,
	})
}

// notifyOperatorSessionsLocked sends one event to every open session whose
// operator (not a helper) is operatorID: those are the visitors who see them.
func (c *Chats) notifyOperatorSessionsLocked(operatorID int, event string, data any) {
	for _, s := range c.sessionsInOrderLocked() {
		if s.status == statusActive && s.operatorID == operatorID {
			c.notifyWidgetLocked(s.id, event, data)
		}
	}
}

// sessionsInOrderLocked lists every session in creation order, so fan-outs
// are repeatable.
func (c *Chats) sessionsInOrderLocked() []*session {
	out := slices.Collect(maps.Values(c.sessions))
	slices.SortFunc(out, func(a, b *session) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

// widgetMessageLocked renders m as chatMessageCreatedEmit data.
func (c *Chats) widgetMessageLocked(m *message) WidgetMessage {
	var avatar any
	if m.authorType == authorOperator {
		if id, err := strconv.Atoi(m.authorID); err == nil {
			avatar = c.operatorPartyLocked(id).avatar
		}
	}
	return WidgetMessage{
		ID: m.id, AuthorID: m.authorID, AuthorType: m.authorType, AuthorName: m.authorName,
		Type: messageTypeRegular, Body: m.body, Answers: []any{}, CreatedAt: *formatTime(m.createdAt),
		SessionID: m.sessionID, Attachments: attachmentsOrEmpty(m.attachments), Actions: []any{}, Avatar: avatar,
	}
}

// WidgetSession checks that a socket may join session id: it must exist
// and be open. The widget side has no company: the session id is the key.
func (c *Chats) WidgetSession(id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.sessions[id]
	switch {
	case id == "" || !ok:
		return errSessionNotFound
	case s.status == statusClosed:
		return errSessionClosed
	}
	return nil
}

// OperatorTyping is the operator typing in an open session they take part
// in: showTypingIndicatorEmit {authorType: OPERATOR, authorId, sessionId}
// goes to the session's widget sockets. Operators hear nothing.
func (c *Chats) OperatorTyping(user User, sessionID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.sessionForLocked(user, sessionID)
	switch {
	case err != nil:
		return err
	case s.status == statusClosed:
		return errSessionClosed
	case !s.hasMember(user.ID):
		return errNotAssigned
	}
	c.notifyWidgetLocked(s.id, wevTyping, WidgetTyping{AuthorType: authorOperator, AuthorID: operatorIDString(user.ID), SessionID: s.id})
	return nil
}
