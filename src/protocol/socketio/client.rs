//! [`SocketIoClient`]: a Socket.IO client over WebSocket only, sans-IO.
//!
//! The host feeds it what happened — `connect()` was called, a socket opened, a
//! frame arrived, a timer fired — with the current time in milliseconds, and
//! drains three queues: [`poll_action`](SocketIoClient::poll_action) (open or
//! close a socket, send a frame), [`poll_event`](SocketIoClient::poll_event)
//! (what to tell the application) and
//! [`poll_timeout`](SocketIoClient::poll_timeout) (when to call
//! [`handle_timeout`](SocketIoClient::handle_timeout) next).
//!
//! Every socket gets a new [`SocketId`]; anything reported for an older socket
//! is ignored, and a socket is always closed before the next one is opened.
//!
//! Decisions, where the protocol documents leave a choice:
//!
//! - **Heartbeat.** Engine.IO 4: the server pings, the client answers each ping
//!   with one `3`, and only a ping re-arms the watchdog of `pingInterval +
//!   pingTimeout` (as engine.io-client). Engine.IO 3: the client pings
//!   `pingInterval` after the open packet and then `pingInterval` after each
//!   pong (as engine.io-client 3), and a pong must come within `pingTimeout`.
//!   Intervals below one second are raised to one second so a zero cannot spin
//!   the timer.
//! - **Namespace connect.** Socket.IO 5 (Engine.IO 4): the client sends `40`
//!   (with the auth object, if any) after the open packet. Socket.IO 4
//!   (Engine.IO 3): the server connects `/` by itself and the client sends
//!   nothing for it; sending `40` anyway is *not* harmless there — socket.io 2.x
//!   and python-socketio 4.x run the connection handler a second time for the
//!   same client. Other namespaces are connected with `40/nsp,` in both. The
//!   auth object does not exist in Socket.IO 4 and is not sent there: the
//!   query pairs of the URL carry what such servers read.
//! - **Version fallback** (auto mode, [`ClientConfig::eio`] = `None`): until a
//!   Socket.IO connect has succeeded, a socket that ends before the Engine.IO
//!   open packet (closed, or a first frame that is not an open packet, such as
//!   `{"code":5,"message":"Unsupported protocol version"}`) switches the
//!   version for the next attempt. The first switch (4 to 3) is retried at
//!   once; later ones alternate at backoff pace, because a browser reports a
//!   refused upgrade and an unreachable server alike (close 1006, no open), and
//!   a v4-only server must still be reached after an offline start. A `40`
//!   without `sid` on Engine.IO 4 means a Socket.IO 4 server that ignored
//!   `EIO=4` (engine.io 3.x does not check it); it counts as a refusal too. The
//!   version of the first successful connect is kept for the client's life.
//!   An explicit version never switches.
//! - **Who ends for good.** As socket.io-client: a server DISCONNECT (`41`,
//!   "io server disconnect") and a connect error (`44`) stop the client
//!   (`reconnect: false`); a transport close, an Engine.IO close packet (`1`),
//!   a ping timeout or an unreadable frame ("parse error") reconnect with
//!   backoff. A `44` on a live Engine.IO 3 connection is reported as an error
//!   only, as socket.io-client 2 did.
//! - **Binary packets** (`45`, `46`, binary frames) are not supported: each is
//!   reported once as an `unsupported` error and skipped; the connection stays.
//!   The binary frames announced by a binary packet are skipped silently.
//! - **Server events that ask for an ack** (`42` with an id) are delivered; no
//!   ack is sent back, as socket.io-client does when the listener takes none.
//! - **Acks.** Ids count up from 0 for the client's life (wrapping at
//!   `u64::MAX`). An ack awaited on a connection that ends, or queued when the
//!   client stops, is reported as [`ClientEvent::AckLost`] (socket.io-client
//!   4.7 rejects such acks too).
//! - **JSON.** The Engine.IO and Socket.IO headers are read as text; every JSON
//!   part is parsed by the host's [`JsonEngine`], once. Event and ack
//!   arguments reach the application as the engine's values (in the package,
//!   the very JS objects `JSON.parse` built). An event name may be a string or
//!   an integer (the v5 parser takes a number too). Emits are written by the
//!   same engine from serde values.
//! - **Time.** Deadlines add with saturation, so a huge interval or timeout
//!   from the server or the options never wraps around into "now".
//!
//! The lifecycle (phases, socket ids, backoff, connecting and disconnected
//! bookkeeping) is the shared `protocol::connection`; this module keeps the
//! Engine.IO and Socket.IO handshakes, the heartbeat, frames, acks and the
//! emit queue.
//!
//! Imports: std, serde and `protocol` only, no browser APIs. The browser host
//! imports the public items; the private ones (the link, the queue) stay here.

