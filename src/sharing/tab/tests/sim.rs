//! A browser of simulated tabs for the [`Tab`] tests, on a simulated clock:
//! one BroadcastChannel and one Web Lock per group (a message or a lock
//! report reaches a tab when it next runs, in order), a Centrifugo server
//! with one numbered stream, an IAM whose refresh tokens are single-use,
//! and per tab a fake Centrifuge client and a session that behaves as
//! `auth::Auth` does (one refresh in flight; a superseded one
//! reports nothing). Each tab performs its outputs as the browser driver
//! does and records what its listeners saw.

use crate::error_code::ErrorCode;
use crate::protocol::centrifuge::{ClientEvent, Item, Publications};
use crate::protocol::test_json::SerdeJson;
use crate::protocol::State;
use crate::rest::error::ErrorInfo;
use crate::rest::tokens::TokenPair;
use crate::sharing::message;
use crate::sharing::tab::{
    beat_message, AuthCommand, AuthTokens, ClientCommand, Config, ConnectAnswer, Output, OwnClient,
    RefreshOutcome, Status, Tab,
};
use crate::sharing::Role;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::rc::Rc;

/// `pingTimeout` of the simulated tabs: beats every 250 ms.
pub const SILENCE: u64 = 1_000;
/// `timeout` of the simulated tabs (a refresh waited for).
pub const REFRESH_TIMEOUT: u64 = 5_000;
/// The Centrifugo URL.
pub const URL: &str = "wss://x/ws";
/// The beat of a tab with `pingTimeout` = [`SILENCE`].
pub const BEAT: u64 = SILENCE / 4;
/// One step of the simulated clock.
pub const STEP: u64 = 10;
/// The stream's channel and epoch.
pub const CHANNEL: &str = "operator:389";
const EPOCH: &str = "e1";

/// Unpadded base64url.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// A token pair of operator `sub`, expiring at `exp` (Unix s); `n` makes it unique.
pub fn pair(sub: &str, exp: u64, n: u32) -> TokenPair {
    let claims = json!({"sub": sub, "exp": exp, "n": n}).to_string();
    let token = [
        "eyJhbGciOiJIUzI1NiJ9.",
        &base64url(claims.as_bytes()),
        ".sig",
    ]
    .concat();
    TokenPair::new(&SerdeJson, token, format!("refresh-{sub}-{n}")).unwrap()
}

/// The pair of operator 389 every test starts with.
pub fn operator() -> TokenPair {
    pair("389", 2_000_000_000, 1)
}

/// What IAM does with the next refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IamMode {
    /// A new pair, once per refresh token.
    Answer,
    /// 401: the refresh token is refused.
    Refuse,
    /// A network failure.
    Fail,
}

/// IAM with single-use refresh tokens.
pub struct Iam {
    pub mode: IamMode,
    /// Refresh requests that reached it.
    pub requests: u32,
    used: Vec<String>,
    issued: u32,
}

impl Iam {
    fn refresh(&mut self, current: &TokenPair) -> RefreshOutcome {
        self.requests += 1;
        let refused = ErrorInfo {
            status: 401,
            code: ErrorCode::Unauthorized,
            message: "refused".into(),
            details: None,
            retryable: false,
        };
        match self.mode {
            IamMode::Fail => Err(ErrorInfo::network("offline")),
            IamMode::Refuse => Err(refused),
            IamMode::Answer if self.used.contains(&current.refresh_token) => Err(refused),
            IamMode::Answer => {
                self.used.push(current.refresh_token.clone());
                self.issued += 1;
                let sub = crate::rest::jwt::subject(&SerdeJson, &current.token).unwrap();
                Ok(pair(
                    &sub,
                    current.expires_at_ms / 1000 + 3_600,
                    1_000 + self.issued,
                ))
            }
        }
    }
}

