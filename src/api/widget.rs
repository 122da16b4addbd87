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
//!
//! Every wait ends: `markRead()` and `close()` wait for the server's ack at
//! most `timeout` ms ([`acks`]); `start()` ends when the socket connects, stops
//! for good, or the widget is disconnected, closed or freed first. The ack
//! table lives in [`acks`].

mod acks;
mod conversation_talk;

use super::class::js_class;
use super::codes::{ConnectingCode, DisconnectCode};
use super::conversation::ConversationStore;
use super::error::{client_error, freed, parse_answer, to_js, usage};
use super::host::{self, Host, HostOwner, HostedClient, Waiters};
use super::js::{self, object, Emitter};
use super::options::WidgetOptions;
use crate::conversation::{ConversationEvent, Side};
use crate::protocol::socketio::{ClientEvent, EmitError, SocketIoClient};
use crate::protocol::{SansIoClient, State};
use crate::rest::endpoints;
use crate::rest::error::{ErrorCode, ErrorInfo};
use crate::transport::clock;
use crate::transport::engine_json::{EngineJson, JsJson};
use crate::transport::http::{self, HttpRequest};
use acks::AckTable;
use js_sys::{JsString, Promise};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
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

/// The payload of `clientRead`: `{ messageId }`. Payloads are JS objects
/// rather than serde structs: serde-wasm-bindgen writes a struct's field names
/// through a cache of JS strings (a hash map) that the widget need not ship.
fn read_receipt(message_id: &str) -> JsValue {
    object(&[("messageId", JsValue::from_str(message_id))])
}

/// The empty object `clientTyping` and `clientClose` carry.
fn no_fields() -> JsValue {
    js_sys::Object::new().into()
}

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
    options: WidgetOptions,
    host: Host<SocketIoClient<EngineJson>>,
    emitter: Emitter,
    session_id: RefCell<Option<String>>,
    client_id: RefCell<Option<String>>,
    /// `{ id, name, avatar }` of the operator of the session, once known.
    operator: RefCell<Option<Operator>>,
    /// `markRead()` and `close()` waiting for the server's ack.
    acks: AckTable,
    start_waiters: Waiters,
    /// Counts `disconnect()`, `close()` and `free()`: a `start()` that sees it
    /// change while its REST call runs does not connect.
    stops: Cell<u64>,
    /// Counts the socket clients made, so a late `close()` only ends its own.
    connections: Cell<u64>,
    /// `widget.conversation`: made with the widget, so it sees every event.
    conversation: Rc<ConversationStore>,
    /// `free()` was called.
    freed: Cell<bool>,
    /// The current session's socket was connected at least once.
    connected_once: Cell<bool>,
    /// When the current session's socket dropped (wall ms; 0 while up): the
    /// next `connected` is followed by a `resync`.
    down_since: Cell<f64>,
}

/// At most this many `start()` calls may wait for the socket at once.
const MAX_START_WAITERS: usize = 16;

/// At most this many `markRead()` / `close()` calls may wait for an ack at once.
const MAX_PENDING_ACKS: usize = 64;

js_class! {
    ChatWidget(WidgetCore, WidgetOptions);

    #[doc = " Creates a widget for chat `chatId`. Options: `chatUrl` (chats API,"]
    #[doc = " default production), `socketUrl` (Socket.IO server origin, default the"]
    #[doc = " origin of `chatUrl`), `eio` (3 or 4; default: 4, falling back to 3 when"]
    #[doc = " the server refuses 4), `minReconnectDelay`, `maxReconnectDelay`,"]
    #[doc = " `connectTimeout`, `timeout` (ms: every REST call, and every wait for"]
    #[doc = " the server's ack in `markRead()` and `close()`). Throws a `TwinError`"]
    #[doc = " for bad options."]
    new(unchecked_param_type = "ChatWidgetOptions");

    /// Adds a listener; returns the function that removes it. Names:
    /// `message`, `typing`, `read`, `operatorChanged`, `operatorStatusChanged`,
    /// `operatorLoggedOut`, `event` (every socket event as `{ event, data }`),
    /// `connecting`, `connected`, `disconnected`, `error`.
    on;
}

