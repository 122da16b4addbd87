package chat

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/centrifugal/centrifuge"

	"twin-panel/sandbox/internal/iam"
	"twin-panel/sandbox/internal/stats"
	"twin-panel/sandbox/internal/testkit"
)

// published is one event a recordingPublisher caught, data decoded.
type published struct {
	userID string
	event  string
	data   map[string]any
}

// recordingPublisher keeps events instead of sending them.
type recordingPublisher struct {
	testkit.Recorder[published]
}

func (p *recordingPublisher) PublishEvent(userID, event string, data any) (centrifuge.StreamPosition, error) {
	decoded, err := testkit.Decode(data)
	if err != nil {
		return centrifuge.StreamPosition{}, err
	}
	n := p.Add(published{userID: userID, event: event, data: decoded})
	return centrifuge.StreamPosition{Offset: uint64(n)}, nil
}

// fakePresence says which operators hold a connection.
type fakePresence struct {
	mu     sync.Mutex
	online map[string]bool
}

func (f *fakePresence) Online(userID string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.online[userID]
}

func (f *fakePresence) set(userID string, online bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.online[userID] = online
}

// chatTest is the chats API with the visitor test API on a fake clock,
// publishing into a recorder.
type chatTest struct {
	t        *testing.T
	base     string // .../chat/api/v1
	root     string // server root
	pub      *recordingPublisher
	presence *fakePresence
	chats    *Service
	stats    *stats.Stats
	clock    *testkit.Clock
	tokens   map[int]string
}

// chatNow is the fake clock's start: 2026-11-24T10:00:00+00:00.
var chatNow = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func newChatTest(t *testing.T) *chatTest {
	t.Helper()
	clock := testkit.NewClock(chatNow)
	store := iam.NewStore()
	counters := &stats.Stats{}
	auth := iam.New(iam.Config{Store: store, Secret: []byte("test"), MaxTTL: time.Hour, RefreshTTL: time.Hour, Stats: counters, Now: clock.Now})
	pub := &recordingPublisher{}
	presence := &fakePresence{online: map[string]bool{}}
	chats := New(store, pub, presence, clock.Now)
	auth.OnLogin(chats.Operators.NotifyLogin)
	mux := http.NewServeMux()
	auth.Register(mux)
	NewAPI(auth, chats, counters, clock.Now).Register(mux)
	NewVisitorAPI(chats).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ct := &chatTest{t: t, base: srv.URL + chatPrefix, root: srv.URL, pub: pub, presence: presence, chats: chats, stats: counters, clock: clock, tokens: map[int]string{}}
	for id, email := range map[int]string{389: "operator@twin.local", 472: "dev@twin.local", 494: "third@twin.local"} {
		ct.tokens[id], _ = testkit.Login(t, srv.URL, map[string]any{"email": email, "password": "operator"})
	}
	pub.Take()
	return ct
}

// as calls the chats API as operator id (0: without a token).
func (c *chatTest) as(id int, method, path string, body any) (int, map[string]any) {
	c.t.Helper()
	var header http.Header
	if id != 0 {
		header = testkit.Bearer(c.tokens[id])
	}
	return testkit.Call(c.t, method, c.base+path, header, body)
}

// ok is as, failing the test unless the answer is 200.
func (c *chatTest) ok(id int, method, path string, body any) map[string]any {
	c.t.Helper()
	status, out := c.as(id, method, path, body)
	if status != http.StatusOK {
		c.t.Fatalf("%s %s: %d %v", method, path, status, out)
	}
	return out
}

// visitor calls /__sandbox/visitor/<what>.
func (c *chatTest) visitor(what string, body any) (int, map[string]any) {
	c.t.Helper()
	return testkit.Call(c.t, http.MethodPost, c.root+"/__sandbox/visitor/"+what, nil, body)
}

// events returns the events published since the last call, as
// "userId event" strings, plus the events themselves.
func (c *chatTest) events() ([]string, []published) {
	got := c.pub.Take()
	names := make([]string, 0, len(got))
	for _, e := range got {
		names = append(names, e.userID+" "+e.event)
	}
	return names, got
}

// wantEvents checks the published events, in order.
func (c *chatTest) wantEvents(want ...string) []published {
	c.t.Helper()
	names, got := c.events()
	if len(names) != len(want) {
		c.t.Fatalf("events = %q, want %q", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			c.t.Fatalf("events = %q, want %q", names, want)
		}
	}
	return got
}
