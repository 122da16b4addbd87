package faults

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"twin-panel/sandbox/internal/httpapi"
)

// HTTPRule fails or delays the next requests under one path prefix.
type HTTPRule struct {
	// PathPrefix selects requests; "/" (the default) means every path
	// outside /__sandbox/.
	PathPrefix string `json:"pathPrefix"`
	// FailNext requests get Status with a JSON error body.
	FailNext int `json:"failNext"`
	Status   int `json:"status"`
	// Error and Details fill the error body; Error defaults to the status
	// text, so a test can also fake e.g. 401 "Token is expired.".
	Error   string `json:"error,omitempty"`
	Details any    `json:"details,omitempty"`
	// DelayMs is waited before each failed or delayed request; DelayNext
	// requests after the failing ones are delayed and then served normally.
	DelayMs   int `json:"delayMs"`
	DelayNext int `json:"delayNext"`
}

// HTTP holds the active rules, at most one per prefix.
type HTTP struct {
	mu    sync.Mutex
	rules map[string]*HTTPRule
}

// NewHTTP returns an empty rule set.
func NewHTTP() *HTTP {
	return &HTTP{rules: make(map[string]*HTTPRule)}
}

// Set installs rule, replacing any rule with the same prefix.
func (f *HTTP) Set(rule HTTPRule) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules[rule.PathPrefix] = &rule
}

// Reset removes every rule.
func (f *HTTP) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.rules)
}

// take consumes one request's worth of the longest matching rule whose
// prefix starts with root. fail says whether to fail the request; ok is
// false when nothing applies.
func (f *HTTP) take(path, root string) (rule HTTPRule, fail, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var best *HTTPRule
	for prefix, r := range f.rules {
		if strings.HasPrefix(prefix, root) && strings.HasPrefix(path, prefix) && (best == nil || len(prefix) > len(best.PathPrefix)) {
			best = r
		}
	}
	if best == nil {
		return HTTPRule{}, false, false
	}
	if best.FailNext > 0 {
		best.FailNext--
		fail = true
	} else {
		best.DelayNext--
	}
	rule = *best
	if best.FailNext == 0 && best.DelayNext <= 0 {
		delete(f.rules, best.PathPrefix)
	}
	return rule, fail, true
}

// Wrap applies the rules to requests reaching next.
func (f *HTTP) Wrap(next http.Handler) http.Handler { return f.WrapUnder("/", next) }

// WrapUnder applies only the rules whose prefix starts with root, so a
// catch-all rule ("/") leaves next alone. The widget's Socket.IO endpoint
// uses it: polling would otherwise eat the failures a test meant for REST.
func (f *HTTP) WrapUnder(root string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rule, fail, ok := f.take(r.URL.Path, root)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if rule.DelayMs > 0 {
			timer := time.NewTimer(time.Duration(rule.DelayMs) * time.Millisecond)
			select {
			case <-timer.C:
			case <-r.Context().Done():
				timer.Stop()
				return
			}
		}
		if !fail {
			next.ServeHTTP(w, r)
			return
		}
		message := rule.Error
		if message == "" {
			message = http.StatusText(rule.Status)
		}
		httpapi.WriteError(w, rule.Status, message, rule.Details)
	})
}
