//! A browser WebSocket whose events go to callbacks created once per owner.
//!
//! The handlers are detached when the socket is closed from our side, so a
//! closed socket never reports anything again.

use js_sys::JsString;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

/// What a socket reports.
pub enum SocketEvent {
    /// The socket opened.
    Opened,
    /// A text message arrived (still a JS string: the owner decides whether
    /// it needs the text in Rust or hands it straight to the JSON engine).
    Text(JsString),
    /// A binary message arrived (not used by the protocols here).
    Binary,
    /// The socket closed.
    Closed {
        /// Close code (1006 when the connection dropped).
        code: u16,
        /// Close reason.
        reason: String,
    },
}

/// The four handlers shared by every socket of one owner.
pub struct SocketHandlers {
    open: Closure<dyn FnMut(Event)>,
    message: Closure<dyn FnMut(MessageEvent)>,
    close: Closure<dyn FnMut(CloseEvent)>,
}

impl SocketHandlers {
    /// Handlers that pass each event, with the socket it came from, to `sink`.
    pub fn new(sink: impl Fn(&WebSocket, SocketEvent) + 'static) -> Self {
        let sink = std::rc::Rc::new(sink);
        let s = sink.clone();
        let open = Closure::new(move |e: Event| {
            if let Some(ws) = target(&e) {
                s(&ws, SocketEvent::Opened);
            }
        });
        let s = sink.clone();
        let message = Closure::new(move |e: MessageEvent| {
            let Some(ws) = target(&e) else { return };
            let data = e.data();
            match data.dyn_ref::<JsString>() {
                Some(text) => s(&ws, SocketEvent::Text(text.clone())),
                None => s(&ws, SocketEvent::Binary),
            }
        });
        let close = Closure::new(move |e: CloseEvent| {
            if let Some(ws) = target(&e) {
                sink(
                    &ws,
                    SocketEvent::Closed {
                        code: e.code(),
                        reason: e.reason(),
                    },
                );
            }
        });
        SocketHandlers {
            open,
            message,
            close,
        }
    }

    /// Opens a socket to `url` wired to these handlers.
    pub fn open(&self, url: &str) -> Result<WebSocket, JsValue> {
        let ws = WebSocket::new(url)?;
        ws.set_binary_type(web_sys::BinaryType::Arraybuffer);
        ws.set_onopen(Some(self.open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(self.message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(self.close.as_ref().unchecked_ref()));
        Ok(ws)
    }
}

fn target(event: &Event) -> Option<WebSocket> {
    event.target()?.dyn_into::<WebSocket>().ok()
}

/// Detaches the handlers and closes `ws` with `code` and `reason`.
pub fn close(ws: &WebSocket, code: u16, reason: &str) {
    ws.set_onopen(None);
    ws.set_onmessage(None);
    ws.set_onclose(None);
    if ws.close_with_code_and_reason(code, reason).is_err() {
        let _ = ws.close();
    }
}

/// Sends `text`; a socket that is not open drops it (its close event follows).
pub fn send(ws: &WebSocket, text: &str) {
    let _ = ws.send_with_str(text);
}
