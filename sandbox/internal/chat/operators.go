package chat

import (
	"cmp"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"twin-panel/sandbox/internal/httpapi"
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

// operatorSortFields are the sortable fields of GET /users.
var operatorSortFields = map[string]func(a, b OperatorListItem) int{
	"id":        func(a, b OperatorListItem) int { return cmp.Compare(a.ID, b.ID) },
	"firstName": func(a, b OperatorListItem) int { return compareFold(a.FirstName, b.FirstName) },
	"lastName":  func(a, b OperatorListItem) int { return compareFold(a.LastName, b.LastName) },
	"status":    func(a, b OperatorListItem) int { return strings.Compare(a.Status, b.Status) },
	"online":    func(a, b OperatorListItem) int { return compareBool(a.Online, b.Online) },
}

// ListOperators lists the operators of the user's company with their status
// and whether they hold a live connection. Filters: userId (comma list),
// status, online.
func (c *Operators) List(user iam.User, q url.Values) (map[string]any, error) {
	lq, err := parseListQuery(q, []string{"firstName", "id", "lastName", "online", "status"}, "id")
	if err != nil {
		return nil, err
	}
	problems := map[string]string{}
	online, filterOnline := optionalBool(q, "online", problems)
	if len(problems) > 0 {
		return nil, httpapi.ValidationError(http.StatusBadRequest, problems)
	}
	var all []OperatorListItem
	for _, op := range c.store.Operators() {
		if op.CompanyID != user.CompanyID {
			continue
		}
		item := OperatorListItem{
			ID: op.ID, CompanyID: op.CompanyID, FirstName: op.FirstName, LastName: op.LastName, Email: op.Email,
			Status: c.Status(op.ID),
			Online: c.presence != nil && c.presence.Online(operatorIDString(op.ID)),
		}
		if op.Blocked {
			c.mu.Lock()
			item.BlockedAt = formatTime(cmp.Or(c.blocked[op.ID], c.seededAt))
			c.mu.Unlock()
		}
		if !matches(q, "userId", strconv.Itoa(op.ID)) || !matches(q, "status", item.Status) || filterOnline && item.Online != online {
			continue
		}
		all = append(all, item)
	}
	sortItems(all, lq.sort, operatorSortFields, func(a, b OperatorListItem) int { return cmp.Compare(a.ID, b.ID) })
	return listPage(lq, all, func(o OperatorListItem) OperatorListItem { return o }), nil
}

// ListGroups lists the operator groups.
func (c *Operators) Groups(q url.Values) (map[string]any, error) {
	lq, err := parseListQuery(q, []string{"id", "name"}, "id")
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	groups := slices.Clone(c.groups)
	c.mu.Unlock()
	sortItems(groups, lq.sort, map[string]func(a, b Group) int{
		"id":   func(a, b Group) int { return cmp.Compare(a.ID, b.ID) },
		"name": func(a, b Group) int { return compareFold(a.Name, b.Name) },
	}, func(a, b Group) int { return cmp.Compare(a.ID, b.ID) })
	return listPage(lq, groups, func(g Group) Group {
		g.OperatorIDs = slices.Clone(g.OperatorIDs)
		return g
	}), nil
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
