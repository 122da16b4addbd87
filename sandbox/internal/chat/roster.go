package chat

import (
	"slices"
	"time"

	"twin-panel/sandbox/internal/iam"
)

// roster knows the operators: their accounts, statuses and connections,
// and who may take or hear about a session. Its maps are guarded by the
// model's lock, like everything else.
type roster struct {
	store    *iam.Store
	presence Presence          // may be nil: nobody is online
	statuses map[int]string    // operator id → ACTIVE, PAUSED or OFFLINE
	blocked  map[int]time.Time // when the test API blocked an operator
}

// operatorsWithStatusLocked lists the unblocked operators of a company
// whose status is one of statuses.
func (c *roster) operatorsWithStatusLocked(companyID int, statuses ...string) []int {
	var ids []int
	for _, op := range c.store.Operators() {
		if op.CompanyID == companyID && !op.Blocked && slices.Contains(statuses, c.statuses[op.ID]) {
			ids = append(ids, op.ID)
		}
	}
	return ids
}

// activeOperatorsLocked lists the operators taking new sessions.
func (c *roster) activeOperatorsLocked(companyID int) []int {
	return c.operatorsWithStatusLocked(companyID, StatusActive)
}

// helpAudienceLocked lists who gets operatorNotFound: every operator at
// work, ACTIVE or PAUSED. With somebody ACTIVE a new session is assigned,
// so for new sessions this is the paused operators who could step in.
func (c *roster) helpAudienceLocked(companyID int) []int {
	return c.operatorsWithStatusLocked(companyID, StatusActive, StatusPaused)
}

// isOnline reports whether operator id holds a live Centrifuge connection.
func (c *roster) isOnline(id int) bool {
	return c.presence != nil && c.presence.Online(operatorIDString(id))
}

// operatorName is the display name of an operator, "" when unknown.
func (c *roster) operatorName(id int) string {
	op, ok := c.store.Operator(id)
	if !ok {
		return ""
	}
	return op.FullName()
}

// companyOperator returns operator id if it exists in companyID.
func (c *roster) companyOperator(id, companyID int) (iam.OperatorInfo, error) {
	op, ok := c.store.Operator(id)
	if !ok || op.CompanyID != companyID {
		return iam.OperatorInfo{}, errOperatorNotFound
	}
	return op, nil
}

// operatorPartyLocked is operator id as the widget shows it; 0 is nobody.
func (c *roster) operatorPartyLocked(id int) widgetParty {
	if id == 0 {
		return widgetParty{}
	}
	op, _ := c.store.Operator(id)
	sid, name := operatorIDString(id), op.FullName()
	return widgetParty{id: &sid, name: &name, avatar: op.Avatar}
}
