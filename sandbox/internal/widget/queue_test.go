package widget

import (
	"slices"
	"testing"
)

func TestWidgetQueueRunsTasksInOrderUntilClosed(t *testing.T) {
	q := newQueue()
	var ran []string
	go q.run(func(task task) { ran = append(ran, task.event) })
	for _, event := range []string{"a", "b", "c"} {
		if !q.push(task{event: event}) {
			t.Fatalf("push %s refused", event)
		}
	}
	done := make(chan struct{})
	q.push(task{event: "d", done: done})
	<-done
	q.close()
	if q.push(task{event: "late"}) {
		t.Fatal("push after close was taken")
	}
	q.close() // twice is fine
	if want := []string{"a", "b", "c", "d"}; !slices.Equal(ran, want) {
		t.Fatalf("ran %q, want %q", ran, want)
	}
}