use super::codec::{
    self, EioVersion, EnginePacket, Handshake, Packet, PacketKind, RESERVED_EVENTS,
};
use crate::error_code::ErrorCode;
use crate::protocol::backoff::BackoffPolicy;
use crate::protocol::connection::{Connection, Due, Phase, Step};
use crate::protocol::json_engine::JsonEngine;
use crate::protocol::sans_io::sealed::{self, Client as _, Lifecycle};
use crate::protocol::sans_io::{Outbox, SansIoClient};
use serde::Serialize;
use std::collections::VecDeque;
use std::fmt;

pub use crate::protocol::connection::SocketId;

/// Connection settings.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Server origin with an optional path prefix, e.g. `wss://chat.example`
    /// (`http(s)://` is turned into `ws(s)://`).
    pub base_url: String,
    /// Socket.IO path, `/socket.io/` by default.
    pub path: String,
    /// Extra query pairs for the URL, e.g. `sessionId`.
    pub query: Vec<(String, String)>,
    /// Namespace, `/` by default (a missing leading `/` is added).
    pub namespace: String,
    /// Auth object for the Socket.IO 5 CONNECT packet, as JSON text (parsed
    /// once, by the client's JSON engine, when the client is made).
    pub auth_json: Option<String>,
    /// Engine.IO version; `None` starts with 4 and falls back to 3 (see the module docs).
    pub eio: Option<EioVersion>,
    /// Deadline for the open packet and the Socket.IO connect, from the socket open request (ms).
    pub timeout_ms: u64,
    /// Reconnect delays.
    pub backoff: BackoffPolicy,
    /// Emits kept while not connected; one more is refused.
    pub max_queued: usize,
}

impl ClientConfig {
    /// Defaults: path `/socket.io/`, namespace `/`, auto version, 5 s connect
    /// timeout, 0.5–20 s backoff, 100 queued emits.
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            path: "/socket.io/".into(),
            query: Vec::new(),
            namespace: "/".into(),
            auth_json: None,
            eio: None,
            timeout_ms: 5_000,
            backoff: BackoffPolicy::default(),
            max_queued: 100,
        }
    }
}

pub use crate::protocol::state::State;

/// I/O the host must perform (nothing beyond socket I/O).
pub type Action = crate::protocol::sans_io::Action<std::convert::Infallible>;

/// What to tell the application; `V` is the host's parsed JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent<V> {
    /// The client is trying to (re)connect.
    Connecting {
        /// Why: `connect called`, `transport close`, `ping timeout`,
        /// `connect timeout`, `parse error` or `offline`.
        reason: String,
    },
    /// The namespace is connected.
    Connected {
        /// Socket.IO session id (the Engine.IO one on Socket.IO 4).
        sid: String,
    },
    /// A connection ended (`reconnect: true`, a `Connecting` follows) or the
    /// client stopped for good (`reconnect: false`).
    Disconnected {
        /// socket.io-client's reasons: `io client disconnect`,
        /// `io server disconnect`, `transport close`, `ping timeout`,
        /// `parse error`, `offline`, plus `connect error`.
        reason: String,
        /// Whether the client will try again on its own.
        reconnect: bool,
    },
    /// A server event.
    Message {
        /// Event name, e.g. `chatMessageCreatedEmit`.
        name: String,
        /// The arguments after the name, as the JSON engine parsed them (the
        /// widget hands the first one, or `null`, to its listeners).
        args: Vec<V>,
    },
    /// The server answered an emit sent with an ack.
    Ack {
        /// The id [`SocketIoClient::emit`] returned.
        id: u64,
        /// The answer's arguments, as the JSON engine parsed them.
        args: Vec<V>,
    },
    /// An ack that will never come: its connection ended, or the client stopped
    /// before the emit was sent.
    AckLost {
        /// The id [`SocketIoClient::emit`] returned.
        id: u64,
    },
    /// Something went wrong that does not change the state by itself.
    Error {
        /// `Protocol` (unreadable frame), `Connect` (connect refused, or an
        /// attempt that failed and is tried again after a delay),
        /// `Unsupported` (binary data), `QueueFull` (emit queue full) or `Config`.
        kind: ErrorCode,
        /// Description without payload content.
        message: String,
    },
}

