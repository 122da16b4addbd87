//! Which side a conversation serves, and the live events it follows.

/// Which side of the chat the store serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The operator (`panel.conversation`): own messages are `OPERATOR`
    /// ones; the client's are read, counted unread and typed.
    Operator,
    /// The visitor (`widget.conversation`): own messages are `CLIENT` ones;
    /// the operator's and the bot's are read, counted unread and typed.
    /// Events need not name the session (the widget's socket is the
    /// session's).
    Visitor,
}

impl Side {
    /// `authorType` of this side's own messages.
    pub fn own_author(self) -> &'static str {
        match self {
            Side::Operator => "OPERATOR",
            Side::Visitor => "CLIENT",
        }
    }

    /// A message by `author` is the other side's (unread until read).
    pub fn from_other(self, author: Option<&str>) -> bool {
        match self {
            Side::Operator => author == Some("CLIENT"),
            Side::Visitor => author.is_some_and(|a| a != "CLIENT"),
        }
    }

    /// A typing signal by `author` is the other side's (an absent author
    /// counts as the other side).
    pub(super) fn typing_from_other(self, author: Option<&str>) -> bool {
        author.is_none() || self.from_other(author)
    }
}

/// The live events a conversation follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationEvent {
    /// A message was written (appended once, by id).
    Created,
    /// A message was edited (replaced, by id).
    Edited,
    /// The other side read a message (`readAt`).
    Read,
    /// Someone types.
    Typing,
}

impl ConversationEvent {
    /// The event a panel publication stands for.
    pub fn of_panel(name: &str) -> Option<Self> {
        Some(match name {
            "chatMessageCreated" => ConversationEvent::Created,
            "chatMessageEdited" => ConversationEvent::Edited,
            "chatMessageRead" => ConversationEvent::Read,
            "typing" => ConversationEvent::Typing,
            _ => return None,
        })
    }

    /// The event a widget socket event stands for.
    pub fn of_widget(name: &str) -> Option<Self> {
        Some(match name {
            "chatMessageCreatedEmit" => ConversationEvent::Created,
            "chatMessageReadEmit" => ConversationEvent::Read,
            "showTypingIndicatorEmit" => ConversationEvent::Typing,
            _ => return None,
        })
    }

    /// The name on `side`, for error details.
    pub fn name(self, side: Side) -> &'static str {
        match (self, side) {
            (ConversationEvent::Created, Side::Operator) => "chatMessageCreated",
            (ConversationEvent::Edited, _) => "chatMessageEdited",
            (ConversationEvent::Read, Side::Operator) => "chatMessageRead",
            (ConversationEvent::Typing, Side::Operator) => "typing",
            (ConversationEvent::Created, Side::Visitor) => "chatMessageCreatedEmit",
            (ConversationEvent::Read, Side::Visitor) => "chatMessageReadEmit",
            (ConversationEvent::Typing, Side::Visitor) => "showTypingIndicatorEmit",
        }
    }
}
