package server

import (
	"fmt"
	"strings"

	"twin-panel/sandbox/internal/chat"
	"twin-panel/sandbox/internal/iam"
)

// Describe is what `-describe` prints for a sandbox at base (http://host:port):
// the options to give OperatorPanel and ChatWidget, the pages it serves, and
// the seeded operators and chats. It reads the seed, so it cannot drift from it.
func Describe(base string) string {
	ws := "ws" + strings.TrimPrefix(base, "http")
	var b strings.Builder
	fmt.Fprintf(&b, "\nPages:\n")
	fmt.Fprintf(&b, "  operator demo   %s/            (needs the package: make pkg)\n", base)
	fmt.Fprintf(&b, "  visitor demo    %s/visitor.html\n", base)
	fmt.Fprintf(&b, "\nOperatorPanel options (twin-panel):\n")
	fmt.Fprintf(&b, "  iamUrl: '%s/iam/api/v1', chatUrl: '%s/chat/api/v1',\n", base, base)
	fmt.Fprintf(&b, "  centrifugoUrl: '%s/centrifugo/connection/websocket'\n", ws)
	fmt.Fprintf(&b, "\nChatWidget options (twin-panel/widget):\n")
	fmt.Fprintf(&b, "  chatUrl: '%s/chat/api/v1', chatId: one of the chats below\n", base)
	fmt.Fprintf(&b, "  (the Socket.IO server is the origin of chatUrl, the widget's default)\n")
	fmt.Fprintf(&b, "\nOperators (password %q):\n", iam.SeedPassword)
	for _, op := range iam.SeedAccounts() {
		note := ""
		if op.Blocked {
			note = "  (blocked: its login is refused)"
		}
		fmt.Fprintf(&b, "  %-22s id %d%s\n", op.Email, op.ID, note)
	}
	fmt.Fprintf(&b, "\nChats:\n")
	for _, ch := range chat.SeedChats() {
		fmt.Fprintf(&b, "  %-16s %s\n", ch.ID, ch.Name)
	}
	return b.String()
}
