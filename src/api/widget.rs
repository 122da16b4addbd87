//! `ChatWidget`: the visitor's side of a TWIN chat, for a CRM page (or a demo)
//! that plays the customer.
//!
//! The session starts over REST without auth (`POST /chats/{chatId}/sessions`,
//! or `PUT` to continue the visitor's last session when its `clientId` is
//! known); messages are sent over REST; everything live comes over
//! Socket.IO. The socket names its session with the query parameter
//! `sessionId` (the platform's pages do not say how; this works on Engine.IO
//! 3 and 4 alike). What the visitor does on the socket is emitted as
//! `clientTyping`, `clientRead {messageId}` and `clientClose` (our choice,
//! equally undocumented).
//!
//! Socket frames are parsed once, by the engine's `JSON.parse` ([`EngineJson`]):
//! listeners receive the very objects it built, and emits are serde values
//! written with `JSON.stringify`.

use super::delivery::Delivery;
use super::engine_json::{EngineJson, JsJson};
use super::error::{parse_answer, to_js, usage};
use super::js::{self, object, Emitter};
use super::options::{read_number, read_string, trim_url};
use crate::protocol::backoff::BackoffPolicy;
use crate::protocol::socketio::{
    Action, ClientConfig, ClientEvent, EioVersion, EmitError, SocketIoClient,
};
use crate::rest::endpoints;
use crate::rest::error::ErrorInfo;
use crate::rest::http::{self, HttpRequest};
use crate::transport::clock;
use crate::transport::driver::{DriverHost, SocketDriver};
use crate::transport::websocket::SocketEvent;
use js_sys::{Function, Promise};
use serde::Serialize;
use std::cell::{Cell, OnceCell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// Socket events of the platform and the names the widget emits them under.
const EVENT_NAMES: [(&str, &str); 6] = [
    ("chatMessageCreatedEmit", "message"),
    ("showTypingIndicatorEmit", "typing"),
    ("chatMessageReadEmit", "read"),
    ("operatorChangedEmit", "operatorChanged"),
    ("operatorStatusChangedEmit", "operatorStatusChanged"),
    ("operatorLoggedOutEmit", "operatorLoggedOut"),
];

/// The payload of `clientRead`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReadReceipt<'a> {
    message_id: &'a str,
}

/// The empty object `clientTyping` and `clientClose` carry.
#[derive(Serialize)]
struct NoFields {}

/// The visitor's side of a chat: start a session, talk, see the operator type
/// and read.
///
/// ```js
/// const widget = new ChatWidget({ chatUrl, socketUrl, chatId: 'chat-web-1' });
/// widget.on('message', (m) => show(m.authorName, m.body));
/// const session = await widget.start({ clientName: 'Анна' });
/// await widget.send('Здравствуйте!');
/// ```
#[wasm_bindgen]
pub struct ChatWidget {
    core: Rc<WidgetCore>,
}

struct WidgetCore {
    chat_url: String,
    chat_id: String,
    timeout_ms: u64,
    config: ClientConfig,
    client: RefCell<Option<SocketIoClient<EngineJson>>>,
    driver: OnceCell<SocketDriver>,
    emitter: Emitter,
    events: Delivery<ClientEvent<JsJson>>,
    session_id: RefCell<Option<String>>,
    client_id: RefCell<Option<String>>,
    acks: RefCell<Vec<(u64, Function, Function)>>,
    start_waiters: RefCell<Vec<(Function, Function)>>,
    freed: Cell<bool>,
}

