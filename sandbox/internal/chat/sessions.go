package chat

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"time"

	"twin-panel/sandbox/internal/httpapi"
	"twin-panel/sandbox/internal/iam"
)

// StartOptions describes a session a visitor starts.
type StartOptions struct {
	ChatID      string // default chat-web-1
	ClientID    string // an existing client, or the id of a new one; default random
	ClientName  string // name of a new client; default "Гость NNNN"
	Name        string // session name; default the client's name
	OperatorID  int    // assign to this operator; 0 picks the least-busy ACTIVE one
	BotID       string // the bot answers first; operators see nothing until handover
	Message     string // the client's first message, if any
	Attachments []string
	TTL         int  // seconds; default the chat's session TTL
	Continue    bool // reuse the client's last open session of the chat
}

// StartResult is a started (or continued) session.
type StartResult struct {
	Session   Session
	Started   StartedSession
	Continued bool
}

// ClientEvent is the data of clientOnline and clientOffline.
type ClientEvent struct {
	SessionID string `json:"sessionId"`
	ClientID  string `json:"clientId"`
	At        string `json:"at"`
}

// TypingEvent is the data of typing.
type TypingEvent struct {
	SessionID  string `json:"sessionId"`
	AuthorType string `json:"authorType"`
	AuthorID   string `json:"authorId"`
}

// Start starts a session (or continues one with opt.Continue). It
// publishes chatSessionStarted (the Session) to the assigned operator, or
// operatorNotFound (the Session) to the help audience when nobody could be
// assigned, then chatMessageCreated for a first message. A session that
// starts with the bot publishes nothing until the handover.
func (c *Sessions) Start(opt StartOptions) (StartResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch, ok := c.chats[cmp.Or(opt.ChatID, seedChatWeb)]
	if !ok {
		return StartResult{}, errChatNotFound
	}
	cl := c.clients[opt.ClientID]
	switch {
	case cl != nil && cl.companyID != ch.companyID:
		return StartResult{}, errForeignClient
	case cl != nil && cl.banned:
		return StartResult{}, errClientBanned
	}
	if opt.OperatorID != 0 {
		if _, err := c.companyOperator(opt.OperatorID, ch.companyID); err != nil {
			return StartResult{}, err
		}
	}
	if _, err := c.resolveAttachmentsLocked(opt.Attachments); err != nil {
		return StartResult{}, err
	}
	if opt.TTL < 0 {
		return StartResult{}, httpapi.ValidationError(http.StatusUnprocessableEntity, map[string]string{"sessionTtl": "must not be negative"})
	}
	first := MessageInput{Body: opt.Message, Attachments: opt.Attachments}
	hasFirst := strings.TrimSpace(opt.Message) != "" || len(opt.Attachments) > 0
	if cl == nil {
		cl = &chatClient{id: cmp.Or(opt.ClientID, newUUID()), companyID: ch.companyID, name: opt.ClientName}
		if cl.name == "" {
			cl.name = fmt.Sprintf("Гость %04d", rand.IntN(10000))
		}
		c.clients[cl.id] = cl
	}

	if opt.Continue {
		if s := c.lastOpenSessionLocked(cl.id, ch.id); s != nil {
			if hasFirst {
				if _, err := c.clientMessageLocked(s, first); err != nil {
					return StartResult{}, err
				}
			}
			return StartResult{Session: c.entityLocked(s), Started: startedOf(s, nil), Continued: true}, nil
		}
	}

	now := c.stamp()
	s := &session{
		id: newUUID(), chatID: ch.id, clientID: cl.id, name: cmp.Or(strings.TrimSpace(opt.Name), cl.name),
		seq: c.nextSeqLocked(), companyID: ch.companyID, channel: ch.channel, messengerType: ch.messengerType,
		ttl: cmp.Or(opt.TTL, ch.sessionTTL), status: StatusActive, startedAt: now, clientOnlineAt: now,
	}
	c.sessions[s.id] = s
	var replies []BotReply
	if opt.BotID != "" {
		s.botStatus = BotStatusActive
		greeting := &message{authorType: authorBot, authorID: opt.BotID, authorName: seedBotName,
			body: "Здравствуйте! Я бот-помощник. Чем могу помочь?", createdAt: now}
		c.appendMessageLocked(s, greeting)
		replies = append(replies, BotReply{
			MessageID: greeting.id, AuthorID: greeting.authorID, AuthorType: authorBot, Body: greeting.body,
			Actions: map[string]string{}, Answers: []any{}, Keyboard: []any{}, Attachments: []Attachment{},
		})
	} else {
		c.assignLocked(s, opt.OperatorID, evChatSessionStarted)
	}
	if hasFirst {
		if _, err := c.clientMessageLocked(s, first); err != nil {
			return StartResult{}, err
		}
	}
	return StartResult{Session: c.entityLocked(s), Started: startedOf(s, replies)}, nil
}

