//! [`CentrifugeClient`]: the connection state machine, sans-IO.
//!
//! The host (the browser glue, or a test) feeds it what happened — `connect()`
//! was called, a socket opened, a message arrived, a timer fired — together with
//! the current time in milliseconds. It answers through three queues:
//! [`poll_action`](CentrifugeClient::poll_action) (open/close a socket, send a
//! frame, fetch a fresh token), [`poll_event`](CentrifugeClient::poll_event)
//! (what to tell the application) and
//! [`poll_timeout`](CentrifugeClient::poll_timeout) (when to call
//! [`handle_timeout`](CentrifugeClient::handle_timeout) next).
//!
//! Every socket gets a new [`SocketId`]; anything reported for an older socket is
//! ignored, and a socket is always closed before the next one is opened.
//!
//! The lifecycle (phases, socket ids, backoff, connecting and disconnected
//! bookkeeping) is the shared `protocol::connection`; this module keeps the
//! Centrifuge handshake, token refresh, pings, replies and stream positions.
//!
//! Imports: std and `protocol` only, no browser APIs. The browser host imports
//! the public items; the private ones (the live data) stay here.

use super::batch::{Item, Name, Publications};
use super::codec::{self, ConnectFields, Push, Reply};
use super::codes::{self, connecting, disconnected, CloseVerdict};
use super::positions::{Acceptance, Continuity, LossReason, Positions};
use super::scan::Line;
use crate::error_code::ErrorCode;
use crate::protocol::backoff::BackoffPolicy;
use crate::protocol::connection::{Connection, Due, Phase, Step};
use crate::protocol::json_engine::{JsonEngine, JsonError};
use crate::protocol::sans_io::sealed::{self, Client as _, Lifecycle};
use crate::protocol::sans_io::{Outbox, SansIoClient};
use std::rc::Rc;

pub use crate::protocol::connection::SocketId;

/// Connection settings.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// WebSocket URL of the Centrifugo endpoint.
    pub url: String,
    /// Client name sent in `connect`.
    pub name: String,
    /// Client version sent in `connect`.
    pub version: String,
    /// Deadline for the socket to open and the connect reply to arrive (ms).
    pub timeout_ms: u64,
    /// Extra time past the server ping interval before the link counts as dead (ms).
    pub max_server_ping_delay_ms: u64,
    /// Reconnect delays.
    pub backoff: BackoffPolicy,
}

impl ClientConfig {
    /// Defaults as centrifuge-js: 5 s connect timeout, 10 s ping grace, 0.5–20 s backoff.
    pub fn new(url: impl Into<String>) -> Self {
        ClientConfig {
            url: url.into(),
            name: "twin-panel".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            timeout_ms: 5_000,
            max_server_ping_delay_ms: 10_000,
            backoff: BackoffPolicy::default(),
        }
    }
}

pub use crate::protocol::state::State;

/// What only the Centrifuge client's host does: obtain a fresh token and hand
/// it to [`CentrifugeClient::set_token`], or call
/// [`CentrifugeClient::token_refresh_failed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    /// The token the server refused (`None` when there was none): a host that
    /// already holds a newer one can hand that over without a refresh.
    pub rejected: Option<String>,
}

/// I/O the host must perform.
pub type Action = crate::protocol::sans_io::Action<TokenRequest>;

/// What to tell the application; `V` is the host's parsed JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent<V> {
    /// The client is trying to (re)connect.
    Connecting {
        /// Why (client code below 100, or the server's close code).
        code: u32,
        /// Short text.
        reason: String,
    },
    /// Connected; publications flow.
    Connected {
        /// Client id from the server.
        client: String,
        /// Server version.
        version: String,
    },
    /// An established connection ended (`reconnect: true`, a `Connecting`
    /// follows), or the client stopped for good (`reconnect: false`).
    Disconnected {
        /// Client code below 100, the server's close code, or its error code.
        code: u32,
        /// Short text.
        reason: String,
        /// Whether the client will try again on its own.
        reconnect: bool,
    },
    /// Publications of one channel, each delivered once and in order.
    Publications(Publications<V>),
    /// Publications on `channels` may have been missed: refetch over REST.
    Resync {
        /// Affected channels.
        channels: Vec<String>,
        /// `epochChanged`, `historyGone`, `notRecoverable`, `stateInvalidated`,
        /// or `missedRelays` (shown by a tab sharing another tab's connection).
        reason: &'static str,
    },
    /// Something went wrong that does not change the state by itself.
    Error {
        /// `Protocol` (unreadable frame) or `Connect` (connect refused).
        kind: ErrorCode,
        /// Description without payload content.
        message: String,
    },
}