#[wasm_bindgen]
impl ChatWidget {
    /// Starts a chat session (`POST /chats/{chatId}/sessions`, no auth; `PUT`
    /// continues the visitor's last session when `visitor.clientId` is given)
    /// and connects the socket. `visitor` takes the platform's start fields
    /// (`clientId`, `clientName`, `clientEmail`, `clientPhone`, `messageBody`,
    /// ...). Resolves to the started session once the socket is connected;
    /// rejects (`disconnected`) when `disconnect()`, `close()` or `free()`
    /// comes first, and (`timeout`) when the socket has not connected within
    /// the `timeout` option; the socket then goes on trying in the background.
    #[wasm_bindgen(unchecked_return_type = "Promise<StartedSession>")]
    pub fn start(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "Visitor")] visitor: JsValue,
    ) -> Promise {
        let core = self.core.clone();
        let stops = core.stops.get();
        promise(async move {
            core.check_live()?;
            let continuing = !js::get(&visitor, "clientId").is_undefined();
            let body = if visitor.is_object() {
                js_sys::JSON::stringify(&visitor)
                    .map(String::from)
                    .map_err(|_| usage("the visitor cannot be encoded as JSON"))?
            } else {
                "{}".into()
            };
            let Some(path) = endpoints::START_SESSION.path_with(&[core.options.chat_id.as_str()])
            else {
                return Err(usage("chatId is not a valid path segment"));
            };
            let method = if continuing { "PUT" } else { "POST" };
            let session = core.public_call(method, &path, body).await;
            core.check_live()?;
            let session = session?;
            let Some(session_id) = js::get(&session, "id").as_string() else {
                return Err(to_js(&ErrorInfo::local(
                    ErrorCode::BadResponse,
                    "the started session has no id",
                    false,
                )));
            };
            *core.client_id.borrow_mut() = js::get(&session, "clientId").as_string();
            if core.stops.get() != stops {
                // The session exists on the server, but the app no longer
                // wants this widget to talk.
                return Err(stopped(
                    "disconnect(), close() or free() came before the socket connected",
                ));
            }
            core.conversation
                .on_start(session_id.clone(), &js::get(&session, "messages"));
            core.connect_to(session_id);
            let connected = Promise::new(&mut |resolve, reject| {
                core.start_waiters
                    .add(resolve, reject, Some(core.options.timeout));
            });
            wasm_bindgen_futures::JsFuture::from(connected).await?;
            Ok(session)
        })
    }

    /// Sends a message as the visitor (`POST /sessions/{id}/clients/messages`);
    /// resolves to `{ id, createdAt }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<SentMessage>")]
    pub fn send(&self, text: String) -> Promise {
        match self.core.check_live().and_then(|()| self.core.session()) {
            Ok(session) => self
                .core
                .post_message(&session, &object(&[("body", JsValue::from_str(&text))])),
            Err(error) => Promise::reject(&error),
        }
    }

    /// Tells the operator the visitor read message `messageId`. Unconfirmed by
    /// the platform: it emits `clientRead`, an event of our choosing that no
    /// platform source documents. Resolves when the server acknowledges it;
    /// rejects with a `TwinError`: `timeout` when no ack came within the
    /// `timeout` option, `tooManyWaiters` when 64 calls already wait.
    #[wasm_bindgen(js_name = markRead, unchecked_return_type = "Promise<void>")]
    pub fn mark_read(&self, message_id: String) -> Promise {
        self.core
            .emit_with_ack("clientRead", &read_receipt(&message_id))
    }

    /// Tells the operator the visitor is typing (fire and forget). Throws a
    /// `TwinError` before `start()`.
    pub fn typing(&self) -> Result<(), JsValue> {
        self.core
            .emit("clientTyping", &no_fields(), false)
            .map(|_| ())
    }

    /// Closes the session as the visitor, then the socket. Unconfirmed by the
    /// platform: it emits `clientClose`, an event of our choosing that no
    /// platform source documents. The session ends locally whatever the
    /// server says: `sessionId` is `undefined` at once and the socket closes once
    /// the ack came, failed or timed out (at most the `timeout` option).
    /// Rejects with a `TwinError` (`timeout`, `ackLost`, `rejected`, ...)
    /// when the server did not confirm.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn close(&self) -> Promise {
        let core = self.core.clone();
        let closing = core.emit_with_ack("clientClose", &no_fields());
        core.count_stop();
        core.session_id.take();
        let connection = core.connections.get();
        promise(async move {
            let outcome = wasm_bindgen_futures::JsFuture::from(closing).await;
            // A `start()` since then made a new socket: that one stays.
            if core.connections.get() == connection {
                core.stop_socket();
            }
            outcome.map(|_| JsValue::UNDEFINED)
        })
    }

    /// Closes the socket without ending the session (a `start()` still
    /// running rejects instead of connecting).
    pub fn disconnect(&self) {
        self.core.count_stop();
        self.core.stop_socket();
    }

    /// `'disconnected'`, `'connecting'` or `'connected'`.
    #[wasm_bindgen(getter, unchecked_return_type = "ConnectionState")]
    pub fn state(&self) -> String {
        self.core.host.state().as_str().into()
    }

    /// The current session id once `start()` has been called; `undefined`
    /// before, and again after `close()`.
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

    /// The session's messages as a live store (`subscribe`, `getSnapshot`,
    /// `send`, `markRead`, `typing`, ...), the same object for the widget's
    /// life: the start answer's messages, the visitor's own (optimistic),
    /// the operator's and the bot's, the operator's typing and who the
    /// operator is. No earlier history (unconfirmed: no source shows an
    /// endpoint the visitor may read it from).
    #[wasm_bindgen(getter, unchecked_return_type = "Conversation")]
    pub fn conversation(&self) -> JsValue {
        self.core.conversation.js_object()
    }

    /// The session's operator, `{ id, name, avatar }`, or `null` until one is
    /// known: from `operatorChanged`, or (unconfirmed by the platform's
    /// sources, which document no operator in the start answer) from the
    /// first message an operator writes.
    #[wasm_bindgen(getter, unchecked_return_type = "WidgetOperator | null")]
    pub fn operator(&self) -> JsValue {
        self.core
            .operator
            .borrow()
            .as_ref()
            .map_or(JsValue::NULL, Operator::to_js)
    }
}

