//! The browser's JSON engine as the protocol core's [`JsonEngine`]:
//! `JSON.parse` builds each value once, serde-wasm-bindgen reads envelopes
//! out of it, and payloads stay the JS values the engine built ([`JsJson`]).

use crate::protocol::json_engine::{JsonEngine, JsonError};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use wasm_bindgen::prelude::*;

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
        event_name(&payload.0)
    }
}

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    /// The `event` field of a plain-object payload, when it is a string.
    #[wasm_bindgen(js_name = eventName)]
    fn event_name(payload: &JsValue) -> Option<String>;
}

/// `value` as a plain JS value (maps as objects, as JSON has them).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Option<JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()
}