/// What the client keeps while live. During the handshake it keeps the id
/// of its `connect` command; while waiting for a token the lifecycle is
/// [`Phase::AwaitingHost`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Live {
    /// Whether the server wants each ping answered.
    pong: bool,
    /// How long the link may stay silent: the ping interval plus the grace.
    ping_budget: Option<u64>,
    /// When the link counts as dead (`None`: the server does not ping).
    deadline: Option<u64>,
}

/// The Centrifuge client state machine. See the module documentation.
///
/// `J` parses and writes the frames (the browser's JSON engine in the
/// package); payloads reach [`ClientEvent::Publication`] as its values.
#[derive(Debug)]
pub struct CentrifugeClient<J: JsonEngine> {
    json: J,
    config: ClientConfig,
    /// The lifecycle; the handshake waits for the reply to a command id.
    conn: Connection<u32, Live>,
    token: Option<String>,
    /// The token the server last refused: never sent again, and named in
    /// every token request until a different one arrives.
    refused: Option<String>,
    positions: Positions,
    auth_retry_used: bool,
    next_command: u32,
    out: Outbox<TokenRequest, ClientEvent<J::Value>>,
}

impl<J: JsonEngine> CentrifugeClient<J> {
    /// A disconnected client; `seed` feeds the backoff jitter.
    pub fn new(json: J, config: ClientConfig, seed: u64) -> Self {
        CentrifugeClient {
            json,
            conn: Connection::new(config.timeout_ms, config.backoff, seed),
            config,
            token: None,
            refused: None,
            positions: Positions::default(),
            auth_retry_used: false,
            next_command: 0,
            out: Outbox::default(),
        }
    }

    /// Stream positions, for inspection.
    pub fn positions(&self) -> &Positions {
        &self.positions
    }

    /// Seeds the stream position of `channel` (see [`Positions::seed`]): a
    /// tab that takes over the shared connection recovers from what the
    /// tabs have seen. Takes effect on the next connect.
    pub fn seed_position(&mut self, channel: &str, epoch: &str, offset: u64) {
        self.positions.seed(channel, epoch, offset);
    }

    /// Stores the token for the next connect; resumes a connect that waited for it.
    pub fn set_token(&mut self, now: u64, token: String) {
        if self.refused.as_deref() == Some(token.as_str()) {
            // The server refused this very token: wait for a new one.
            return;
        }
        self.refused = None;
        self.token = Some(token);
        if self.conn.is_awaiting_host() {
            self.start_attempt(now);
        }
    }

    /// The token cannot be renewed (the refresh token was refused): stop for good.
    pub fn token_refresh_failed(&mut self, reason: &str) {
        self.token = None;
        self.terminate(u32::from(disconnected::UNAUTHORIZED), reason);
    }

    /// Forgets the token (logout): no copy stays here, and a later connect
    /// asks the host for one.
    pub fn forget_token(&mut self) {
        self.token = None;
    }

    /// The token the next connect sends, if any.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Stops for good, as `disconnect()` does (code 0), with `reason`: e.g.
    /// the token now belongs to another operator. No-op when disconnected.
    pub fn end(&mut self, reason: &str) {
        if self.conn.state() == State::Disconnected {
            return;
        }
        self.terminate(u32::from(disconnected::DISCONNECT_CALLED), reason);
    }

    /// A refresh failed for a passing reason (network, 5xx): if a connect waits
    /// for the token, ask again after a backoff delay.
    pub fn token_refresh_deferred(&mut self, now: u64) {
        if self.conn.is_awaiting_host() {
            self.conn.schedule_retry(now);
        }
    }

    /// A text message arrived on `socket`; its lines are parsed here with the
    /// client's JSON engine. See [`socket_lines`](Self::socket_lines).
    pub fn socket_message(&mut self, now: u64, socket: SocketId, text: &str) {
        let lines: Vec<_> = codec::parse_frame(&self.json, text).collect();
        self.socket_lines(now, socket, lines);
    }

