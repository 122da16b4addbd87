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

    /// Field `key` of a plain object (`null` included); `None` when `value`
    /// is not a plain object (an array, a string, ...) or has no such field.
    fn field(&self, value: &Self::Value, key: &str) -> Option<Self::Value>;

    /// [`field`](Self::field) unless it is `null`: what a reader keys on
    /// (one look-up in the browser, where `field` and the `null` check are two).
    fn present(&self, value: &Self::Value, key: &str) -> Option<Self::Value> {
        self.field(value, key).filter(|value| !self.is_null(value))
    }

    /// A string value as Rust text.
    fn string(&self, value: &Self::Value) -> Option<String>;

    /// A number value.
    fn number(&self, value: &Self::Value) -> Option<f64>;

    /// A boolean value.
    fn boolean(&self, value: &Self::Value) -> Option<bool>;

    /// Whether `value` is `null`.
    fn is_null(&self, value: &Self::Value) -> bool;

    /// Whether `value` is a plain object (not an array, not `null`).
    fn is_object(&self, value: &Self::Value) -> bool;

    /// The items of an array value.
    fn items(&self, value: &Self::Value) -> Option<Vec<Self::Value>>;

    /// The fields of a plain object, in their order.
    fn entries(&self, value: &Self::Value) -> Option<Vec<(String, Self::Value)>>;

    /// An array of `items` (a publication read one by one is delivered as
    /// a run of one, whose payloads are an array like a scanned frame's).
    fn array(&self, items: Vec<Self::Value>) -> Self::Value;

    /// The numbers of a list the host wrote in one go (a `Float64Array` in
    /// the browser, read in one go); `None` for anything else.
    fn numbers(&self, value: &Self::Value) -> Option<Vec<f64>>;
}

/// The largest integer a JSON number read by the browser holds exactly (2^53 - 1).
pub const MAX_EXACT_INTEGER: u64 = (1 << 53) - 1;

/// A plain object of a parsed value, read field by field: a field that is
/// absent or `null` reads as `None`, a field of another type than the one
/// asked for is a [`JsonError::Shape`]. Unknown fields are never looked at.
///
/// Field by field, not through serde: the browser's engine has already built
/// the value, one look-up per field the core needs is all the reading costs,
/// and nothing generic is compiled per shape.
pub struct Object<'j, J: JsonEngine> {
    json: &'j J,
    value: J::Value,
}

impl<'j, J: JsonEngine> Object<'j, J> {
    /// `value` as an object; a [`JsonError::Shape`] when it is none.
    pub fn new(json: &'j J, value: J::Value) -> Result<Self, JsonError> {
        if json.is_object(&value) {
            Ok(Object { json, value })
        } else {
            Err(JsonError::Shape)
        }
    }

    /// The engine.
    pub fn json(&self) -> &'j J {
        self.json
    }

    /// The object itself.
    pub fn value(&self) -> &J::Value {
        &self.value
    }

    /// Field `key` unless it is absent or `null`.
    pub fn get(&self, key: &str) -> Option<J::Value> {
        self.json.present(&self.value, key)
    }

    /// Reads field `key` with `read`: `None` when absent or `null`, a
    /// [`JsonError::Shape`] when `read` finds another type.
    pub fn read<T>(
        &self,
        key: &str,
        read: impl FnOnce(&J, &J::Value) -> Option<T>,
    ) -> Result<Option<T>, JsonError> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => read(self.json, &value).map(Some).ok_or(JsonError::Shape),
        }
    }

    /// A string field.
    pub fn str(&self, key: &str) -> Result<Option<String>, JsonError> {
        self.read(key, J::string)
    }

    /// A boolean field.
    pub fn bool(&self, key: &str) -> Result<Option<bool>, JsonError> {
        self.read(key, J::boolean)
    }

    /// A number field.
    pub fn f64(&self, key: &str) -> Result<Option<f64>, JsonError> {
        self.read(key, J::number)
    }

    /// A whole number from 0 to [`MAX_EXACT_INTEGER`].
    pub fn u64(&self, key: &str) -> Result<Option<u64>, JsonError> {
        self.read(key, |json, value| json.number(value).and_then(exact_u64))
    }

    /// A whole number from 0 to `u32::MAX`.
    pub fn u32(&self, key: &str) -> Result<Option<u32>, JsonError> {
        self.read(key, |json, value| {
            json.number(value)
                .and_then(exact_u64)
                .and_then(|n| u32::try_from(n).ok())
        })
    }

    /// An object field.
    pub fn object(&self, key: &str) -> Result<Option<Object<'j, J>>, JsonError> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => Object::new(self.json, value).map(Some),
        }
    }

    /// An array field.
    pub fn array(&self, key: &str) -> Result<Option<Vec<J::Value>>, JsonError> {
        self.read(key, J::items)
    }
}

/// `n` when it is a whole number from 0 to [`MAX_EXACT_INTEGER`].
pub fn exact_u64(n: f64) -> Option<u64> {
    (n >= 0.0 && n.fract() == 0.0 && n <= MAX_EXACT_INTEGER as f64).then_some(n as u64)
}

/// Parses `text` and reads a `T` out of it.
pub fn decode<J: JsonEngine, T: DeserializeOwned>(json: &J, text: &str) -> Result<T, JsonError> {
    json.read(json.parse(text)?)
}
