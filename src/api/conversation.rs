//! `panel.conversation(sessionId)` and `widget.conversation`: one session's
//! messages as a live store that React, Vue and Svelte consume directly.
//!
//! The decisions live in the pure [`crate::conversation::Conversation`];
//! this file moves page answers, live events, send answers and time into
//! it, and turns its state into an immutable snapshot ([`Live`]). The panel
//! keeps one store per open session id ([`Conversations`]) and the widget
//! one for its session; each calls it from its event dispatch, and the
//! store reaches the platform only through the [`ConversationRest`] its
//! owner lends it.
//!
//! - `store`: the store and the hooks its owner calls;
//! - `calls`: what it asks of the platform, all through one future;
//! - `snapshot`: its immutable snapshot;
//! - `class`: the wasm half of the JS class `Conversation` (`js/glue.js`);
//! - `registry`: the panel's open conversations (feature `panel`);
//! - `types`: the TypeScript declarations of both entries.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

mod calls;
mod class;
#[cfg(feature = "panel")]
mod registry;
mod snapshot;
mod store;
mod types;

#[cfg(feature = "panel")]
pub(crate) use registry::Conversations;
pub(crate) use store::ConversationStore;

/// The platform calls a conversation makes, lent by its owner (the panel's
/// REST calls with their token refresh and retries; the widget's public
/// REST and socket). Each returns the call's promise.
pub(crate) trait ConversationRest {
    /// `GET /sessions/{id}/messages` with `query` (the operator's only: the
    /// visitor has no history endpoint, and its store never asks).
    #[cfg(feature = "panel")]
    fn messages(&self, session_id: &str, query: JsValue) -> Promise;
    /// Sends `message` (`{ body, ... }`); resolves to `{ id, createdAt }`.
    fn send(&self, session_id: &str, message: JsValue) -> Promise;
    /// Edits an own message with `patch`; resolves to the updated Message.
    #[cfg(feature = "panel")]
    fn edit(&self, session_id: &str, message_id: &str, patch: JsValue) -> Promise;
    /// Deletes an own message.
    #[cfg(feature = "panel")]
    fn remove(&self, session_id: &str, message_id: &str) -> Promise;
    /// Marks the other side's message read.
    fn mark_read(&self, message_id: &str) -> Promise;
    /// Shows the other side that this side types.
    fn typing(&self, session_id: &str) -> Promise;
}