    /// A text message arrived on `socket`, already split on `\n` and parsed
    /// line by line by the host (blank lines left out), every line read by
    /// the full reader. A line that is not JSON, or whose envelope has the
    /// wrong shape, is an `Error` event and a reconnect; the lines after it
    /// are not read.
    pub fn socket_lines(
        &mut self,
        now: u64,
        socket: SocketId,
        lines: impl IntoIterator<Item = Result<J::Value, JsonError>>,
    ) {
        if !self.heard(now, socket) {
            return;
        }
        for line in lines {
            let reply = line
                .map_err(codec::ProtocolError::from)
                .and_then(|line| codec::read_reply(&self.json, line));
            match reply {
                Ok(reply) => self.handle_reply(now, socket, reply),
                Err(error) => self.refuse(now, error.message),
            }
            if !self.conn.is_current(socket) {
                return;
            }
        }
    }

    /// A text message arrived on `socket`, as the host's scanner read it
    /// (see [`super::scan`]): `lines` in order, `payloads` the array of the
    /// publication lines' payloads, `others` the values of the
    /// [`Line::Other`] lines, which the full reader reads. Decides exactly
    /// as [`socket_lines`](Self::socket_lines) would on the same frame; the
    /// publications of a run of lines are delivered as one
    /// [`ClientEvent::Publications`] that points into `payloads`.
    pub fn socket_scanned(
        &mut self,
        now: u64,
        socket: SocketId,
        lines: &[Line],
        payloads: &J::Value,
        others: Vec<J::Value>,
    ) {
        if !self.heard(now, socket) {
            return;
        }
        let mut others = others.into_iter();
        let mut run = None;
        let mut index = 0;
        for line in lines {
            let outcome = match line {
                Line::Publication {
                    channel,
                    offset,
                    name,
                } => {
                    let at = index;
                    index += 1;
                    Line::offset(*offset).map(|offset| {
                        let item = Item { index: at, offset };
                        self.take(
                            now,
                            &mut run,
                            channel,
                            payloads,
                            item,
                            name.as_deref().map(String::as_str),
                        );
                    })
                }
                Line::Other => {
                    self.flush(&mut run);
                    others
                        .next()
                        .ok_or(JsonError::Shape.into())
                        .and_then(|line| codec::read_reply(&self.json, line))
                        .map(|reply| self.handle_reply(now, socket, reply))
                }
                Line::NotJson => Err(JsonError::Syntax.into()),
                Line::NotObject => Err(JsonError::Shape.into()),
            };
            if let Err(error) = outcome {
                self.flush(&mut run);
                self.refuse(now, error.message);
            }
            if !self.conn.is_current(socket) {
                break;
            }
        }
        self.flush(&mut run);
    }

    /// Something arrived on `socket`: false when it is not the current one;
    /// else the link is alive (the ping deadline moves on).
    fn heard(&mut self, now: u64, socket: SocketId) -> bool {
        if !self.conn.is_current(socket) {
            return false;
        }
        if let Phase::Live {
            live:
                Live {
                    ping_budget: Some(budget),
                    deadline,
                    ..
                },
            ..
        } = self.conn.phase_mut()
        {
            *deadline = Some(now.saturating_add(*budget));
        }
        true
    }

    /// A frame the client cannot read: an `Error` event and a reconnect.
    fn refuse(&mut self, now: u64, message: &str) {
        self.out.events.push_back(ClientEvent::Error {
            kind: ErrorCode::Protocol,
            message: message.into(),
        });
        self.lose_connection(now, u32::from(connecting::BAD_FRAME), "bad frame");
    }

    /// Reports a lifecycle step: closes its socket (code 1000, `close_reason`)
    /// and emits its events with `code` and `reason`.
    fn report(&mut self, step: Step, close_reason: &'static str, code: u32, reason: &str) {
        if let Some(socket) = step.closed {
            self.out.actions.push_back(Action::Close {
                socket,
                code: 1000,
                reason: close_reason,
            });
        }
        if let Some(reconnect) = step.disconnected {
            self.out.events.push_back(ClientEvent::Disconnected {
                code,
                reason: reason.into(),
                reconnect,
            });
        }
        if step.connecting {
            self.out.events.push_back(ClientEvent::Connecting {
                code,
                reason: reason.into(),
            });
        }
    }

    /// Marks the connection as lost and schedules a retry with backoff.
    fn lose_connection(&mut self, now: u64, code: u32, reason: &str) {
        let step = self.conn.lose_connection(now);
        self.report(step, "reconnect", code, reason);
    }

