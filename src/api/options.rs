//! `new OperatorPanel(options)`: option names, units, defaults and limits.
//!
//! Options are read with serde-wasm-bindgen into a `#[derive(Deserialize)]`
//! struct; a value of the wrong type, or outside the limits below, is a
//! `TwinError` (`invalidArgument`) that names the option.

use super::error::usage;
use super::js;
use crate::protocol::backoff::BackoffPolicy;
use crate::protocol::centrifuge;
use crate::protocol::socketio::{ClientConfig, EioVersion};
use crate::rest::origin::is_plain_text_to_remote;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

/// Production IAM service.
pub const DEFAULT_IAM_URL: &str = "https://iam.twin24.ai/api/v1";
/// Production chats API.
pub const DEFAULT_CHAT_URL: &str = "https://chat-api.twin24.ai/api/v1";
/// Production Centrifugo endpoint.
pub const DEFAULT_CENTRIFUGO_URL: &str = "wss://twin24.ai/centrifugo/connection/websocket";

/// Options of `OperatorPanel`. Times: `ttl` and `refreshBefore` in seconds (as
/// the platform counts token lifetimes), everything else in milliseconds.
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
    /// Shortest reconnect delay, ms.
    pub min_reconnect_delay: u64,
    /// Longest reconnect delay, ms.
    pub max_reconnect_delay: u64,
    /// Grace past the server's ping interval before the link counts as dead, ms.
    pub ping_timeout: u64,
    /// Deadline for the socket to open and the connect reply to arrive, ms.
    pub connect_timeout: u64,
    /// Deadline of every REST call, ms.
    pub timeout: u64,
    /// Share one connection and one refresh with the operator's other tabs.
    pub share_across_tabs: bool,
}

/// The options as JS gives them: every one may be absent or `null`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PanelOptionsInput {
    iam_url: Option<String>,
    chat_url: Option<String>,
    centrifugo_url: Option<String>,
    ttl: Option<f64>,
    refresh_before: Option<f64>,
    min_reconnect_delay: Option<f64>,
    max_reconnect_delay: Option<f64>,
    ping_timeout: Option<f64>,
    connect_timeout: Option<f64>,
    timeout: Option<f64>,
    allow_insecure: Option<bool>,
    share_across_tabs: Option<bool>,
}

/// Each option's JS name and what it must be, for error messages.
const PANEL_FIELDS: &[(&str, &str)] = &[
    ("allowInsecure", "a boolean"),
    ("iamUrl", "a string"),
    ("chatUrl", "a string"),
    ("centrifugoUrl", "a string"),
    ("ttl", "a number"),
    ("refreshBefore", "a number"),
    ("minReconnectDelay", "a number"),
    ("maxReconnectDelay", "a number"),
    ("pingTimeout", "a number"),
    ("connectTimeout", "a number"),
    ("timeout", "a number"),
    ("shareAcrossTabs", "a boolean"),
];

/// A number option: its default and the range it must fall in.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// JS name.
    pub name: &'static str,
    /// Value when absent.
    pub default: u64,
    /// Smallest value allowed.
    pub min: u64,
    /// Largest value allowed.
    pub max: u64,
}

/// One year, in seconds: the longest token lifetime or refresh lead accepted.
const YEAR_S: u64 = 365 * 24 * 3600;
/// One hour, in ms: the longest reconnect delay accepted.
const HOUR_MS: u64 = 3_600_000;
/// Ten minutes, in ms: the longest deadline accepted.
const TEN_MINUTES_MS: u64 = 600_000;

