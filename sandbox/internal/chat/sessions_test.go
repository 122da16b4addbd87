package chat

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"twin-panel/sandbox/internal/testkit"
)

func TestSessionListPaginationAndSort(t *testing.T) {
	ct := newChatTest(t)
	out := ct.ok(389, http.MethodGet, "/sessions", nil)
	list := testkit.Items(t, out)
	if out["count"] != 6.0 || len(list) != 6 {
		t.Fatalf("default list: count %v, %d testkit.Items", out["count"], len(list))
	}
	// Default order: newest first.
	wantIDs := []any{seedSessionGuest, seedSessionMaria, seedSessionJohn, seedSessionAnna, seedSessionSpam, seedSessionIvan}
	if got := testkit.Field(list, "id"); !reflect.DeepEqual(got, wantIDs) {
		t.Fatalf("default order = %v", got)
	}

	page := testkit.Items(t, ct.ok(389, http.MethodGet, "/sessions?limit=2&page=2", nil))
	if got := testkit.Field(page, "id"); !reflect.DeepEqual(got, wantIDs[2:4]) {
		t.Fatalf("page 2 = %v", got)
	}
	off := testkit.Items(t, ct.ok(389, http.MethodGet, "/sessions?limit=4&offset=4", nil))
	if got := testkit.Field(off, "id"); !reflect.DeepEqual(got, wantIDs[4:]) {
		t.Fatalf("offset 4 = %v", got)
	}
	byName := testkit.Items(t, ct.ok(389, http.MethodGet, "/sessions?sort=name&limit=1000", nil))
	wantNames := []any{"John Smith", "Анна Смирнова", "Бесплатные iPhone", "Гость 4821", "Иван Петров", "Мария Кузнецова"}
	if got := testkit.Field(byName, "name"); !reflect.DeepEqual(got, wantNames) {
		t.Fatalf("by name = %v", got)
	}
	// Several keys: status first (ACTIVE < CLOSED), then newest activity.
	multi := testkit.Items(t, ct.ok(389, http.MethodGet, "/sessions?sort=-status,-lastMessageCreatedAt", nil))
	if got := testkit.Field(multi, "id"); !reflect.DeepEqual(got, []any{seedSessionSpam, seedSessionIvan, seedSessionJohn, seedSessionGuest, seedSessionAnna, seedSessionMaria}) {
		t.Fatalf("by -status,-lastMessageCreatedAt = %v", got)
	}

	spamLast := testkit.Items(t, ct.ok(389, http.MethodGet, "/sessions?sort=markedAsSpam,+name&limit=100", nil))
	if spamLast[5]["id"] != seedSessionSpam || spamLast[0]["name"] != "John Smith" {
		t.Fatalf("by markedAsSpam,name = %v", testkit.Field(spamLast, "name"))
	}
	onlyCount := ct.ok(389, http.MethodGet, "/sessions?withoutItems=true", nil)
	if _, has := onlyCount["items"]; has || onlyCount["count"] != 6.0 {
		t.Fatalf("withoutItems = %v", onlyCount)
	}
	onlyItems := ct.ok(389, http.MethodGet, "/sessions?withoutCount=1&limit=1", nil)
	if _, has := onlyItems["count"]; has || len(testkit.Items(t, onlyItems)) != 1 {
		t.Fatalf("withoutCount = %v", onlyItems)
	}
	for _, bad := range []string{"sort=nope", "limit=0", "limit=x", "page=0", "offset=-1", "withoutCount=maybe", "from=yesterday"} {
		status, out := ct.as(389, http.MethodGet, "/sessions?"+bad, nil)
		testkit.WantError(t, status, out, http.StatusBadRequest, "Validation failed.")
	}
}

func TestSessionListFilters(t *testing.T) {
	ct := newChatTest(t)
	count := func(query string) float64 {
		t.Helper()
		return ct.ok(389, http.MethodGet, "/sessions?"+query, nil)["count"].(float64)
	}
	for query, want := range map[string]float64{
		"status=ACTIVE":              4,
		"status=CLOSED":              2,
		"status=ACTIVE,CLOSED":       6,
		"operatorId=389":             4,
		"operatorId=472":             2, // Maria's, and John's as a helper
		"chatId=" + seedChatTelegram: 1,
		"clientBanned=true":          1,
		"clientBanned=false":         5,
		"markedAsSpam=1":             1,
		"keyword=смирн":              1,
		"keyword=c1e00000":           6,
		"keyword=000000000003":       1,
		"name=john":                  1,
		"tags=оплата":                1,
		"sessionId=" + seedSessionIvan + "," + seedSessionJohn: 2,
		// The seed starts 50 min before 10:00; "+" arrives decoded as a space.
		"from=2026-11-24T09:30:00+00:00":                    3,
		"from=2026-11-24T09:30:00%2B00:00":                  3,
		"from=2026-11-24T09:30:00Z&to=2026-11-24T09:45:00Z": 2,
		"to=2026-11-24T09:00:00+00:00":                      2,
	} {
		if got := count(query); got != want {
			t.Errorf("%s: count %v, want %v", query, got, want)
		}
	}
}