    /// Stops for good.
    fn terminate(&mut self, code: u32, reason: &str) {
        let step = self.conn.terminate();
        self.report(step, "disconnect", code, reason);
    }

    /// The server refused the token: refresh once, then give up.
    fn auth_failure(&mut self, code: u32, reason: &str) {
        if self.auth_retry_used {
            self.terminate(code, reason);
            return;
        }
        self.auth_retry_used = true;
        let step = self.conn.restart();
        self.report(
            step,
            "token refresh",
            u32::from(connecting::TOKEN_REFRESH),
            reason,
        );
        let rejected = self.token.take();
        self.refused.clone_from(&rejected);
        self.conn.await_host();
        self.out
            .actions
            .push_back(Action::Host(TokenRequest { rejected }));
    }

    fn react_to_close(&mut self, now: u64, code: u16, reason: &str) {
        match codes::classify_close(code) {
            CloseVerdict::RefreshToken => self.auth_failure(u32::from(code), reason),
            CloseVerdict::Terminal => self.terminate(u32::from(code), reason),
            CloseVerdict::Reconnect => {
                if code == codes::CLOSE_STATE_INVALIDATED {
                    self.positions.invalidate();
                }
                if code >= 3000 {
                    self.lose_connection(now, u32::from(code), reason);
                } else {
                    self.lose_connection(
                        now,
                        u32::from(connecting::TRANSPORT_CLOSED),
                        "transport closed",
                    );
                }
            }
        }
    }

    fn handle_reply(&mut self, now: u64, socket: SocketId, reply: Reply<J::Value>) {
        match reply {
            Reply::Ping => {
                if let Phase::Live {
                    live: Live { pong: true, .. },
                    ..
                } = self.conn.phase()
                {
                    self.out.actions.push_back(Action::Send {
                        socket,
                        text: codec::PONG.into(),
                    });
                }
            }
            Reply::Connect { id, result } => {
                if let Phase::Handshaking {
                    handshake: command, ..
                } = *self.conn.phase()
                {
                    if command == id {
                        self.on_connected(now, result);
                    }
                }
            }
            Reply::Error { id, error } => {
                let Phase::Handshaking {
                    handshake: command, ..
                } = *self.conn.phase()
                else {
                    return;
                };
                if command != id {
                    return;
                }
                match codes::classify_connect_error(error.code, error.temporary) {
                    CloseVerdict::RefreshToken => self.auth_failure(error.code, &error.message),
                    CloseVerdict::Reconnect => {
                        let message = crate::text::concat(&[
                            &error.message,
                            " (",
                            &crate::text::decimal(u64::from(error.code)),
                            ")",
                        ]);
                        self.out.events.push_back(ClientEvent::Error {
                            kind: ErrorCode::Connect,
                            message,
                        });
                        self.lose_connection(now, error.code, &error.message);
                    }
                    CloseVerdict::Terminal => self.terminate(error.code, &error.message),
                }
            }
            Reply::OtherResult { .. } => {}
            Reply::Push(push) => self.handle_push(now, push),
        }
    }

    fn handle_push(&mut self, now: u64, push: Push<J::Value>) {
        match push {
            Push::Publication {
                channel,
                publication,
            } => {
                let channel = Rc::new(channel);
                self.deliver_one(now, Some(&channel), publication.data, publication.offset);
            }
            Push::Subscribe { channel, result } => {
                self.positions.settle(&channel, &result, false);
            }
            Push::Unsubscribe { channel, .. } => self.positions.remove(&channel),
            Push::Disconnect(detail) => {
                let code = u16::try_from(detail.code).unwrap_or(u16::MAX);
                let step = self.conn.close_socket();
                self.report(step, "server disconnect", u32::from(code), &detail.reason);
                self.react_to_close(now, code, &detail.reason);
            }
            Push::Message { data } => self.deliver_one(now, None, data, 0),
            Push::Other => {}
        }
    }

    /// A publication read by the full reader, delivered as a run of one:
    /// `channel` `None` for an async message, which no stream position checks.
    fn deliver_one(&mut self, now: u64, channel: Option<&Name>, data: J::Value, offset: u64) {
        let name = self.json.event_name(&data);
        let payloads = self.json.array(vec![data]);
        let item = Item { index: 0, offset };
        let mut run = None;
        match channel {
            Some(channel) => {
                self.take(now, &mut run, channel, &payloads, item, name.as_deref());
            }
            None => {
                self.add(&mut run, &Name::default(), &payloads, item, name.as_deref());
            }
        }
        self.flush(&mut run);
    }

