package chat

import (
	"fmt"
	"time"
)

// Seeded ids, fixed so tests and the demo can name them.
const (
	seedChatWeb      = "chat-web-1"
	seedChatTelegram = "chat-telegram-1"
	seedChatOther    = "chat-other-1" // company 2: its sessions answer 403

	seedSessionAnna  = "5e550000-0000-4000-8000-000000000001" // 389, ACTIVE, attachment, 2 unread
	seedSessionJohn  = "5e550000-0000-4000-8000-000000000002" // 389 + helper 472, ACTIVE, from the bot
	seedSessionIvan  = "5e550000-0000-4000-8000-000000000003" // 389, CLOSED
	seedSessionSpam  = "5e550000-0000-4000-8000-000000000004" // 389, CLOSED, spam, banned client
	seedSessionMaria = "5e550000-0000-4000-8000-000000000005" // 472, ACTIVE
	seedSessionGuest = "5e550000-0000-4000-8000-000000000006" // nobody (help queue), ACTIVE
	seedSessionOther = "5e550000-0000-4000-8000-000000000007" // company 2

	seedClientAnna  = "c1e00000-0000-4000-8000-000000000001"
	seedClientJohn  = "c1e00000-0000-4000-8000-000000000002"
	seedClientIvan  = "c1e00000-0000-4000-8000-000000000003"
	seedClientSpam  = "c1e00000-0000-4000-8000-000000000004" // banned
	seedClientMaria = "c1e00000-0000-4000-8000-000000000005"
	seedClientGuest = "c1e00000-0000-4000-8000-000000000006"
	seedClientOther = "c1e00000-0000-4000-8000-000000000007" // company 2

	seedFileScreenshot = "f11e0000-0000-4000-8000-000000000001"
	seedFilePriceList  = "f11e0000-0000-4000-8000-000000000002"

	SeedBotID   = "b0700000-0000-4000-8000-000000000001"
	seedBotName = "Бот магазина"
)

// seedScreenshot is a tiny image for the seeded attachment.
const seedScreenshot = `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="80">` +
	`<rect width="240" height="80" fill="#fde8e8"/>` +
	`<text x="16" y="46" font-family="sans-serif" font-size="16" fill="#b91c1c">Ошибка оплаты: 402</text></svg>`

// SeedChat is a seeded chat as `-describe` lists it.
type SeedChat struct {
	ID   string
	Name string
}

// SeedChats lists the chats every sandbox starts with.
func SeedChats() []SeedChat {
	var out []SeedChat
	for _, ch := range seedChats() {
		out = append(out, SeedChat{ID: ch.id, Name: ch.name})
	}
	return out
}

// seedChats are the chats of both seeded companies.
func seedChats() []*chatConfig {
	return []*chatConfig{
		{id: seedChatWeb, companyID: 1, name: "Сайт twin.local", channel: "WEB", messengerType: "WEB", sessionTTL: 86400},
		{id: seedChatTelegram, companyID: 1, name: "Telegram @twin_shop_bot", channel: "MESSENGER", messengerType: "TELEGRAM", sessionTTL: 86400},
		{id: seedChatOther, companyID: 2, name: "Другая компания (its sessions answer 403 to company 1)", channel: "WEB", messengerType: "WEB", sessionTTL: 3600},
	}
}

