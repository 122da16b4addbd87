package chat

import (
	"cmp"
	"strconv"
)

// WidgetNotifier delivers an event to the chat widget's sockets of one
// session (the Socket.IO side). Service calls it under its lock, in the order
// of the changes; an implementation must not block or call back into Service.
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
	MessageHead
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
func (s *Service) SetWidget(w WidgetNotifier) {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.m.widget = w
}

// botPartyLocked is the bot that answered s: the author of its last bot
// message, else the seeded bot.
func botPartyLocked(s *session) widgetParty {
	id, name := SeedBotID, seedBotName
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
func (c *model) notifyOperatorChangedLocked(s *session, prev widgetParty) {
	if s.operatorID == 0 {
		return
	}
	now := c.operatorPartyLocked(s.operatorID)
	c.notifyWidgetLocked(s.id, wevOperatorChanged, WidgetOperatorChanged{
		OperatorID: now.id, OperatorName: now.name, Avatar: now.avatar,
		PreviousOperatorID: prev.id, PreviousOperatorName: prev.name, PreviousOperatorAvatar: prev.avatar,
	})
}

// widgetMessageLocked renders m as chatMessageCreatedEmit data.
func (c *model) widgetMessageLocked(m *message) WidgetMessage {
	var avatar any
	if m.authorType == authorOperator {
		if id, err := strconv.Atoi(m.authorID); err == nil {
			avatar = c.operatorPartyLocked(id).avatar
		}
	}
	return WidgetMessage{
		MessageHead: m.head(), Answers: []any{}, CreatedAt: *formatTime(m.createdAt),
		SessionID: m.sessionID, Attachments: attachmentsOrEmpty(m.attachments), Actions: []any{}, Avatar: avatar,
	}
}