/// Why [`SocketIoClient::emit`] refused an emit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmitError {
    /// The payload cannot be written as JSON.
    InvalidJson,
    /// The name is empty or reserved by Socket.IO (`connect`, `disconnect`, ...).
    ReservedName,
    /// Not connected and [`ClientConfig::max_queued`] emits already wait.
    QueueFull,
}

impl fmt::Display for EmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EmitError::InvalidJson => "emit payload cannot be written as JSON",
            EmitError::ReservedName => "emit name is empty or reserved",
            EmitError::QueueFull => "emit queue is full",
        })
    }
}

/// The Engine.IO heartbeat of one open session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Heartbeat {
    /// v4: the server must ping before `deadline`.
    AwaitPing { deadline: u64 },
    /// v3: the client pings at `at`.
    PingAt { at: u64 },
    /// v3: a ping is out; its pong must arrive before `deadline`.
    AwaitPong { deadline: u64 },
}

impl Heartbeat {
    fn at(self) -> u64 {
        match self {
            Heartbeat::AwaitPing { deadline } | Heartbeat::AwaitPong { deadline } => deadline,
            Heartbeat::PingAt { at } => at,
        }
    }
}

/// An Engine.IO session past its open packet: what the client keeps while
/// it waits for the namespace connect, and then while live. Until the open
/// packet the lifecycle is [`Phase::Opening`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct Link {
    version: EioVersion,
    sid: String,
    ping_interval: u64,
    ping_timeout: u64,
    heartbeat: Heartbeat,
}

/// An emit waiting for a connection.
#[derive(Debug, Clone)]
struct Queued {
    frame: String,
    ack: Option<u64>,
}

/// Lowest accepted ping interval and timeout (ms).
const MIN_HEARTBEAT_MS: u64 = 1_000;

/// The Socket.IO client state machine. See the module documentation.
///
/// `J` parses and writes the JSON parts of the packets (the browser's JSON
/// engine in the package); event and ack arguments reach
/// [`ClientEvent::Message`] and [`ClientEvent::Ack`] as its values.
#[derive(Debug)]
pub struct SocketIoClient<J: JsonEngine> {
    json: J,
    config: ClientConfig,
    /// The auth object, parsed once.
    auth: Option<J::Value>,
    /// The lifecycle; the Engine.IO link outlives the namespace handshake.
    conn: Connection<Link, Link>,
    /// Version of the next (or current) attempt.
    version: EioVersion,
    /// Auto mode, before any successful connect.
    negotiating: bool,
    /// The immediate 4-to-3 retry was spent.
    fallback_spent: bool,
    next_ack: u64,
    /// Ack ids sent on the live socket.
    awaiting: Vec<u64>,
    queue: VecDeque<Queued>,
    /// Binary frames announced by a binary packet, to skip quietly.
    skip_binary: u64,
    out: Outbox<std::convert::Infallible, ClientEvent<J::Value>>,
}

impl<J: JsonEngine> SocketIoClient<J> {
    /// A disconnected client reading and writing JSON with `json`; `seed`
    /// feeds the backoff jitter.
    ///
    /// An `auth_json` that is not a JSON object is dropped with a `config` error event.
    pub fn new(json: J, mut config: ClientConfig, seed: u64) -> Self {
        // socket.io-client names namespaces with a leading slash; "" is the main one.
        if !config.namespace.starts_with('/') {
            config.namespace.insert(0, '/');
        }
        let mut events = VecDeque::new();
        let auth = match config.auth_json.as_deref() {
            None => None,
            Some(text) => match json.parse(text) {
                Ok(auth) if json.is_object(&auth) => Some(auth),
                _ => {
                    events.push_back(ClientEvent::Error {
                        kind: ErrorCode::Config,
                        message: "auth is not a JSON object; connecting without it".into(),
                    });
                    None
                }
            },
        };
        SocketIoClient {
            json,
            version: config.eio.unwrap_or(EioVersion::V4),
            negotiating: config.eio.is_none(),
            conn: Connection::new(config.timeout_ms, config.backoff, seed),
            config,
            auth,
            fallback_spent: false,
            next_ack: 0,
            awaiting: Vec::new(),
            queue: VecDeque::new(),
            skip_binary: 0,
            out: Outbox {
                actions: VecDeque::new(),
                events,
            },
        }
    }