// seedLocked fills an empty model: chats, clients, groups, operator
// statuses and sessions with messages, dated relative to now.
func (c *model) seedLocked(now time.Time) {
	for _, ch := range seedChats() {
		c.chats[ch.id] = ch
	}
	for _, cl := range []*chatClient{
		{id: seedClientAnna, companyID: 1, name: "Анна Смирнова"},
		{id: seedClientJohn, companyID: 1, name: "John Smith"},
		{id: seedClientIvan, companyID: 1, name: "Иван Петров"},
		{id: seedClientSpam, companyID: 1, name: "Бесплатные iPhone", banned: true},
		{id: seedClientMaria, companyID: 1, name: "Мария Кузнецова"},
		{id: seedClientGuest, companyID: 1, name: "Гость 4821"},
		{id: seedClientOther, companyID: 2, name: "Other Company Client"},
	} {
		c.clients[cl.id] = cl
	}
	c.groups = []Group{
		{ID: 1, Name: "Support", OperatorIDs: []int{389, 472}},
		{ID: 2, Name: "Sales", OperatorIDs: []int{494, 472}},
		{ID: 3, Name: "Ночная смена", OperatorIDs: []int{494, 500}},
	}
	c.statuses = map[int]string{389: StatusActive, 472: StatusActive, 494: StatusPaused, 500: StatusOffline}
	screenshot := c.addFileLocked(seedFileScreenshot, "screenshot.svg", "image/svg+xml", []byte(seedScreenshot), now.Add(-5*time.Minute))
	c.addFileLocked(seedFilePriceList, "price-list.txt", "text/plain; charset=utf-8", []byte("Тарифы: Старт — 990 ₽, Бизнес — 2990 ₽\n"), now.Add(-24*time.Hour))

	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	msgN := 0
	add := func(s *session, authorType string, authorID int, body string, at time.Time, read bool, atts ...Attachment) {
		msgN++
		m := &message{id: fmt.Sprintf("3e550000-0000-4000-8000-%012d", msgN), authorType: authorType, body: body, createdAt: at, attachments: atts}
		switch authorType {
		case authorOperator:
			m.authorID, m.authorName = operatorIDString(authorID), c.operatorName(authorID)
		case authorBot:
			m.authorID, m.authorName = SeedBotID, seedBotName
		default:
			m.authorID, m.authorName = s.clientID, c.clients[s.clientID].name
		}
		if read {
			m.readAt = at.Add(30 * time.Second)
		}
		c.appendMessageLocked(s, m)
	}
	mk := func(id, chatID, clientID string, started time.Duration, operators ...int) *session {
		ch := c.chats[chatID]
		s := &session{
			id: id, chatID: chatID, clientID: clientID, name: c.clients[clientID].name,
			seq: c.nextSeqLocked(), companyID: ch.companyID, channel: ch.channel, messengerType: ch.messengerType,
			ttl: ch.sessionTTL, status: StatusActive, startedAt: ago(started), clientOnlineAt: ago(started),
		}
		for i, op := range operators {
			at := ago(started - time.Minute)
			if i == 0 {
				s.operatorID, s.operatorAssignedAt = op, at
			}
			s.members = append(s.members, sessionMember{id: op, assignedAt: at})
		}
		c.sessions[id] = s
		return s
	}

	anna := mk(seedSessionAnna, seedChatWeb, seedClientAnna, 50*time.Minute, 389)
	anna.tags = "оплата"
	add(anna, authorClient, 0, "Здравствуйте! Не проходит оплата заказа.", ago(50*time.Minute), true)
	add(anna, authorOperator, 389, "Добрый день! Подскажите, пожалуйста, номер заказа.", ago(48*time.Minute), true)
	add(anna, authorClient, 0, "Заказ 10-2417, вот скриншот ошибки", ago(5*time.Minute), false, screenshot)
	add(anna, authorClient, 0, "Карта Visa, банк говорит, что всё в порядке", ago(4*time.Minute), false)

	john := mk(seedSessionJohn, seedChatTelegram, seedClientJohn, 20*time.Minute, 389, 472)
	john.botStatus = botStatusFinished
	add(john, authorBot, 0, "Hello! I am the shop bot. How can I help?", ago(20*time.Minute), true)
	add(john, authorClient, 0, "I need a human, please", ago(19*time.Minute), true)
	add(john, authorOperator, 389, "Hi John, I'm here. How can I help?", ago(18*time.Minute), true)
	add(john, authorClient, 0, "Where is my parcel? Tracking says it's stuck in Moscow.", ago(2*time.Minute), false)

	ivan := mk(seedSessionIvan, seedChatWeb, seedClientIvan, 26*time.Hour, 389)
	add(ivan, authorClient, 0, "Добрый вечер, как вернуть товар?", ago(26*time.Hour), true)
	add(ivan, authorOperator, 389, "Здравствуйте, Иван! Оформите возврат в личном кабинете, раздел «Заказы».", ago(26*time.Hour-2*time.Minute), true)
	add(ivan, authorClient, 0, "Спасибо, получилось!", ago(26*time.Hour-5*time.Minute), true)
	ivan.status, ivan.result, ivan.clientOfflineAt = StatusClosed, "resolved", ago(26*time.Hour-6*time.Minute)

	spam := mk(seedSessionSpam, seedChatWeb, seedClientSpam, 3*time.Hour, 389)
	add(spam, authorClient, 0, "Бесплатные iPhone! Переходите по ссылке", ago(3*time.Hour), true)
	spam.status, spam.markedAsSpam, spam.clientOfflineAt = StatusClosed, true, ago(3*time.Hour-time.Minute)

	maria := mk(seedSessionMaria, seedChatWeb, seedClientMaria, 15*time.Minute, 472)
	add(maria, authorClient, 0, "Можно поменять адрес доставки?", ago(15*time.Minute), false)

	guest := mk(seedSessionGuest, seedChatWeb, seedClientGuest, 3*time.Minute)
	add(guest, authorClient, 0, "Есть кто живой?", ago(3*time.Minute), false)

	other := mk(seedSessionOther, seedChatOther, seedClientOther, 10*time.Minute)
	add(other, authorClient, 0, "Hello from another company", ago(10*time.Minute), false)
}
