package simulate

import (
	"context"
	"testing"
	"time"

	"github.com/centrifugal/centrifuge"

	"twin-panel/sandbox/internal/chat"
	"twin-panel/sandbox/internal/iam"
	"twin-panel/sandbox/internal/testkit"
)

// eventLog records the names of published events.
type eventLog struct {
	testkit.Recorder[string]
}

func (l *eventLog) PublishEvent(_, event string, _ any) (centrifuge.StreamPosition, error) {
	return centrifuge.StreamPosition{Offset: uint64(l.Add(event))}, nil
}

func newSimTest(t *testing.T) (*chat.Service, *eventLog) {
	t.Helper()
	pub := &eventLog{}
	clock := testkit.NewClock(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	return chat.New(iam.NewStore(), pub, nil, clock.Now), pub
}

func TestSimulatorPlaysVisitors(t *testing.T) {
	chats, pub := newSimTest(t)
	sim := New(chats, Config{MaxOpen: 5, Seed: 42})
	seen := map[string]int{}
	count := func() {
		for _, event := range pub.Take() {
			seen[event]++
		}
	}
	op := iam.User{ID: 389, CompanyID: 1, FirstName: "Первый", LastName: "Оператор V"}
	for step := range 300 {
		sim.Step()
		if len(sim.open) > 5 {
			t.Fatalf("%d open simulated sessions, cap is 5", len(sim.open))
		}
		// The operator answers now and then, so visitors have replies to read.
		if step%5 == 0 {
			for _, id := range sim.open {
				_, _ = chats.Messages.Send(op, id, chat.MessageInput{Body: "Минутку, проверяю"})
			}
		}
		count()
	}
	for _, event := range []string{
		"chatSessionStarted", "chatMessageCreated", "typing", "clientOnline", "clientOffline",
		"chatMessageRead", "sessionClosedByClient", "chatSessionSwitchedFromBotToOperator",
	} {
		if seen[event] == 0 {
			t.Errorf("no %s in %v", event, seen)
		}
	}
	// Sessions the operator closes are forgotten.
	for _, id := range sim.open {
		if err := chats.Sessions.Close(op, id, ""); err != nil {
			t.Fatal(err)
		}
	}
	sim.forgetClosed()
	if len(sim.open) != 0 {
		t.Fatalf("still open: %v", sim.open)
	}
}

func TestSimulatorRunsUntilCancelled(t *testing.T) {
	chats, pub := newSimTest(t)
	sim := New(chats, Config{MinInterval: time.Millisecond, MaxInterval: 2 * time.Millisecond, MaxOpen: 30})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		sim.Run(ctx)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for len(pub.Take()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the simulator published nothing")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Run did not stop")
	}
}

// TestSimulatorNamesAreUnique: two open simulated sessions never show the
// same visitor name, even when there are more sessions than stock names.
func TestSimulatorNamesAreUnique(t *testing.T) {
	chats, _ := newSimTest(t)
	sim := New(chats, Config{MaxOpen: 40, Seed: 7})
	for range 40 {
		sim.start()
	}
	if len(sim.open) != 40 {
		t.Fatalf("%d sessions started, want 40", len(sim.open))
	}
	seen := map[string]string{}
	for _, id := range sim.open {
		v, _ := chats.Clients.View(id)
		name := v.Name
		if other, dup := seen[name]; dup {
			t.Fatalf("sessions %s and %s are both %q", other, id, name)
		}
		seen[name] = id
	}
}
