package chat

import (
	"strconv"
	"time"

	"twin-panel/sandbox/internal/httpapi"
)

// Enum values the sandbox chose; the platform's real values are unverified
// (twin-api.md §9.3).
const (
	StatusActive = "ACTIVE" // session open, or operator taking sessions
	StatusClosed = "CLOSED" // session closed by the client or an operator
	StatusPaused = "PAUSED" // operator paused
	// StatusOffline is an operator who logged out (or never came in).
	StatusOffline = "OFFLINE"

	BotStatusActive   = "ACTIVE"   // the bot is answering
	botStatusFinished = "FINISHED" // the bot handed over to an operator

	authorClient   = "CLIENT"
	authorOperator = "OPERATOR"
	authorBot      = "BOT"

	messageTypeRegular = "REGULAR"
	operatorTypeHuman  = "OPERATOR"
)

// Session is the chat-session entity of twin-api.md §6.1, with the extra
// fields of the chatSessionStarted payload (§7) that the sandbox can fill.
type Session struct {
	ID                        string            `json:"id"`
	ChatID                    string            `json:"chatId"`
	Name                      string            `json:"name"`
	MarkedAsSpam              bool              `json:"markedAsSpam"`
	TTL                       int               `json:"ttl"`
	OperatorID                *string           `json:"operatorId"`
	OperatorName              *string           `json:"operatorName"`
	OperatorType              *string           `json:"operatorType"`
	OperatorAssignedAt        *string           `json:"operatorAssignedAt"`
	Operators                 []SessionOperator `json:"operators"`
	PreviousOperator          *PreviousOperator `json:"previousOperator"`
	Channel                   string            `json:"channel"`
	MessengerType             string            `json:"messengerType"`
	BotStatus                 *string           `json:"botStatus"`
	Status                    string            `json:"status"`
	StartedAt                 string            `json:"startedAt"`
	ClientOnlineAt            *string           `json:"clientOnlineAt"`
	ClientOfflineAt           *string           `json:"clientOfflineAt"`
	UnreadClientMessageCount  int               `json:"unreadClientMessageCount"`
	UnreadClientMessageExists bool              `json:"unreadClientMessageExists"`
	LastMessageCreatedAt      *string           `json:"lastMessageCreatedAt"`
	LastMessage               *LastMessage      `json:"lastMessage"`
	ClientID                  string            `json:"clientId"`
	ClientBanned              bool              `json:"clientBanned"`
	Tags                      string            `json:"tags"`
}

// SessionOperator is one entry of Session.operators (§6.3); assigned_at is
// snake_case on the platform.
type SessionOperator struct {
	ID         int    `json:"id"`
	Name       string `json:"name"`
	Type       string `json:"type"`
	AssignedAt string `json:"assigned_at"`
}

// PreviousOperator is the operator a session was transferred away from.
type PreviousOperator struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// MessageHead is what every form of a message starts with: who wrote
// what. Embedded, its fields sit at the top level of the JSON.
type MessageHead struct {
	ID         string `json:"id"`
	AuthorID   string `json:"authorId"`
	AuthorType string `json:"authorType"`
	AuthorName string `json:"authorName"`
	Type       string `json:"type"`
	Body       string `json:"body"`
}

// LastMessage is the compact message of Session.lastMessage (§6.2).
type LastMessage struct {
	MessageHead
	Attachments []CompactAttachment `json:"attachments"`
	CreatedAt   string              `json:"createdAt"`
	ReadAt      *string             `json:"readAt"`
}

// CompactAttachment is the attachment form of a session's last message (§6.6).
type CompactAttachment struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	Private     bool   `json:"private"`
	URL         string `json:"url"`
}

// Message is the message entity of §6.5.
type Message struct {
	MessageHead
	Answers     []any         `json:"answers"`
	Keyboard    []any         `json:"keyboard"`
	ReadAt      *string       `json:"readAt"`
	CreatedAt   string        `json:"createdAt"`
	UpdatedAt   *string       `json:"updatedAt"`
	Attachments []Attachment  `json:"attachments"`
	SessionID   string        `json:"sessionId"`
	ReplyTo     *ReplyMessage `json:"replyTo"`
}

// ReplyMessage is the message a Message answers (§6.5 replyTo).
type ReplyMessage struct {
	ID          string       `json:"id"`
	SessionID   string       `json:"sessionId"`
	UserID      *string      `json:"userId"`
	BotID       *string      `json:"botId"`
	ClientID    *string      `json:"clientId"`
	Body        string       `json:"body"`
	AuthorType  string       `json:"authorType"`
	AuthorName  string       `json:"authorName"`
	Type        string       `json:"type"`
	Attachments []Attachment `json:"attachments"`
	Answers     []any        `json:"answers"`
	Keyboard    []any        `json:"keyboard"`
	Actions     []any        `json:"actions"`
	CreatedAt   string       `json:"createdAt"`
}

// Attachment is a message attachment (§6.6). The chats SDK spells
// sugestedExtension with one "g", IAM with two; both are sent.
type Attachment struct {
	ID                 string `json:"id"`
	IsPrivate          bool   `json:"isPrivate"`
	CreatedAt          string `json:"createdAt"`
	ContentType        string `json:"contentType"`
	Name               string `json:"name"`
	BaseName           string `json:"baseName"`
	Extension          string `json:"extension"`
	SugestedExtension  string `json:"sugestedExtension"`
	SuggestedExtension string `json:"suggestedExtension"`
	Path               string `json:"path"`
	Size               int64  `json:"size"`
	URL                string `json:"url"`
	DownloadLink       string `json:"downloadLink"`
}

