package widget

import "sync"

// task is one thing to do on the Socket.IO side: an event for a
// session's sockets, or (with all set) disconnecting every socket. done,
// if set, is closed once the task ran.
type task struct {
	sessionID string
	event     string
	data      any
	all       bool
	done      chan struct{}
}

// queue hands tasks from the chats service, which holds its lock, to one goroutine
// that talks to the Socket.IO library. Pushing never blocks, so the library's
// own locks and the chats service's lock are never held together, and tasks run in the
// order of the changes.
type queue struct {
	mu      sync.Mutex
	pending []task
	closed  bool
	wake    chan struct{} // capacity 1: "pending is not empty"
	done    chan struct{} // closed when run returns
}

func newQueue() *queue {
	return &queue{wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// push appends a task and reports whether it was taken: after close it is
// dropped.
func (q *queue) push(t task) bool {
	q.mu.Lock()
	accepted := !q.closed
	if accepted {
		q.pending = append(q.pending, t)
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return accepted
}

// run calls do for every task, in order, until close; the tasks pending at
// close still run.
func (q *queue) run(do func(task)) {
	defer close(q.done)
	for range q.wake {
		q.mu.Lock()
		batch, closed := q.pending, q.closed
		q.pending = nil
		q.mu.Unlock()
		for _, t := range batch {
			do(t)
			if t.done != nil {
				close(t.done)
			}
		}
		if closed {
			return
		}
	}
}

// close stops run after the pending tasks and waits for it.
func (q *queue) close() {
	q.mu.Lock()
	already := q.closed
	q.closed = true
	q.mu.Unlock()
	if !already {
		select {
		case q.wake <- struct{}{}:
		case <-q.done:
		}
	}
	<-q.done
}