    /// The Engine.IO version of the current or next attempt.
    pub fn eio_version(&self) -> EioVersion {
        self.version
    }

    /// The URL the next socket opens (the current version's).
    pub fn url(&self) -> String {
        codec::socket_url(
            &self.config.base_url,
            &self.config.path,
            self.version,
            &self.config.query,
        )
    }

    /// Emits waiting for a connection.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Sends event `name` with one argument, `payload` (none when `None`),
    /// written as JSON by the client's engine; with `with_ack`, returns the id
    /// a later [`ClientEvent::Ack`] or [`ClientEvent::AckLost`] carries.
    ///
    /// While not connected the emit waits in a queue, sent in order after the
    /// next connect; a full queue refuses it with a `queue` error event. A
    /// payload the engine cannot write is refused with
    /// [`EmitError::InvalidJson`] and takes no ack id.
    pub fn emit<P: Serialize + ?Sized>(
        &mut self,
        name: &str,
        payload: Option<&P>,
        with_ack: bool,
    ) -> Result<Option<u64>, EmitError> {
        if name.is_empty() || RESERVED_EVENTS.contains(&name) {
            return Err(EmitError::ReservedName);
        }
        let body = codec::encode_event_json(&self.json, name, payload);
        if body.is_empty() {
            return Err(EmitError::InvalidJson);
        }
        let live = self.conn.live_socket();
        if live.is_none() && self.queue.len() >= self.config.max_queued {
            self.out.events.push_back(ClientEvent::Error {
                kind: ErrorCode::QueueFull,
                message: crate::text::concat(&[
                    "emit dropped: ",
                    &crate::text::decimal(self.config.max_queued as u64),
                    " emits already wait for a connection",
                ]),
            });
            return Err(EmitError::QueueFull);
        }
        let ack = with_ack.then(|| {
            let id = self.next_ack;
            self.next_ack = self.next_ack.wrapping_add(1);
            id
        });
        // `42[/nsp,][id]["name",payload]`
        let mut frame = String::from("4");
        frame.push_str(&codec::packet_header('2', &self.config.namespace, ack));
        frame.push_str(&body);
        match live {
            Some(socket) => {
                self.awaiting.extend(ack);
                self.out.actions.push_back(Action::Send {
                    socket,
                    text: frame,
                });
            }
            None => self.queue.push_back(Queued { frame, ack }),
        }
        Ok(ack)
    }

    /// A text frame arrived on `socket`.
    pub fn socket_message(&mut self, now: u64, socket: SocketId, text: &str) {
        if !self.conn.is_current(socket) {
            return;
        }
        let opening = matches!(self.conn.phase(), Phase::Opening { .. });
        let packet = match codec::decode_engine(text) {
            Ok(EnginePacket::Open(json)) if opening => return self.on_open(now, socket, json),
            Ok(_) if opening => Err(codec::ProtocolError {
                message: "a frame came before the Engine.IO open packet".into(),
            }),
            other => other,
        };
        let packet = match packet {
            Ok(packet) => packet,
            Err(error) if opening => {
                // An Engine.IO error such as "Unsupported protocol version".
                self.out.events.push_back(ClientEvent::Error {
                    kind: ErrorCode::Protocol,
                    message: error.message,
                });
                return self.refused_before_open(now, "parse error");
            }
            Err(error) => return self.bad_frame(now, error.message),
        };
        match packet {
            EnginePacket::Open(_) | EnginePacket::Upgrade(_) | EnginePacket::Noop(_) => {}
            EnginePacket::Close(_) => self.lose_connection(now, "transport close"),
            EnginePacket::Ping(_) => self.on_ping(now, socket),
            EnginePacket::Pong(_) => self.on_pong(now),
            EnginePacket::Message(data) => match codec::decode_packet(&self.json, data) {
                Ok(packet) => self.on_packet(now, packet),
                Err(error) => self.bad_frame(now, error.message),
            },
        }
    }

