//! The package's own JavaScript: `js/glue.js` for both entries (the
//! `TwinError` class, the listener registry, the live stores' shell, reads
//! of the page), `js/panel.js` for the operator panel only (scanning a
//! Centrifuge frame, delivering publications, the tabs' BroadcastChannel and
//! Web Lock). One binding per module, so the generated glue imports each once.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    /// The JS `TwinError` class (a real `Error` subclass).
    #[wasm_bindgen(js_name = TwinError)]
    pub type JsTwinError;

    #[wasm_bindgen(constructor, js_class = TwinError)]
    pub fn new(
        status: u16,
        code: &str,
        message: &str,
        details: &JsValue,
        retryable: bool,
    ) -> JsTwinError;

    /// The listener registry.
    pub type Emitter;

    /// A registry whose `on` accepts the names in `known` (an array of
    /// strings) and throws a `TypeError` that lists them for any other;
    /// `undefined` accepts any name.
    #[wasm_bindgen(constructor)]
    pub fn new(known: &JsValue) -> Emitter;

    /// Adds a listener and returns the function that removes it; a
    /// `TypeError` for an unknown name or a listener that is not a function.
    #[wasm_bindgen(method, catch)]
    pub fn on(this: &Emitter, name: &JsValue, listener: &JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method)]
    pub fn off(this: &Emitter, name: &JsValue, listener: &JsValue);

    #[wasm_bindgen(method)]
    pub fn emit(this: &Emitter, name: &str, payload: &JsValue);

    #[wasm_bindgen(method)]
    pub fn clear(this: &Emitter);

    /// A live store's `subscribe`/`getSnapshot` pair, its batched `change`
    /// notification and its other events (the registry it extends).
    #[wasm_bindgen(extends = Emitter, js_name = Live)]
    pub type JsLive;

    /// Shows `get_snapshot` (a function) as the store's `getSnapshot`.
    #[wasm_bindgen(constructor, js_class = Live)]
    pub fn new(get_snapshot: &JsValue) -> JsLive;

    /// The store changed: one `change` in a microtask, for the batch.
    #[wasm_bindgen(method, js_class = Live)]
    pub fn changed(this: &JsLive);

    /// No more notifications and no more listeners.
    #[wasm_bindgen(method, js_class = Live)]
    pub fn end(this: &JsLive);

    /// `subscribe(listener) -> unsubscribe`, the same function every time.
    #[wasm_bindgen(method, getter, js_class = Live)]
    pub fn subscribe(this: &JsLive) -> JsValue;

    /// `getSnapshot()`, the function it was made with.
    #[wasm_bindgen(method, getter, js_class = Live, js_name = getSnapshot)]
    pub fn get_snapshot(this: &JsLive) -> JsValue;

    /// The JS class `Conversation`: its methods call its wasm half.
    #[wasm_bindgen(js_name = Conversation)]
    pub type JsConversation;

    /// A conversation over `core` (its wasm half) and `live` (its store's shell).
    #[wasm_bindgen(constructor, js_class = Conversation)]
    pub fn new(core: JsValue, live: &JsLive) -> JsConversation;

    /// The operator's `Conversation`, which also edits and removes.
    #[cfg(feature = "panel")]
    #[wasm_bindgen(js_name = OperatorConversation)]
    pub type JsOperatorConversation;

    /// An operator's conversation over `core` and `live`.
    #[cfg(feature = "panel")]
    #[wasm_bindgen(constructor, js_class = OperatorConversation)]
    pub fn new(core: JsValue, live: &JsLive) -> JsOperatorConversation;

    /// The `event` field of a plain-object payload, when it is a string.
    #[wasm_bindgen(js_name = eventName)]
    pub fn event_name(payload: &JsValue) -> Option<String>;

    /// Whether `value` is a plain object (not `null`, not an array): one
    /// call instead of two (the panel's reads; the widget keeps the generic
    /// binding, so its glue carries none of these).
    #[cfg(feature = "panel")]
    #[wasm_bindgen(js_name = isPlainObject)]
    pub fn is_plain_object(value: &JsValue) -> bool;

    /// `field` unless it is `null` or `undefined` (the generated glue tells
    /// those apart from a value before the wasm sees the answer): one call
    /// instead of three (the panel's reads).
    #[cfg(feature = "panel")]
    #[wasm_bindgen(js_name = field)]
    pub fn present(value: &JsValue, key: &str) -> Option<js_sys::Object>;

    /// Field `key` of a plain object; `undefined` when `value` is not one
    /// (an array, a primitive, `null`) or has no such field.
    pub fn field(value: &JsValue, key: &str) -> JsValue;

    /// Calls `listener(true)` / `listener(false)` when the browser goes
    /// online / offline (`watch` true), or stops doing so (`watch` false).
    #[wasm_bindgen(js_name = watchNetwork)]
    pub fn watch_network(listener: &js_sys::Function, watch: bool);

    /// The page's (or worker's) URL scheme, e.g. `"https:"`; empty in Node.
    #[wasm_bindgen(js_name = pageProtocol)]
    pub fn page_protocol() -> String;
}

