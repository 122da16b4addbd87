//! The JSON engine the host lends the protocol core.
//!
//! The core never parses or writes JSON text itself. Its frame shapes are
//! serde structs, and a host-supplied [`JsonEngine`] turns text into values and
//! values into those structs:
//!
//! - in the package, the browser's `JSON.parse` builds each value once and
//!   serde-wasm-bindgen reads the envelope out of it, while payload fields
//!   ([`JsonEngine::Value`]) stay the very JS objects the engine built;
//! - in the native tests, serde_json does the same with `serde_json::Value`.
//!
//! Errors say only which step failed, never any of the input: tokens travel in
//! these frames.
//!
//! Nothing here may import a browser API: `protocol/` is sans-IO.

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Debug;

/// Why a JSON text or value could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonError {
    /// The text is not JSON.
    Syntax,
    /// The JSON is fine, but its shape is not what the protocol expects
    /// (a missing field, a field of the wrong type).
    Shape,
}

impl JsonError {
    /// A short description for logs and the `error` event.
    pub fn as_str(self) -> &'static str {
        match self {
            JsonError::Syntax => "not JSON",
            JsonError::Shape => "unexpected field types",
        }
    }
}

/// Parses, reads and writes JSON for the protocol core.
pub trait JsonEngine {
    /// A parsed JSON value, kept as the engine built it (payloads are handed
    /// to the application as this, without a copy).
    type Value: Debug + Clone + DeserializeOwned + Serialize;

    /// Parses one JSON text.
    fn parse(&self, text: &str) -> Result<Self::Value, JsonError>;

    /// Reads a `T` out of a parsed value; `Self::Value` fields of `T` keep the
    /// parsed values themselves.
    fn read<T: DeserializeOwned>(&self, value: Self::Value) -> Result<T, JsonError>;

    /// Writes `value` as JSON text.
    fn write<T: Serialize>(&self, value: &T) -> String;

    /// The platform event a payload names: the `event` field of an object,
    /// when it is a string. Arrays and other values name none, so
    /// `["operatorBlocked"]` can never log anyone out.
    fn event_name(&self, payload: &Self::Value) -> Option<String>;
}

/// Parses `text` and reads a `T` out of it.
pub fn decode<J: JsonEngine, T: DeserializeOwned>(json: &J, text: &str) -> Result<T, JsonError> {
    json.read(json.parse(text)?)
}
