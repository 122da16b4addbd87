// Package simulate plays visitors for the demo (-simulate): it starts
// sessions, writes, types, reads and leaves through the chats service.
package simulate

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"twin-panel/sandbox/internal/chat"
)

// Config paces the simulated visitors.
type Config struct {
	// MinInterval and MaxInterval bound the jittered pause between ticks.
	MinInterval, MaxInterval time.Duration
	// MaxOpen caps the simulated sessions open at once; the oldest is
	// closed to make room.
	MaxOpen int
	// Seed makes the choices repeatable; 0 picks a random seed.
	Seed uint64
}

// DefaultConfig is the demo's pace: a visitor acts every 4–8 s.
func DefaultConfig() Config {
	return Config{MinInterval: 4 * time.Second, MaxInterval: 8 * time.Second, MaxOpen: 30}
}

// Visitors plays visitors for the demo: it starts sessions for the seeded
// operators (mostly 389), writes small talk in Russian or English, types,
// goes offline and back, reads the operators' replies and sometimes leaves.
// Everything goes through the chats service, so operators get the real events.
type Visitors struct {
	chats *chat.Service
	cfg   Config
	rng   *rand.Rand

	open   []string          // simulated sessions, oldest first
	lang   map[string]string // session id → "ru" or "en"
	said   map[string]int    // session id → messages written
	names  map[string]string // session id → visitor name, unique among open sessions
	online map[string]bool   // session id → client online
}

// New returns a simulator over chats.
func New(chats *chat.Service, cfg Config) *Visitors {
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	return &Visitors{
		chats: chats, cfg: cfg, rng: rand.New(rand.NewPCG(seed, seed^0x5eed)),
		lang: map[string]string{}, said: map[string]int{}, online: map[string]bool{}, names: map[string]string{},
	}
}

// Run ticks until ctx is done.
func (s *Visitors) Run(ctx context.Context) {
	timer := time.NewTimer(s.pause())
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		s.Step()
		timer.Reset(s.pause())
	}
}

// pause is the jittered wait before the next tick.
func (s *Visitors) pause() time.Duration {
	spread := s.cfg.MaxInterval - s.cfg.MinInterval
	if spread <= 0 {
		return s.cfg.MinInterval
	}
	return s.cfg.MinInterval + time.Duration(s.rng.Int64N(int64(spread)))
}

// Step performs one visitor action.
func (s *Visitors) Step() {
	s.forgetClosed()
	switch {
	case len(s.open) >= s.cfg.MaxOpen:
		s.close(s.open[0])
	case len(s.open) < 3 || s.rng.IntN(100) < 20:
		s.start()
	default:
		s.act(s.open[s.rng.IntN(len(s.open))])
	}
}

// forgetClosed drops sessions an operator closed or a reset removed.
func (s *Visitors) forgetClosed() {
	s.open = slices.DeleteFunc(s.open, func(id string) bool {
		v, ok := s.chats.Clients.View(id)
		if ok && v.Status != chat.StatusClosed {
			return false
		}
		delete(s.lang, id)
		delete(s.said, id)
		delete(s.names, id)
		delete(s.online, id)
		return true
	})
}

// simulatedOperators are picked for new sessions: mostly the demo's 389.
var simulatedOperators = []int{389, 389, 389, 389, 389, 389, 389, 472, 494}

// start opens a session with a first message; one in ten starts with the
// bot and is handed over on a later tick. An operator who is not ACTIVE
// is not forced: the platform's own assignment decides.
func (s *Visitors) start() {
	lang := "ru"
	if s.rng.IntN(100) < 35 {
		lang = "en"
	}
	name := s.freeName(lang)
	opt := chat.StartOptions{ClientName: name, Message: pick(s.rng, openers[lang])}
	if s.rng.IntN(10) == 0 {
		opt.BotID = chat.SeedBotID
	} else if op := pick(s.rng, simulatedOperators); s.chats.Operators.Status(op) == chat.StatusActive {
		opt.OperatorID = op
	}
	res, err := s.chats.Sessions.Start(opt)
	if err != nil {
		return
	}
	id := res.Session.ID
	s.open = append(s.open, id)
	s.lang[id], s.said[id], s.online[id], s.names[id] = lang, 1, true, name
}

