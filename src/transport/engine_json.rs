//! The browser's JSON engine as the protocol core's [`JsonEngine`]:
//! `JSON.parse` builds each value once, serde-wasm-bindgen reads envelopes
//! out of it, and payloads stay the JS values the engine built ([`JsJson`]).

use super::glue;
use crate::protocol::json_engine::{JsonEngine, JsonError};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A JS value parsed by the engine, carried through serde untouched.
#[derive(Debug, Clone)]
pub struct JsJson(pub JsValue);

impl<'de> Deserialize<'de> for JsJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde_wasm_bindgen::preserve::deserialize(deserializer).map(JsJson)
    }
}

impl Serialize for JsJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde_wasm_bindgen::preserve::serialize(&self.0, serializer)
    }
}

/// `JSON.parse`, serde-wasm-bindgen and `JSON.stringify`.
#[derive(Debug, Clone, Copy, Default)]
pub struct EngineJson;

impl JsonEngine for EngineJson {
    type Value = JsJson;

    fn parse(&self, text: &str) -> Result<JsJson, JsonError> {
        js_sys::JSON::parse(text)
            .map(JsJson)
            .map_err(|_| JsonError::Syntax)
    }

    fn read<T: serde::de::DeserializeOwned>(&self, value: JsJson) -> Result<T, JsonError> {
        serde_wasm_bindgen::from_value(value.0).map_err(|_| JsonError::Shape)
    }

    fn write<T: Serialize>(&self, value: &T) -> String {
        to_js(value)
            .and_then(|value| js_sys::JSON::stringify(&value).ok())
            .map(String::from)
            .unwrap_or_default()
    }

    fn event_name(&self, payload: &JsJson) -> Option<String> {
        glue::event_name(&payload.0)
    }

    fn field(&self, value: &JsJson, key: &str) -> Option<JsJson> {
        let field = glue::field(&value.0, key);
        (!field.is_undefined()).then_some(JsJson(field))
    }

    #[cfg(feature = "panel")]
    fn present(&self, value: &JsJson, key: &str) -> Option<JsJson> {
        glue::present(&value.0, key).map(|field| JsJson(field.into()))
    }

    fn string(&self, value: &JsJson) -> Option<String> {
        value.0.as_string()
    }

    fn number(&self, value: &JsJson) -> Option<f64> {
        value.0.as_f64()
    }

    fn boolean(&self, value: &JsJson) -> Option<bool> {
        value.0.as_bool()
    }

    fn is_null(&self, value: &JsJson) -> bool {
        value.0.is_null()
    }

    #[cfg(feature = "panel")]
    fn is_object(&self, value: &JsJson) -> bool {
        glue::is_plain_object(&value.0)
    }

    #[cfg(not(feature = "panel"))]
    fn is_object(&self, value: &JsJson) -> bool {
        value.0.is_object() && !js_sys::Array::is_array(&value.0)
    }

    fn items(&self, value: &JsJson) -> Option<Vec<JsJson>> {
        js_sys::Array::is_array(&value.0)
            .then(|| js_sys::Array::from(&value.0).iter().map(JsJson).collect())
    }

    fn entries(&self, value: &JsJson) -> Option<Vec<(String, JsJson)>> {
        if !self.is_object(value) {
            return None;
        }
        let entries = js_sys::Object::entries(value.0.unchecked_ref());
        Some(
            entries
                .iter()
                .filter_map(|entry| {
                    let entry: js_sys::Array = entry.unchecked_into();
                    Some((entry.get(0).as_string()?, JsJson(entry.get(1))))
                })
                .collect(),
        )
    }

    fn array(&self, items: Vec<JsJson>) -> JsJson {
        JsJson(
            items
                .into_iter()
                .map(|item| item.0)
                .collect::<js_sys::Array>()
                .into(),
        )
    }

    #[cfg(feature = "panel")]
    fn numbers(&self, value: &JsJson) -> Option<Vec<f64>> {
        glue::numbers_of(&value.0)
    }

    #[cfg(not(feature = "panel"))]
    fn numbers(&self, _value: &JsJson) -> Option<Vec<f64>> {
        None
    }
}

/// `value` as a plain JS value (maps as objects, as JSON has them).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Option<JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()
}