// Group is an operator group of GET /groups.
type Group struct {
	ID          int    `json:"id"`
	Name        string `json:"name"`
	OperatorIDs []int  `json:"operatorIds"`
}

// OperatorListItem is one operator of the chats API's GET /users.
type OperatorListItem struct {
	ID        int     `json:"id"`
	CompanyID int     `json:"companyId"`
	FirstName string  `json:"firstName"`
	LastName  string  `json:"lastName"`
	Email     string  `json:"email"`
	Status    string  `json:"status"`
	Online    bool    `json:"online"`
	BlockedAt *string `json:"blockedAt"`
}

// StartedSession is the answer of starting a session (§6.4).
type StartedSession struct {
	ID        string     `json:"id"`
	ClientID  string     `json:"clientId"`
	StartedAt string     `json:"startedAt"`
	TTL       int        `json:"ttl"`
	Messages  []BotReply `json:"messages"`
}

// BotReply is one bot message of a StartedSession.
type BotReply struct {
	MessageID   string            `json:"messageId"`
	AuthorID    string            `json:"authorId"`
	AuthorType  string            `json:"authorType"`
	Body        string            `json:"body"`
	Actions     map[string]string `json:"actions"`
	Answers     []any             `json:"answers"`
	Keyboard    []any             `json:"keyboard"`
	Attachments []Attachment      `json:"attachments"`
}

// chatConfig is a chat (widget or messenger channel) sessions belong to.
type chatConfig struct {
	id            string
	companyID     int
	name          string
	channel       string
	messengerType string
	sessionTTL    int
}

// chatClient is a visitor of a chat.
type chatClient struct {
	id        string
	companyID int
	name      string
	banned    bool
}

// sessionMember is an operator taking part in a session.
type sessionMember struct {
	id         int
	assignedAt time.Time
}

// session is the sandbox's record of a chat session.
type session struct {
	id, chatID, clientID, name string
	seq                        int // creation order, the last sort key
	companyID                  int
	channel, messengerType     string
	ttl                        int
	tags                       string
	markedAsSpam               bool
	status                     string
	botStatus                  string // "" when no bot took part
	result                     string // the closing outcome given by an operator

	operatorID         int // 0: nobody (the help queue)
	operatorAssignedAt time.Time
	members            []sessionMember // main operator first, then helpers
	previousOperator   int

	startedAt, clientOnlineAt, clientOfflineAt time.Time
	unread                                     int
	messages                                   []*message
}

// message is the sandbox's record of a message.
type message struct {
	id, sessionID string
	seq           int
	authorID      string
	authorType    string
	authorName    string
	body          string
	attachments   []Attachment
	createdAt     time.Time
	updatedAt     time.Time
	readAt        time.Time
	replyTo       *message
	deleted       bool
}

// formatTime renders t as the platform does; the zero time is null.
func formatTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(httpapi.ISODateTime)
	return &s
}

// stringPtr returns a pointer to s, or nil for "".
func stringPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// lastMessage is the newest message that was not deleted.
func (s *session) lastMessage() *message {
	for i := len(s.messages) - 1; i >= 0; i-- {
		if !s.messages[i].deleted {
			return s.messages[i]
		}
	}
	return nil
}

// hasMember reports whether operator id takes part in the session.
func (s *session) hasMember(id int) bool {
	for _, m := range s.members {
		if m.id == id {
			return true
		}
	}
	return false
}

// entity renders m as the API's Message.
func (m *message) entity() Message {
	out := Message{
		MessageHead: m.head(),
		Answers:     []any{},
		Keyboard:    []any{},
		ReadAt:      formatTime(m.readAt),
		CreatedAt:   *formatTime(m.createdAt),
		UpdatedAt:   formatTime(m.updatedAt),
		Attachments: attachmentsOrEmpty(m.attachments),
		SessionID:   m.sessionID,
	}
	if r := m.replyTo; r != nil {
		reply := ReplyMessage{
			ID:          r.id,
			SessionID:   r.sessionID,
			Body:        r.body,
			AuthorType:  r.authorType,
			AuthorName:  r.authorName,
			Type:        messageTypeRegular,
			Attachments: attachmentsOrEmpty(r.attachments),
			Answers:     []any{},
			Keyboard:    []any{},
			Actions:     []any{},
			CreatedAt:   *formatTime(r.createdAt),
		}
		switch r.authorType {
		case authorOperator:
			reply.UserID = &r.authorID
		case authorBot:
			reply.BotID = &r.authorID
		default:
			reply.ClientID = &r.authorID
		}
		out.ReplyTo = &reply
	}
	return out
}

// head renders who wrote m and what.
func (m *message) head() MessageHead {
	return MessageHead{ID: m.id, AuthorID: m.authorID, AuthorType: m.authorType, AuthorName: m.authorName, Type: messageTypeRegular, Body: m.body}
}

// compact renders m as a session's lastMessage.
func (m *message) compact() *LastMessage {
	atts := make([]CompactAttachment, 0, len(m.attachments))
	for _, a := range m.attachments {
		atts = append(atts, CompactAttachment{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size, Private: a.IsPrivate, URL: a.URL})
	}
	return &LastMessage{
		MessageHead: m.head(),
		Attachments: atts,
		CreatedAt:   *formatTime(m.createdAt),
		ReadAt:      formatTime(m.readAt),
	}
}

func attachmentsOrEmpty(a []Attachment) []Attachment {
	if a == nil {
		return []Attachment{}
	}
	return a
}

// operatorIDString renders an operator id as the platform's string form.
func operatorIDString(id int) string { return strconv.Itoa(id) }