// freeName picks a visitor name no open simulated session uses: a stock
// name while one is free, else a numbered guest.
func (s *Visitors) freeName(lang string) string {
	used := map[string]bool{}
	for _, name := range s.names {
		used[name] = true
	}
	free := slices.DeleteFunc(slices.Clone(clientNames[lang]), func(name string) bool { return used[name] })
	if len(free) > 0 {
		return pick(s.rng, free)
	}
	for {
		if name := fmt.Sprintf(guestName[lang], 1000+s.rng.IntN(9000)); !used[name] {
			return name
		}
	}
}

// act makes the visitor of session id do something.
func (s *Visitors) act(id string) {
	v, ok := s.chats.Clients.View(id)
	if !ok {
		return
	}
	if v.BotStatus == chat.BotStatusActive {
		_, _ = s.chats.Sessions.Handover(id, 0)
		return
	}
	if !s.online[id] {
		s.online[id] = true
		_, _ = s.chats.Clients.SetOnline(id, true)
		return
	}
	if len(v.UnreadReplies) > 0 && s.rng.IntN(100) < 60 {
		for _, m := range v.UnreadReplies {
			_, _ = s.chats.Clients.Read(id, m)
		}
		return
	}
	switch roll := s.rng.IntN(100); {
	case roll < 8:
		s.online[id] = false
		_, _ = s.chats.Clients.SetOnline(id, false)
	case roll < 25:
		_, _ = s.chats.Clients.Typing(id)
	case roll < 30 || s.said[id] >= 8:
		s.close(id)
	default:
		s.said[id]++
		_, _ = s.chats.Clients.Write(id, chat.MessageInput{Body: pick(s.rng, smallTalk[s.lang[id]])})
	}
}

// close ends session id from the visitor's side.
func (s *Visitors) close(id string) {
	_, _ = s.chats.Clients.Close(id)
	s.forgetClosed()
}

func pick[T any](rng *rand.Rand, from []T) T { return from[rng.IntN(len(from))] }

var clientNames = map[string][]string{
	"ru": {"Алексей Иванов", "Ольга Соколова", "Дмитрий Орлов", "Екатерина Волкова", "Сергей Морозов", "Наталья Лебедева", "Гость 1187", "Ирина", "Павел К."},
	"en": {"Emma Brown", "Liam Wilson", "Olivia Taylor", "Noah Davies", "Guest 5521", "Sophie"},
}

// guestName numbers a visitor once every stock name is taken.
var guestName = map[string]string{"ru": "Гость %d", "en": "Guest %d"}

var openers = map[string][]string{
	"ru": {
		"Здравствуйте! Подскажите, где мой заказ?",
		"Добрый день, хочу поменять тариф",
		"Привет! Можно оплатить картой при получении?",
		"Здравствуйте, не приходит код подтверждения",
		"Добрый вечер! Как вернуть товар?",
	},
	"en": {
		"Hi! Where is my order?",
		"Hello, I'd like to change my plan",
		"Hey, can I pay by card on delivery?",
		"Hi there, the confirmation code never arrives",
	},
}

var smallTalk = map[string][]string{
	"ru": {
		"Номер заказа 10-3391",
		"А сколько это займёт времени?",
		"Хорошо, подожду",
		"Понятно, а доставка в выходные есть?",
		"Спасибо!",
		"Можно уточнить стоимость?",
		"Отлично, спасибо за помощь!",
		"Я уже пробовал, не получается 😕",
	},
	"en": {
		"Order number is 10-3391",
		"How long will it take?",
		"OK, I'll wait",
		"Do you deliver on weekends?",
		"Thanks!",
		"Could you tell me the price?",
		"Great, thanks for your help!",
	},
}
