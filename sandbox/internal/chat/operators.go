package chat

import (
	"cmp"
	"maps"
	"slices"

	"twin-panel/sandbox/internal/iam"
)

// OperatorEvent is the data of operatorBlocked, operatorLoggedOut and
// chatUserExists (the sandbox's choice; the widget's operatorLoggedOutEmit
// has the same shape).
type OperatorEvent struct {
	OperatorID string `json:"operatorId"`
}

// OperatorStatus is the answer of activate and pause.
type OperatorStatus struct {
	ID     int    `json:"id"`
	Status string `json:"status"`
}

// SetStatus makes the user ACTIVE (taking new sessions) or PAUSED. Nothing
// is published to the operator; a change sends operatorStatusChangedEmit to
// the widget sockets of the sessions the user answers.
func (c *Operators) SetStatus(user iam.User, status string) OperatorStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	prev := cmp.Or(c.statuses[user.ID], StatusOffline)
	c.statuses[user.ID] = status
	if prev != status {
		c.notifyOperatorSessionsLocked(user.ID, wevOperatorStatusChanged, WidgetOperatorStatus{
			OperatorID: operatorIDString(user.ID), PreviousStatus: prev, CurrentStatus: status,
		})
	}
	return OperatorStatus{ID: user.ID, Status: status}
}

// Status returns an operator's status.
func (c *Operators) Status(id int) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return cmp.Or(c.statuses[id], StatusOffline)
}

// Logout makes an operator OFFLINE and publishes operatorLoggedOut; the
// widget sockets of the sessions they answer get operatorLoggedOutEmit
// (and no operatorStatusChangedEmit).
func (c *Operators) Logout(id int) error {
	if _, ok := c.store.Operator(id); !ok {
		return errOperatorNotFound
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.statuses[id] = StatusOffline
	data := OperatorEvent{OperatorID: operatorIDString(id)}
	c.publish(id, evOperatorLoggedOut, data)
	c.notifyOperatorSessionsLocked(id, wevOperatorLoggedOut, data)
	return nil
}

// NotifyBlocked publishes operatorBlocked to a newly blocked operator.
func (c *Operators) NotifyBlocked(id int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.blocked[id] = c.stamp()
	c.publish(id, evOperatorBlocked, OperatorEvent{OperatorID: operatorIDString(id)})
}

// NotifyLogin runs on every successful login: when the operator already
// holds a live connection, chatUserExists goes to the channel at once. The
// new session connects after its login answer, without a recovery
// position, so only the old connections see it.
func (c *Operators) NotifyLogin(user iam.User) {
	id := operatorIDString(user.ID)
	if c.presence == nil || !c.presence.Online(id) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.publish(user.ID, evChatUserExists, OperatorEvent{OperatorID: id})
}

// notifyOperatorSessionsLocked sends one event to every open session whose
// operator (not a helper) is operatorID: those are the visitors who see them.
func (c *Operators) notifyOperatorSessionsLocked(operatorID int, event string, data any) {
	for _, s := range c.sessionsInOrderLocked() {
		if s.status == StatusActive && s.operatorID == operatorID {
			c.notifyWidgetLocked(s.id, event, data)
		}
	}
}

// sessionsInOrderLocked lists every session in creation order, so fan-outs
// are repeatable.
func (c *Operators) sessionsInOrderLocked() []*session {
	out := slices.Collect(maps.Values(c.sessions))
	slices.SortFunc(out, func(a, b *session) int { return cmp.Compare(a.seq, b.seq) })
	return out
}