    /// Decides on one publication of `channel` whose payload is in
    /// `payloads` and names the event `name`: a new one joins `run`, a
    /// duplicate is dropped, a gap or a publication that cannot be placed
    /// ends the connection (after what `run` holds is delivered). Returns
    /// false when the connection ended.
    fn take(
        &mut self,
        now: u64,
        run: &mut Option<Publications<J::Value>>,
        channel: &Name,
        payloads: &J::Value,
        item: Item,
        name: Option<&str>,
    ) -> bool {
        match self.positions.accept(channel, item.offset) {
            Acceptance::Duplicate => true,
            Acceptance::Gap => {
                self.flush(run);
                self.lose_connection(now, u32::from(connecting::GAP), "publication gap");
                false
            }
            Acceptance::Unpositioned => {
                self.flush(run);
                self.refuse(
                    now,
                    "a publication without an offset in a recoverable channel",
                );
                false
            }
            Acceptance::Deliver => self.add(run, channel, payloads, item, name),
        }
    }

    /// Adds a publication to be delivered to `run` (which it starts again
    /// when it is of another channel or another payload array). A forced
    /// logout is delivered at once and ends the connection: returns false.
    fn add(
        &mut self,
        run: &mut Option<Publications<J::Value>>,
        channel: &Name,
        payloads: &J::Value,
        item: Item,
        name: Option<&str>,
    ) -> bool {
        let forced_logout = name.filter(|e| codes::is_forced_logout(e));
        match run {
            Some(open) if Rc::ptr_eq(&open.channel, channel) || open.channel == *channel => {
                open.items.push(item)
            }
            _ => {
                self.flush(run);
                *run = Some(Publications {
                    channel: channel.clone(),
                    payloads: payloads.clone(),
                    items: vec![item],
                });
            }
        }
        match forced_logout {
            Some(event) => {
                self.flush(run);
                self.terminate(u32::from(disconnected::FORCED_LOGOUT), event);
                false
            }
            None => true,
        }
    }

    /// Delivers what `run` holds.
    fn flush(&mut self, run: &mut Option<Publications<J::Value>>) {
        if let Some(run) = run.take() {
            self.out.events.push_back(ClientEvent::Publications(run));
        }
    }

    fn on_connected(&mut self, now: u64, result: codec::ConnectResult<J::Value>) {
        let ping_budget = (result.ping > 0).then(|| {
            (u64::from(result.ping) * 1000).saturating_add(self.config.max_server_ping_delay_ms)
        });
        let live = Live {
            pong: result.pong,
            ping_budget,
            deadline: ping_budget.map(|budget| now.saturating_add(budget)),
        };
        if self.conn.go_live(|_command| live).is_none() {
            return;
        }
        self.auth_retry_used = false;
        self.out.events.push_back(ClientEvent::Connected {
            client: result.client,
            version: result.version,
        });

        let subs = result.subs;
        self.positions
            .retain(|name| subs.iter().any(|(channel, _)| channel == name));
        // Channels to resync, by reason, reported in the order of `LossReason::ALL`.
        let mut lost: [Vec<String>; LossReason::ALL.len()] = Default::default();
        for (channel, mut sub) in subs {
            match self.positions.continuity(&channel, &sub) {
                Continuity::Recovered => {
                    let publications = std::mem::take(&mut sub.publications);
                    let mut items = Vec::with_capacity(publications.len());
                    let mut data = Vec::with_capacity(publications.len());
                    for (index, publication) in (0..).zip(publications) {
                        let name = self.json.event_name(&publication.data);
                        items.push((
                            Item {
                                index,
                                offset: publication.offset,
                            },
                            name,
                        ));
                        data.push(publication.data);
                    }
                    let payloads = self.json.array(data);
                    let name = Rc::new(channel.clone());
                    let mut run = None;
                    for (item, event) in items {
                        if !self.take(now, &mut run, &name, &payloads, item, event.as_deref()) {
                            return;
                        }
                    }
                    self.flush(&mut run);
                    self.positions.settle(&channel, &sub, true);
                }
                Continuity::Lost(reason) => {
                    self.positions.settle(&channel, &sub, false);
                    if let Some(channels) = lost.get_mut(reason as usize) {
                        channels.push(channel);
                    }
                }
                Continuity::Fresh => self.positions.settle(&channel, &sub, false),
            }
        }
        for (reason, channels) in LossReason::ALL.into_iter().zip(lost) {
            if !channels.is_empty() {
                self.out.events.push_back(ClientEvent::Resync {
                    channels,
                    reason: reason.as_str(),
                });
            }
        }
    }
}

