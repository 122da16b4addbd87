package chat

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	"twin-panel/sandbox/internal/testkit"
)

func TestSessionAndClientMessages(t *testing.T) {
	ct := newChatTest(t)
	out := ct.ok(389, http.MethodGet, "/sessions/"+seedSessionAnna+"/messages", nil)
	list := testkit.Items(t, out)
	if out["count"] != 4.0 || len(list) != 4 {
		t.Fatalf("messages: %v", out)
	}
	if got := testkit.Field(list, "authorType"); !reflect.DeepEqual(got, []any{"CLIENT", "OPERATOR", "CLIENT", "CLIENT"}) {
		t.Fatalf("chronological order expected, got %v", got)
	}
	first, withFile := list[0], list[2]
	if first["type"] != "REGULAR" || first["sessionId"] != seedSessionAnna || first["createdAt"] != "2026-11-24T09:10:00+00:00" ||
		first["readAt"] != "2026-11-24T09:10:30+00:00" || first["updatedAt"] != nil || first["replyTo"] != nil {
		t.Fatalf("first message = %v", first)
	}
	for _, key := range []string{"answers", "keyboard", "attachments"} {
		if v, ok := first[key].([]any); !ok || len(v) != 0 {
			t.Fatalf("%s = %v, want []", key, first[key])
		}
	}
	att := withFile["attachments"].([]any)[0].(map[string]any)
	if att["id"] != seedFileScreenshot || att["name"] != "screenshot.svg" || att["extension"] != "svg" ||
		att["contentType"] != "image/svg+xml" || att["url"] != "/__sandbox/files/"+seedFileScreenshot {
		t.Fatalf("attachment = %v", att)
	}
	// The file behind the attachment is served.
	res, err := http.Get(ct.root + "/__sandbox/files/" + seedFileScreenshot)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("file: %d %v", res.StatusCode, res.Header)
	}

	// A file stored through the test API can be attached.
	status, file := testkit.Call(t, http.MethodPost, ct.root+"/__sandbox/files", nil, map[string]any{"name": "отчёт.txt", "contentType": "text/plain", "content": "итоги"})
	if status != http.StatusOK || file["baseName"] != "отчёт" || file["size"] != 10.0 {
		t.Fatalf("upload: %d %v", status, file)
	}
	sent := ct.ok(389, http.MethodPost, "/sessions/"+seedSessionAnna+"/operators/messages", map[string]any{"attachments": []any{file["id"]}})
	res, err = http.Get(ct.root + file["url"].(string) + "?download=1")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Disposition") != "attachment; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.txt" {
		t.Fatalf("download: %d %v", res.StatusCode, res.Header)
	}
	if status, _ := testkit.Call(t, http.MethodPost, ct.root+"/__sandbox/files", nil, map[string]any{}); status != http.StatusBadRequest {
		t.Fatalf("upload without a name: %d", status)
	}
	if res := serveFile(t, ct.root+"/__sandbox/files/nope"); res != http.StatusNotFound {
		t.Fatalf("unknown file: %d", res)
	}
	ct.ok(389, http.MethodDelete, "/sessions/"+seedSessionAnna+"/operators/messages/"+sent["id"].(string), nil)

	newest := testkit.Items(t, ct.ok(389, http.MethodGet, "/sessions/"+seedSessionAnna+"/messages?sort=-createdAt&limit=1", nil))
	if len(newest) != 1 || newest[0]["body"] != "Карта Visa, банк говорит, что всё в порядке" {
		t.Fatalf("newest = %v", newest)
	}
	ranged := ct.ok(389, http.MethodGet, "/sessions/"+seedSessionAnna+"/messages?from=2026-11-24T09:50:00+00:00&to=2026-11-24T09:55:00+00:00", nil)
	if ranged["count"] != 1.0 {
		t.Fatalf("from/to: %v", ranged)
	}
	status, body := ct.as(389, http.MethodGet, "/sessions/nope/messages", nil)
	testkit.WantError(t, status, body, http.StatusNotFound, "Session not found.")
	status, body = ct.as(389, http.MethodGet, "/sessions/"+seedSessionOther+"/messages", nil)
	testkit.WantError(t, status, body, http.StatusForbidden, "Session belongs to another company.")

	history := ct.ok(389, http.MethodGet, "/clients/"+seedClientIvan+"/messages", nil)
	if history["count"] != 3.0 {
		t.Fatalf("client history: %v", history)
	}
	status, body = ct.as(389, http.MethodGet, "/clients/nope/messages", nil)
	testkit.WantError(t, status, body, http.StatusNotFound, "Client not found.")
}