    /// The Engine.IO link, once the open packet came.
    fn link(&self) -> Option<&Link> {
        match self.conn.phase() {
            Phase::Handshaking { handshake, .. } => Some(handshake),
            Phase::Live { live, .. } => Some(live),
            _ => None,
        }
    }

    fn link_mut(&mut self) -> Option<&mut Link> {
        match self.conn.phase_mut() {
            Phase::Handshaking { handshake, .. } => Some(handshake),
            Phase::Live { live, .. } => Some(live),
            _ => None,
        }
    }

    /// Sends `packet` (the data of an Engine.IO message) on `socket`.
    fn send_message(&mut self, socket: SocketId, packet: &str) {
        let mut text = String::with_capacity(1 + packet.len());
        text.push('4');
        text.push_str(packet);
        self.out.actions.push_back(Action::Send { socket, text });
    }

    /// Reports a lifecycle step: closes its socket and emits its events with
    /// `reason`; acks awaited on a connection that ended are lost.
    fn report(&mut self, step: Step, reason: &str) {
        if let Some(socket) = step.closed {
            self.out.actions.push_back(Action::Close {
                socket,
                code: 1000,
                reason: "close",
            });
        }
        if let Some(reconnect) = step.disconnected {
            self.out.events.push_back(ClientEvent::Disconnected {
                reason: reason.into(),
                reconnect,
            });
            self.lose_acks();
        }
        if step.connecting {
            self.out.events.push_back(ClientEvent::Connecting {
                reason: reason.into(),
            });
        }
    }

    /// Reports acks awaited on the socket that just ended as lost.
    fn lose_acks(&mut self) {
        for id in std::mem::take(&mut self.awaiting) {
            self.out.events.push_back(ClientEvent::AckLost { id });
        }
    }

    /// Marks the connection as lost and schedules a retry with backoff.
    fn lose_connection(&mut self, now: u64, reason: &str) {
        let attempt_failed = self.conn.state() == State::Connecting;
        let step = self.conn.lose_connection(now);
        self.report(step, reason);
        if attempt_failed {
            self.retrying(reason);
        }
    }

    /// An attempt that never connected failed and the next one waits out a
    /// backoff delay: the application hears of each such failure, so a page
    /// can say "still trying" (`Connecting` comes only once per outage).
    fn retrying(&mut self, reason: &str) {
        self.out.events.push_back(ClientEvent::Error {
            kind: ErrorCode::Connect,
            message: crate::text::concat(&[
                "could not connect to the chat server (",
                reason,
                "); trying again",
            ]),
        });
    }

    /// Stops for good; queued emits are dropped.
    fn terminate(&mut self, reason: &str) {
        let step = self.conn.terminate();
        self.report(step, reason);
        self.lose_acks();
        for queued in std::mem::take(&mut self.queue) {
            if let Some(id) = queued.ack {
                self.out.events.push_back(ClientEvent::AckLost { id });
            }
        }
    }

    /// The server did not accept this Engine.IO version (or was unreachable).
    fn refused_before_open(&mut self, now: u64, reason: &str) {
        if !self.negotiating {
            self.lose_connection(now, reason);
            return;
        }
        self.switch_version(now, reason);
    }

    /// Auto mode: try the other version; the first 4-to-3 switch goes at once.
    fn switch_version(&mut self, now: u64, reason: &str) {
        let step = self.conn.restart();
        self.report(step, reason);
        self.version = self.version.other();
        if self.version == EioVersion::V3 && !self.fallback_spent {
            self.fallback_spent = true;
            self.start_attempt(now);
        } else {
            self.conn.schedule_retry(now);
            self.retrying(reason);
        }
    }

    fn bad_frame(&mut self, now: u64, message: String) {
        self.out.events.push_back(ClientEvent::Error {
            kind: ErrorCode::Protocol,
            message,
        });
        self.lose_connection(now, "parse error");
    }

