//! `new OperatorPanel(options)` and `connect({ timeout })`. Times:
//! `ttl` and `refreshBefore` in seconds (as the platform counts token
//! lifetimes), everything else in milliseconds.

use super::{url, Limits, OptionsObject, Reconnect, DEFAULT_CHAT_URL, HTTP, TIMEOUT};
use crate::protocol::centrifuge;
use wasm_bindgen::prelude::*;

/// Production IAM service.
pub const DEFAULT_IAM_URL: &str = "https://iam.twin24.ai/api/v1";
/// Production Centrifugo endpoint.
pub const DEFAULT_CENTRIFUGO_URL: &str = "wss://twin24.ai/centrifugo/connection/websocket";

/// One year, in seconds: the longest token lifetime or refresh lead accepted.
const YEAR_S: u64 = 365 * 24 * 3600;

/// `ttl`, seconds: 1 s – 365 days, default 24 h.
pub const TTL: Limits = Limits::new("ttl", 86_400, 1, YEAR_S);
/// `refreshBefore`, seconds: 0 – 365 days, default 15 min.
pub const REFRESH_BEFORE: Limits = Limits::new("refreshBefore", 900, 0, YEAR_S);
/// `pingTimeout`, ms: 100 ms – 10 min, default 10 s.
pub const PING_TIMEOUT: Limits = Limits::new("pingTimeout", 10_000, 100, 600_000);
/// `connect({ timeout })`, ms: 1 ms – 10 min; none by default (wait until
/// connected or stopped).
pub const CONNECT_DEADLINE: Limits = Limits::new("timeout", 0, 1, 600_000);

/// Options of `OperatorPanel`.
#[derive(Debug, Clone)]
pub struct PanelOptions {
    /// IAM base URL.
    pub iam_url: String,
    /// Chats API base URL.
    pub chat_url: String,
    /// Centrifugo WebSocket URL.
    pub centrifugo_url: String,
    /// Requested token lifetime, seconds (the platform advises 24 h).
    pub ttl: u64,
    /// Refresh this many seconds before the token expires (platform advice: 15 min).
    pub refresh_before: u64,
    /// Reconnect delays and the deadline for the socket to open and the
    /// connect reply to arrive.
    pub reconnect: Reconnect,
    /// Grace past the server's ping interval before the link counts as dead, ms.
    pub ping_timeout: u64,
    /// Deadline of every REST call, ms.
    pub timeout: u64,
    /// Share one connection and one refresh with the operator's other tabs.
    pub share_across_tabs: bool,
}

impl PanelOptions {
    /// Reads options from JS; `undefined` or `null` means all defaults.
    pub fn from_js(value: JsValue) -> Result<Self, JsValue> {
        let input = OptionsObject::new(value, "OperatorPanel")?;
        let options = PanelOptions {
            iam_url: url(&input, "iamUrl", DEFAULT_IAM_URL, HTTP)?,
            chat_url: url(&input, "chatUrl", DEFAULT_CHAT_URL, HTTP)?,
            centrifugo_url: url(
                &input,
                "centrifugoUrl",
                DEFAULT_CENTRIFUGO_URL,
                &["ws://", "wss://"],
            )?,
            ttl: TTL.read(&input)?,
            refresh_before: REFRESH_BEFORE.read(&input)?,
            reconnect: Reconnect::read(&input)?,
            ping_timeout: PING_TIMEOUT.read(&input)?,
            timeout: TIMEOUT.read(&input)?,
            share_across_tabs: input.boolean("shareAcrossTabs")?.unwrap_or(true),
        };
        super::refuse_plain_text(
            &[
                ("iamUrl", &options.iam_url),
                ("chatUrl", &options.chat_url),
                ("centrifugoUrl", &options.centrifugo_url),
            ],
            &input,
        )?;
        Ok(options)
    }

    /// The Centrifuge client's settings.
    pub fn centrifuge_config(&self) -> centrifuge::ClientConfig {
        let mut config = centrifuge::ClientConfig::new(self.centrifugo_url.clone());
        config.timeout_ms = self.reconnect.connect_timeout;
        config.backoff = self.reconnect.backoff;
        config.max_server_ping_delay_ms = self.ping_timeout;
        config
    }
}

/// The deadline of one `connect()` call, if it gave one.
pub fn connect_deadline(value: JsValue) -> Result<Option<u64>, JsValue> {
    let input = OptionsObject::new(value, "connect()")?;
    input
        .number("timeout")?
        .map(|ms| CONNECT_DEADLINE.check(Some(ms)))
        .transpose()
}