func TestGetSessionErrors(t *testing.T) {
	ct := newChatTest(t)
	s := ct.ok(389, http.MethodGet, "/sessions/"+seedSessionAnna, nil)
	if s["name"] != "Анна Смирнова" || s["operatorId"] != "389" || s["unreadClientMessageCount"] != 2.0 || s["status"] != "ACTIVE" {
		t.Fatalf("session = %v", s)
	}
	ops := s["operators"].([]any)[0].(map[string]any)
	if ops["id"] != 389.0 || ops["assigned_at"] != "2026-11-24T09:11:00+00:00" || ops["name"] != "Первый Оператор V" {
		t.Fatalf("operators[0] = %v", ops)
	}
	last := s["lastMessage"].(map[string]any)
	if last["authorType"] != "CLIENT" || s["lastMessageCreatedAt"] != "2026-11-24T09:56:00+00:00" {
		t.Fatalf("lastMessage = %v", last)
	}
	status, out := ct.as(389, http.MethodGet, "/sessions/nope", nil)
	testkit.WantError(t, status, out, http.StatusNotFound, "Session not found.")
	status, out = ct.as(389, http.MethodGet, "/sessions/"+seedSessionOther, nil)
	testkit.WantError(t, status, out, http.StatusForbidden, "Session belongs to another company.")
	status, out = ct.as(0, http.MethodGet, "/sessions/"+seedSessionAnna, nil)
	testkit.WantError(t, status, out, http.StatusUnauthorized, "Invalid token.")
}

func TestRenameRoundTripsAnEncodedSlash(t *testing.T) {
	ct := newChatTest(t)
	name := "Иван / VIP #1"
	path := "/sessions/" + seedSessionIvan + "/names/" + url.PathEscape(name)
	if path != "/sessions/"+seedSessionIvan+"/names/%D0%98%D0%B2%D0%B0%D0%BD%20%2F%20VIP%20%231" {
		t.Fatalf("escaped path %s", path)
	}
	if out := ct.ok(389, http.MethodPatch, path, nil); len(out) != 0 {
		t.Fatalf("rename answer %v, want {}", out)
	}
	if got := ct.ok(389, http.MethodGet, "/sessions/"+seedSessionIvan, nil)["name"]; got != name {
		t.Fatalf("name = %q", got)
	}
	if list := testkit.Items(t, ct.ok(389, http.MethodGet, "/sessions?keyword="+url.QueryEscape("VIP #1"), nil)); len(list) != 1 {
		t.Fatalf("keyword search found %d", len(list))
	}
	status, out := ct.as(389, http.MethodPatch, "/sessions/"+seedSessionIvan+"/names/%20", nil)
	testkit.WantError(t, status, out, http.StatusUnprocessableEntity, "Validation failed.")
	status, out = ct.as(389, http.MethodPatch, "/sessions/nope/names/x", nil)
	testkit.WantError(t, status, out, http.StatusNotFound, "Session not found.")
	ct.wantEvents()
}

func TestTransferPublishesAddedAndDeleted(t *testing.T) {
	ct := newChatTest(t)
	ct.ok(389, http.MethodPatch, "/sessions/"+seedSessionAnna+"/operators/472", nil)
	got := ct.wantEvents("472 chatSessionAdded", "389 chatSessionDeleted")
	for _, e := range got {
		if e.data["id"] != seedSessionAnna || e.data["operatorId"] != "472" || e.data["operatorName"] != "II Dev" {
			t.Fatalf("%s data = %v", e.event, e.data)
		}
		prev := e.data["previousOperator"].(map[string]any)
		if prev["id"] != "389" || prev["name"] != "Первый Оператор V" {
			t.Fatalf("previousOperator = %v", prev)
		}
		if ops := e.data["operators"].([]any); len(ops) != 1 || ops[0].(map[string]any)["id"] != 472.0 {
			t.Fatalf("operators = %v", ops)
		}
	}
	// The previous operator may no longer write; the new one may.
	status, out := ct.as(389, http.MethodPost, "/sessions/"+seedSessionAnna+"/operators/messages", map[string]any{"body": "x"})
	testkit.WantError(t, status, out, http.StatusForbidden, "Session is not assigned to you.")
	ct.ok(472, http.MethodPost, "/sessions/"+seedSessionAnna+"/operators/messages", map[string]any{"body": "Здравствуйте, я продолжу."})
	ct.wantEvents() // nobody else in the session

	// Transfer to the current operator changes nothing.
	ct.ok(472, http.MethodPatch, "/sessions/"+seedSessionAnna+"/operators/472", nil)
	ct.wantEvents()
	for target, want := range map[string]struct {
		status  int
		message string
	}{
		"999": {http.StatusNotFound, "Operator not found."},
		"abc": {http.StatusNotFound, "Operator not found."},
		"500": {http.StatusUnprocessableEntity, "Operator is blocked."},
	} {
		status, out := ct.as(389, http.MethodPatch, "/sessions/"+seedSessionAnna+"/operators/"+target, nil)
		testkit.WantError(t, status, out, want.status, want.message)
	}
	status, out = ct.as(389, http.MethodPatch, "/sessions/"+seedSessionIvan+"/operators/472", nil)
	testkit.WantError(t, status, out, http.StatusForbidden, "Session is closed.")
}

