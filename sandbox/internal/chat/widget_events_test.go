package chat

import (
	"maps"
	"net/http"
	"slices"
	"testing"

	"twin-panel/sandbox/internal/testkit"
)

// widgetEvent is one event a recordingWidget caught, data decoded.
type widgetEvent struct {
	sessionID string
	event     string
	data      map[string]any
}

// recordingWidget keeps widget events instead of emitting them.
type recordingWidget struct {
	testkit.Recorder[widgetEvent]
}

func (w *recordingWidget) NotifySession(sessionID, event string, data any) {
	decoded, err := testkit.Decode(data)
	if err != nil {
		panic(err)
	}
	w.Add(widgetEvent{sessionID: sessionID, event: event, data: decoded})
}

// newWidgetChatTest is newChatTest with the widget side recorded.
func newWidgetChatTest(t *testing.T) (*chatTest, *recordingWidget) {
	t.Helper()
	ct := newChatTest(t)
	rec := &recordingWidget{}
	ct.chats.SetWidget(rec)
	return ct, rec
}

// wantWidget checks the widget events since the last call: their names, in
// order, each for session id.
func wantWidget(t *testing.T, rec *recordingWidget, sessionID string, want ...string) []widgetEvent {
	t.Helper()
	got := rec.Take()
	names := make([]string, 0, len(got))
	for _, e := range got {
		names = append(names, e.event)
		if e.sessionID != sessionID {
			t.Fatalf("%s went to session %s, want %s", e.event, e.sessionID, sessionID)
		}
	}
	if !slices.Equal(names, want) {
		t.Fatalf("widget events = %q, want %q", names, want)
	}
	return got
}

// startFor starts a session for operator id (0: the usual assignment).
func startFor(t *testing.T, ct *chatTest, body map[string]any) map[string]any {
	t.Helper()
	status, s := ct.visitor("session", body)
	if status != http.StatusOK {
		t.Fatalf("visitor session: %d %v", status, s)
	}
	return s
}

func TestWidgetGetsOperatorMessagesButNoEchoOfTheClient(t *testing.T) {
	ct, rec := newWidgetChatTest(t)
	s := startFor(t, ct, map[string]any{"operatorId": 389, "message": "Hello"})
	id := s["id"].(string)
	rec.Take() // the start: assignment, tested below

	ct.ok(0, http.MethodPost, "/sessions/"+id+"/clients/messages", map[string]any{"body": "Anyone?"})
	wantWidget(t, rec, id)

	sent := ct.ok(389, http.MethodPost, "/sessions/"+id+"/operators/messages", map[string]any{
		"body": "Здравствуйте!", "attachments": []any{seedFilePriceList},
	})
	got := wantWidget(t, rec, id, "chatMessageCreatedEmit")[0].data
	keys := slices.Sorted(maps.Keys(got))
	wantKeys := []string{"actions", "answers", "attachments", "authorId", "authorName", "authorType", "avatar", "body", "createdAt", "id", "sessionId", "type"}
	if !slices.Equal(keys, wantKeys) {
		t.Fatalf("keys = %q, want the seed's %q", keys, wantKeys)
	}
	if got["id"] != sent["id"] || got["createdAt"] != sent["createdAt"] || got["authorId"] != "389" ||
		got["authorType"] != "OPERATOR" || got["authorName"] != "Первый Оператор V" || got["type"] != "REGULAR" ||
		got["body"] != "Здравствуйте!" || got["sessionId"] != id || got["avatar"] != nil {
		t.Fatalf("chatMessageCreatedEmit = %v", got)
	}
	if atts := got["attachments"].([]any); len(atts) != 1 || atts[0].(map[string]any)["id"] != seedFilePriceList {
		t.Fatalf("attachments = %v", got["attachments"])
	}
}