/// A fake Centrifuge client: its state, its queued events and its stream position.
#[derive(Default)]
pub struct Client {
    pub state: Option<State>,
    events: VecDeque<ClientEvent<Value>>,
    /// Epoch and offset of the stream, once subscribed or seeded.
    position: Option<(String, u64)>,
    /// Sockets it opened.
    pub opened: u32,
}

impl OwnClient for Client {
    fn state(&self) -> State {
        self.state.unwrap_or(State::Disconnected)
    }

    fn epoch(&self, channel: &str) -> String {
        match &self.position {
            Some((epoch, _)) if channel == CHANNEL => epoch.clone(),
            _ => String::new(),
        }
    }

    fn positions(&self) -> Vec<(String, String, u64)> {
        self.position
            .iter()
            .map(|(epoch, offset)| (CHANNEL.to_owned(), epoch.clone(), *offset))
            .collect()
    }
}

impl Client {
    /// The connection state.
    pub fn state(&self) -> State {
        OwnClient::state(self)
    }

    fn connect(&mut self) {
        if OwnClient::state(self) == State::Disconnected {
            self.state = Some(State::Connecting);
            self.opened += 1;
            self.events.push_back(ClientEvent::Connecting {
                code: 0,
                reason: "connect called".into(),
            });
        }
    }

    fn disconnect(&mut self) {
        self.stop(0, "disconnect called");
    }

    /// The connection stops for good with `code`.
    pub fn stop(&mut self, code: u32, reason: &str) {
        if OwnClient::state(self) != State::Disconnected {
            self.state = Some(State::Disconnected);
            self.events.push_back(ClientEvent::Disconnected {
                code,
                reason: reason.into(),
                reconnect: false,
            });
        }
    }

    fn seed(&mut self, positions: &[(String, String, u64)]) {
        for (channel, epoch, offset) in positions {
            match &mut self.position {
                Some((known, at)) if known == epoch => *at = (*at).max(*offset),
                _ if channel == CHANNEL => self.position = Some((epoch.clone(), *offset)),
                _ => {}
            }
        }
    }

    /// The publications `offsets`, in one run (as one frame brings them).
    fn publications(&mut self, offsets: std::ops::RangeInclusive<u64>) {
        let payloads: Vec<Value> = offsets
            .clone()
            .map(|offset| json!({"event": "chatMessageCreated", "data": {"id": offset}}))
            .collect();
        let items: Vec<Item> = (0..)
            .zip(offsets)
            .map(|(index, offset)| Item { index, offset })
            .collect();
        let Some(last) = items.last() else { return };
        self.position = Some((EPOCH.into(), last.offset));
        self.events
            .push_back(ClientEvent::Publications(Publications {
                channel: Rc::new(CHANNEL.into()),
                payloads: Value::Array(payloads),
                items,
            }));
    }
}

/// The tab's session, as `auth::Auth` keeps it.
#[derive(Default)]
pub struct Session {
    pub tokens: Option<TokenPair>,
    through_leader: bool,
    /// The generation a refresh in flight started in.
    flight: Option<u32>,
    generation: u32,
}

/// One simulated tab.
pub struct Node {
    pub tab: Tab<SerdeJson>,
    pub client: Client,
    pub session: Session,
    /// The group whose channel and lock it holds.
    joined: Option<String>,
    /// Its page is frozen: nothing runs (messages and reports wait).
    pub frozen: bool,
    /// Its page is closed.
    pub closed: bool,
    /// Messages from the channel wait here while held (see [`World::hold`]).
    held: Option<Vec<Value>>,
    /// Messages and lock reports, in the order they were sent.
    inbox: VecDeque<Delivery>,
    iam_answers: VecDeque<(bool, RefreshOutcome)>,
    /// Its timers wake only on multiples of this (a hidden tab).
    pub wake_every: Option<u64>,
    /// Every output it performed.
    pub log: Vec<Output<Value>>,
    /// What its listeners saw: events, and `disconnected` of a stop.
    pub shown: Vec<ClientEvent<Value>>,
    /// `sharing` events.
    pub statuses: Vec<Status>,
    /// Refreshes its session reported (`tokenRefreshed`).
    pub refreshed: u32,
    /// Its `connect()` calls: waiting, resolved, rejected.
    pub connect_waiting: u32,
    pub connect_resolved: u32,
    pub connect_rejected: u32,
}

