package widget

import (
	"testing"

	"twin-panel/sandbox/internal/testkit"
)

func TestEIO3BinaryToText(t *testing.T) {
	for _, tc := range []struct {
		name string
		body []byte
		want string
		ok   bool
	}{
		{"one packet", testkit.EIO3BinaryFrame(`42["a"]`), `7:42["a"]`, true},
		{"a short packet after a long one", testkit.EIO3BinaryFrame(`42["clientTyping",{}]`, "2", "1"),
			`21:42["clientTyping",{}]1:21:1`, true},
		{"lengths in bytes become UTF-16 units", testkit.EIO3BinaryFrame(`42["Привет 👋"]`), `15:42["Привет 👋"]`, true},
		{"a binary packet becomes base64", []byte{1, 4, 0xFF, 4, 0xDE, 0xAD, 0xBE}, `6:b43q2+`, true},
		{"a length of ten bytes", testkit.EIO3BinaryFrame(`42["abcd"]`), `10:42["abcd"]`, true},
		{"empty", nil, "", false},
		{"text framing", []byte(`7:42["a"]`), "", false},
		{"no 0xFF", []byte{0, 1, 2}, "", false},
		{"no length", []byte{0, 0xFF, '1'}, "", false},
		{"too short", []byte{0, 5, 0xFF, '4', '2'}, "", false},
		{"a digit above 9", []byte{0, 10, 0xFF, '1'}, "", false},
		{"invalid UTF-8", []byte{0, 1, 0xFF, 0xC3}, "", false},
		{"an empty binary packet", []byte{1, 0, 0xFF}, "", false},
	} {
		got, ok := eio3BinaryToText(tc.body)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: got %q %t, want %q %t", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