impl<J: JsonEngine> SansIoClient for CentrifugeClient<J> {
    type HostAction = TokenRequest;
    type Event = ClientEvent<J::Value>;

    fn outbox(&mut self) -> &mut Outbox<Self::HostAction, Self::Event> {
        &mut self.out
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next (ms).
    fn poll_timeout(&self) -> Option<u64> {
        match self.conn.phase() {
            Phase::Live { live, .. } => live.deadline,
            _ => self.conn.timeout(),
        }
    }

    /// Stops: closes the socket, cancels timers, emits `Disconnected` (code 0).
    /// Stream positions are kept, so a later `connect` recovers what was missed.
    fn disconnect(&mut self) {
        self.end("disconnect called");
    }

    /// Socket `socket` opened: send `connect`.
    fn socket_opened(&mut self, now: u64, socket: SocketId) {
        let opening = matches!(self.conn.phase(), Phase::Opening { .. });
        if !opening || !self.conn.is_current(socket) {
            return;
        }
        let Some(token) = self.token.as_deref() else {
            return;
        };
        self.next_command = self.next_command.wrapping_add(1).max(1);
        let command = self.next_command;
        let frame = codec::encode_connect(
            &self.json,
            ConnectFields {
                id: command,
                token,
                name: &self.config.name,
                version: &self.config.version,
                subs: &self.positions.recover_requests(),
            },
        );
        self.out.actions.push_back(Action::Send {
            socket,
            text: frame,
        });
        let deadline = self.conn.connect_deadline(now);
        self.conn.enter_handshake(command, deadline);
    }

    /// `socket` closed with `code` and `reason`.
    fn socket_closed(&mut self, now: u64, socket: SocketId, code: u16, reason: &str) {
        // The socket is gone: the lifecycle forgets it, so nothing closes it again.
        if self.conn.socket_closed(socket).is_none() {
            return;
        }
        self.react_to_close(now, code, reason);
    }

    /// Fires whatever deadline has passed.
    fn handle_timeout(&mut self, now: u64) {
        match self.conn.due(now) {
            Some(Due::Retry) => self.start_attempt(now),
            Some(Due::ConnectTimeout) => self.lose_connection(
                now,
                u32::from(connecting::CONNECT_TIMEOUT),
                "connect timeout",
            ),
            None => {
                if let Phase::Live {
                    live:
                        Live {
                            deadline: Some(deadline),
                            ..
                        },
                    ..
                } = *self.conn.phase()
                {
                    if now >= deadline {
                        self.lose_connection(now, u32::from(connecting::NO_PING), "no ping");
                    }
                }
            }
        }
    }

    // Centrifuge JSON never sends binary frames; one is ignored.
    fn socket_binary(&mut self, _now: u64, _socket: SocketId) {}
}

impl<J: JsonEngine> sealed::Client for CentrifugeClient<J> {
    /// Opens the next socket, or asks for a token first when there is none.
    fn start_attempt(&mut self, now: u64) {
        if self.token.is_none() {
            self.conn.await_host();
            let rejected = self.refused.clone();
            self.out
                .actions
                .push_back(Action::Host(TokenRequest { rejected }));
            return;
        }
        let socket = self.conn.start_attempt(now);
        self.out.actions.push_back(Action::Open {
            socket,
            url: self.config.url.clone(),
        });
    }

    /// `Connecting` (code 0); the token gets its one refresh again.
    fn connect_called(&mut self) {
        self.auth_retry_used = false;
        self.out.events.push_back(ClientEvent::Connecting {
            code: u32::from(connecting::CONNECT_CALLED),
            reason: "connect called".into(),
        });
    }

    fn went_offline(&mut self, now: u64) {
        self.lose_connection(now, u32::from(connecting::OFFLINE), "offline");
    }

    fn connection(&self) -> &dyn Lifecycle {
        &self.conn
    }

    fn connection_mut(&mut self) -> &mut dyn Lifecycle {
        &mut self.conn
    }
}
