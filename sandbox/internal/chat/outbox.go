package chat

import (
	"log"
	"strconv"
)

// outbox delivers the model's events: to operators over their Centrifuge
// channel, to visitors over the widget's sockets. It is called under the
// model's lock, so events leave in the order of the changes.
type outbox struct {
	pub    Publisher
	widget WidgetNotifier // may be nil: no widget sockets
}

// publish sends one event to one operator. A failure (the node refuses
// publications for a moment during a restart) is logged, not returned: the
// change itself has happened.
func (c *outbox) publish(operatorID int, event string, data any) {
	if _, err := c.pub.PublishEvent(strconv.Itoa(operatorID), event, data); err != nil {
		log.Printf("publish %s to operator %d: %v", event, operatorID, err)
	}
}

// publishAll sends one event to several operators, skipping except.
func (c *outbox) publishAll(operatorIDs []int, except int, event string, data any) {
	for _, id := range operatorIDs {
		if id != except {
			c.publish(id, event, data)
		}
	}
}

// notifyWidgetLocked sends one event to the sockets of a session.
func (c *outbox) notifyWidgetLocked(sessionID, event string, data any) {
	if c.widget != nil {
		c.widget.NotifySession(sessionID, event, data)
	}
}