/// Who answers the visitor.
#[derive(Clone)]
struct Operator {
    id: String,
    name: JsValue,
    avatar: JsValue,
}

impl Operator {
    /// `{ id, name, avatar }` (`null` for what is unknown).
    fn to_js(&self) -> JsValue {
        object(&[
            ("id", JsValue::from_str(&self.id)),
            ("name", self.name.clone()),
            ("avatar", self.avatar.clone()),
        ])
    }

    /// The operator an event names: `operatorChangedEmit`'s `operatorId`,
    /// or the author of a `chatMessageCreatedEmit` whose `authorType` is
    /// `OPERATOR` (bots and the visitor are not operators).
    fn of_event(name: &str, data: &JsValue) -> Option<Operator> {
        let field = |key: &str| Some(js::get(data, key)).filter(|value| !value.is_undefined());
        let (id, name_key) = match name {
            "operatorChangedEmit" => ("operatorId", "operatorName"),
            "chatMessageCreatedEmit"
                if js::get(data, "authorType").as_string().as_deref() == Some("OPERATOR") =>
            {
                ("authorId", "authorName")
            }
            _ => return None,
        };
        Some(Operator {
            id: js::id_text(&js::get(data, id))?,
            name: field(name_key).unwrap_or(JsValue::NULL),
            avatar: field("avatar").unwrap_or(JsValue::NULL),
        })
    }
}

/// What an async method of the widget computes.
type Call = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// The promise of `call`. Every async method goes through this one future
/// type, so the promise machinery is compiled once, not once per method.
fn promise(call: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    let call: Call = Box::pin(call);
    future_to_promise(call)
}

/// The `TwinError` (`disconnected`) of a call the app itself cut short.
fn stopped(message: &str) -> JsValue {
    to_js(&ErrorInfo::local(ErrorCode::Disconnected, message, false))
}

/// The `code` of the widget's `connecting` and `disconnected` events for the
/// Socket.IO client's `reason`: the panel's constants where one fits, two of
/// the widget's own for a server that ends or refuses the socket (Socket.IO
/// has no numeric codes). `terminal` is a `disconnected` with `reconnect: false`.
fn event_code(reason: &str, terminal: bool) -> u16 {
    match reason {
        "connect called" => ConnectingCode::ConnectCalled as u16,
        "transport close" => ConnectingCode::TransportClosed as u16,
        "ping timeout" => ConnectingCode::NoPing as u16,
        "connect timeout" => ConnectingCode::ConnectTimeout as u16,
        "parse error" => ConnectingCode::BadFrame as u16,
        "offline" => ConnectingCode::Offline as u16,
        "io client disconnect" => DisconnectCode::DisconnectCalled as u16,
        "io server disconnect" => DisconnectCode::ServerDisconnect as u16,
        "connect error" => DisconnectCode::ConnectRefused as u16,
        _ if terminal => DisconnectCode::ServerDisconnect as u16,
        _ => ConnectingCode::TransportClosed as u16,
    }
}