/// `ttl`, seconds: 1 s – 365 days, default 24 h.
pub const TTL: Limits = Limits::new("ttl", 86_400, 1, YEAR_S);
/// `refreshBefore`, seconds: 0 – 365 days, default 15 min.
pub const REFRESH_BEFORE: Limits = Limits::new("refreshBefore", 900, 0, YEAR_S);
/// `minReconnectDelay`, ms: 10 ms – 1 h, default 500 ms.
pub const MIN_RECONNECT_DELAY: Limits = Limits::new("minReconnectDelay", 500, 10, HOUR_MS);
/// `maxReconnectDelay`, ms: 10 ms – 1 h (and at least `minReconnectDelay`), default 20 s.
pub const MAX_RECONNECT_DELAY: Limits = Limits::new("maxReconnectDelay", 20_000, 10, HOUR_MS);
/// `pingTimeout`, ms: 100 ms – 10 min, default 10 s.
pub const PING_TIMEOUT: Limits = Limits::new("pingTimeout", 10_000, 100, TEN_MINUTES_MS);
/// `connectTimeout`, ms: 100 ms – 10 min, default 5 s.
pub const CONNECT_TIMEOUT: Limits = Limits::new("connectTimeout", 5_000, 100, TEN_MINUTES_MS);
/// `timeout` (every REST call), ms: 100 ms – 10 min, default 15 s.
pub const TIMEOUT: Limits = Limits::new("timeout", 15_000, 100, TEN_MINUTES_MS);

impl Limits {
    /// Option `name`: `default` when absent, else from `min` to `max`.
    pub const fn new(name: &'static str, default: u64, min: u64, max: u64) -> Self {
        Limits {
            name,
            default,
            min,
            max,
        }
    }

    /// The value to use: the default when absent; an error naming the option
    /// for NaN, infinities, fractions and anything outside the range.
    pub fn check(self, value: Option<f64>) -> Result<u64, JsValue> {
        let Some(value) = value else {
            return Ok(self.default);
        };
        let whole = value.is_finite() && value.fract() == 0.0;
        if whole && value >= self.min as f64 && value <= self.max as f64 {
            return Ok(value as u64);
        }
        Err(usage(format!(
            "option {} must be a whole number from {} to {}",
            self.name, self.min, self.max
        )))
    }
}

impl PanelOptions {
    /// Reads options from JS; `undefined` or `null` means all defaults, a
    /// missing key its default, an unknown key is ignored.
    pub fn from_js(value: JsValue) -> Result<Self, JsValue> {
        let input: PanelOptionsInput = read_options(value, "OperatorPanel", PANEL_FIELDS)?;
        let min_reconnect_delay = MIN_RECONNECT_DELAY.check(input.min_reconnect_delay)?;
        let max_reconnect_delay = MAX_RECONNECT_DELAY.check(input.max_reconnect_delay)?;
        if max_reconnect_delay < min_reconnect_delay {
            return Err(usage(
                "option maxReconnectDelay must not be below minReconnectDelay",
            ));
        }
        let options = PanelOptions {
            iam_url: trim_url(
                "iamUrl",
                input.iam_url.unwrap_or_else(|| DEFAULT_IAM_URL.into()),
                HTTP,
            )?,
            chat_url: trim_url(
                "chatUrl",
                input.chat_url.unwrap_or_else(|| DEFAULT_CHAT_URL.into()),
                HTTP,
            )?,
            centrifugo_url: trim_url(
                "centrifugoUrl",
                input
                    .centrifugo_url
                    .unwrap_or_else(|| DEFAULT_CENTRIFUGO_URL.into()),
                &["ws://", "wss://"],
            )?,
            ttl: TTL.check(input.ttl)?,
            refresh_before: REFRESH_BEFORE.check(input.refresh_before)?,
            min_reconnect_delay,
            max_reconnect_delay,
            ping_timeout: PING_TIMEOUT.check(input.ping_timeout)?,
            connect_timeout: CONNECT_TIMEOUT.check(input.connect_timeout)?,
            timeout: TIMEOUT.check(input.timeout)?,
            share_across_tabs: input.share_across_tabs.unwrap_or(true),
        };
        refuse_plain_text(
            &[
                ("iamUrl", &options.iam_url),
                ("chatUrl", &options.chat_url),
                ("centrifugoUrl", &options.centrifugo_url),
            ],
            input.allow_insecure.unwrap_or(false),
        )?;
        Ok(options)
    }

