package chat

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"twin-panel/sandbox/internal/testkit"
)

func TestVisitorConversation(t *testing.T) {
	ct := newChatTest(t)
	status, s := ct.visitor("session", map[string]any{"clientName": "Пётр", "operatorId": 389, "message": "Добрый день!"})
	if status != http.StatusOK || s["operatorId"] != "389" || s["name"] != "Пётр" || s["status"] != "ACTIVE" || s["unreadClientMessageCount"] != 1.0 {
		t.Fatalf("session: %d %v", status, s)
	}
	id, clientID := s["id"].(string), s["clientId"].(string)
	got := ct.wantEvents("389 chatSessionStarted", "389 chatMessageCreated")
	if got[0].data["id"] != id || got[0].data["lastMessage"] != nil || got[1].data["body"] != "Добрый день!" || got[1].data["authorType"] != "CLIENT" || got[1].data["authorId"] != clientID {
		t.Fatalf("events = %v", got)
	}

	_, msg := ct.visitor("message", map[string]any{"sessionId": id, "body": "Есть вопрос"})
	if msg["authorName"] != "Пётр" || msg["sessionId"] != id {
		t.Fatalf("message = %v", msg)
	}
	ct.wantEvents("389 chatMessageCreated")

	_, typing := ct.visitor("typing", map[string]any{"sessionId": id})
	got = ct.wantEvents("389 typing")
	if got[0].data["sessionId"] != id || got[0].data["authorType"] != "CLIENT" || got[0].data["authorId"] != clientID || typing["sessionId"] != id {
		t.Fatalf("typing = %v", got[0].data)
	}

	ct.clock.Advance(time.Minute)
	ct.visitor("online", map[string]any{"sessionId": id, "online": false})
	got = ct.wantEvents("389 clientOffline")
	if got[0].data["sessionId"] != id || got[0].data["clientId"] != clientID || got[0].data["at"] != "2026-11-24T10:01:00+00:00" {
		t.Fatalf("clientOffline = %v", got[0].data)
	}
	ct.visitor("online", map[string]any{"sessionId": id, "online": true})
	ct.wantEvents("389 clientOnline")
	if status, out := ct.visitor("online", map[string]any{"sessionId": id}); status != http.StatusBadRequest {
		t.Fatalf("online without a flag: %d %v", status, out)
	}

	reply := ct.ok(389, http.MethodPost, "/sessions/"+id+"/operators/messages", map[string]any{"body": "Слушаю вас"})
	ct.wantEvents()
	_, read := ct.visitor("read", map[string]any{"sessionId": id, "messageId": reply["id"]})
	got = ct.wantEvents("389 chatMessageRead")
	if got[0].data["messageId"] != reply["id"] || got[0].data["sessionId"] != id || got[0].data["readAt"] != "2026-11-24T10:01:00+00:00" || read["readAt"] == nil {
		t.Fatalf("chatMessageRead = %v", got[0].data)
	}

	_, closed := ct.visitor("close", map[string]any{"sessionId": id})
	got = ct.wantEvents("389 sessionClosedByClient")
	if got[0].data["status"] != "CLOSED" || closed["status"] != "CLOSED" {
		t.Fatalf("closed = %v", got[0].data)
	}
	status, out := ct.visitor("message", map[string]any{"sessionId": id, "body": "ещё"})
	testkit.WantError(t, status, out, http.StatusForbidden, "Session is closed.")
	status, out = ct.visitor("close", map[string]any{"sessionId": id})
	testkit.WantError(t, status, out, http.StatusForbidden, "Session is closed.")
	status, out = ct.visitor("typing", map[string]any{"sessionId": "nope"})
	testkit.WantError(t, status, out, http.StatusNotFound, "Session not found.")
	status, out = ct.visitor("message", map[string]any{"body": "x"})
	testkit.WantError(t, status, out, http.StatusBadRequest, "Validation failed.")
}

