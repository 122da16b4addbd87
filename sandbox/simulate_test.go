package main

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func newSimTest(t *testing.T) (*Chats, *recordingPublisher) {
	t.Helper()
	pub := &recordingPublisher{}
	clock := &fakeClock{now: chatNow}
	return NewChats(NewStore(), pub, nil, clock.Now), pub
}

func TestSimulatorPlaysVisitors(t *testing.T) {
	chats, pub := newSimTest(t)
	sim := NewSimulator(chats, SimulatorConfig{MaxOpen: 5, Seed: 42})
	seen := map[string]int{}
	count := func() {
		for _, e := range pub.take() {
			seen[e.event]++
		}
	}
	op := User{ID: 389, CompanyID: 1, FirstName: "Первый", LastName: "Оператор V"}
	for step := range 300 {
		sim.Step()
		if len(sim.open) > 5 {
			t.Fatalf("%d open simulated sessions, cap is 5", len(sim.open))
		}
		// The operator answers now and then, so visitors have replies to read.
		if step%5 == 0 {
			for _, id := range sim.open {
				_, _ = chats.OperatorMessage(op, id, MessageInput{Body: "Минутку, проверяю"})
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
		if err := chats.CloseByOperator(op, id, ""); err != nil {
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
	sim := NewSimulator(chats, SimulatorConfig{MinInterval: time.Millisecond, MaxInterval: 2 * time.Millisecond, MaxOpen: 30})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		sim.Run(ctx)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for len(pub.take()) == 0 {
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

func TestSandboxWithSimulatorShutsDown(t *testing.T) {
	cfg := testConfig()
	cfg.Simulate = true
	sb, err := NewSandbox(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res := serveRequest(sb, http.MethodGet, "/__sandbox/health"); res.Code != http.StatusOK {
		t.Fatalf("health: %d", res.Code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	if err := sb.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Fatalf("shutdown took %s", elapsed)
	}
}

// TestSimulatorNamesAreUnique: two open simulated sessions never show the
// same visitor name, even when there are more sessions than stock names.
func TestSimulatorNamesAreUnique(t *testing.T) {
	chats, _ := newSimTest(t)
	sim := NewSimulator(chats, SimulatorConfig{MaxOpen: 40, Seed: 7})
	for range 40 {
		sim.start()
	}
	if len(sim.open) != 40 {
		t.Fatalf("%d sessions started, want 40", len(sim.open))
	}
	seen := map[string]string{}
	for _, id := range sim.open {
		v, _ := chats.viewForVisitor(id)
		name := v.name
		if other, dup := seen[name]; dup {
			t.Fatalf("sessions %s and %s are both %q", other, id, name)
		}
		seen[name] = id
	}
}
