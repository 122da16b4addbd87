package chat

import (
	"time"
)

// Echo is the sandbox's switch for the one behaviour of the platform that no
// source settles: whether the author of a message hears of it too. Off (the
// default, and after a reset): an operator's message and edit reach only the
// session's other operators, and a visitor's message is not sent back to the
// visitor's widget. On: the author gets them too (chatMessageCreated /
// chatMessageEdited to the operator who wrote, chatMessageCreatedEmit to the
// visitor's sockets), so a client can show that it keeps one copy either
// way. AnswerDelay holds the answer of a send back after the echo went out,
// so the echo comes first.
type Echo struct {
	On          bool `json:"on"`
	AnswerDelay int  `json:"answerDelayMs"`
}

// SetEcho switches the echo of an author's own messages.
func (s *Service) SetEcho(e Echo) {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.m.echo = e
}

// echoExcept is the operator the message events skip: the author, unless
// the echo is on.
func (c *model) echoExcept(author int) int {
	if c.echo.On {
		return 0
	}
	return author
}

// answerDelay waits out the echo's head start (outside the model's lock).
func (s *Service) answerDelay() {
	s.m.mu.Lock()
	delay := time.Duration(s.m.echo.AnswerDelay) * time.Millisecond
	s.m.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
}
