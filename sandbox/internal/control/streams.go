package control

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"twin-panel/sandbox/internal/chat"
	"twin-panel/sandbox/internal/httpapi"
)

// Streams runs numbered publication streams for throughput and recovery
// tests. Each stream is one goroutine publishing in order.
type Streams struct {
	pub chat.Publisher
	now func() time.Time

	ctx    context.Context // cancelled when the sandbox stops
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	streams map[string]*stream
}

// stream is the progress of one running or finished stream.
type stream struct {
	cancel    context.CancelFunc
	count     int
	published atomic.Int64
	done      atomic.Bool
	err       atomic.Pointer[string]
}

// StreamStatus is the JSON answer of GET /__sandbox/stream/{id}.
type StreamStatus struct {
	Published int64  `json:"published"`
	Count     int    `json:"count"`
	Done      bool   `json:"done"`
	Error     string `json:"error,omitempty"`
}

// streamMessage is the data of every stream publication: a Message
// (twin-api.md §6.5) plus its sequence number.
type streamMessage struct {
	Seq        int    `json:"seq"`
	ID         string `json:"id"`
	SessionID  string `json:"sessionId"`
	AuthorType string `json:"authorType"`
	Type       string `json:"type"`
	Body       string `json:"body"`
	CreatedAt  string `json:"createdAt"`
}

// NewStreams returns a stream runner publishing through pub.
func NewStreams(pub chat.Publisher, now func() time.Time) *Streams {
	ctx, cancel := context.WithCancel(context.Background())
	return &Streams{pub: pub, now: now, ctx: ctx, cancel: cancel, streams: make(map[string]*stream)}
}

// Start begins publishing count events to userID, interval apart, and
// returns the stream id.
func (s *Streams) Start(userID, event string, count int, interval time.Duration) string {
	id := randomHex(4)
	ctx, cancel := context.WithCancel(s.ctx)
	st := &stream{cancel: cancel, count: count}
	s.mu.Lock()
	s.streams[id] = st
	s.mu.Unlock()
	s.wg.Go(func() {
		defer cancel()
		defer st.done.Store(true)
		s.run(ctx, st, id, userID, event, interval)
	})
	return id
}

func (s *Streams) run(ctx context.Context, st *stream, id, userID, event string, interval time.Duration) {
	var tick *time.Ticker
	if interval > 0 {
		tick = time.NewTicker(interval)
		defer tick.Stop()
	}
	for seq := 1; seq <= st.count; seq++ {
		if seq > 1 && tick != nil {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		} else if ctx.Err() != nil {
			return
		}
		msg := streamMessage{
			Seq:        seq,
			ID:         fmt.Sprintf("%s-0000-4000-8000-%012x", id, seq),
			SessionID:  "stream-" + id,
			AuthorType: "CLIENT",
			Type:       "REGULAR",
			Body:       fmt.Sprintf("message %d", seq),
			CreatedAt:  s.now().UTC().Format(httpapi.ISODateTime),
		}
		if err := s.publish(ctx, userID, event, msg); err != nil {
			text := err.Error()
			st.err.Store(&text)
			return
		}
		st.published.Store(int64(seq))
	}
}

// publish retries briefly: during a node restart the old node refuses
// publications for a moment.
func (s *Streams) publish(ctx context.Context, userID, event string, msg streamMessage) error {
	var err error
	for range 50 {
		if _, err = s.pub.PublishEvent(userID, event, msg); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return err
}

// Status reports the progress of stream id.
func (s *Streams) Status(id string) (StreamStatus, bool) {
	s.mu.Lock()
	st, ok := s.streams[id]
	s.mu.Unlock()
	if !ok {
		return StreamStatus{}, false
	}
	status := StreamStatus{Published: st.published.Load(), Count: st.count, Done: st.done.Load()}
	if e := st.err.Load(); e != nil {
		status.Error = *e
	}
	return status, true
}

// Stop cancels stream id; it reports whether the stream exists.
func (s *Streams) Stop(id string) bool {
	s.mu.Lock()
	st, ok := s.streams[id]
	s.mu.Unlock()
	if ok {
		st.cancel()
	}
	return ok
}

// StopAll cancels every stream without forgetting their status.
func (s *Streams) StopAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.streams {
		st.cancel()
	}
}

// Close stops every stream and waits for their goroutines.
func (s *Streams) Close() {
	s.cancel()
	s.wg.Wait()
}

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