    fn on_open(&mut self, now: u64, socket: SocketId, text: &str) {
        let Phase::Opening { deadline, .. } = *self.conn.phase() else {
            return;
        };
        let handshake: Handshake = match codec::decode_handshake(&self.json, text) {
            Ok(h) => h,
            Err(error) => return self.bad_frame(now, error.message),
        };
        let ping_interval = handshake.ping_interval.max(MIN_HEARTBEAT_MS);
        let ping_timeout = handshake.ping_timeout.max(MIN_HEARTBEAT_MS);
        let heartbeat = match self.version {
            EioVersion::V4 => Heartbeat::AwaitPing {
                deadline: now
                    .saturating_add(ping_interval)
                    .saturating_add(ping_timeout),
            },
            EioVersion::V3 => Heartbeat::PingAt {
                at: now.saturating_add(ping_interval),
            },
        };
        let link = Link {
            version: self.version,
            sid: handshake.sid,
            ping_interval,
            ping_timeout,
            heartbeat,
        };
        self.conn.enter_handshake(link, deadline);
        let main = self.config.namespace == "/";
        let payload = match self.version {
            EioVersion::V4 => self.auth.as_ref(),
            // Socket.IO 4 connects `/` by itself and has no auth payload.
            EioVersion::V3 if main => return,
            EioVersion::V3 => None,
        };
        let packet = codec::encode_connect(&self.json, &self.config.namespace, payload);
        self.send_message(socket, &packet);
    }

    fn on_ping(&mut self, now: u64, socket: SocketId) {
        let Some(link) = self.link_mut() else { return };
        if link.version != EioVersion::V4 {
            return;
        }
        link.heartbeat = Heartbeat::AwaitPing {
            deadline: now
                .saturating_add(link.ping_interval)
                .saturating_add(link.ping_timeout),
        };
        self.out.actions.push_back(Action::Send {
            socket,
            text: "3".into(),
        });
    }

    fn on_pong(&mut self, now: u64) {
        let Some(link) = self.link_mut() else { return };
        if let Heartbeat::AwaitPong { .. } = link.heartbeat {
            link.heartbeat = Heartbeat::PingAt {
                at: now.saturating_add(link.ping_interval),
            };
        }
    }

    fn on_packet(&mut self, now: u64, packet: Packet<J::Value>) {
        if packet.namespace != self.config.namespace {
            return;
        }
        let live = self.conn.live_socket().is_some();
        match packet.kind {
            PacketKind::Connect { payload } => {
                if let Phase::Handshaking {
                    handshake: link, ..
                } = self.conn.phase()
                {
                    let sid = payload.and_then(|p| codec::connect_sid(&self.json, p));
                    if sid.is_none() && link.version == EioVersion::V4 && self.negotiating {
                        // A Socket.IO 4 server that ignored EIO=4.
                        return self.switch_version(now, "transport close");
                    }
                    let sid = sid.unwrap_or_else(|| link.sid.clone());
                    self.on_connected(sid);
                }
            }
            PacketKind::Disconnect => {
                if self.link().is_some() {
                    self.terminate("io server disconnect");
                }
            }
            PacketKind::Event { name, args, .. } => {
                if live {
                    self.out
                        .events
                        .push_back(ClientEvent::Message { name, args });
                }
            }
            PacketKind::Ack { id, args } => {
                if let Some(at) = self.awaiting.iter().position(|&a| a == id) {
                    self.awaiting.swap_remove(at);
                    self.out.events.push_back(ClientEvent::Ack { id, args });
                }
            }
            PacketKind::ConnectError { message } => {
                let message = if message.is_empty() {
                    "connection refused by the server".to_owned()
                } else {
                    message
                };
                self.out.events.push_back(ClientEvent::Error {
                    kind: ErrorCode::Connect,
                    message,
                });
                if !(live && self.version == EioVersion::V3) {
                    self.terminate("connect error");
                }
            }
            PacketKind::BinaryEvent { attachments, .. }
            | PacketKind::BinaryAck { attachments, .. } => {
                self.skip_binary = self.skip_binary.saturating_add(attachments);
                self.out.events.push_back(ClientEvent::Error {
                    kind: ErrorCode::Unsupported,
                    message: "binary Socket.IO packet ignored: binary data is not supported".into(),
                });
            }
        }
    }

    fn on_connected(&mut self, sid: String) {
        // The Engine.IO link of the handshake goes on as the live one.
        let Some(socket) = self.conn.go_live(|link| link) else {
            return;
        };
        self.negotiating = false;
        self.out.events.push_back(ClientEvent::Connected { sid });
        for queued in std::mem::take(&mut self.queue) {
            self.awaiting.extend(queued.ack);
            self.out.actions.push_back(Action::Send {
                socket,
                text: queued.frame,
            });
        }
    }
}