#[wasm_bindgen]
impl ChatWidget {
    /// Creates a widget for chat `chatId`. Options: `chatUrl` (chats API,
    /// default production), `socketUrl` (Socket.IO server origin, default the
    /// origin of `chatUrl`), `eio` (3 or 4; default: 4, falling back to 3 when
    /// the server refuses 4), `minReconnectDelay`, `maxReconnectDelay`,
    /// `connectTimeout`, `timeout` (ms). Throws a `TwinError` for bad options.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ChatWidgetOptions")] options: JsValue,
    ) -> Result<ChatWidget, JsValue> {
        if !options.is_object() {
            return Err(usage("ChatWidget needs options with a chatId"));
        }
        let chat_id = read_string(&options, "chatId")?
            .filter(|id| !id.is_empty())
            .ok_or_else(|| usage("option chatId is required"))?;
        let chat_url = trim_url(
            "chatUrl",
            read_string(&options, "chatUrl")?
                .unwrap_or_else(|| super::options::DEFAULT_CHAT_URL.into()),
            &["http://", "https://"],
        )?;
        let socket_url = match read_string(&options, "socketUrl")? {
            Some(url) => trim_url(
                "socketUrl",
                url,
                &["http://", "https://", "ws://", "wss://"],
            )?,
            None => origin_of(&chat_url),
        };
        let eio = match read_number(&options, "eio")? {
            None => None,
            Some(n) => Some(
                EioVersion::from_number(n as u32)
                    .ok_or_else(|| usage("option eio must be 3 or 4"))?,
            ),
        };
        let mut config = ClientConfig::new(socket_url);
        config.eio = eio;
        config.timeout_ms = read_number(&options, "connectTimeout")?.map_or(5_000, |n| n as u64);
        config.backoff = BackoffPolicy {
            min_ms: read_number(&options, "minReconnectDelay")?.map_or(500, |n| n as u64),
            max_ms: read_number(&options, "maxReconnectDelay")?.map_or(20_000, |n| n as u64),
        };
        let timeout_ms = read_number(&options, "timeout")?.map_or(15_000, |n| n as u64);
        let core = Rc::new_cyclic(|weak: &Weak<WidgetCore>| WidgetCore {
            chat_url,
            chat_id,
            timeout_ms,
            config,
            client: RefCell::new(None),
            driver: OnceCell::from(SocketDriver::new(weak.clone())),
            emitter: Emitter::new(),
            events: Delivery::default(),
            session_id: RefCell::new(None),
            client_id: RefCell::new(None),
            acks: RefCell::new(Vec::new()),
            start_waiters: RefCell::new(Vec::new()),
            freed: Cell::new(false),
        });
        Ok(ChatWidget { core })
    }

    /// Starts a chat session (`POST /chats/{chatId}/sessions`, no auth; `PUT`
    /// continues the visitor's last session when `visitor.clientId` is given)
    /// and connects the socket. `visitor` takes the platform's start fields
    /// (`clientId`, `clientName`, `clientEmail`, `clientPhone`, `messageBody`,
    /// ...). Resolves to the started session once the socket is connected.
    #[wasm_bindgen(unchecked_return_type = "Promise<StartedSession>")]
    pub fn start(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "Visitor")] visitor: JsValue,
    ) -> Promise {
        let core = self.core.clone();
        future_to_promise(async move {
            let continuing = !js::get(&visitor, "clientId").is_undefined();
            let body = if visitor.is_object() {
                js_sys::JSON::stringify(&visitor)
                    .map(String::from)
                    .map_err(|_| usage("the visitor cannot be encoded as JSON"))?
            } else {
                "{}".into()
            };
            let Some(path) = endpoints::START_SESSION.path_with(&[core.chat_id.as_str()]) else {
                return Err(usage("chatId is not a valid path segment"));
            };
            let method = if continuing { "PUT" } else { "POST" };
            let session = core.public_call(method, &path, body).await?;
            let Some(session_id) = js::get(&session, "id").as_string() else {
                return Err(to_js(&ErrorInfo::local(
                    "badResponse",
                    "the started session has no id",
                    false,
                )));
            };
            *core.client_id.borrow_mut() = js::get(&session, "clientId").as_string();
            core.connect_to(session_id);
            let connected = Promise::new(&mut |resolve, reject| {
                core.start_waiters.borrow_mut().push((resolve, reject));
            });
            wasm_bindgen_futures::JsFuture::from(connected).await?;
            Ok(session)
        })
    }

    /// Sends a message as the visitor (`POST /sessions/{id}/clients/messages`);
    /// resolves to `{ id, createdAt }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<SentMessage>")]
    pub fn send(&self, text: String) -> Promise {
        let core = self.core.clone();
        future_to_promise(async move {
            let session = core.session()?;
            let Some(path) = endpoints::CLIENT_MESSAGE.path_with(&[session.as_str()]) else {
                return Err(usage("the session id is not a valid path segment"));
            };
            let body = js_sys::JSON::stringify(&object(&[("body", JsValue::from_str(&text))]))
                .map(String::from)
                .unwrap_or_default();
            core.public_call("POST", &path, body).await
        })
    }

    /// Tells the operator the visitor read message `messageId`.
    #[wasm_bindgen(js_name = markRead, unchecked_return_type = "Promise<void>")]
    pub fn mark_read(&self, message_id: String) -> Promise {
        let payload = ReadReceipt {
            message_id: &message_id,
        };
        self.core.emit_with_ack("clientRead", &payload)
    }

    /// Tells the operator the visitor is typing (fire and forget). Throws a
    /// `TwinError` before `start()`.
    pub fn typing(&self) -> Result<(), JsValue> {
        self.core
            .emit("clientTyping", &NoFields {}, false)
            .map(|_| ())
    }

    /// Closes the session as the visitor, then the socket.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn close(&self) -> Promise {
        let core = self.core.clone();
        let closing = core.emit_with_ack("clientClose", &NoFields {});
        future_to_promise(async move {
            let outcome = wasm_bindgen_futures::JsFuture::from(closing).await;
            core.disconnect();
            outcome.map(|_| JsValue::UNDEFINED)
        })
    }

    /// Closes the socket without ending the session.
    pub fn disconnect(&self) {
        self.core.disconnect();
    }

    /// `'disconnected'`, `'connecting'` or `'connected'`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        self.core
            .client
            .borrow()
            .as_ref()
            .map_or("disconnected", |c| c.state().as_str())
            .into()
    }

    /// The current session id, once `start()` has been called.
    #[wasm_bindgen(getter, js_name = sessionId)]
    pub fn session_id(&self) -> Option<String> {
        self.core.session_id.borrow().clone()
    }

    /// The visitor's client id, for continuing the session later with
    /// `start({ clientId })`.
    #[wasm_bindgen(getter, js_name = clientId)]
    pub fn client_id(&self) -> Option<String> {
        self.core.client_id.borrow().clone()
    }

    /// Adds a listener; returns the function that removes it. Names:
    /// `message`, `typing`, `read`, `operatorChanged`, `operatorStatusChanged`,
    /// `operatorLoggedOut`, `event` (every socket event as `{ event, data }`),
    /// `connecting`, `connected`, `disconnected`, `error`.
    #[wasm_bindgen(skip_typescript)]
    pub fn on(&self, name: JsValue, listener: JsValue) -> Result<JsValue, JsValue> {
        self.core.emitter.listen(&name, &listener)
    }

    /// Removes a listener added with `on`.
    #[wasm_bindgen(skip_typescript)]
    pub fn off(&self, name: JsValue, listener: JsValue) {
        self.core.emitter.off(&name, &listener);
    }
}