func TestAddAndRemoveOperator(t *testing.T) {
	ct := newChatTest(t)
	path := "/sessions/" + seedSessionAnna + "/operators/494"
	ct.ok(389, http.MethodPut, path, nil)
	got := ct.wantEvents("494 chatSessionAdded")
	if ops := got[0].data["operators"].([]any); len(ops) != 2 || got[0].data["operatorId"] != "389" {
		t.Fatalf("after add: %v", got[0].data)
	}
	ct.ok(389, http.MethodPut, path, nil) // already there
	ct.wantEvents()
	// The helper's messages reach the main operator.
	ct.ok(494, http.MethodPost, "/sessions/"+seedSessionAnna+"/operators/messages", map[string]any{"body": "Подключился"})
	ct.wantEvents("389 chatMessageCreated")

	ct.ok(389, http.MethodDelete, path, nil)
	ct.wantEvents("494 chatSessionDeleted")
	status, out := ct.as(389, http.MethodDelete, path, nil)
	testkit.WantError(t, status, out, http.StatusUnprocessableEntity, "Operator is not assigned to the session.")

	// Removing the only operator leaves the session in the help queue.
	ct.ok(389, http.MethodDelete, "/sessions/"+seedSessionAnna+"/operators/389", nil)
	got = ct.wantEvents("389 chatSessionDeleted", "472 operatorNotFound", "494 operatorNotFound")
	if got[1].data["operatorId"] != nil || got[1].data["previousOperator"].(map[string]any)["id"] != "389" {
		t.Fatalf("queued session = %v", got[1].data)
	}
	// Adding an operator to an unassigned session makes it the operator.
	ct.ok(472, http.MethodPut, "/sessions/"+seedSessionAnna+"/operators/472", nil)
	if got := ct.wantEvents("472 chatSessionAdded"); got[0].data["operatorId"] != "472" {
		t.Fatalf("after add to an empty session: %v", got[0].data)
	}
}

func TestGroupTransfer(t *testing.T) {
	ct := newChatTest(t)
	// Support is 389 and 472: the first ACTIVE operator other than 389.
	ct.ok(389, http.MethodPatch, "/sessions/"+seedSessionAnna+"/groupoperators/1", nil)
	ct.wantEvents("472 chatSessionAdded", "389 chatSessionDeleted")
	// Sales is 494 (PAUSED) and 472 (the current one): nobody to take it.
	ct.ok(472, http.MethodPatch, "/sessions/"+seedSessionAnna+"/groupoperators/2", nil)
	got := ct.wantEvents("472 chatSessionDeleted", "389 operatorNotFound", "494 operatorNotFound")
	if got[1].data["operatorId"] != nil || len(got[1].data["operators"].([]any)) != 0 {
		t.Fatalf("queued session = %v", got[1].data)
	}
	status, out := ct.as(389, http.MethodPatch, "/sessions/"+seedSessionAnna+"/groupoperators/99", nil)
	testkit.WantError(t, status, out, http.StatusNotFound, "Group not found.")
	status, out = ct.as(389, http.MethodPatch, "/sessions/"+seedSessionOther+"/groupoperators/1", nil)
	testkit.WantError(t, status, out, http.StatusForbidden, "Session belongs to another company.")
}