impl<J: JsonEngine> SansIoClient for SocketIoClient<J> {
    type HostAction = std::convert::Infallible;
    type Event = ClientEvent<J::Value>;

    fn outbox(&mut self) -> &mut Outbox<Self::HostAction, Self::Event> {
        &mut self.out
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next (ms).
    fn poll_timeout(&self) -> Option<u64> {
        let heartbeat = self.link().map(|link| link.heartbeat.at());
        [self.conn.timeout(), heartbeat].into_iter().flatten().min()
    }

    /// Stops: sends DISCONNECT when connected, closes the socket, cancels
    /// timers, drops queued emits (their acks are reported lost) and emits
    /// `Disconnected` ("io client disconnect").
    fn disconnect(&mut self) {
        if let Some(socket) = self.conn.live_socket() {
            let packet = codec::packet_header('1', &self.config.namespace, None);
            self.send_message(socket, &packet);
        }
        self.terminate("io client disconnect");
    }

    /// A binary frame arrived on `socket`: skipped (see the module docs).
    fn socket_binary(&mut self, _now: u64, socket: SocketId) {
        if !self.conn.is_current(socket) {
            return;
        }
        if self.skip_binary > 0 {
            self.skip_binary -= 1;
            return;
        }
        self.out.events.push_back(ClientEvent::Error {
            kind: ErrorCode::Unsupported,
            message: "binary frame ignored: binary Socket.IO data is not supported".into(),
        });
    }

    /// `socket` closed (the host reports it once and forgets the socket).
    fn socket_closed(&mut self, now: u64, socket: SocketId, _code: u16, _reason: &str) {
        // The socket is gone: the lifecycle forgets it, so nothing closes it again.
        let Some(was) = self.conn.socket_closed(socket) else {
            return;
        };
        if matches!(was, Phase::Opening { .. }) {
            self.refused_before_open(now, "transport close");
        } else {
            self.lose_connection(now, "transport close");
        }
    }

    /// Fires whatever deadline has passed.
    fn handle_timeout(&mut self, now: u64) {
        match self.conn.due(now) {
            Some(Due::Retry) => return self.start_attempt(now),
            Some(Due::ConnectTimeout) => return self.lose_connection(now, "connect timeout"),
            None => {}
        }
        let Some(socket) = self.conn.socket() else {
            return;
        };
        let Some(link) = self.link_mut() else { return };
        match link.heartbeat {
            Heartbeat::AwaitPing { deadline } | Heartbeat::AwaitPong { deadline }
                if now >= deadline =>
            {
                self.lose_connection(now, "ping timeout");
            }
            Heartbeat::PingAt { at } if now >= at => {
                link.heartbeat = Heartbeat::AwaitPong {
                    deadline: now.saturating_add(link.ping_timeout),
                };
                self.out.actions.push_back(Action::Send {
                    socket,
                    text: "2".into(),
                });
            }
            _ => {}
        }
    }

    /// Socket `socket` opened. Nothing is sent: the server speaks first.
    fn socket_opened(&mut self, _now: u64, _socket: SocketId) {}
}

impl<J: JsonEngine> sealed::Client for SocketIoClient<J> {
    fn start_attempt(&mut self, now: u64) {
        // Binary frames announced on an earlier socket are not skipped on this one.
        self.skip_binary = 0;
        let socket = self.conn.start_attempt(now);
        self.out.actions.push_back(Action::Open {
            socket,
            url: self.url(),
        });
    }

    fn connect_called(&mut self) {
        self.out.events.push_back(ClientEvent::Connecting {
            reason: "connect called".into(),
        });
    }

    fn went_offline(&mut self, now: u64) {
        self.lose_connection(now, "offline");
    }

    fn connection(&self) -> &dyn Lifecycle {
        &self.conn
    }