func TestOperatorSendsMessages(t *testing.T) {
	ct := newChatTest(t)
	path := "/sessions/" + seedSessionJohn + "/operators/messages"
	out := ct.ok(389, http.MethodPost, path, map[string]any{"body": "Checking the parcel now."})
	id, _ := out["id"].(string)
	if len(id) != 36 || out["createdAt"] != "2026-11-24T10:00:00+00:00" || len(out) != 2 {
		t.Fatalf("answer = %v", out)
	}
	// To the other operator of the session only, as a Message.
	got := ct.wantEvents("472 chatMessageCreated")
	m := got[0].data
	if m["id"] != id || m["authorId"] != "389" || m["authorType"] != "OPERATOR" || m["authorName"] != "Первый Оператор V" ||
		m["sessionId"] != seedSessionJohn || m["body"] != "Checking the parcel now." || m["type"] != "REGULAR" {
		t.Fatalf("event data = %v", m)
	}
	s := ct.ok(389, http.MethodGet, "/sessions/"+seedSessionJohn, nil)
	if s["lastMessage"].(map[string]any)["id"] != id || s["lastMessageCreatedAt"] != "2026-11-24T10:00:00+00:00" {
		t.Fatalf("lastMessage not updated: %v", s["lastMessage"])
	}

	// Attachments only, and a reply.
	clientMsg := "3e550000-0000-4000-8000-000000000008"
	out = ct.ok(472, http.MethodPost, path, map[string]any{"attachments": []string{seedFilePriceList}, "replyToMessageId": clientMsg})
	got = ct.wantEvents("389 chatMessageCreated")
	reply := got[0].data["replyTo"].(map[string]any)
	if reply["id"] != clientMsg || reply["clientId"] != seedClientJohn || got[0].data["attachments"].([]any)[0].(map[string]any)["name"] != "price-list.txt" {
		t.Fatalf("reply/attachment = %v", got[0].data)
	}

	for _, tc := range []struct {
		who     int
		path    string
		body    map[string]any
		status  int
		message string
	}{
		{389, path, map[string]any{"body": ""}, http.StatusUnprocessableEntity, "Validation failed."},
		{389, path, map[string]any{"body": "x", "attachments": []string{"nope"}}, http.StatusUnprocessableEntity, "Validation failed."},
		{389, path, map[string]any{"body": "x", "replyToMessageId": "nope"}, http.StatusUnprocessableEntity, "Validation failed."},
		{494, path, map[string]any{"body": "x"}, http.StatusForbidden, "Session is not assigned to you."},
		{389, "/sessions/" + seedSessionMaria + "/operators/messages", map[string]any{"body": "x"}, http.StatusForbidden, "Session is not assigned to you."},
		{389, "/sessions/" + seedSessionIvan + "/operators/messages", map[string]any{"body": "x"}, http.StatusForbidden, "Session is closed."},
		{389, "/sessions/nope/operators/messages", map[string]any{"body": "x"}, http.StatusNotFound, "Session not found."},
	} {
		status, out := ct.as(tc.who, http.MethodPost, tc.path, tc.body)
		testkit.WantError(t, status, out, tc.status, tc.message)
	}
	status, out := ct.as(389, http.MethodPost, path, map[string]any{})
	if out["details"].(map[string]any)["body"] != "required" || status != http.StatusUnprocessableEntity {
		t.Fatalf("empty body: %d %v", status, out)
	}
	ct.wantEvents()
	// Every attempt is counted under one key, so tests can spot duplicates.
	if n := ct.stats.Snapshot().Requests["POST /sessions/{id}/operators/messages"]; n != 10 {
		t.Fatalf("counted %d sends, want 10", n)
	}
}

