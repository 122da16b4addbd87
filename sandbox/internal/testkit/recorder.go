package testkit

import (
	"encoding/json"
	"sync"
)

// Recorder keeps what a fake service was handed, safe for concurrent use.
type Recorder[T any] struct {
	mu    sync.Mutex
	items []T
}

// Add keeps one item and returns how many there are now.
func (r *Recorder[T]) Add(item T) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items = append(r.items, item)
	return len(r.items)
}

// Take returns the items so far and forgets them.
func (r *Recorder[T]) Take() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.items
	r.items = nil
	return out
}

// Decode turns event data into the generic JSON form a test compares.
func Decode(data any) (map[string]any, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	err = json.Unmarshal(raw, &out)
	return out, err
}