    /// The Centrifuge client's settings.
    pub fn centrifuge_config(&self) -> centrifuge::ClientConfig {
        let mut config = centrifuge::ClientConfig::new(self.centrifugo_url.clone());
        config.timeout_ms = self.connect_timeout;
        config.max_server_ping_delay_ms = self.ping_timeout;
        config.backoff = BackoffPolicy {
            min_ms: self.min_reconnect_delay,
            max_ms: self.max_reconnect_delay,
        };
        config
    }
}

/// Refuses an `http://` or `ws://` URL to another machine: the token would
/// cross the network in plain text. Allowed when the page itself is plain
/// `http:` (nothing is protected anyway) or with `allowInsecure: true`.
fn refuse_plain_text(urls: &[(&str, &str)], allow_insecure: bool) -> Result<(), JsValue> {
    if allow_insecure || page_is_plain_http() {
        return Ok(());
    }
    match urls.iter().find(|(_, url)| is_plain_text_to_remote(url)) {
        Some((name, _)) => Err(usage(format!(
            "option {name} is plain http/ws to another machine: use https/wss, or set allowInsecure: true"
        ))),
        None => Ok(()),
    }
}

/// True when the page (or worker) was itself loaded over plain `http:`.
fn page_is_plain_http() -> bool {
    let location = js::get(&js_sys::global(), "location");
    js::get(&location, "protocol").as_string().as_deref() == Some("http:")
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ConnectOptionsInput {
    timeout: Option<f64>,
}

/// `connect({ timeout })`, ms: 1 ms – 10 min; none by default (wait until
/// connected or stopped).
pub const CONNECT_DEADLINE: Limits = Limits::new("timeout", 0, 1, TEN_MINUTES_MS);

/// The deadline of one `connect()` call, if it gave one.
pub fn connect_deadline(value: JsValue) -> Result<Option<u64>, JsValue> {
    let input: ConnectOptionsInput = read_options(value, "connect()", &[("timeout", "a number")])?;
    input
        .timeout
        .map(|ms| CONNECT_DEADLINE.check(Some(ms)))
        .transpose()
}

/// Reads an options object into `T`. `undefined` or `null` is `T::default()`;
/// a value of the wrong type is an error naming its option (serde's own
/// message does not, so the options are tried one at a time to find it).
pub fn read_options<T: DeserializeOwned + Default>(
    value: JsValue,
    class: &str,
    fields: &[(&str, &str)],
) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    if !value.is_object() {
        return Err(usage(format!("{class} options must be an object")));
    }
    if let Ok(options) = serde_wasm_bindgen::from_value::<T>(value.clone()) {
        return Ok(options);
    }
    for (name, expected) in fields {
        let one = js::object(&[(name, js::get(&value, name))]);
        if serde_wasm_bindgen::from_value::<T>(one).is_err() {
            return Err(usage(format!("option {name} must be {expected}")));
        }
    }
    Err(usage(format!("{class} options could not be read")))
}

const HTTP: &[&str] = &["http://", "https://"];

/// Checks that option `name` is an absolute URL with one of `schemes`;
/// returns it without trailing slashes.
pub fn trim_url(name: &str, mut url: String, schemes: &[&str]) -> Result<String, JsValue> {
    while url.ends_with('/') {
        url.pop();
    }
    let host = schemes.iter().find_map(|s| url.strip_prefix(s));
    match host {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') => Ok(url),
        _ => Err(usage(format!(
            "{name} must be an absolute {} URL",
            schemes.join(" or ")
        ))),
    }
}