func TestVisitorSessionAssignment(t *testing.T) {
	ct := newChatTest(t)
	// 389 runs two open sessions, 472 one (helping with John's does not
	// count), so 472 is the least busy.
	_, s := ct.visitor("session", map[string]any{})
	if s["operatorId"] != "472" || !strings.HasPrefix(s["name"].(string), "Гость ") || s["chatId"] != seedChatWeb {
		t.Fatalf("least busy: %v", s)
	}
	ct.wantEvents("472 chatSessionStarted")

	// Nobody ACTIVE: operatorNotFound to the operators at work (PAUSED too).
	ct.ok(389, http.MethodPost, "/users/me/pause", nil)
	ct.ok(472, http.MethodPost, "/users/me/pause", nil)
	_, s = ct.visitor("session", map[string]any{"clientId": seedClientAnna})
	if s["operatorId"] != nil || s["clientId"] != seedClientAnna || s["name"] != "Анна Смирнова" {
		t.Fatalf("unassigned: %v", s)
	}
	ct.wantEvents("389 operatorNotFound", "472 operatorNotFound", "494 operatorNotFound")
	// The queue hears the client too.
	ct.visitor("message", map[string]any{"sessionId": s["id"], "body": "Алло?"})
	ct.wantEvents("389 chatMessageCreated", "472 chatMessageCreated", "494 chatMessageCreated")

	for _, tc := range []struct {
		body    map[string]any
		status  int
		message string
	}{
		{map[string]any{"chatId": "nope"}, http.StatusNotFound, "Chat not found."},
		{map[string]any{"operatorId": 999}, http.StatusNotFound, "Operator not found."},
		{map[string]any{"clientId": seedClientSpam}, http.StatusForbidden, "Client is banned."},
		{map[string]any{"clientId": seedClientOther}, http.StatusForbidden, "Client belongs to another company."},
		{map[string]any{"attachments": []string{"nope"}}, http.StatusUnprocessableEntity, "Validation failed."},
	} {
		status, out := ct.visitor("session", tc.body)
		testkit.WantError(t, status, out, tc.status, tc.message)
	}
	ct.wantEvents()
}

func TestBotHandover(t *testing.T) {
	ct := newChatTest(t)
	_, s := ct.visitor("session", map[string]any{"bot": true, "message": "Хочу оператора"})
	if s["botStatus"] != "ACTIVE" || s["operatorId"] != nil {
		t.Fatalf("bot session: %v", s)
	}
	ct.wantEvents() // the bot's sessions are nobody's business yet
	_, h := ct.visitor("handover", map[string]any{"sessionId": s["id"], "operatorId": "389"})
	got := ct.wantEvents("389 chatSessionSwitchedFromBotToOperator")
	if h["botStatus"] != "FINISHED" || got[0].data["operatorId"] != "389" || got[0].data["lastMessage"].(map[string]any)["body"] != "Хочу оператора" {
		t.Fatalf("handover: %v / %v", h, got[0].data)
	}
	status, out := ct.visitor("handover", map[string]any{"sessionId": s["id"]})
	testkit.WantError(t, status, out, http.StatusUnprocessableEntity, "Session is not with the bot.")
}

func TestPublicStartAndClientMessages(t *testing.T) {
	ct := newChatTest(t)
	status, started := testkit.Call(t, http.MethodPost, ct.base+"/chats/"+seedChatWeb+"/sessions", nil,
		map[string]any{"clientId": "visitor-42", "clientName": "Visitor 42", "messageBody": "Hi there", "sessionTtl": 600})
	if status != http.StatusOK || started["clientId"] != "visitor-42" || started["ttl"] != 600.0 || started["startedAt"] != "2026-11-24T10:00:00+00:00" {
		t.Fatalf("start: %d %v", status, started)
	}
	if msgs, ok := started["messages"].([]any); !ok || len(msgs) != 0 || len(started) != 5 {
		t.Fatalf("started-session shape: %v", started)
	}
	id := started["id"].(string)
	ct.wantEvents("472 chatSessionStarted", "472 chatMessageCreated")

	// PUT continues the client's open session.
	status, again := testkit.Call(t, http.MethodPut, ct.base+"/chats/"+seedChatWeb+"/sessions", nil, map[string]any{"clientId": "visitor-42", "messageBody": "Still there?"})
	if status != http.StatusOK || again["id"] != id {
		t.Fatalf("continue: %d %v", status, again)
	}
	ct.wantEvents("472 chatMessageCreated")
	// ... or starts one when there is none.
	status, fresh := testkit.Call(t, http.MethodPut, ct.base+"/chats/"+seedChatTelegram+"/sessions", nil, map[string]any{"clientId": "visitor-42"})
	if status != http.StatusOK || fresh["id"] == id {
		t.Fatalf("continue without an open session: %d %v", status, fresh)
	}
	ct.pub.Take()

	// With a bot, the answer carries its greeting.
	_, botStarted := testkit.Call(t, http.MethodPost, ct.base+"/chats/"+seedChatWeb+"/sessions", nil, map[string]any{"botId": SeedBotID})
	if msgs := botStarted["messages"].([]any); len(msgs) != 1 || msgs[0].(map[string]any)["authorType"] != "BOT" {
		t.Fatalf("bot start: %v", botStarted)
	}

	created := ct.ok(0, http.MethodPost, "/sessions/"+id+"/clients/messages", map[string]any{"body": "One more thing"})
	if len(created) != 2 || created["id"] == nil || created["createdAt"] != "2026-11-24T10:00:00+00:00" {
		t.Fatalf("client message: %v", created)
	}
	ct.wantEvents("472 chatMessageCreated")
	status, out := ct.as(0, http.MethodPost, "/sessions/"+id+"/clients/messages", map[string]any{})
	testkit.WantError(t, status, out, http.StatusUnprocessableEntity, "Validation failed.")
	status, out = ct.as(0, http.MethodPost, "/sessions/nope/clients/messages", map[string]any{"body": "x"})
	testkit.WantError(t, status, out, http.StatusNotFound, "Session not found.")
	status, out = ct.as(0, http.MethodPost, "/chats/nope/sessions", map[string]any{})
	testkit.WantError(t, status, out, http.StatusNotFound, "Chat not found.")
}