impl Drop for ChatWidget {
    fn drop(&mut self) {
        if !self.core.freed.replace(true) {
            self.core.disconnect();
            if let Some(driver) = self.core.driver.get() {
                driver.shutdown();
            }
            self.core.emitter.clear();
        }
    }
}

/// `https://host:port/api/v1` → `https://host:port`.
fn origin_of(url: &str) -> String {
    let bytes = url.as_bytes();
    let after_scheme = bytes
        .windows(3)
        .position(|w| w == b"://")
        .map_or(0, |i| i + 3);
    let slash = bytes
        .get(after_scheme..)
        .and_then(|rest| rest.iter().position(|&b| b == b'/'));
    slash
        .and_then(|slash| url.get(..after_scheme + slash))
        .unwrap_or(url)
        .to_owned()
}

impl WidgetCore {
    /// A call to the chats API without auth (the visitor has none); the
    /// answer parsed, every failure a `TwinError`.
    async fn public_call(
        &self,
        method: &str,
        path: &str,
        body: String,
    ) -> Result<JsValue, JsValue> {
        let response = http::send(HttpRequest {
            method,
            url: &format!("{}{path}", self.chat_url),
            authorization: None,
            body: Some(body),
            timeout_ms: self.timeout_ms,
        })
        .await
        .map_err(|e| to_js(&e))?;
        parse_answer(&response.text)
    }