impl Node {
    /// The names of the lifecycle events its listeners saw, with `:stop`
    /// for a `disconnected` that does not reconnect.
    pub fn lifecycle(&self) -> Vec<String> {
        self.shown
            .iter()
            .filter_map(|event| match event {
                ClientEvent::Connecting { .. } => Some("connecting".into()),
                ClientEvent::Connected { .. } => Some("connected".into()),
                ClientEvent::Disconnected {
                    reconnect: true, ..
                } => Some("disconnected".into()),
                ClientEvent::Disconnected { reason, .. } => Some(format!("stop:{reason}")),
                _ => None,
            })
            .collect()
    }

    /// The offsets of the publications its listeners saw.
    pub fn publications(&self) -> Vec<u64> {
        self.shown
            .iter()
            .flat_map(|event| match event {
                ClientEvent::Publications(run) => run.items.clone(),
                _ => Vec::new(),
            })
            .map(|item| item.offset)
            .collect()
    }

    /// The `resync` events its listeners saw: reason and channels, with the
    /// offsets shown so far when it came (`reason@offsets`).
    pub fn resyncs(&self) -> Vec<String> {
        let mut shown = 0;
        let mut out = Vec::new();
        for event in &self.shown {
            match event {
                ClientEvent::Publications(run) => shown += run.items.len(),
                ClientEvent::Resync { channels, reason } => {
                    out.push(format!("{reason}:{}@{shown}", channels.join(",")))
                }
                _ => {}
            }
        }
        out
    }

    /// The messages it posted.
    pub fn posted(&self) -> impl Iterator<Item = &message::Message<Value>> {
        self.log.iter().filter_map(|output| match output {
            Output::Post(message) => Some(message),
            _ => None,
        })
    }

    /// `panel.state`.
    pub fn state(&self) -> State {
        self.tab
            .state(&self.client)
            .unwrap_or_else(|| self.client.state())
    }

    pub fn role(&self) -> Role {
        self.tab.role()
    }
}

/// What reaches a tab from the other tabs and the lock.
enum Delivery {
    Message(Value),
    Lock { id: u32, granted: bool },
}

/// One group's Web Lock.
struct Lock {
    name: String,
    holder: Option<(usize, u32)>,
    queue: VecDeque<(usize, u32)>,
}

/// The browser, the server and IAM.
pub struct World {
    pub now: u64,
    pub nodes: Vec<Node>,
    locks: Vec<Lock>,
    pub iam: Iam,
    /// The stream's last offset.
    pub top: u64,
    /// Tab ids are `tab-N`.
    next_tab: u32,
    seed: u64,
}

impl World {
    pub fn new() -> Self {
        World {
            now: 10_000,
            nodes: Vec::new(),
            locks: Vec::new(),
            iam: Iam {
                mode: IamMode::Answer,
                requests: 0,
                used: Vec::new(),
                issued: 0,
            },
            top: 0,
            next_tab: 0,
            seed: 7,
        }
    }

    /// Opens a tab with sharing as `enabled`; returns its index.
    pub fn open_with(&mut self, enabled: bool, silence_ms: u64) -> usize {
        self.next_tab += 1;
        let config = Config {
            tab_id: format!("tab-{}", self.next_tab),
            centrifugo_url: URL.into(),
            silence_ms,
            refresh_timeout_ms: REFRESH_TIMEOUT,
            enabled,
        };
        self.nodes.push(Node {
            tab: Tab::new(SerdeJson, config),
            client: Client::default(),
            session: Session::default(),
            joined: None,
            frozen: false,
            closed: false,
            held: None,
            inbox: VecDeque::new(),
            iam_answers: VecDeque::new(),
            wake_every: None,
            log: Vec::new(),
            shown: Vec::new(),
            statuses: Vec::new(),
            refreshed: 0,
            connect_waiting: 0,
            connect_resolved: 0,
            connect_rejected: 0,
        });
        self.nodes.len() - 1
    }