func TestOperatorAccountEvents(t *testing.T) {
	ct := newChatTest(t)
	// A second login while a connection is live tells the old one.
	testkit.Login(t, ct.root, testkit.OperatorLogin(nil))
	ct.wantEvents()
	ct.presence.set("389", true)
	testkit.Login(t, ct.root, testkit.OperatorLogin(nil))
	got := ct.wantEvents("389 chatUserExists")
	if got[0].data["operatorId"] != "389" {
		t.Fatalf("chatUserExists = %v", got[0].data)
	}
	if err := ct.chats.Operators.Logout(389); err != nil {
		t.Fatal(err)
	}
	ct.wantEvents("389 operatorLoggedOut")
	if ct.chats.Operators.Status(389) != "OFFLINE" {
		t.Fatalf("status after logout: %s", ct.chats.Operators.Status(389))
	}
	ct.chats.Operators.NotifyBlocked(494)
	ct.wantEvents("494 operatorBlocked")
}

func TestParseISOTime(t *testing.T) {
	want := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for _, raw := range []string{
		"2026-11-24T10:00:00+00:00",
		"2026-11-24T10:00:00 00:00", // "+" decoded as a space
		"2026-11-24T13:00:00 03:00",
		"2026-11-24T10:00:00Z",
		"2026-11-24T10:00:00.000Z",
		"2026-11-24T10:00:00+0000",
		"2026-11-24T10:00:00",
	} {
		got, err := parseISOTime(raw)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: %v, %v", raw, got, err)
		}
	}
	if _, err := parseISOTime("24.11.2026"); err == nil {
		t.Error("a non-ISO date was accepted")
	}
}

// TestNewChatsReachAConnectedOperator is the demo's first chat: the README's
// operator logs in, the panel connects, a visitor writes. Without the
// connection preference the least-busy rule would pick 472, who is ACTIVE
// but has nobody watching.
func TestNewChatsReachAConnectedOperator(t *testing.T) {
	ct := newChatTest(t)
	ct.presence.set("389", true)
	for range 3 {
		status, started := testkit.Call(t, http.MethodPost, ct.base+"/chats/"+seedChatWeb+"/sessions", nil,
			map[string]any{"messageBody": "Hello?"})
		if status != http.StatusOK {
			t.Fatalf("start: %d %v", status, started)
		}
		ct.wantEvents("389 chatSessionStarted", "389 chatMessageCreated")
	}
	_, s := ct.visitor("session", map[string]any{})
	if s["operatorId"] != "389" {
		t.Fatalf("test API start went to %v", s["operatorId"])
	}
	ct.wantEvents("389 chatSessionStarted")

	// Two connected operators share by load again: 472 has fewer sessions.
	ct.presence.set("472", true)
	_, s = ct.visitor("session", map[string]any{})
	if s["operatorId"] != "472" {
		t.Fatalf("with 389 and 472 connected: %v", s["operatorId"])
	}
	ct.pub.Take()

	// A connected operator who paused takes nothing; the ACTIVE one does.
	ct.ok(389, http.MethodPost, "/users/me/pause", nil)
	ct.presence.set("472", false)
	_, s = ct.visitor("session", map[string]any{})
	if s["operatorId"] != "472" {
		t.Fatalf("389 paused, 472 ACTIVE but offline: %v", s["operatorId"])
	}
}