// startedOf renders the Started-session answer (§6.4).
func startedOf(s *session, replies []BotReply) StartedSession {
	if replies == nil {
		replies = []BotReply{}
	}
	return StartedSession{ID: s.id, ClientID: s.clientID, StartedAt: *formatTime(s.startedAt), TTL: s.ttl, Messages: replies}
}

// lastOpenSessionLocked is the client's newest ACTIVE session of a chat.
func (c *Sessions) lastOpenSessionLocked(clientID, chatID string) *session {
	var last *session
	for _, s := range c.sessions {
		if s.clientID == clientID && s.chatID == chatID && s.status == StatusActive && (last == nil || s.seq > last.seq) {
			last = s
		}
	}
	return last
}

// assignLocked gives s to operatorID (0: the least-busy ACTIVE operator)
// and publishes event to it; with nobody to assign, operatorNotFound goes
// to the help audience (ACTIVE and PAUSED operators) and s waits in the
// help queue. The widget sockets get operatorChangedEmit, from the bot
// after a handover.
func (c *Sessions) assignLocked(s *session, operatorID int, event string) {
	if operatorID == 0 {
		operatorID = c.leastBusyLocked(s.companyID)
	}
	if operatorID == 0 {
		c.publishAll(c.helpAudienceLocked(s.companyID), 0, evOperatorNotFound, c.entityLocked(s))
		return
	}
	prev := c.operatorPartyLocked(s.operatorID)
	if event == evSwitchedFromBotToOperator {
		prev = botPartyLocked(s)
	}
	c.makeMainLocked(s, operatorID)
	c.publish(operatorID, event, c.entityLocked(s))
	c.notifyOperatorChangedLocked(s, prev)
}

// makeMainLocked puts operatorID first among the members, as the session's
// operator.
func (c *Sessions) makeMainLocked(s *session, operatorID int) {
	now := c.stamp()
	s.operatorID, s.operatorAssignedAt = operatorID, now
	s.members = append([]sessionMember{{id: operatorID, assignedAt: now}}, withoutMember(s.members, operatorID)...)
}

// withoutMember returns members minus id.
func withoutMember(members []sessionMember, id int) []sessionMember {
	return slices.DeleteFunc(slices.Clone(members), func(m sessionMember) bool { return m.id == id })
}

// Get returns one session of the user's company.
func (c *Sessions) Get(user iam.User, id string) (Session, error) {
	return withUserSession(c.model, user, id, anySession, func(s *session) (Session, error) {
		return c.entityLocked(s), nil
	})
}

// Close closes a session (DELETE /sessions/{id}) with an optional
// result and publishes chatSessionDeleted (the Session) to its other
// operators. Closing a closed session changes nothing.
func (c *Sessions) Close(user iam.User, id, result string) error {
	return c.changeSession(user, id, anySession, func(s *session) error {
		if s.status != StatusClosed {
			s.status, s.result = StatusClosed, result
			c.publishAll(s.memberIDs(), user.ID, evChatSessionDeleted, c.entityLocked(s))
		}
		return nil
	})
}

// Rename sets the session's name. Nothing is published.
func (c *Sessions) Rename(user iam.User, id, name string) error {
	return c.changeSession(user, id, anySession, func(s *session) error {
		if strings.TrimSpace(name) == "" {
			return httpapi.ValidationError(http.StatusUnprocessableEntity, map[string]string{"name": "required"})
		}
		s.name = name
		return nil
	})
}

// SetSpam marks or unmarks a session as spam. Nothing is published.
func (c *Sessions) SetSpam(user iam.User, id string, spam bool) error {
	return c.changeSession(user, id, anySession, func(s *session) error {
		s.markedAsSpam = spam
		return nil
	})
}

// assignableLocked checks that operator id can receive sessions of s.
func (c *Sessions) assignableLocked(s *session, id int) error {
	op, err := c.companyOperator(id, s.companyID)
	if err == nil && op.Blocked {
		return errOperatorBlocked
	}
	return err
}

// Transfer switches the session to operator target (PATCH): target gets
// chatSessionAdded, the previous operator chatSessionDeleted (the Session
// each time, with previousOperator set), the widget operatorChangedEmit.
func (c *Sessions) Transfer(user iam.User, id string, target int) error {
	return c.changeSession(user, id, openSession, func(s *session) error {
		if err := c.assignableLocked(s, target); err != nil {
			return err
		}
		c.transferLocked(s, target)
		return nil
	})
}

func (c *Sessions) transferLocked(s *session, target int) {
	prev := s.operatorID
	if prev == target {
		return
	}
	prevParty := c.operatorPartyLocked(prev)
	if prev == 0 && s.botStatus == BotStatusActive {
		prevParty = botPartyLocked(s)
	}
	s.members = withoutMember(s.members, prev)
	c.makeMainLocked(s, target)
	if prev != 0 {
		s.previousOperator = prev
	}
	if s.botStatus == BotStatusActive {
		s.botStatus = botStatusFinished
	}
	entity := c.entityLocked(s)
	c.publish(target, evChatSessionAdded, entity)
	if prev != 0 {
		c.publish(prev, evChatSessionDeleted, entity)
	}
	c.notifyOperatorChangedLocked(s, prevParty)
}