    /// Opens a sharing tab.
    pub fn open(&mut self) -> usize {
        self.open_with(true, SILENCE)
    }

    /// Opens `n` tabs and gives each `tokens`, one after the other (so they
    /// queue for the lock in that order); none connects.
    pub fn tabs(&mut self, n: usize, tokens: &TokenPair) -> Vec<usize> {
        let tabs: Vec<usize> = (0..n).map(|_| self.open()).collect();
        for &tab in &tabs {
            self.use_tokens(tab, tokens.clone());
            self.run(50);
        }
        self.run(SILENCE);
        tabs
    }

    /// [`World::tabs`], then each connects, and they settle.
    pub fn group(&mut self, n: usize, tokens: &TokenPair) -> Vec<usize> {
        let tabs = self.tabs(n, tokens);
        for &tab in &tabs {
            self.connect(tab);
        }
        self.run(1_000);
        tabs
    }

    // --- what the application does in a tab

    /// `useTokens(pair)`.
    pub fn use_tokens(&mut self, i: usize, pair: TokenPair) {
        let session = &mut self.nodes[i].session;
        session.generation += 1;
        session.tokens = Some(pair.clone());
        self.notify(i, AuthTokens::Adopted(pair));
    }

    /// `connect()`.
    pub fn connect(&mut self, i: usize) {
        let node = &mut self.nodes[i];
        if node.session.tokens.is_none() {
            node.connect_rejected += 1;
            return;
        }
        let answer = node.tab.connect(&node.client);
        match answer {
            ConnectAnswer::Resolve => node.connect_resolved += 1,
            ConnectAnswer::Wait => node.connect_waiting += 1,
            ConnectAnswer::OwnClient if node.client.state() == State::Connected => {
                node.connect_resolved += 1
            }
            ConnectAnswer::OwnClient => {
                node.connect_waiting += 1;
                node.client.connect();
            }
        }
        self.drain(i);
    }

    /// `disconnect()`.
    pub fn disconnect(&mut self, i: usize) {
        let node = &mut self.nodes[i];
        if !node.tab.disconnect() {
            node.client.disconnect();
        }
        self.drain(i);
    }

    /// `logout()`; `broadcast` false for a logout another tab announced.
    pub fn logout(&mut self, i: usize, broadcast: bool) {
        if broadcast {
            self.nodes[i].tab.logout();
            self.drain(i);
        }
        self.disconnect(i);
        let session = &mut self.nodes[i].session;
        session.generation += 1;
        session.tokens = None;
        self.notify(i, AuthTokens::Cleared);
    }

    /// The session refreshes (a REST call found the token expired).
    pub fn refresh(&mut self, i: usize) {
        let node = &mut self.nodes[i];
        let Some(current) = node.session.tokens.clone() else {
            return;
        };
        if node.session.flight.is_some() {
            return;
        }
        node.session.flight = Some(node.session.generation);
        if node.session.through_leader {
            node.tab.refresh_requested(self.now, &current.token);
            self.drain(i);
        } else {
            let outcome = self.iam.refresh(&current);
            self.nodes[i].iam_answers.push_back((false, outcome));
        }
    }

    /// The page closes: `pagehide` posts bye, the channel closes, the
    /// browser lets go of its lock.
    pub fn close(&mut self, i: usize) {
        let bye = message::Message::Bye;
        self.post(i, &bye);
        self.release(i);
        let node = &mut self.nodes[i];
        node.closed = true;
        node.joined = None;
    }