func TestWidgetHearsTheOperatorReadAndType(t *testing.T) {
	ct, rec := newWidgetChatTest(t)
	s := startFor(t, ct, map[string]any{"operatorId": 389, "message": "Hello"})
	id := s["id"].(string)
	msgs := testkit.Items(t, ct.ok(389, http.MethodGet, "/sessions/"+id+"/messages", nil))
	clientMsg := msgs[0]["id"].(string)
	rec.Take()

	ct.ok(389, http.MethodPatch, "/messages/"+clientMsg+"/read", nil)
	if got := wantWidget(t, rec, id, "chatMessageReadEmit")[0].data; len(got) != 1 || got["messageId"] != clientMsg {
		t.Fatalf("chatMessageReadEmit = %v", got)
	}
	ct.ok(389, http.MethodPatch, "/messages/"+clientMsg+"/read", nil)
	wantWidget(t, rec, id) // read once, announced once

	// Reading an operator's message is the client's business: no event.
	sent := ct.ok(389, http.MethodPost, "/sessions/"+id+"/operators/messages", map[string]any{"body": "Hi"})
	rec.Take()
	ct.ok(389, http.MethodPatch, "/messages/"+sent["id"].(string)+"/read", nil)
	wantWidget(t, rec, id)

	ct.pub.Take()
	if out := ct.ok(389, http.MethodPost, "/sessions/"+id+"/operators/typing", nil); len(out) != 0 {
		t.Fatalf("typing answer = %v, want {}", out)
	}
	got := wantWidget(t, rec, id, "showTypingIndicatorEmit")[0].data
	if got["authorType"] != "OPERATOR" || got["authorId"] != "389" || got["sessionId"] != id || len(got) != 3 {
		t.Fatalf("showTypingIndicatorEmit = %v", got)
	}
	ct.wantEvents() // operators hear nothing of their own typing

	for _, tc := range []struct {
		operator int
		session  string
		status   int
		message  string
	}{
		{472, id, http.StatusForbidden, "Session is not assigned to you."},
		{389, seedSessionIvan, http.StatusForbidden, "Session is closed."},
		{389, seedSessionOther, http.StatusForbidden, "Session belongs to another company."},
		{389, "nope", http.StatusNotFound, "Session not found."},
		{0, id, http.StatusUnauthorized, "Invalid token."},
	} {
		status, out := ct.as(tc.operator, http.MethodPost, "/sessions/"+tc.session+"/operators/typing", nil)
		testkit.WantError(t, status, out, tc.status, tc.message)
	}
	wantWidget(t, rec, id)
	if n := ct.stats.Snapshot().Requests["POST /sessions/{id}/operators/typing"]; n != 6 {
		t.Fatalf("typing requests counted %d, want 6", n)
	}
}

// operatorChange is the comparable part of operatorChangedEmit.
func operatorChange(t *testing.T, e widgetEvent) [4]any {
	t.Helper()
	for _, k := range []string{"avatar", "previousOperatorAvatar"} {
		if v, ok := e.data[k]; !ok || v != nil {
			t.Fatalf("%s = %v (present %t), want null", k, v, ok)
		}
	}
	return [4]any{e.data["operatorId"], e.data["operatorName"], e.data["previousOperatorId"], e.data["previousOperatorName"]}
}