// AddOperator adds target to the session as a helper (PUT), or as its
// operator when it had none, and publishes chatSessionAdded to target. A
// new operator (not a helper) is announced to the widget.
func (c *Sessions) AddOperator(user iam.User, id string, target int) error {
	return c.changeSession(user, id, openSession, func(s *session) error {
		if err := c.assignableLocked(s, target); err != nil || s.hasMember(target) {
			return err
		}
		wasUnassigned := s.operatorID == 0
		if wasUnassigned {
			c.makeMainLocked(s, target)
		} else {
			s.members = append(s.members, sessionMember{id: target, assignedAt: c.stamp()})
		}
		c.publish(target, evChatSessionAdded, c.entityLocked(s))
		if wasUnassigned {
			c.notifyOperatorChangedLocked(s, widgetParty{})
		}
		return nil
	})
}

// RemoveOperator takes target out of the session (DELETE) and publishes
// chatSessionDeleted to it. When the session is left without operators,
// operatorNotFound goes to the rest of the help audience; when a helper
// takes over, the widget gets operatorChangedEmit.
func (c *Sessions) RemoveOperator(user iam.User, id string, target int) error {
	return c.changeSession(user, id, openSession, func(s *session) error {
		if _, err := c.companyOperator(target, s.companyID); err != nil {
			return err
		}
		if !s.hasMember(target) {
			return errNotMember
		}
		s.members = withoutMember(s.members, target)
		if s.operatorID == target {
			s.previousOperator = target
			s.operatorID, s.operatorAssignedAt = 0, time.Time{}
			if len(s.members) > 0 {
				c.makeMainLocked(s, s.members[0].id)
				c.notifyOperatorChangedLocked(s, c.operatorPartyLocked(target))
			}
		}
		entity := c.entityLocked(s)
		c.publish(target, evChatSessionDeleted, entity)
		if s.operatorID == 0 {
			c.publishAll(c.helpAudienceLocked(s.companyID), target, evOperatorNotFound, entity)
		}
		return nil
	})
}

// TransferToGroup hands the session to the first ACTIVE operator of the
// group other than its current one, as Transfer does. Without one, the
// session loses its operators (each gets chatSessionDeleted) and waits in
// the help queue: operatorNotFound goes to the rest of the help audience.
func (c *Sessions) TransferToGroup(user iam.User, id string, groupID int) error {
	return c.changeSession(user, id, openSession, func(s *session) error {
		gi := slices.IndexFunc(c.groups, func(g Group) bool { return g.ID == groupID })
		if gi < 0 {
			return errGroupNotFound
		}
		active := c.activeOperatorsLocked(s.companyID)
		for _, candidate := range c.groups[gi].OperatorIDs {
			if candidate != s.operatorID && slices.Contains(active, candidate) {
				c.transferLocked(s, candidate)
				return nil
			}
		}
		old := s.memberIDs()
		if s.operatorID != 0 {
			s.previousOperator = s.operatorID
		}
		s.operatorID, s.operatorAssignedAt, s.members = 0, time.Time{}, nil
		entity := c.entityLocked(s)
		c.publishAll(old, 0, evChatSessionDeleted, entity)
		for _, id := range c.helpAudienceLocked(s.companyID) {
			if !slices.Contains(old, id) {
				c.publish(id, evOperatorNotFound, entity)
			}
		}
		return nil
	})
}

// Handover ends the bot's part: the session goes to operatorID (0: the
// least-busy ACTIVE operator), who gets chatSessionSwitchedFromBotToOperator
// (the Session); with nobody ACTIVE, operatorNotFound as for a new session.
func (c *Sessions) Handover(id string, operatorID int) (Session, error) {
	return withSession(c.model, id, openSession, func(s *session) (Session, error) {
		if s.botStatus != BotStatusActive {
			return Session{}, errNotWithBot
		}
		if operatorID != 0 {
			if err := c.assignableLocked(s, operatorID); err != nil {
				return Session{}, err
			}
		}
		s.botStatus = botStatusFinished
		c.assignLocked(s, operatorID, evSwitchedFromBotToOperator)
		return c.entityLocked(s), nil
	})
}

// leastBusyLocked picks the operator a new session goes to: among the
// ACTIVE operators, those holding a live connection come first, so a
// newcomer who logs in and starts a chat sees it arrive; among them (or, with
// nobody connected, among all ACTIVE ones) the one with the fewest open
// sessions, lowest id on a tie. 0 means nobody is ACTIVE.
func (c *Sessions) leastBusyLocked(companyID int) int {
	load := map[int]int{}
	for _, s := range c.sessions {
		if s.status == StatusActive && s.operatorID != 0 {
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
