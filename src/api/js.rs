//! Small helpers for building and reading plain JS objects, and the
//! package's own JavaScript (`js/glue.js`, bound in `transport::glue`).

pub use crate::transport::glue::*;
use wasm_bindgen::prelude::*;
#[cfg(feature = "panel")]
use wasm_bindgen::JsCast;

/// The event names a class's `on()` accepts, as `Emitter::new` takes them.
pub fn names(names: &[&str]) -> JsValue {
    names
        .iter()
        .map(|name| JsValue::from_str(name))
        .collect::<js_sys::Array>()
        .into()
}

/// A plain object from key/value pairs.
pub fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in entries {
        // Setting a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object.into()
}

/// Reads `key` of `value` (undefined when absent or not an object).
pub fn get(value: &JsValue, key: &str) -> JsValue {
    if !value.is_object() {
        return JsValue::UNDEFINED;
    }
    js_sys::Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Parses JSON text into a JS value; empty text is `null`.
pub fn parse_json(text: &str) -> Result<JsValue, JsValue> {
    if text.trim().is_empty() {
        return Ok(JsValue::NULL);
    }
    js_sys::JSON::parse(text)
}

/// An id given as a string or a finite number, as text.
pub fn id_text(value: &JsValue) -> Option<String> {
    if let Some(text) = value.as_string() {
        return Some(text);
    }
    // JS formats the number, so no float formatting code ships in the wasm.
    value
        .as_f64()
        .filter(|n| n.is_finite())
        .and_then(|_| js_sys::JSON::stringify(value).ok())
        .map(String::from)
}

#[cfg(feature = "panel")]
/// Query pairs from a plain object: strings as they are, numbers and booleans
/// as text, `Date`s as ISO 8601, arrays comma-joined; `null`/`undefined` skipped.
pub fn query_pairs(query: &JsValue) -> Vec<(String, String)> {
    if !query.is_object() {
        return Vec::new();
    }
    let entries = js_sys::Object::entries(query.unchecked_ref());
    let mut pairs = Vec::with_capacity(entries.length() as usize);
    for entry in entries.iter() {
        let entry: js_sys::Array = entry.unchecked_into();
        let (key, value) = (entry.get(0), entry.get(1));
        let Some(key) = key.as_string() else { continue };
        if let Some(text) = query_value(&value) {
            pairs.push((key, text));
        }
    }
    pairs
}

#[cfg(feature = "panel")]
fn query_value(value: &JsValue) -> Option<String> {
    if value.is_null() || value.is_undefined() {
        return None;
    }
    if let Some(text) = value.as_string() {
        return Some(text);
    }
    if let Some(flag) = value.as_bool() {
        return Some(if flag { "true" } else { "false" }.into());
    }
    if let Some(date) = value.dyn_ref::<js_sys::Date>() {
        return Some(String::from(date.to_iso_string()));
    }
    if let Some(list) = value.dyn_ref::<js_sys::Array>() {
        let mut joined = String::new();
        for part in list.iter().filter_map(|v| query_value(&v)) {
            if !joined.is_empty() {
                joined.push(',');
            }
            joined.push_str(&part);
        }
        return Some(joined);
    }
    id_text(value)
}