func TestEditAndDeleteMessage(t *testing.T) {
	ct := newChatTest(t)
	sent := ct.ok(389, http.MethodPost, "/sessions/"+seedSessionJohn+"/operators/messages", map[string]any{"body": "Typo heer"})
	ct.pub.Take()
	id := sent["id"].(string)
	path := "/sessions/" + seedSessionJohn + "/operators/messages/" + id
	ct.clock.Advance(90 * time.Second)
	edited := ct.ok(389, http.MethodPut, path, map[string]any{"body": "Typo here"})
	if edited["body"] != "Typo here" || edited["updatedAt"] != "2026-11-24T10:01:30+00:00" || edited["createdAt"] != "2026-11-24T10:00:00+00:00" || edited["id"] != id {
		t.Fatalf("edited = %v", edited)
	}
	if got := ct.wantEvents("472 chatMessageEdited"); !reflect.DeepEqual(got[0].data, edited) {
		t.Fatalf("event %v != answer %v", got[0].data, edited)
	}

	status, out := ct.as(472, http.MethodPut, path, map[string]any{"body": "mine now"})
	testkit.WantError(t, status, out, http.StatusForbidden, "Only the author may change this message.")
	status, out = ct.as(389, http.MethodPut, "/sessions/"+seedSessionJohn+"/operators/messages/3e550000-0000-4000-8000-000000000008", map[string]any{"body": "x"})
	testkit.WantError(t, status, out, http.StatusForbidden, "Only the author may change this message.")
	status, out = ct.as(389, http.MethodPut, path, map[string]any{"body": " "})
	testkit.WantError(t, status, out, http.StatusUnprocessableEntity, "Validation failed.")
	status, out = ct.as(389, http.MethodPut, "/sessions/"+seedSessionJohn+"/operators/messages/nope", map[string]any{"body": "x"})
	testkit.WantError(t, status, out, http.StatusNotFound, "Message not found.")
	status, out = ct.as(389, http.MethodPut, "/sessions/"+seedSessionAnna+"/operators/messages/"+id, map[string]any{"body": "x"})
	testkit.WantError(t, status, out, http.StatusNotFound, "Message not found.")

	status, out = ct.as(472, http.MethodDelete, path, nil)
	testkit.WantError(t, status, out, http.StatusForbidden, "Only the author may change this message.")
	if out := ct.ok(389, http.MethodDelete, path, nil); len(out) != 0 {
		t.Fatalf("delete answer %v, want {}", out)
	}
	ct.wantEvents()
	list := testkit.Items(t, ct.ok(389, http.MethodGet, "/sessions/"+seedSessionJohn+"/messages", nil))
	for _, m := range list {
		if m["id"] == id {
			t.Fatal("a deleted message is still listed")
		}
	}
	if s := ct.ok(389, http.MethodGet, "/sessions/"+seedSessionJohn, nil); s["lastMessage"].(map[string]any)["id"] == id {
		t.Fatal("a deleted message is still the last message")
	}
	status, out = ct.as(389, http.MethodDelete, path, nil)
	testkit.WantError(t, status, out, http.StatusNotFound, "Message not found.")
}

func TestMarkRead(t *testing.T) {
	ct := newChatTest(t)
	unread := "3e550000-0000-4000-8000-000000000003" // Anna's screenshot message
	if out := ct.ok(389, http.MethodPatch, "/messages/"+unread+"/read", nil); len(out) != 0 {
		t.Fatalf("read answer %v, want {}", out)
	}
	ct.ok(389, http.MethodPatch, "/messages/"+unread+"/read", nil) // twice counts once
	s := ct.ok(389, http.MethodGet, "/sessions/"+seedSessionAnna, nil)
	if s["unreadClientMessageCount"] != 1.0 {
		t.Fatalf("unread = %v", s["unreadClientMessageCount"])
	}
	list := testkit.Items(t, ct.ok(389, http.MethodGet, "/sessions/"+seedSessionAnna+"/messages", nil))
	if list[2]["readAt"] != "2026-11-24T10:00:00+00:00" {
		t.Fatalf("readAt = %v", list[2]["readAt"])
	}
	ct.wantEvents()
	status, out := ct.as(389, http.MethodPatch, "/messages/nope/read", nil)
	testkit.WantError(t, status, out, http.StatusNotFound, "Message not found.")
}

// serveFile fetches a URL and returns its status.
func serveFile(t *testing.T, url string) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