    /// Messages to tab `i` wait until [`World::release_held`].
    pub fn hold(&mut self, i: usize) {
        self.nodes[i].held = Some(Vec::new());
    }

    /// Messages held for tab `i` are lost.
    pub fn drop_held(&mut self, i: usize) {
        self.nodes[i].held = Some(Vec::new());
    }

    /// `value` arrives on tab `i`'s channel (from a page script, say).
    pub fn deliver(&mut self, i: usize, value: Value) {
        self.nodes[i].inbox.push_back(Delivery::Message(value));
    }

    pub fn release_held(&mut self, i: usize) {
        let held = self.nodes[i].held.take().unwrap_or_default();
        self.nodes[i]
            .inbox
            .extend(held.into_iter().map(Delivery::Message));
    }

    /// The server publishes `n` numbered messages to every connected client.
    pub fn publish(&mut self, n: u64) {
        if n == 0 {
            return;
        }
        let first = self.top + 1;
        self.top += n;
        for node in &mut self.nodes {
            if node.client.state() == State::Connected && !node.closed {
                node.client.publications(first..=self.top);
            }
        }
    }

    // --- the clock

    /// Runs the world for `ms`.
    pub fn run(&mut self, ms: u64) {
        for _ in 0..ms / STEP {
            self.step();
        }
    }

    /// Runs until `done` holds (at most `ms`); the time it took.
    pub fn run_until(&mut self, ms: u64, done: impl Fn(&World) -> bool) -> Option<u64> {
        let start = self.now;
        for _ in 0..ms / STEP {
            if done(self) {
                return Some(self.now - start);
            }
            self.step();
        }
        done(self).then(|| self.now - start)
    }

    fn step(&mut self) {
        self.now += STEP;
        self.accept_connections();
        for i in 0..self.nodes.len() {
            if !self.nodes[i].frozen && !self.nodes[i].closed {
                self.run_tab(i);
            }
        }
    }

    /// The server answers each connecting client; one that knows its
    /// position recovers what came after it.
    fn accept_connections(&mut self) {
        let top = self.top;
        for (i, node) in self.nodes.iter_mut().enumerate() {
            let client = &mut node.client;
            if client.state() != State::Connecting || node.closed || node.frozen {
                continue;
            }
            client.state = Some(State::Connected);
            client.events.push_back(ClientEvent::Connected {
                client: format!("client-{i}"),
                version: "v".into(),
            });
            match client.position.clone() {
                Some((epoch, at)) if epoch == EPOCH => client.publications(at + 1..=top),
                _ => client.position = Some((EPOCH.into(), top)),
            }
        }
    }

    fn run_tab(&mut self, i: usize) {
        let now = self.now;
        while let Some(delivery) = self.nodes[i].inbox.pop_front() {
            let node = &mut self.nodes[i];
            match delivery {
                Delivery::Message(value) => node.tab.handle_message(now, value, &node.client),
                Delivery::Lock { id, granted: true } => node.tab.lock_granted(now, id),
                Delivery::Lock { id, granted: false } => node.tab.lock_lost(now, id),
            }
            self.drain(i);
        }
        while let Some(event) = self.nodes[i].client.events.pop_front() {
            let node = &mut self.nodes[i];
            node.tab.client_event(event, &|| now, &node.client);
            self.drain(i);
        }
        while let Some((once, outcome)) = self.nodes[i].iam_answers.pop_front() {
            if once {
                self.nodes[i].tab.refresh_done(outcome);
                self.drain(i);
            } else {
                self.session_refreshed(i, outcome);
            }
        }
        let due = self.nodes[i].tab.poll_timeout().map(|at| {
            // A hidden tab's timers wake on the next multiple of their period.
            self.nodes[i]
                .wake_every
                .map_or(at, |every| at.div_ceil(every) * every)
        });
        if due.is_some_and(|due| now >= due) {
            self.seed = self
                .seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let node = &mut self.nodes[i];
            let jitter = (self.seed >> 33) % node.tab.beat_ms();
            node.tab.handle_timeout(now, jitter, &node.client);
            self.drain(i);
        }
    }