func TestWidgetHearsWhoAnswers(t *testing.T) {
	ct, rec := newWidgetChatTest(t)
	s := startFor(t, ct, map[string]any{"operatorId": 389})
	id := s["id"].(string)
	if got := operatorChange(t, wantWidget(t, rec, id, "operatorChangedEmit")[0]); got != [4]any{"389", "Первый Оператор V", nil, nil} {
		t.Fatalf("first assignment = %v", got)
	}

	ct.ok(389, http.MethodPatch, "/sessions/"+id+"/operators/472", nil)
	if got := operatorChange(t, wantWidget(t, rec, id, "operatorChangedEmit")[0]); got != [4]any{"472", "II Dev", "389", "Первый Оператор V"} {
		t.Fatalf("transfer = %v", got)
	}
	ct.ok(472, http.MethodPatch, "/sessions/"+id+"/operators/472", nil)
	wantWidget(t, rec, id) // no change, no event

	// A helper is invisible to the visitor; it takes over when the operator leaves.
	ct.ok(472, http.MethodPut, "/sessions/"+id+"/operators/494", nil)
	wantWidget(t, rec, id)
	ct.ok(472, http.MethodDelete, "/sessions/"+id+"/operators/472", nil)
	if got := operatorChange(t, wantWidget(t, rec, id, "operatorChangedEmit")[0]); got != [4]any{"494", "III Operator", "472", "II Dev"} {
		t.Fatalf("helper takes over = %v", got)
	}
	// The last operator leaving sends the session to the queue: nobody to show.
	ct.ok(494, http.MethodDelete, "/sessions/"+id+"/operators/494", nil)
	wantWidget(t, rec, id)
	ct.ok(389, http.MethodPut, "/sessions/"+id+"/operators/389", nil)
	if got := operatorChange(t, wantWidget(t, rec, id, "operatorChangedEmit")[0]); got != [4]any{"389", "Первый Оператор V", nil, nil} {
		t.Fatalf("taken from the queue = %v", got)
	}

	// Support is [389, 472]: the group transfer goes to 472.
	ct.ok(389, http.MethodPatch, "/sessions/"+id+"/groupoperators/1", nil)
	if got := operatorChange(t, wantWidget(t, rec, id, "operatorChangedEmit")[0]); got != [4]any{"472", "II Dev", "389", "Первый Оператор V"} {
		t.Fatalf("group transfer = %v", got)
	}

	bot := startFor(t, ct, map[string]any{"bot": true})
	botID := bot["id"].(string)
	wantWidget(t, rec, botID)
	if status, out := ct.visitor("handover", map[string]any{"sessionId": botID, "operatorId": 494}); status != http.StatusOK {
		t.Fatalf("handover: %d %v", status, out)
	}
	if got := operatorChange(t, wantWidget(t, rec, botID, "operatorChangedEmit")[0]); got != [4]any{"494", "III Operator", SeedBotID, seedBotName} {
		t.Fatalf("handover = %v", got)
	}

	// An operator taking a session straight from the bot replaces the bot.
	bot = startFor(t, ct, map[string]any{"bot": true})
	botID = bot["id"].(string)
	ct.ok(389, http.MethodPatch, "/sessions/"+botID+"/operators/389", nil)
	if got := operatorChange(t, wantWidget(t, rec, botID, "operatorChangedEmit")[0]); got != [4]any{"389", "Первый Оператор V", SeedBotID, seedBotName} {
		t.Fatalf("transfer from the bot = %v", got)
	}
}

func TestWidgetHearsTheOperatorsStatusAndLogout(t *testing.T) {
	ct, rec := newWidgetChatTest(t)
	s := startFor(t, ct, map[string]any{"operatorId": 389})
	id := s["id"].(string)
	rec.Take()

	// Every open session 389 answers hears it, in creation order: Anna,
	// John (389 with helper 472), the new one. Maria (472) and the closed
	// ones do not.
	ct.ok(389, http.MethodPost, "/users/me/pause", nil)
	got := rec.Take()
	var sessions []string
	for _, e := range got {
		if e.event != "operatorStatusChangedEmit" || e.data["operatorId"] != "389" ||
			e.data["previousStatus"] != "ACTIVE" || e.data["currentStatus"] != "PAUSED" || len(e.data) != 3 {
			t.Fatalf("status event = %+v", e)
		}
		sessions = append(sessions, e.sessionID)
	}
	if want := []string{seedSessionAnna, seedSessionJohn, id}; !slices.Equal(sessions, want) {
		t.Fatalf("status went to %q, want %q", sessions, want)
	}
	ct.ok(389, http.MethodPost, "/users/me/pause", nil)
	if got := rec.Take(); len(got) != 0 {
		t.Fatalf("pausing twice sent %v", got)
	}
	ct.ok(472, http.MethodPost, "/users/me/activate", nil) // already ACTIVE
	if got := rec.Take(); len(got) != 0 {
		t.Fatalf("activating an active operator sent %v", got)
	}

	if err := ct.chats.Operators.Logout(389); err != nil {
		t.Fatal(err)
	}
	got = rec.Take()
	if len(got) != 3 {
		t.Fatalf("logout sent %v", got)
	}
	for _, e := range got {
		if e.event != "operatorLoggedOutEmit" || e.data["operatorId"] != "389" || len(e.data) != 1 {
			t.Fatalf("logout event = %+v", e)
		}
	}
}

func TestWidgetSessionAdmission(t *testing.T) {
	ct, _ := newWidgetChatTest(t)
	s := startFor(t, ct, map[string]any{"operatorId": 389})
	for _, tc := range []struct {
		id   string
		want error
	}{
		{s["id"].(string), nil},
		{seedSessionOther, nil}, // the widget side has no company
		{"", errSessionNotFound},
		{"nope", errSessionNotFound},
		{seedSessionIvan, errSessionClosed},
	} {
		if err := ct.chats.Clients.CheckWidgetSession(tc.id); err != tc.want {
			t.Errorf("WidgetSession(%q) = %v, want %v", tc.id, err, tc.want)
		}
	}
}
