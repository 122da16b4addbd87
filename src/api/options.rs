//! The options of both classes: names, units, defaults and limits. Each
//! option is read on its own from the JS object ([`OptionsObject`]), so a
//! value of the wrong type, or outside its limits, is a `TwinError`
//! (`invalidArgument`) that names the option. Absent, `undefined` and `null`
//! take the default; unknown keys are ignored.

use super::error::usage;
use super::js;
use crate::protocol::backoff::BackoffPolicy;
use crate::rest::origin::is_plain_text_to_remote;
use crate::text::decimal;
use wasm_bindgen::prelude::*;

#[cfg(feature = "panel")]
mod panel;
#[cfg(feature = "widget")]
mod widget;

#[cfg(feature = "panel")]
pub use panel::{connect_deadline, PanelOptions};
#[cfg(feature = "widget")]
pub use widget::WidgetOptions;

/// Production chats API.
pub const DEFAULT_CHAT_URL: &str = "https://chat-api.twin24.ai/api/v1";

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

/// One hour, in ms: the longest reconnect delay accepted.
const HOUR_MS: u64 = 3_600_000;
/// Ten minutes, in ms: the longest deadline accepted.
const TEN_MINUTES_MS: u64 = 600_000;

/// `minReconnectDelay`, ms: 10 ms – 1 h, default 500 ms.
pub const MIN_RECONNECT_DELAY: Limits = Limits::new("minReconnectDelay", 500, 10, HOUR_MS);
/// `maxReconnectDelay`, ms: 10 ms – 1 h (and at least `minReconnectDelay`), default 20 s.
pub const MAX_RECONNECT_DELAY: Limits = Limits::new("maxReconnectDelay", 20_000, 10, HOUR_MS);
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
        Err(usage(crate::text::concat(&[
            "option ",
            self.name,
            " must be a whole number from ",
            &decimal(self.min),
            " to ",
            &decimal(self.max),
        ])))
    }

    /// Reads and checks this option of `options`.
    pub fn read(self, options: &OptionsObject) -> Result<u64, JsValue> {
        self.check(options.number(self.name)?)
    }
}

/// An options object as JS gave it, read one option at a time.
pub struct OptionsObject(JsValue);

impl OptionsObject {
    /// `value` as options: `undefined` or `null` is no options at all;
    /// anything else but an object is an error that names `class`.
    pub fn new(value: JsValue, class: &str) -> Result<Self, JsValue> {
        if value.is_undefined() || value.is_null() {
            return Ok(OptionsObject(JsValue::UNDEFINED));
        }
        if !value.is_object() {
            return Err(usage(crate::text::concat(&[
                class,
                " options must be an object",
            ])));
        }
        Ok(OptionsObject(value))
    }

    /// Option `name`, unless it is absent, `undefined` or `null`.
    fn get(&self, name: &str) -> Option<JsValue> {
        Some(js::get(&self.0, name)).filter(|value| !value.is_undefined() && !value.is_null())
    }

    /// Option `name`, which must be `expected` when present.
    pub(super) fn typed<T>(
        &self,
        name: &str,
        expected: &str,
        read: impl FnOnce(&JsValue) -> Option<T>,
    ) -> Result<Option<T>, JsValue> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => read(&value).map(Some).ok_or_else(|| {
                usage(crate::text::concat(&[
                    "option ",
                    name,
                    " must be ",
                    expected,
                ]))
            }),
        }
    }

    /// A string option.
    pub fn string(&self, name: &str) -> Result<Option<String>, JsValue> {
        self.typed(name, "a string", JsValue::as_string)
    }

    /// A number option (not checked against limits: see [`Limits`]).
    pub fn number(&self, name: &str) -> Result<Option<f64>, JsValue> {
        self.typed(name, "a number", JsValue::as_f64)
    }

    /// A boolean option.
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, JsValue> {
        self.typed(name, "a boolean", JsValue::as_bool)
    }
}

/// What both classes' live connections take from `minReconnectDelay`,
/// `maxReconnectDelay` and `connectTimeout`: one reading, one set of rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reconnect {
    /// Reconnect delays, ms.
    pub backoff: BackoffPolicy,
    /// Deadline for the socket to open and the protocol's connect to finish, ms.
    pub connect_timeout: u64,
}

impl Reconnect {
    /// Checks the three options (absent = default); the longest delay may not
    /// be below the shortest.
    pub(super) fn read(options: &OptionsObject) -> Result<Self, JsValue> {
        let backoff = BackoffPolicy {
            min_ms: MIN_RECONNECT_DELAY.read(options)?,
            max_ms: MAX_RECONNECT_DELAY.read(options)?,
        };
        if backoff.max_ms < backoff.min_ms {
            return Err(usage(
                "option maxReconnectDelay must not be below minReconnectDelay",
            ));
        }
        Ok(Reconnect {
            backoff,
            connect_timeout: CONNECT_TIMEOUT.read(options)?,
        })
    }
}

/// Refuses an `http://` or `ws://` URL to another machine: the token would
/// cross the network in plain text. Allowed when the page itself is plain
/// `http:` (nothing is protected anyway) or with `allowInsecure: true`.
pub(super) fn refuse_plain_text(
    urls: &[(&str, &str)],
    options: &OptionsObject,
) -> Result<(), JsValue> {
    if options.boolean("allowInsecure")?.unwrap_or(false) || page_is_plain_http() {
        return Ok(());
    }
    match urls.iter().find(|(_, url)| is_plain_text_to_remote(url)) {
        Some((name, _)) => Err(usage(crate::text::concat(&[
            "option ",
            name,
            " is plain http/ws to another machine: use https/wss, or set allowInsecure: true",
        ]))),
        None => Ok(()),
    }
}

/// True when the page (or worker) was itself loaded over plain `http:`.
fn page_is_plain_http() -> bool {
    js::page_protocol() == "http:"
}

pub(super) const HTTP: &[&str] = &["http://", "https://"];

/// Reads URL option `name` (`default` when absent): an absolute URL with one
/// of `schemes`, returned without trailing slashes.
pub(super) fn url(
    options: &OptionsObject,
    name: &str,
    default: &str,
    schemes: &[&str],
) -> Result<String, JsValue> {
    let url = options.string(name)?.unwrap_or_else(|| default.into());
    trim_url(name, url, schemes)
}

/// Checks that option `name` is an absolute URL with one of `schemes`;
/// returns it without trailing slashes.
pub fn trim_url(name: &str, mut url: String, schemes: &[&str]) -> Result<String, JsValue> {
    while url.ends_with('/') {
        url.pop();
    }
    let host = schemes.iter().find_map(|s| url.strip_prefix(s));
    match host {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') => Ok(url),
        _ => {
            let mut message = crate::text::concat(&[name, " must be an absolute "]);
            for (i, scheme) in schemes.iter().enumerate() {
                if i > 0 {
                    message.push_str(" or ");
                }
                message.push_str(scheme);
            }
            message.push_str(" URL");
            Err(usage(message))
        }
    }
}