    fn session(&self) -> Result<String, JsValue> {
        self.session_id.borrow().clone().ok_or_else(|| {
            to_js(&ErrorInfo::local(
                "notStarted",
                "call start() before talking",
                false,
            ))
        })
    }

    /// (Re)creates the socket client for `session_id` and connects it.
    fn connect_to(self: &Rc<Self>, session_id: String) {
        let mut config = self.config.clone();
        config.query = vec![("sessionId".into(), session_id.clone())];
        *self.session_id.borrow_mut() = Some(session_id);
        let previous = self.client.replace(None);
        if let Some(mut previous) = previous {
            previous.disconnect();
            self.drain(&mut previous);
        }
        let mut client = SocketIoClient::new(EngineJson, config, clock::random_seed());
        client.connect(clock::monotonic_ms());
        *self.client.borrow_mut() = Some(client);
        self.pump();
    }

    fn disconnect(self: &Rc<Self>) {
        if let Some(client) = self.client.borrow_mut().as_mut() {
            client.disconnect();
        }
        self.pump();
    }

    /// Emits `name` with `payload`, written by the engine's `JSON.stringify`.
    fn emit<P: Serialize + ?Sized>(
        self: &Rc<Self>,
        name: &str,
        payload: &P,
        with_ack: bool,
    ) -> Result<Option<u64>, JsValue> {
        let outcome = match self.client.borrow_mut().as_mut() {
            Some(client) => client.emit(name, Some(payload), with_ack),
            None => {
                return Err(to_js(&ErrorInfo::local(
                    "notStarted",
                    "call start() before talking",
                    false,
                )))
            }
        };
        self.pump();
        outcome.map_err(|e| {
            let (code, message) = match e {
                EmitError::QueueFull => ("queueFull", "too many emits wait for the connection"),
                EmitError::InvalidJson => {
                    ("invalidArgument", "the payload cannot be encoded as JSON")
                }
                EmitError::ReservedName => ("invalidArgument", "reserved event name"),
            };
            to_js(&ErrorInfo::local(code, message, e == EmitError::QueueFull))
        })
    }

    /// Emits with an acknowledgement; the promise settles with the server's answer.
    fn emit_with_ack<P: Serialize + ?Sized>(self: &Rc<Self>, name: &str, payload: &P) -> Promise {
        match self.emit(name, payload, true) {
            Ok(Some(id)) => Promise::new(&mut |resolve, reject| {
                self.acks.borrow_mut().push((id, resolve, reject));
            }),
            Ok(None) => Promise::resolve(&JsValue::UNDEFINED),
            Err(error) => Promise::reject(&error),
        }
    }

    /// Performs pending I/O, re-arms the deadline, then delivers events
    /// (listeners run with no Rust state borrowed).
    fn pump(self: &Rc<Self>) {
        if let Some(client) = self.client.borrow_mut().as_mut() {
            self.drain(client);
            if let Some(driver) = self.driver.get() {
                driver.schedule(client.poll_timeout());
            }
        }
        self.events.run(|event| self.dispatch(event));
    }

    /// Performs `client`'s pending I/O and queues its events.
    fn drain(self: &Rc<Self>, client: &mut SocketIoClient<EngineJson>) {
        let Some(driver) = self.driver.get() else {
            return;
        };
        loop {
            match client.poll_action() {
                Some(Action::Open { socket, url }) => {
                    if !driver.open(socket, &url) {
                        client.socket_closed(clock::monotonic_ms(), socket, 1006, "bad url");
                    }
                }
                Some(Action::Send { socket, text }) => driver.send(socket, &text),
                Some(Action::Close { socket }) => driver.close(socket, 1000, "close"),
                None => break,
            }
        }
        while let Some(event) = client.poll_event() {
            self.events.push(event);
        }
    }