impl WidgetCore {
    /// `free()` (see `api/class.rs`): ends the widget for good; a second call
    /// does nothing.
    fn free(self: &Rc<Self>) {
        if self.freed.replace(true) {
            return;
        }
        // What waits rejects first, with the reason that is true.
        self.start_waiters.reject_all(|| freed("widget"));
        self.acks.reject_all(&freed("widget"));
        self.conversation.on_free();
        self.count_stop();
        // The socket's last events reach the listeners (the widget is still
        // readable); then they are dropped.
        host::shutdown(self);
        self.emitter.clear();
    }

    /// The `freed` TwinError when the widget was freed.
    fn check_live(&self) -> Result<(), JsValue> {
        if self.freed.get() {
            Err(freed("widget"))
        } else {
            Ok(())
        }
    }

    /// The widget's state for `options`; `this` is its own weak reference.
    fn new(options: WidgetOptions, this: &Weak<WidgetCore>) -> Self {
        let on_deadline = this.clone();
        WidgetCore {
            acks: AckTable::new(MAX_PENDING_ACKS, options.timeout, move || {
                if let Some(core) = on_deadline.upgrade() {
                    core.acks.expire();
                }
            }),
            options,
            host: Host::new(this, None),
            emitter: Emitter::new(&js::names(&crate::events::WIDGET_EVENTS)),
            session_id: RefCell::new(None),
            client_id: RefCell::new(None),
            operator: RefCell::new(None),
            start_waiters: Waiters::new(MAX_START_WAITERS),
            stops: Cell::new(0),
            connections: Cell::new(0),
            freed: Cell::new(false),
            connected_once: Cell::new(false),
            down_since: Cell::new(0.0),
            conversation: ConversationStore::new(
                Side::Visitor,
                None,
                Box::new(conversation_talk::WidgetTalk(this.clone())),
            ),
        }
    }

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
            url: &crate::text::concat(&[self.options.chat_url.as_str(), path]),
            authorization: None,
            body: Some(body),
            timeout_ms: self.options.timeout,
        })
        .await
        .map_err(|e| to_js(&e))?;
        parse_answer(&response.text)
    }

    /// `POST /sessions/{id}/clients/messages` with `message` (`{ body, ... }`);
    /// resolves to `{ id, createdAt }`; rejects with `freed` when the widget
    /// is freed before the answer.
    fn post_message(self: &Rc<Self>, session: &str, message: &JsValue) -> Promise {
        let Some(path) = endpoints::CLIENT_MESSAGE.path_with(&[session]) else {
            return Promise::reject(&usage("the session id is not a valid path segment"));
        };
        let body = js_sys::JSON::stringify(message)
            .map(String::from)
            .unwrap_or_default();
        let core = self.clone();
        promise(async move {
            let sent = core.public_call("POST", &path, body).await;
            core.check_live()?;
            sent
        })
    }

    fn session(&self) -> Result<String, JsValue> {
        self.session_id.borrow().clone().ok_or_else(|| {
            to_js(&ErrorInfo::local(
                ErrorCode::NotStarted,
                "call start() before talking",
                false,
            ))
        })
    }

    /// (Re)creates the socket client for `session_id` and connects it.
    fn connect_to(self: &Rc<Self>, session_id: String) {
        if self.host.is_freed() {
            return;
        }
        self.connections.set(self.connections.get().wrapping_add(1));
        let mut config = self.options.socket_config();
        config.query = vec![("sessionId".into(), session_id.clone())];
        *self.session_id.borrow_mut() = Some(session_id);
        self.operator.take();
        self.connected_once.set(false);
        self.down_since.set(0.0);
        let mut client = SocketIoClient::new(EngineJson, config, clock::random_seed());
        client.connect(clock::monotonic_ms());
        self.host.replace_client(client);
        host::pump(self);
    }

    /// Notes a `disconnect()`, `close()` or `free()` (see [`WidgetCore::stops`]).
    fn count_stop(&self) {
        self.stops.set(self.stops.get().wrapping_add(1));
    }

    /// Stops the current socket client for good.
    fn stop_socket(self: &Rc<Self>) {
        self.host.with_client(|client| client.disconnect());
        host::pump_later(self);
    }

    /// Emits `name` with `payload`, written by the engine's `JSON.stringify`.
    fn emit(
        self: &Rc<Self>,
        name: &str,
        payload: &JsValue,
        with_ack: bool,
    ) -> Result<Option<u64>, JsValue> {
        self.check_live()?;
        if self.session_id.borrow().is_some() && self.host.state() == State::Disconnected {
            // A stopped socket never sends its queue: say so now instead of
            // letting the ack wait out its deadline.
            return Err(to_js(&ErrorInfo::local(
                ErrorCode::Disconnected,
                "the widget is disconnected; start() again to talk",
                false,
            )));
        }
        let outcome = match self
            .host
            .with_client(|client| client.emit(name, Some(&JsJson(payload.clone())), with_ack))
        {
            Some(outcome) => outcome,
            None => {
                return Err(to_js(&ErrorInfo::local(
                    ErrorCode::NotStarted,
                    "call start() before talking",
                    false,
                )))
            }
        };
        host::pump_later(self);
        outcome.map_err(|e| {
            let (code, message) = match e {
                EmitError::QueueFull => (
                    ErrorCode::QueueFull,
                    "too many emits wait for the connection",
                ),
                EmitError::InvalidJson => (
                    ErrorCode::InvalidArgument,
                    "the payload cannot be encoded as JSON",
                ),
                EmitError::ReservedName => (ErrorCode::InvalidArgument, "reserved event name"),
            };
            to_js(&ErrorInfo::local(code, message, e == EmitError::QueueFull))
        })
    }

    /// Emits with an acknowledgement; the promise settles with the server's
    /// answer, or a `TwinError` when it is refused, lost or late (see [`acks`]).
    fn emit_with_ack(self: &Rc<Self>, name: &'static str, payload: &JsValue) -> Promise {
        if let Err(error) = self.acks.check_room() {
            return Promise::reject(&error);
        }
        match self.emit(name, payload, true) {
            Ok(Some(id)) => Promise::new(&mut |resolve, reject| {
                self.acks.add(id, name, resolve, reject);
            }),
            Ok(None) => Promise::resolve(&JsValue::UNDEFINED),
            Err(error) => Promise::reject(&error),
        }
    }

    /// An event named `operator`: when it is another operator than the one
    /// known, `operator` changes and `operatorChanged` fires (with the
    /// platform's payload, or one in its shape made from a message), so the
    /// first operator of a session is announced even when the platform's
    /// assignment came before the socket connected.
    fn operator_seen(&self, operator: Operator, from_platform: bool, data: &JsValue) {
        let previous = self.operator.replace(Some(operator.clone()));
        if previous
            .as_ref()
            .is_some_and(|known| known.id == operator.id)
        {
            return;
        }
        self.conversation.on_operator(operator.to_js());
        let payload = if from_platform {
            data.clone()
        } else {
            let previous = previous.as_ref();
            object(&[
                ("operatorId", JsValue::from_str(&operator.id)),
                ("operatorName", operator.name),
                ("avatar", operator.avatar),
                (
                    "previousOperatorId",
                    previous.map_or(JsValue::NULL, |p| JsValue::from_str(&p.id)),
                ),
                (
                    "previousOperatorName",
                    previous.map_or(JsValue::NULL, |p| p.name.clone()),
                ),
                (
                    "previousOperatorAvatar",
                    previous.map_or(JsValue::NULL, |p| p.avatar.clone()),
                ),
            ])
        };
        self.emitter.emit("operatorChanged", &payload);
    }

    /// The socket is back after it dropped at `since`: Socket.IO keeps no
    /// history, and no source shows a way for the visitor to read the
    /// session's messages, so what the operator wrote meanwhile may never
    /// come. The page hears it (`resync`) and may say so.
    fn emit_resync(&self, since: f64) {
        let session = self.session_id.borrow().clone().unwrap_or_default();
        self.emitter.emit(
            "resync",
            &object(&[
                ("sessionId", JsValue::from_str(&session)),
                ("reason", JsValue::from_str("reconnected")),
                ("since", since.into()),
                ("at", (clock::wall_ms() as f64).into()),
            ]),
        );
    }

    fn dispatch_event(&self, event: ClientEvent<JsJson>) {
        match event {
            ClientEvent::Connecting { reason } => {
                let code = event_code(&reason, false);
                self.emitter.emit(
                    "connecting",
                    &object(&[("code", code.into()), ("reason", reason.into())]),
                );
            }
            ClientEvent::Connected { sid } => {
                self.start_waiters.resolve_all();
                self.emitter
                    .emit("connected", &object(&[("sid", sid.into())]));
                let since = self.down_since.replace(0.0);
                if self.connected_once.replace(true) && since > 0.0 {
                    self.emit_resync(since);
                }
            }
            ClientEvent::Disconnected { reason, reconnect } => {
                if !reconnect {
                    self.down_since.set(0.0);
                } else if self.connected_once.get() && self.down_since.get() == 0.0 {
                    self.down_since.set(clock::wall_ms() as f64);
                }
                // An old session's socket ending must not reject a newer start().
                if !reconnect && self.host.state() == State::Disconnected {
                    self.start_waiters.reject_all(|| {
                        to_js(&ErrorInfo::local(
                            ErrorCode::Disconnected,
                            crate::text::concat(&["the chat socket stopped: ", reason.as_str()]),
                            false,
                        ))
                    });
                }
                let code = event_code(&reason, !reconnect);
                self.emitter.emit(
                    "disconnected",
                    &object(&[
                        ("code", code.into()),
                        ("reason", reason.into()),
                        ("reconnect", reconnect.into()),
                    ]),
                );
            }
            ClientEvent::Message { name, args } => {
                // The first argument, as `JSON.parse` built it; `null` when none.
                let data = args.into_iter().next().map_or(JsValue::NULL, |arg| arg.0);
                if let Some(operator) = Operator::of_event(&name, &data) {
                    self.operator_seen(operator, name == "operatorChangedEmit", &data);
                }
                // Then the conversation, so the event's listeners see its new
                // snapshot (and `operatorChanged`'s, the one before the message).
                if let Some(event) = ConversationEvent::of_widget(&name) {
                    self.conversation.on_event(event, &data);
                }
                if let Some((_, ours)) = EVENT_NAMES
                    .iter()
                    .find(|(theirs, ours)| *theirs == name && *ours != "operatorChanged")
                {
                    self.emitter.emit(ours, &data);
                }
                self.emitter.emit(
                    "event",
                    &object(&[("event", JsValue::from_str(&name)), ("data", data)]),
                );
            }
            ClientEvent::Ack { id, args } => {
                let Some((resolve, reject)) = self.acks.take(id) else {
                    return;
                };
                let answer = args
                    .into_iter()
                    .next()
                    .map_or(JsValue::UNDEFINED, |arg| arg.0);
                match js::get(&answer, "error").as_string() {
                    Some(message) => {
                        let error = to_js(&ErrorInfo::local(ErrorCode::Rejected, message, false));
                        let _ = reject.call1(&JsValue::NULL, &error);
                    }
                    None => {
                        let _ = resolve.call1(&JsValue::NULL, &answer);
                    }
                }
            }
            ClientEvent::AckLost { id } => {
                if let Some((_, reject)) = self.acks.take(id) {
                    let error = to_js(&ErrorInfo::local(
                        ErrorCode::AckLost,
                        "the connection ended before the server answered",
                        true,
                    ));
                    let _ = reject.call1(&JsValue::NULL, &error);
                }
            }
            ClientEvent::Error { kind, message } => {
                self.emitter.emit("error", &client_error(kind, message));
            }
        }
    }
}

impl HostedClient for SocketIoClient<EngineJson> {
    fn socket_text(&mut self, now: u64, socket: u32, text: &JsString) {
        // The packet header is read in Rust; its JSON part goes to the engine.
        self.socket_message(now, socket, &String::from(text));
    }
}

impl HostOwner for WidgetCore {
    type Client = SocketIoClient<EngineJson>;

    fn host(&self) -> &Host<Self::Client> {
        &self.host
    }

    fn perform(self: &Rc<Self>, nothing: std::convert::Infallible) {
        match nothing {}
    }

    fn dispatch(self: &Rc<Self>, event: ClientEvent<JsJson>) {
        self.dispatch_event(event);
    }
}
