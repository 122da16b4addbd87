//! One session's conversation: its messages, kept live by the platform's
//! events, with optimistic sending, paging back through history, read
//! receipts and the other side's typing.
//!
//! Pure, like [`crate::inbox`], and shared by both sides: the operator's
//! `panel.conversation(id)` and the visitor's `widget.conversation` are one
//! reducer ([`Conversation`], told its [`Side`]) in two hosts. Payloads are
//! the engine's values, read field by field ([`fields`]); "now" is injected;
//! REST calls are made by the host, whose answers come back in.
//!
//! Its one collection is a `Vec` in display order (oldest first); a page is
//! paired with what is held through a sorted index of positions (the
//! inbox's one sort), and a live event finds its message by a scan from the
//! newest end, where events mostly land.

pub mod fields;
mod item;
mod paging;
mod reducer;
mod sending;
mod side;

pub use item::{Item, Status};
pub use paging::{LoadKind, LoadStep, Loading, PageQuery, ResyncReport, DEFAULT_LIMIT, LOAD_SORT};
pub use reducer::{Conversation, Output, TYPING_EVERY_MS, TYPING_MS};
pub use side::{ConversationEvent, Side};
