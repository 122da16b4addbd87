//! `new OperatorPanel(options)`: option names, units and defaults.

use super::error::usage;
use super::js;
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
}

impl Default for PanelOptions {
    fn default() -> Self {
        PanelOptions {
            iam_url: DEFAULT_IAM_URL.into(),
            chat_url: DEFAULT_CHAT_URL.into(),
            centrifugo_url: DEFAULT_CENTRIFUGO_URL.into(),
            ttl: 86_400,
            refresh_before: 900,
            min_reconnect_delay: 500,
            max_reconnect_delay: 20_000,
            ping_timeout: 10_000,
            connect_timeout: 5_000,
            timeout: 15_000,
        }
    }
}

impl PanelOptions {
    /// Reads options from JS; `undefined` or `null` means all defaults, a
    /// missing key its default, an unknown key is ignored.
    pub fn from_js(value: JsValue) -> Result<Self, JsValue> {
        let mut options = PanelOptions::default();
        if !(value.is_undefined() || value.is_null()) {
            if !value.is_object() {
                return Err(usage("OperatorPanel options must be an object"));
            }
            for (name, slot) in [
                ("iamUrl", &mut options.iam_url),
                ("chatUrl", &mut options.chat_url),
                ("centrifugoUrl", &mut options.centrifugo_url),
            ] {
                if let Some(text) = read_string(&value, name)? {
                    *slot = text;
                }
            }
            for (name, slot) in [
                ("ttl", &mut options.ttl),
                ("refreshBefore", &mut options.refresh_before),
                ("minReconnectDelay", &mut options.min_reconnect_delay),
                ("maxReconnectDelay", &mut options.max_reconnect_delay),
                ("pingTimeout", &mut options.ping_timeout),
                ("connectTimeout", &mut options.connect_timeout),
                ("timeout", &mut options.timeout),
            ] {
                if let Some(number) = read_number(&value, name)? {
                    *slot = number as u64;
                }
            }
        }
        options.iam_url = trim_url("iamUrl", options.iam_url, HTTP)?;
        options.chat_url = trim_url("chatUrl", options.chat_url, HTTP)?;
        options.centrifugo_url = trim_url(
            "centrifugoUrl",
            options.centrifugo_url,
            &["ws://", "wss://"],
        )?;
        if options.ttl == 0 {
            return Err(usage("ttl must be at least 1 second"));
        }
        Ok(options)
    }
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

/// Reads a string option; `None` when absent.
pub fn read_string(options: &JsValue, name: &str) -> Result<Option<String>, JsValue> {
    read(options, name, JsValue::as_string, "a string")
}

/// Reads a finite, non-negative number option; `None` when absent.
pub fn read_number(options: &JsValue, name: &str) -> Result<Option<f64>, JsValue> {
    let whole = |v: &JsValue| v.as_f64().filter(|n| n.is_finite() && *n >= 0.0);
    read(options, name, whole, "a non-negative number")
}

/// Reads option `name`: `None` when absent, an error naming it when mistyped.
fn read<T>(
    options: &JsValue,
    name: &str,
    convert: impl Fn(&JsValue) -> Option<T>,
    expected: &str,
) -> Result<Option<T>, JsValue> {
    let value = js::get(options, name);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    convert(&value)
        .map(Some)
        .ok_or_else(|| usage(format!("option {name} must be {expected}")))
}
