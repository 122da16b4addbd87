package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"twin-panel/sandbox/internal/testkit"
)

// nextEvent waits for the next publication on a raw connection and returns
// its {event, data}. A frame may carry several replies, one a line; the
// lines after the one returned wait in c.lines for the next call.
func nextEvent(t *testing.T, c *wsClient) (string, map[string]any) {
	t.Helper()
	for {
		for len(c.lines) > 0 {
			line := c.lines[0]
			c.lines = c.lines[1:]
			var reply struct {
				Push struct {
					Pub struct {
						Data struct {
							Event string         `json:"event"`
							Data  map[string]any `json:"data"`
						} `json:"data"`
					} `json:"pub"`
				} `json:"push"`
			}
			if json.Unmarshal([]byte(line), &reply) == nil && reply.Push.Pub.Data.Event != "" {
				return reply.Push.Pub.Data.Event, reply.Push.Pub.Data.Data
			}
		}
		msg, ok := c.next(5 * time.Second)
		if !ok {
			t.Fatal("no publication")
		}
		c.lines = strings.Split(msg, "\n")
	}
}

func TestChatEventsReachTheOperatorsConnection(t *testing.T) {
	_, base, client := newConnectedSandbox(t)

	status, s := testkit.Call(t, http.MethodPost, base+"/__sandbox/visitor/session", nil, map[string]any{"operatorId": "389", "clientName": "Ольга"})
	if status != http.StatusOK {
		t.Fatalf("visitor session: %d %v", status, s)
	}
	if event, data := nextEvent(t, client); event != "chatSessionStarted" || data["id"] != s["id"] || data["name"] != "Ольга" {
		t.Fatalf("got %s %v", event, data)
	}

	// Another login of the same operator tells the live connection.
	testkit.Login(t, base, testkit.OperatorLogin(nil))
	if event, data := nextEvent(t, client); event != "chatUserExists" || data["operatorId"] != "389" {
		t.Fatalf("got %s %v", event, data)
	}
	_, users := testkit.Call(t, http.MethodGet, base+"/chat/api/v1/users?userId=389", testkit.Bearer(client.token), nil)
	if testkit.Items(t, users)[0]["online"] != true {
		t.Fatalf("users = %v", users)
	}

	testkit.Call(t, http.MethodPost, base+"/__sandbox/operators/logout", nil, map[string]any{"userId": 389})
	if event, _ := nextEvent(t, client); event != "operatorLoggedOut" {
		t.Fatalf("got %s", event)
	}
	testkit.Call(t, http.MethodPost, base+"/__sandbox/operators/block", nil, map[string]any{"userId": 389, "blocked": true})
	if event, data := nextEvent(t, client); event != "operatorBlocked" || data["operatorId"] != "389" {
		t.Fatalf("got %s %v", event, data)
	}
	testkit.Call(t, http.MethodPost, base+"/__sandbox/faults/reset", nil, nil)

	// chats/reset forgets the new session; stats count chats-API requests.
	testkit.Call(t, http.MethodPost, base+"/__sandbox/chats/reset", nil, nil)
	status, out := testkit.Call(t, http.MethodGet, base+"/chat/api/v1/sessions/"+s["id"].(string), testkit.Bearer(client.token), nil)
	testkit.WantError(t, status, out, http.StatusNotFound, "Session not found.")
	_, stats := testkit.Call(t, http.MethodGet, base+"/__sandbox/stats", nil, nil)
	requests := stats["requests"].(map[string]any)
	if requests["GET /sessions/{id}"] != 1.0 || requests["GET /users"] != 1.0 {
		t.Fatalf("requests = %v", requests)
	}
	testkit.Call(t, http.MethodPost, base+"/__sandbox/stats/reset", nil, nil)
	if _, stats = testkit.Call(t, http.MethodGet, base+"/__sandbox/stats", nil, nil); len(stats["requests"].(map[string]any)) != 0 {
		t.Fatalf("requests after reset = %v", stats["requests"])
	}
}

// TestFirstChatReachesTheConnectedOperator is a newcomer's first minute:
// operator@twin.local logs in and connects, a visitor starts a chat on the
// public endpoint (as visitor.html does), and the connected operator gets it,
// though 472 runs fewer sessions.
func TestFirstChatReachesTheConnectedOperator(t *testing.T) {
	_, base, client := newConnectedSandbox(t)
	// The node counts a connection as the operator's a moment after its
	// connect reply.
	var users map[string]any
	eventually(t, func() bool {
		_, users = testkit.Call(t, http.MethodGet, base+"/chat/api/v1/users?userId=389", testkit.Bearer(client.token), nil)
		return testkit.Items(t, users)[0]["online"] == true
	}, func() string { return fmt.Sprintf("389 is not online: %v", users) })
	status, started := testkit.Call(t, http.MethodPost, base+"/chat/api/v1/chats/chat-web-1/sessions", nil,
		map[string]any{"clientName": "Newcomer", "messageBody": "Hello?"})
	if status != http.StatusOK {
		t.Fatalf("start: %d %v", status, started)
	}
	event, data := nextEvent(t, client)
	if event != "chatSessionStarted" || data["id"] != started["id"] || data["operatorId"] != "389" {
		t.Fatalf("got %s %v", event, data)
	}
	if event, data := nextEvent(t, client); event != "chatMessageCreated" || data["body"] != "Hello?" {
		t.Fatalf("got %s %v", event, data)
	}
}
