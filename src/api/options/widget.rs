//! `new ChatWidget(options)`; times in milliseconds.

use super::{url, OptionsObject, Reconnect, DEFAULT_CHAT_URL, HTTP, TIMEOUT};
use crate::api::error::usage;
use crate::protocol::socketio::{ClientConfig, EioVersion};
use wasm_bindgen::prelude::*;

/// Options of `ChatWidget`.
#[derive(Debug, Clone)]
pub struct WidgetOptions {
    /// The chat (widget) to start sessions in.
    pub chat_id: String,
    /// Chats API base URL.
    pub chat_url: String,
    /// Socket.IO server origin (default: the origin of `chat_url`).
    pub socket_url: String,
    /// Engine.IO version; `None` = 4 with fallback to 3.
    pub eio: Option<EioVersion>,
    /// Reconnect delays and the deadline for the socket and the Socket.IO
    /// connect.
    pub reconnect: Reconnect,
    /// Deadline of every REST call and of every wait for an ack (`markRead()`,
    /// `close()`), ms.
    pub timeout: u64,
}

impl WidgetOptions {
    /// Reads `new ChatWidget(options)`: `chatId` is required.
    pub fn from_js(value: JsValue) -> Result<Self, JsValue> {
        if !value.is_object() {
            return Err(usage("ChatWidget needs options with a chatId"));
        }
        let input = OptionsObject::new(value, "ChatWidget")?;
        let chat_id = input
            .string("chatId")?
            .filter(|id| !id.is_empty())
            .ok_or_else(|| usage("option chatId is required"))?;
        let chat_url = url(&input, "chatUrl", DEFAULT_CHAT_URL, HTTP)?;
        let socket_url = match input.string("socketUrl")? {
            Some(socket_url) => super::trim_url(
                "socketUrl",
                socket_url,
                &["http://", "https://", "ws://", "wss://"],
            )?,
            None => origin_of(&chat_url),
        };
        super::refuse_plain_text(
            &[("chatUrl", &chat_url), ("socketUrl", &socket_url)],
            &input,
        )?;
        let eio = match input.typed("eio", "3 or 4", JsValue::as_f64)? {
            None => None,
            Some(3.0) => Some(EioVersion::V3),
            Some(4.0) => Some(EioVersion::V4),
            Some(_) => return Err(usage("option eio must be 3 or 4")),
        };
        Ok(WidgetOptions {
            chat_id,
            chat_url,
            socket_url,
            eio,
            reconnect: Reconnect::read(&input)?,
            timeout: TIMEOUT.read(&input)?,
        })
    }

    /// The Socket.IO client's settings (the session query is added per session).
    pub fn socket_config(&self) -> ClientConfig {
        let mut config = ClientConfig::new(self.socket_url.clone());
        config.timeout_ms = self.reconnect.connect_timeout;
        config.backoff = self.reconnect.backoff;
        config.eio = self.eio;
        config
    }
}

/// `https://host:port/api/v1` → `https://host:port`.
fn origin_of(url: &str) -> String {
    let after_scheme = crate::text::find(url, "://").map_or(0, |i| i + 3);
    let slash = url.get(after_scheme..).and_then(|rest| rest.find('/'));
    slash
        .and_then(|slash| url.get(..after_scheme + slash))
        .unwrap_or(url)
        .to_owned()
}