    /// The promise functions waiting for ack `id`, removed.
    fn take_ack(&self, id: u64) -> Option<(Function, Function)> {
        let mut acks = self.acks.borrow_mut();
        let index = acks.iter().position(|(waiting, _, _)| *waiting == id)?;
        let (_, resolve, reject) = acks.swap_remove(index);
        Some((resolve, reject))
    }

    fn dispatch(&self, event: ClientEvent<JsJson>) {
        match event {
            ClientEvent::Connecting { reason } => {
                self.emitter
                    .emit("connecting", &object(&[("reason", reason.into())]));
            }
            ClientEvent::Connected { sid } => {
                for (resolve, _) in self.start_waiters.take() {
                    let _ = resolve.call0(&JsValue::NULL);
                }
                self.emitter
                    .emit("connected", &object(&[("sid", sid.into())]));
            }
            ClientEvent::Disconnected { reason, reconnect } => {
                if !reconnect {
                    let waiters = self.start_waiters.take();
                    if !waiters.is_empty() {
                        let error = to_js(&ErrorInfo::local(
                            "disconnected",
                            format!("the chat socket stopped: {reason}"),
                            false,
                        ));
                        for (_, reject) in waiters {
                            let _ = reject.call1(&JsValue::NULL, &error);
                        }
                    }
                }
                self.emitter.emit(
                    "disconnected",
                    &object(&[("reason", reason.into()), ("reconnect", reconnect.into())]),
                );
            }
            ClientEvent::Message { name, args } => {
                // The first argument, as `JSON.parse` built it; `null` when none.
                let data = args.into_iter().next().map_or(JsValue::NULL, |arg| arg.0);
                if let Some((_, ours)) = EVENT_NAMES.iter().find(|(theirs, _)| *theirs == name) {
                    self.emitter.emit(ours, &data);
                }
                self.emitter.emit(
                    "event",
                    &object(&[("event", JsValue::from_str(&name)), ("data", data)]),
                );
            }
            ClientEvent::Ack { id, args } => {
                let Some((resolve, reject)) = self.take_ack(id) else {
                    return;
                };
                let answer = args
                    .into_iter()
                    .next()
                    .map_or(JsValue::UNDEFINED, |arg| arg.0);
                match js::get(&answer, "error").as_string() {
                    Some(message) => {
                        let error = to_js(&ErrorInfo::local("rejected", message, false));
                        let _ = reject.call1(&JsValue::NULL, &error);
                    }
                    None => {
                        let _ = resolve.call1(&JsValue::NULL, &answer);
                    }
                }
            }
            ClientEvent::AckLost { id } => {
                if let Some((_, reject)) = self.take_ack(id) {
                    let error = to_js(&ErrorInfo::local(
                        "ackLost",
                        "the connection ended before the server answered",
                        true,
                    ));
                    let _ = reject.call1(&JsValue::NULL, &error);
                }
            }
            ClientEvent::Error { kind, message } => {
                self.emitter
                    .emit("error", &to_js(&ErrorInfo::local(kind, message, true)));
            }
        }
    }
}

impl DriverHost for WidgetCore {
    fn socket_event(self: Rc<Self>, socket: u32, event: SocketEvent) {
        let now = clock::monotonic_ms();
        if let Some(client) = self.client.borrow_mut().as_mut() {
            match event {
                SocketEvent::Opened => client.socket_opened(now, socket),
                SocketEvent::Text(text) => client.socket_message(now, socket, &String::from(text)),
                SocketEvent::Binary => client.socket_binary(now, socket),
                SocketEvent::Closed { code, reason } => {
                    client.socket_closed(now, socket, code, &reason)
                }
            }
        }
        self.pump();
    }

    fn deadline_passed(self: Rc<Self>) {
        if let Some(client) = self.client.borrow_mut().as_mut() {
            client.handle_timeout(clock::monotonic_ms());
        }
        self.pump();
    }

    fn network_changed(self: Rc<Self>, online: bool) {
        let now = clock::monotonic_ms();
        if let Some(client) = self.client.borrow_mut().as_mut() {
            if online {
                client.network_online(now);
            } else {
                client.network_offline(now);
            }
        }
        self.pump();
    }
}
