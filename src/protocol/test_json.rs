//! [`SerdeJson`]: the native tests' [`JsonEngine`], serde_json standing in
//! for the browser's `JSON.parse`. Test-only: serde_json never ships.
//!
//! Integration tests include this same file with `#[path]`. Nothing outside
//! `#[cfg(test)]` code may import from here.

use super::{JsonEngine, JsonError};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// serde_json as a [`JsonEngine`]; payloads are `serde_json::Value`s.
#[derive(Debug, Clone, Copy, Default)]
pub struct SerdeJson;

impl JsonEngine for SerdeJson {
    type Value = serde_json::Value;

    fn parse(&self, text: &str) -> Result<serde_json::Value, JsonError> {
        serde_json::from_str(text).map_err(|_| JsonError::Syntax)
    }

    fn read<T: DeserializeOwned>(&self, value: serde_json::Value) -> Result<T, JsonError> {
        serde_json::from_value(value).map_err(|_| JsonError::Shape)
    }

    fn write<T: Serialize>(&self, value: &T) -> String {
        serde_json::to_string(value).unwrap_or_default()
    }

    fn event_name(&self, payload: &serde_json::Value) -> Option<String> {
        payload
            .as_object()?
            .get("event")?
            .as_str()
            .map(str::to_owned)
    }

    fn field(&self, value: &serde_json::Value, key: &str) -> Option<serde_json::Value> {
        value.as_object()?.get(key).cloned()
    }

    fn string(&self, value: &serde_json::Value) -> Option<String> {
        value.as_str().map(str::to_owned)
    }

    fn number(&self, value: &serde_json::Value) -> Option<f64> {
        value.as_f64()
    }

    fn boolean(&self, value: &serde_json::Value) -> Option<bool> {
        value.as_bool()
    }

    fn is_null(&self, value: &serde_json::Value) -> bool {
        value.is_null()
    }

    fn is_object(&self, value: &serde_json::Value) -> bool {
        value.is_object()
    }

    fn items(&self, value: &serde_json::Value) -> Option<Vec<serde_json::Value>> {
        value.as_array().cloned()
    }

    fn entries(&self, value: &serde_json::Value) -> Option<Vec<(String, serde_json::Value)>> {
        value
            .as_object()
            .map(|map| map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }

    fn array(&self, items: Vec<serde_json::Value>) -> serde_json::Value {
        serde_json::Value::Array(items)
    }

    fn numbers(&self, value: &serde_json::Value) -> Option<Vec<f64>> {
        value
            .as_array()?
            .iter()
            .map(serde_json::Value::as_f64)
            .collect()
    }
}

/// [`SerdeJson`] that writes down every field it looks up, in order (in the
/// browser each look-up is a call into JavaScript). A value read whole
/// through serde is written down as `"(serde)"`.
// Not every test file that includes this one uses it.
#[allow(dead_code)]
#[derive(Debug, Clone, Default)]
pub struct Recording(std::rc::Rc<std::cell::RefCell<Vec<String>>>);

#[allow(dead_code)]
impl Recording {
    /// The fields looked up since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.borrow_mut())
    }

    /// How many fields were looked up since the last [`take`](Self::take).
    pub fn count(&self) -> usize {
        self.0.borrow().len()
    }
}

impl JsonEngine for Recording {
    type Value = serde_json::Value;

    fn parse(&self, text: &str) -> Result<serde_json::Value, JsonError> {
        SerdeJson.parse(text)
    }

    fn read<T: DeserializeOwned>(&self, value: serde_json::Value) -> Result<T, JsonError> {
        self.0.borrow_mut().push("(serde)".to_owned());
        SerdeJson.read(value)
    }

    fn write<T: Serialize>(&self, value: &T) -> String {
        SerdeJson.write(value)
    }

    fn event_name(&self, payload: &serde_json::Value) -> Option<String> {
        SerdeJson.event_name(payload)
    }

    fn field(&self, value: &serde_json::Value, key: &str) -> Option<serde_json::Value> {
        self.0.borrow_mut().push(key.to_owned());
        SerdeJson.field(value, key)
    }

    fn string(&self, value: &serde_json::Value) -> Option<String> {
        SerdeJson.string(value)
    }

    fn number(&self, value: &serde_json::Value) -> Option<f64> {
        SerdeJson.number(value)
    }

    fn boolean(&self, value: &serde_json::Value) -> Option<bool> {
        SerdeJson.boolean(value)
    }

    fn is_null(&self, value: &serde_json::Value) -> bool {
        SerdeJson.is_null(value)
    }

    fn is_object(&self, value: &serde_json::Value) -> bool {
        SerdeJson.is_object(value)
    }

    fn items(&self, value: &serde_json::Value) -> Option<Vec<serde_json::Value>> {
        SerdeJson.items(value)
    }

    fn entries(&self, value: &serde_json::Value) -> Option<Vec<(String, serde_json::Value)>> {
        SerdeJson.entries(value)
    }

    fn array(&self, items: Vec<serde_json::Value>) -> serde_json::Value {
        SerdeJson.array(items)
    }

    fn numbers(&self, value: &serde_json::Value) -> Option<Vec<f64>> {
        SerdeJson.numbers(value)
    }
}