    // --- performing a tab's outputs, as the browser driver does

    fn drain(&mut self, i: usize) {
        while let Some(output) = self.nodes[i].tab.poll_output() {
            self.nodes[i].log.push(output.clone());
            self.perform(i, output);
        }
    }

    fn perform(&mut self, i: usize, output: Output<Value>) {
        match output {
            Output::Join(name) => self.nodes[i].joined = Some(name),
            Output::Leave => {
                self.release(i);
                let node = &mut self.nodes[i];
                node.joined = None;
                node.inbox.clear();
                node.held = node.held.take().map(|_| Vec::new());
            }
            Output::Post(message) => self.post(i, &message),
            Output::Beat { tabs, connected } => {
                let beat = beat_message(&self.nodes[i].client, tabs, connected);
                self.post(i, &beat);
            }
            Output::Lock { id, steal } => self.lock(i, id, steal),
            Output::Client(ClientCommand::Connect) => self.nodes[i].client.connect(),
            Output::Client(ClientCommand::Disconnect) => self.nodes[i].client.disconnect(),
            Output::Client(ClientCommand::Seed(positions)) => self.nodes[i].client.seed(&positions),
            Output::Auth(command) => self.session_command(i, command),
            Output::Land(outcome) => self.session_refreshed(i, outcome),
            Output::Show(event) => self.show(i, event),
            Output::Stop { code, reason, show } => {
                let node = &mut self.nodes[i];
                node.connect_rejected += std::mem::take(&mut node.connect_waiting);
                if show {
                    node.shown.push(ClientEvent::Disconnected {
                        code,
                        reason: reason.into(),
                        reconnect: false,
                    });
                }
            }
            Output::Status => {
                let status = self.nodes[i].tab.status();
                self.nodes[i].statuses.push(status);
            }
            Output::LogOut => self.logout(i, false),
        }
    }

    /// `dispatch_event`: a `connected` resolves the waiting `connect()`
    /// calls, a stop rejects them.
    fn show(&mut self, i: usize, event: ClientEvent<Value>) {
        let node = &mut self.nodes[i];
        match &event {
            ClientEvent::Connected { .. } => {
                node.connect_resolved += std::mem::take(&mut node.connect_waiting)
            }
            ClientEvent::Disconnected {
                reconnect: false, ..
            } if node.client.state() == State::Disconnected => {
                node.connect_rejected += std::mem::take(&mut node.connect_waiting)
            }
            _ => {}
        }
        node.shown.push(event);
    }

    fn session_command(&mut self, i: usize, command: AuthCommand) {
        match command {
            AuthCommand::RefreshThroughLeader => self.nodes[i].session.through_leader = true,
            AuthCommand::RefreshThroughIam => self.nodes[i].session.through_leader = false,
            AuthCommand::Adopt { pair, refreshed } => {
                let session = &mut self.nodes[i].session;
                session.generation += 1;
                session.tokens = Some(pair.clone());
                let change = match refreshed {
                    true => AuthTokens::Refreshed(pair),
                    false => AuthTokens::Adopted(pair),
                };
                self.notify(i, change);
            }
            AuthCommand::Refresh => self.refresh(i),
            AuthCommand::RefreshOnce(pair) => {
                let outcome = self.iam.refresh(&pair);
                self.nodes[i].iam_answers.push_back((true, outcome));
            }
            AuthCommand::RefusedElsewhere(_) => {
                let session = &mut self.nodes[i].session;
                let had = session.tokens.take().is_some();
                if had {
                    session.generation += 1;
                }
                self.notify(i, AuthTokens::RefreshRefused { ended_session: had });
            }
        }
    }

