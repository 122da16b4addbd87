package main

import (
	"slices"
	"testing"
)

func TestWidgetQueueRunsTasksInOrderUntilClosed(t *testing.T) {
	q := newWidgetQueue()
	var ran []string
	go q.run(func(task widgetTask) { ran = append(ran, task.event) })
	for _, event := range []string{"a", "b", "c"} {
		if !q.push(widgetTask{event: event}) {
			t.Fatalf("push %s refused", event)
		}
	}
	done := make(chan struct{})
	q.push(widgetTask{event: "d", done: done})
	<-done
	q.close()
	if q.push(widgetTask{event: "late"}) {
		t.Fatal("push after close was taken")
	}
	q.close() // twice is fine
	if want := []string{"a", "b", "c", "d"}; !slices.Equal(ran, want) {
		t.Fatalf("ran %q, want %q", ran, want)
	}
}