/// Options of `ChatWidget`; times in milliseconds.
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
    /// Shortest reconnect delay, ms.
    pub min_reconnect_delay: u64,
    /// Longest reconnect delay, ms.
    pub max_reconnect_delay: u64,
    /// Deadline for the socket and the Socket.IO connect, ms.
    pub connect_timeout: u64,
    /// Deadline of every REST call and of every wait for an ack (`markRead()`,
    /// `close()`), ms.
    pub timeout: u64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WidgetOptionsInput {
    chat_id: Option<String>,
    chat_url: Option<String>,
    socket_url: Option<String>,
    eio: Option<f64>,
    min_reconnect_delay: Option<f64>,
    max_reconnect_delay: Option<f64>,
    connect_timeout: Option<f64>,
    timeout: Option<f64>,
    allow_insecure: Option<bool>,
}

const WIDGET_FIELDS: &[(&str, &str)] = &[
    ("allowInsecure", "a boolean"),
    ("chatId", "a string"),
    ("chatUrl", "a string"),
    ("socketUrl", "a string"),
    ("eio", "3 or 4"),
    ("minReconnectDelay", "a number"),
    ("maxReconnectDelay", "a number"),
    ("connectTimeout", "a number"),
    ("timeout", "a number"),
];

impl WidgetOptions {
    /// Reads `new ChatWidget(options)`: `chatId` is required.
    pub fn from_js(value: JsValue) -> Result<Self, JsValue> {
        if !value.is_object() {
            return Err(usage("ChatWidget needs options with a chatId"));
        }
        let input: WidgetOptionsInput = read_options(value, "ChatWidget", WIDGET_FIELDS)?;
        let chat_id = input
            .chat_id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| usage("option chatId is required"))?;
        let chat_url = trim_url(
            "chatUrl",
            input.chat_url.unwrap_or_else(|| DEFAULT_CHAT_URL.into()),
            HTTP,
        )?;
        let socket_url = match input.socket_url {
            Some(url) => trim_url(
                "socketUrl",
                url,
                &["http://", "https://", "ws://", "wss://"],
            )?,
            None => origin_of(&chat_url),
        };
        refuse_plain_text(
            &[("chatUrl", &chat_url), ("socketUrl", &socket_url)],
            input.allow_insecure.unwrap_or(false),
        )?;
        let eio = match input.eio {
            None => None,
            Some(3.0) => Some(EioVersion::V3),
            Some(4.0) => Some(EioVersion::V4),
            Some(_) => return Err(usage("option eio must be 3 or 4")),
        };
        let min_reconnect_delay = MIN_RECONNECT_DELAY.check(input.min_reconnect_delay)?;
        let max_reconnect_delay = MAX_RECONNECT_DELAY.check(input.max_reconnect_delay)?;
        if max_reconnect_delay < min_reconnect_delay {
            return Err(usage(
                "option maxReconnectDelay must not be below minReconnectDelay",
            ));
        }
        Ok(WidgetOptions {
            chat_id,
            chat_url,
            socket_url,
            eio,
            min_reconnect_delay,
            max_reconnect_delay,
            connect_timeout: CONNECT_TIMEOUT.check(input.connect_timeout)?,
            timeout: TIMEOUT.check(input.timeout)?,
        })
    }

    /// The Socket.IO client's settings (the session query is added per session).
    pub fn socket_config(&self) -> ClientConfig {
        let mut config = ClientConfig::new(self.socket_url.clone());
        config.eio = self.eio;
        config.timeout_ms = self.connect_timeout;
        config.backoff = BackoffPolicy {
            min_ms: self.min_reconnect_delay,
            max_ms: self.max_reconnect_delay,
        };
        config
    }
}

/// `https://host:port/api/v1` → `https://host:port`.
fn origin_of(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let slash = url.get(after_scheme..).and_then(|rest| rest.find('/'));
    slash
        .and_then(|slash| url.get(..after_scheme + slash))
        .unwrap_or(url)
        .to_owned()
}
