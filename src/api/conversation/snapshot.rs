//! The store's snapshot: the messages as frozen JS objects (each rebuilt
//! only when its message changed), and the state around them.

use super::store::ConversationStore;
use crate::api::js;
use crate::api::live::Snapshots;
use crate::conversation::{Item, Side};
use crate::transport::engine_json::JsJson;
use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

impl Snapshots for ConversationStore {
    fn version(&self) -> u64 {
        self.core.borrow().version()
    }

    fn build(&self) -> JsValue {
        let mut core = self.core.borrow_mut();
        let items = core.items_mut();
        let messages = Array::new_with_length(items.len() as u32);
        for (i, item) in items.iter_mut().enumerate() {
            let row = match &item.cache {
                Some(row) => row.0.clone(),
                None => {
                    let row = message_row(item);
                    item.cache = Some(JsJson(row.clone()));
                    row
                }
            };
            messages.set(i as u32, row);
        }
        Object::freeze(&messages);
        let session = core.session_id().map_or(JsValue::NULL, JsValue::from_str);
        let mut fields = vec![
            ("sessionId", session),
            ("messages", messages.into()),
            ("hasOlder", JsValue::from_bool(core.has_older())),
            ("loading", JsValue::from_str(core.loading().as_str())),
        ];
        match self.side {
            Side::Operator => fields.push(("clientTyping", JsValue::from_bool(core.typing()))),
            Side::Visitor => {
                fields.push(("operatorTyping", JsValue::from_bool(core.typing())));
                fields.push(("operator", self.operator.borrow().clone()));
            }
        }
        fields.push(("unread", JsValue::from_f64(f64::from(core.unread()))));
        fields.push(("error", core.error().map_or(JsValue::NULL, |e| e.0.clone())));
        let snapshot: Object = js::object(&fields).unchecked_into();
        Object::freeze(&snapshot).into()
    }
}

/// One `ConversationMessage`: the server's (or the optimistic) Message with
/// where it stands laid over it.
fn message_row(item: &Item<JsJson>) -> JsValue {
    let text = |t: &str| JsValue::from_str(t);
    let mut overlay = vec![("status", text(item.status.as_str()))];
    if let Some(id) = &item.id {
        overlay.push(("id", text(id)));
    }
    if let Some(local_id) = &item.local_id {
        overlay.push(("localId", text(local_id)));
    }
    if let Some(error) = &item.error {
        overlay.push(("error", error.0.clone()));
    }
    if let Some(read_at) = &item.read_at {
        overlay.push(("readAt", text(read_at)));
    }
    if let Some(created_at) = &item.created_at {
        overlay.push(("createdAt", text(created_at)));
    }
    let row = Object::new();
    if item.value.0.is_object() {
        Object::assign(&row, item.value.0.unchecked_ref());
    }
    Object::assign(&row, js::object(&overlay).unchecked_ref());
    Object::freeze(&row).into()
}