/// The operator panel's own JavaScript (`js/panel.js`): only the panel's
/// wasm imports it, so the widget's bundle never carries it.
#[cfg(feature = "panel")]
#[wasm_bindgen(module = "/js/panel.js")]
extern "C" {
    /// Hands the payloads of `payloads` at `indexes` to `emitter`'s
    /// listeners of their names and of `event`, in order.
    #[wasm_bindgen(js_name = deliverPublications)]
    pub fn deliver_publications(emitter: &Emitter, payloads: &JsValue, indexes: &[f64]);

    /// Splits a text frame on `\n`, parses each line with `JSON.parse` and
    /// records it (see `protocol::centrifuge::scan`).
    #[wasm_bindgen(js_name = scanFrame)]
    pub fn scan_frame(text: &js_sys::JsString) -> Vec<f64>;

    /// The numbers of a `Float64Array`, copied into the wasm; `None` for anything else.
    #[wasm_bindgen(js_name = numbersOf)]
    pub fn numbers_of(value: &JsValue) -> Option<Vec<f64>>;

    /// What the last scan left: `[payloads, others, fresh]` (the payloads of
    /// its publication lines, the values of its other lines, the table
    /// entries added since the last call).
    #[wasm_bindgen(js_name = frameParts)]
    pub fn frame_parts() -> js_sys::Array;

    /// True where `navigator.locks` and `BroadcastChannel` both exist.
    #[wasm_bindgen(js_name = canShareTabs)]
    pub fn can_share_tabs() -> bool;

    /// A group's BroadcastChannel and Web Lock (see `js/glue.js`).
    pub type TabLink;

    #[wasm_bindgen(constructor, catch)]
    pub fn new(
        name: &str,
        on_message: &js_sys::Function,
        on_lock: &js_sys::Function,
        bye: &JsValue,
    ) -> Result<TabLink, JsValue>;

    /// Posts a message to the other tabs of the group.
    #[wasm_bindgen(method)]
    pub fn post(this: &TabLink, message: &JsValue);

    /// Queues for the leader's lock (takes it with `steal`); request `id`.
    #[wasm_bindgen(method)]
    pub fn lock(this: &TabLink, id: u32, steal: bool);

    /// Releases the lock or leaves its queue.
    #[wasm_bindgen(method)]
    pub fn unlock(this: &TabLink);

    /// Closes the channel and lets go of the lock; nothing is reported after.
    #[wasm_bindgen(method)]
    pub fn close(this: &TabLink);

    /// `panel.status` (see `js/panel.js`).
    pub type StatusStore;

    #[wasm_bindgen(constructor)]
    pub fn new(state: &str, role: &str, tabs: u32) -> StatusStore;

    /// The panel's state or sharing may have changed.
    #[wasm_bindgen(method)]
    pub fn update(this: &StatusStore, state: &str, role: &str, tabs: u32);

    /// The panel was freed: no more notifications.
    #[wasm_bindgen(method)]
    pub fn end(this: &StatusStore);
}
