package server

import (
	"strings"
	"testing"
)

func TestDescribeListsTheURLsAndTheSeed(t *testing.T) {
	text := Describe("http://127.0.0.1:8080")
	for _, want := range []string{
		"iamUrl: 'http://127.0.0.1:8080/iam/api/v1'",
		"chatUrl: 'http://127.0.0.1:8080/chat/api/v1'",
		"centrifugoUrl: 'ws://127.0.0.1:8080/centrifugo/connection/websocket'",
		"http://127.0.0.1:8080/visitor.html",
		"operator@twin.local",
		"id 389",
		"blocked@twin.local",
		"chat-web-1",
		`password "operator"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Describe() lacks %q:\n%s", want, text)
		}
	}
}