func TestCloseSpamAndBan(t *testing.T) {
	ct := newChatTest(t)
	ct.ok(389, http.MethodDelete, "/sessions/"+seedSessionJohn, map[string]any{"result": "resolved"})
	got := ct.wantEvents("472 chatSessionDeleted")
	if got[0].data["status"] != "CLOSED" {
		t.Fatalf("closed session = %v", got[0].data)
	}
	ct.ok(389, http.MethodDelete, "/sessions/"+seedSessionJohn, nil) // again: no change
	ct.wantEvents()
	status, out := ct.as(389, http.MethodPost, "/sessions/"+seedSessionJohn+"/operators/messages", map[string]any{"body": "x"})
	testkit.WantError(t, status, out, http.StatusForbidden, "Session is closed.")

	ct.ok(389, http.MethodPatch, "/sessions/"+seedSessionAnna+"/spam", nil)
	if s := ct.ok(389, http.MethodGet, "/sessions/"+seedSessionAnna, nil); s["markedAsSpam"] != true {
		t.Fatalf("spam: %v", s["markedAsSpam"])
	}
	ct.ok(389, http.MethodPatch, "/sessions/"+seedSessionAnna+"/notSpam", nil)
	if s := ct.ok(389, http.MethodGet, "/sessions/"+seedSessionAnna, nil); s["markedAsSpam"] != false {
		t.Fatalf("notSpam: %v", s["markedAsSpam"])
	}

	ct.ok(389, http.MethodPost, "/clients/"+seedClientAnna+"/ban", nil)
	if s := ct.ok(389, http.MethodGet, "/sessions/"+seedSessionAnna, nil); s["clientBanned"] != true {
		t.Fatalf("ban: %v", s["clientBanned"])
	}
	status, out = testkit.Call(t, http.MethodPost, ct.base+"/sessions/"+seedSessionAnna+"/clients/messages", nil, map[string]any{"body": "hello?"})
	testkit.WantError(t, status, out, http.StatusForbidden, "Client is banned.")
	ct.ok(389, http.MethodPatch, "/clients/"+seedClientAnna+"/unban", nil)
	if s := ct.ok(389, http.MethodGet, "/sessions/"+seedSessionAnna, nil); s["clientBanned"] != false {
		t.Fatalf("unban: %v", s["clientBanned"])
	}
	status, out = ct.as(389, http.MethodPost, "/clients/nope/ban", nil)
	testkit.WantError(t, status, out, http.StatusNotFound, "Client not found.")
	status, out = ct.as(389, http.MethodPost, "/clients/"+seedClientOther+"/ban", nil)
	testkit.WantError(t, status, out, http.StatusForbidden, "Client belongs to another company.")
	status, out = ct.as(389, http.MethodGet, "/clients/"+seedClientAnna+"/ban", nil)
	testkit.WantError(t, status, out, http.StatusMethodNotAllowed, "Method not allowed.")
	ct.wantEvents()
}

func TestOperatorStatusUsersAndGroups(t *testing.T) {
	ct := newChatTest(t)
	for _, tc := range []struct{ method, path, want string }{
		{http.MethodPost, "/users/me/pause", "PAUSED"},
		{http.MethodPatch, "/users/me/activate", "ACTIVE"},
		{http.MethodPut, "/users/me/pause", "PAUSED"},
	} {
		out := ct.ok(389, tc.method, tc.path, nil)
		if out["id"] != 389.0 || out["status"] != tc.want {
			t.Fatalf("%s %s: %v", tc.method, tc.path, out)
		}
	}
	ct.wantEvents()
	ct.presence.set("472", true)
	users := testkit.Items(t, ct.ok(389, http.MethodGet, "/users", nil))
	if got := testkit.Field(users, "status"); !reflect.DeepEqual(got, []any{"PAUSED", "ACTIVE", "PAUSED", "OFFLINE"}) {
		t.Fatalf("statuses = %v", got)
	}
	if got := testkit.Field(users, "online"); !reflect.DeepEqual(got, []any{false, true, false, false}) {
		t.Fatalf("online = %v", got)
	}
	if users[3]["blockedAt"] == nil || users[0]["email"] != "operator@twin.local" || users[0]["firstName"] != "Первый" {
		t.Fatalf("users = %v", users)
	}
	if online := testkit.Items(t, ct.ok(389, http.MethodGet, "/users?online=true", nil)); len(online) != 1 || online[0]["id"] != 472.0 {
		t.Fatalf("online filter = %v", online)
	}
	if ts := ct.ok(389, http.MethodGet, "/timestamp", nil); ts["timestamp"] != float64(chatNow.Unix()) || ts["datetime"] != "2026-11-24T10:00:00+00:00" {
		t.Fatalf("timestamp = %v", ts)
	}
	groups := ct.ok(389, http.MethodGet, "/groups", nil)
	list := testkit.Items(t, groups)
	if groups["count"] != 3.0 || list[0]["name"] != "Support" || !reflect.DeepEqual(list[0]["operatorIds"], []any{389.0, 472.0}) {
		t.Fatalf("groups = %v", groups)
	}
}