    fn connection_mut(&mut self) -> &mut dyn Lifecycle {
        &mut self.conn
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::protocol::test_json::SerdeJson;
    use serde_json::{json, Value};

    fn client(eio: EioVersion) -> SocketIoClient<SerdeJson> {
        let mut config = ClientConfig::new("ws://x");
        config.eio = Some(eio);
        SocketIoClient::new(SerdeJson, config, 1)
    }

    fn drain(client: &mut SocketIoClient<SerdeJson>) -> (Vec<Action>, Vec<ClientEvent<Value>>) {
        (
            std::iter::from_fn(|| client.poll_action()).collect(),
            std::iter::from_fn(|| client.poll_event()).collect(),
        )
    }

    /// Opens the first socket at `now` and delivers `open`; returns the socket.
    fn open(client: &mut SocketIoClient<SerdeJson>, now: u64, open: &str) -> SocketId {
        client.connect(now);
        let socket = match drain(client).0.first() {
            Some(Action::Open { socket, .. }) => *socket,
            other => panic!("expected an open, got {other:?}"),
        };
        client.socket_opened(now, socket);
        client.socket_message(now, socket, open);
        socket
    }

    #[test]
    fn huge_server_intervals_saturate_instead_of_wrapping() {
        let huge = format!(
            r#"0{{"sid":"e","pingInterval":{},"pingTimeout":{}}}"#,
            u64::MAX,
            u64::MAX
        );
        // v4: the ping watchdog sits at the end of time, not in the past.
        let mut v4 = client(EioVersion::V4);
        let socket = open(&mut v4, 1_000, &huge);
        v4.socket_message(1_000, socket, r#"40{"sid":"s"}"#);
        assert_eq!(v4.state(), State::Connected);
        v4.socket_message(2_000, socket, "2");
        assert_eq!(v4.poll_timeout(), Some(u64::MAX));
        v4.handle_timeout(u64::MAX - 1);
        assert_eq!(v4.state(), State::Connected);
        // v3: the client's own ping is due at the end of time too.
        let mut v3 = client(EioVersion::V3);
        let socket = open(&mut v3, 1_000, &huge);
        v3.socket_message(1_000, socket, "40");
        assert_eq!(v3.state(), State::Connected);
        assert_eq!(v3.poll_timeout(), Some(u64::MAX));
        drain(&mut v3);
        v3.handle_timeout(u64::MAX);
        let (actions, _) = drain(&mut v3);
        assert_eq!(
            actions,
            vec![Action::Send {
                socket,
                text: "2".into()
            }]
        );
        assert_eq!(v3.poll_timeout(), Some(u64::MAX));
    }

    #[test]
    fn huge_connect_timeouts_and_backoff_saturate() {
        let mut config = ClientConfig::new("ws://x");
        config.timeout_ms = u64::MAX;
        config.backoff = BackoffPolicy {
            min_ms: u64::MAX,
            max_ms: u64::MAX,
        };
        let mut client = SocketIoClient::new(SerdeJson, config, 1);
        client.connect(5);
        assert_eq!(client.poll_timeout(), Some(u64::MAX));
        let socket = match drain(&mut client).0.first() {
            Some(Action::Open { socket, .. }) => *socket,
            other => panic!("expected an open, got {other:?}"),
        };
        client.socket_closed(10, socket, 1006, "");
        client.socket_closed(10, socket + 1, 1006, "");
        assert!(client.poll_timeout().is_some_and(|at| at >= 10));
    }

    #[test]
    fn ack_ids_and_socket_ids_wrap_around() {
        let mut client = client(EioVersion::V4);
        client.next_ack = u64::MAX;
        client.conn.set_last_socket(SocketId::MAX);
        assert_eq!(client.emit("e", Some(&1), true), Ok(Some(u64::MAX)));
        assert_eq!(client.emit("e", Some(&2), true), Ok(Some(0)));
        client.connect(0);
        assert!(matches!(
            drain(&mut client).0.first(),
            Some(Action::Open { socket: 0, .. })
        ));
    }

    #[test]
    fn a_payload_the_engine_cannot_write_is_refused_without_an_ack_id() {
        struct Unwritable;
        impl Serialize for Unwritable {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("no"))
            }
        }
        let mut client = client(EioVersion::V4);
        assert_eq!(
            client.emit("e", Some(&Unwritable), true),
            Err(EmitError::InvalidJson)
        );
        assert_eq!(client.queued(), 0);
        assert_eq!(client.emit("e", Some(&json!({"a": 1})), true), Ok(Some(0)));
        assert_eq!(client.emit("e", None::<&Value>, false), Ok(None));
        assert_eq!(client.queued(), 2);
    }
}