    /// The session's refresh in flight ended with `outcome`.
    fn session_refreshed(&mut self, i: usize, outcome: RefreshOutcome) {
        let session = &mut self.nodes[i].session;
        let Some(generation) = session.flight.take() else {
            return;
        };
        if generation != session.generation {
            return; // tokens were adopted or cleared meanwhile: they win
        }
        match outcome {
            Ok(pair) => {
                session.tokens = Some(pair.clone());
                self.notify(i, AuthTokens::Refreshed(pair));
            }
            Err(error) if error.retryable => self.notify(i, AuthTokens::RefreshDeferred),
            Err(_) => {
                let had = session.tokens.take().is_some();
                if had {
                    session.generation += 1;
                }
                self.notify(i, AuthTokens::RefreshRefused { ended_session: had });
            }
        }
    }

    fn notify(&mut self, i: usize, change: AuthTokens) {
        if matches!(change, AuthTokens::Refreshed(_)) {
            self.nodes[i].refreshed += 1;
        }
        let node = &mut self.nodes[i];
        node.tab.tokens_changed(self.now, change, &node.client);
        self.drain(i);
    }

    // --- the channel and the lock

    fn post(&mut self, i: usize, message: &message::Message<Value>) {
        let Some(group) = self.nodes[i].joined.clone() else {
            return;
        };
        let id = self.nodes[i].tab.id().to_owned();
        let value = serde_json::to_value(message::write(&id, message)).unwrap();
        for (j, node) in self.nodes.iter_mut().enumerate() {
            if j == i || node.joined.as_deref() != Some(group.as_str()) {
                continue;
            }
            match &mut node.held {
                Some(held) => held.push(value.clone()),
                None => node.inbox.push_back(Delivery::Message(value.clone())),
            }
        }
    }

    fn lock(&mut self, i: usize, id: u32, steal: bool) {
        let Some(name) = self.nodes[i].joined.clone() else {
            return;
        };
        self.release(i);
        let at = match self.locks.iter().position(|lock| lock.name == name) {
            Some(at) => at,
            None => {
                self.locks.push(Lock {
                    name,
                    holder: None,
                    queue: VecDeque::new(),
                });
                self.locks.len() - 1
            }
        };
        let lock = &mut self.locks[at];
        match lock.holder {
            Some((holder, held)) if steal => {
                let lost = Delivery::Lock {
                    id: held,
                    granted: false,
                };
                self.nodes[holder].inbox.push_back(lost);
                lock.holder = Some((i, id));
                let granted = Delivery::Lock { id, granted: true };
                self.nodes[i].inbox.push_back(granted);
            }
            Some(_) => lock.queue.push_back((i, id)),
            None => {
                lock.holder = Some((i, id));
                let granted = Delivery::Lock { id, granted: true };
                self.nodes[i].inbox.push_back(granted);
            }
        }
    }

    /// Tab `i` lets go of its lock or leaves its queue (reported to nobody).
    fn release(&mut self, i: usize) {
        for lock in &mut self.locks {
            lock.queue.retain(|(tab, _)| *tab != i);
            if lock.holder.is_some_and(|(tab, _)| tab == i) {
                lock.holder = lock.queue.pop_front();
                if let Some((next, id)) = lock.holder {
                    let granted = Delivery::Lock { id, granted: true };
                    self.nodes[next].inbox.push_back(granted);
                }
            }
        }
    }

    // --- what the tests look at

    /// The open tabs that lead.
    pub fn leaders(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| !self.nodes[i].closed && self.nodes[i].role() == Role::Leader)
            .collect()
    }

    /// Sockets open or opening in the open tabs.
    pub fn connections(&self) -> usize {
        self.nodes
            .iter()
            .filter(|node| !node.closed && node.client.state() != State::Disconnected)
            .count()
    }

    /// Sockets ever opened.
    pub fn sockets_opened(&self) -> u32 {
        self.nodes.iter().map(|node| node.client.opened).sum()
    }
}
