package chat

import (
	"net/http"
	"testing"
)

func TestEchoReachesTheAuthorOnlyWhenSwitchedOn(t *testing.T) {
	ct := newChatTest(t)
	path := "/sessions/" + seedSessionJohn + "/operators/messages"
	ct.ok(389, http.MethodPost, path, map[string]any{"body": "no echo"})
	ct.wantEvents("472 chatMessageCreated")

	ct.chats.SetEcho(Echo{On: true})
	out := ct.ok(389, http.MethodPost, path, map[string]any{"body": "echoed"})
	got := ct.wantEvents("389 chatMessageCreated", "472 chatMessageCreated")
	if got[0].data["id"] != out["id"] || got[0].data["body"] != "echoed" {
		t.Fatalf("echo = %v, answer %v", got[0].data, out)
	}
	edit := "/sessions/" + seedSessionJohn + "/operators/messages/" + out["id"].(string)
	ct.ok(389, http.MethodPut, edit, map[string]any{"body": "echoed, edited"})
	ct.wantEvents("389 chatMessageEdited", "472 chatMessageEdited")

	// A reset switches it off again.
	ct.chats.Reset()
	ct.ok(389, http.MethodPost, path, map[string]any{"body": "after the reset"})
	ct.wantEvents("472 chatMessageCreated")
}
