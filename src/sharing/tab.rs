//! [`Tab`]: one tab's part in sharing a panel across the tabs of an
//! operator, as a sans-IO state machine.
//!
//! The host (the browser driver, or a test) reports what happened, with the
//! time in ms: a message from another tab ([`Tab::handle_message`]), the
//! group's lock granted or lost, a timer ([`Tab::handle_timeout`], when
//! [`Tab::poll_timeout`] says), an event of this tab's own Centrifuge client,
//! and the application's calls (`connect()`, `disconnect()`, `logout()`, a
//! token change, a refresh this tab needs). The tab answers through
//! [`Tab::poll_output`]: messages to post, lock requests, commands for its
//! own client and for the session, and the events its listeners see. It
//! reads its own client through [`OwnClient`] and changes it only through
//! [`Output::Client`].
//!
//! - `outputs`: what the tab asks of its host, and its answers to calls.
//! - `leadership`: the lock's holder leads (its client holds the socket and
//!   it beats); a follower steals the lock from a leader silent past the
//!   silence window.
//! - `listeners`: what this tab's listeners see of the shared connection.
//! - `refresh`: the group's one token pair and its one refresh.

use super::gate::Gate;
use super::members::{LeaderWatch, Members};
use super::message::{self, Message};
use super::{beat_ms, group_name, Role};
use crate::protocol::centrifuge::CentrifugeClient;
use crate::protocol::json_engine::JsonEngine;
use crate::protocol::{SansIoClient, State};
use crate::rest::error::ErrorInfo;
use crate::rest::jwt;
use crate::rest::tokens::TokenPair;
use std::collections::VecDeque;

mod leadership;
mod listeners;
mod outputs;
mod refresh;

pub use outputs::{beat_message, AuthCommand, ClientCommand, ConnectAnswer, Output, Status};

#[cfg(test)]
mod tests;

/// What a refresh brings: the new pair, or why there is none.
pub type RefreshOutcome = Result<TokenPair, ErrorInfo>;

/// What a tab is told when it is made.
#[derive(Debug, Clone)]
pub struct Config {
    /// This tab's id, unique in the browser.
    pub tab_id: String,
    /// The Centrifugo URL (with the JWT `sub`, it names the group).
    pub centrifugo_url: String,
    /// How long another tab may stay silent (`pingTimeout`).
    pub silence_ms: u64,
    /// How long a follower waits for the leader's refresh (`timeout`).
    pub refresh_timeout_ms: u64,
    /// Sharing is wanted and the browser can (`shareAcrossTabs`).
    pub enabled: bool,
}

/// What the tab reads of its own Centrifuge client.
pub trait OwnClient {
    /// The client's connection state.
    fn state(&self) -> State;
    /// The stream epoch the client knows for `channel` (empty when none).
    fn epoch(&self, channel: &str) -> String;
    /// The client's recoverable stream positions: channel, epoch, offset.
    fn positions(&self) -> Vec<(String, String, u64)>;
}

impl<J: JsonEngine> OwnClient for CentrifugeClient<J> {
    fn state(&self) -> State {
        SansIoClient::state(self)
    }

    fn epoch(&self, channel: &str) -> String {
        CentrifugeClient::positions(self)
            .get(channel)
            .map(|position| position.epoch.clone())
            .unwrap_or_default()
    }

    fn positions(&self) -> Vec<(String, String, u64)> {
        CentrifugeClient::positions(self)
            .iter()
            .filter(|(_, position)| position.recoverable)
            .map(|(channel, p)| (channel.to_owned(), p.epoch.clone(), p.offset))
            .collect()
    }
}

/// A change of the session's token pair, as the tab hears of it (the
/// session's own report, less the error).
#[derive(Debug, Clone)]
pub enum AuthTokens {
    /// A pair from login, `useTokens()`, or another tab's login.
    Adopted(TokenPair),
    /// A pair from a refresh, here or in another tab.
    Refreshed(TokenPair),
    /// A refresh failed for a passing reason (network, 5xx); the tokens stay.
    RefreshDeferred,
    /// The refresh token was refused; `ended_session` when there were
    /// tokens to end (they are gone).
    RefreshRefused {
        /// The tokens are gone.
        ended_session: bool,
    },
    /// `logout()`: the tokens are gone.
    Cleared,
}

/// One joined group.
#[derive(Debug)]
struct Group {
    name: String,
    /// The current lock request; reports about others are stale.
    lock_id: u32,
    leader: bool,
    /// The leader's followers (while this tab leads).
    members: Members,
    /// The leader's heartbeat (while this tab follows).
    watch: LeaderWatch,
    gate: Gate,
    /// The leader's connection state, as last relayed or beaten.
    mirror: State,
    /// The leader's `connected` payload while it is connected.
    connected: Option<(String, String)>,
    /// Tabs in the group, as the leader last said.
    tabs: u32,
    /// When the next heartbeat tick is due.
    tick_at: u64,
}

/// A follower's refresh request waiting for the leader's answer.
#[derive(Debug)]
struct Waiting {
    /// The token the request named.
    named: String,
    /// When it fails with `timeout`.
    deadline: u64,
}

/// One tab's sharing state. See the module documentation.
#[derive(Debug)]
pub struct Tab<J: JsonEngine> {
    json: J,
    config: Config,
    /// `None` while the tab does not share.
    group: Option<Group>,
    /// This tab called `connect()` and not `disconnect()` since.
    wants: bool,
    /// The state this tab's listeners last saw (no event twice in a row).
    shown: State,
    /// The lifecycle state of the last event this tab made up, if the real
    /// one has not come yet.
    made_up: Option<State>,
    /// This tab left the group as its leader: its client's last events go
    /// through the delivery rules, not straight to the listeners.
    stopping: bool,
    /// The token last posted or received, so a received pair is not echoed.
    known_token: Option<String>,
    /// The session's pair, as last told.
    tokens: Option<TokenPair>,
    waiting: Option<Waiting>,
    /// The role and tab count last reported.
    reported: (Role, u32),
    next_lock: u32,
    ignored: u32,
    outputs: VecDeque<Output<J::Value>>,
}

impl<J: JsonEngine> Tab<J> {
    /// A tab that does not share yet (it joins a group with its first tokens).
    pub fn new(json: J, config: Config) -> Self {
        Tab {
            json,
            config,
            group: None,
            wants: false,
            shown: State::Disconnected,
            made_up: None,
            stopping: false,
            known_token: None,
            tokens: None,
            waiting: None,
            reported: (Role::Off, 1),
            next_lock: 0,
            ignored: 0,
            outputs: VecDeque::new(),
        }
    }

    /// The next thing to perform.
    pub fn poll_output(&mut self) -> Option<Output<J::Value>> {
        self.outputs.pop_front()
    }

    /// When [`Tab::handle_timeout`] must be called next (ms).
    pub fn poll_timeout(&self) -> Option<u64> {
        let tick = self.group.as_ref().map(|group| group.tick_at);
        let refresh = self.waiting.as_ref().map(|waiting| waiting.deadline);
        match (tick, refresh) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// How often the leader beats and the followers say hello.
    pub fn beat_ms(&self) -> u64 {
        beat_ms(self.config.silence_ms)
    }

    /// This tab's id.
    pub fn id(&self) -> &str {
        &self.config.tab_id
    }

    /// This tab's role.
    pub fn role(&self) -> Role {
        match &self.group {
            None => Role::Off,
            Some(group) if group.leader => Role::Leader,
            Some(_) => Role::Follower,
        }
    }

    /// `panel.sharing`.
    pub fn status(&self) -> Status {
        let (role, tabs) = self.role_and_tabs();
        Status {
            role,
            tabs,
            ignored: self.ignored,
        }
    }

    fn role_and_tabs(&self) -> (Role, u32) {
        match &self.group {
            None => (Role::Off, 1),
            Some(group) if group.leader => (Role::Leader, group.members.tabs()),
            Some(group) if group.watch.leader().is_none() => (Role::Joining, 1),
            Some(group) => (Role::Follower, group.tabs.max(1)),
        }
    }

    /// A message another tab posted (anything that is not one is counted
    /// and dropped).
    pub fn handle_message(&mut self, now: u64, value: J::Value, client: &dyn OwnClient) {
        let Some(envelope) = message::read(&self.json, value) else {
            self.count_ignored();
            return;
        };
        let from = envelope.from;
        if from == self.config.tab_id || self.group.is_none() {
            return;
        }
        let leader = self.role() == Role::Leader;
        match envelope.message {
            Message::Hello { wants } if leader => self.heard_follower(&from, wants, now),
            Message::Connect if leader => {
                self.heard_follower(&from, true, now);
                self.push(Output::Client(ClientCommand::Connect));
            }
            Message::Bye if leader => self.follower_left(&from),
            Message::Beat(beat) if !leader => self.on_beat(&from, beat, now),
            Message::Event { event, epoch } => self.relayed(&from, event, &epoch, client),
            Message::Tokens {
                token,
                refresh_token,
                refreshed,
            } => self.offered(token, refresh_token, refreshed),
            Message::Refresh { token } if leader => self.answer_refresh(&token),
            Message::Refused { token, retryable } => self.refused(&token, retryable),
            Message::Logout => self.push(Output::LogOut),
            // Hellos, connects and refresh requests are the leader's
            // business; beats are a follower's.
            _ => {}
        }
        self.report();
    }

    /// `logout()` in this tab: every tab of the group logs out.
    pub fn logout(&mut self) {
        self.post(Message::Logout);
    }

    /// `free()`: the tab leaves its group for good.
    pub fn free(&mut self, client: &dyn OwnClient) {
        self.leave(client);
    }

    /// The host could not perform [`Output::Join`]: the tab does not share
    /// (until its next pair), and what the join queued is dropped.
    pub fn link_failed(&mut self) {
        self.group = None;
        self.outputs.clear();
        self.report();
    }

    /// The session's tokens changed: join, rejoin or leave the group, and
    /// tell the other tabs of a pair they do not have yet.
    pub fn tokens_changed(&mut self, now: u64, change: AuthTokens, client: &dyn OwnClient) {
        match change {
            AuthTokens::Adopted(pair) => self.new_pair(now, pair, false, client),
            AuthTokens::Refreshed(pair) => self.new_pair(now, pair, true, client),
            AuthTokens::RefreshDeferred => self.refresh_failed(false),
            AuthTokens::RefreshRefused { ended_session } => {
                if ended_session {
                    self.tokens = None;
                }
                self.refresh_failed(ended_session);
                if ended_session {
                    self.leave(client);
                }
            }
            AuthTokens::Cleared => {
                self.tokens = None;
                self.leave(client);
            }
        }
    }

    fn new_pair(&mut self, now: u64, pair: TokenPair, refreshed: bool, client: &dyn OwnClient) {
        self.tokens = Some(pair.clone());
        if self.config.enabled {
            self.follow_operator(now, &pair.token, client);
            self.announce(&pair, refreshed);
            self.land_if_answered();
        }
    }

    /// Joins the group of `token`'s operator (leaving another one), or
    /// leaves when the token names none.
    fn follow_operator(&mut self, now: u64, token: &str, client: &dyn OwnClient) {
        let name = jwt::subject(&self.json, token)
            .map(|sub| group_name(&self.config.centrifugo_url, &sub));
        let current = self.group.as_ref().map(|group| group.name.as_str());
        if current == name.as_deref() {
            return;
        }
        let had_group = current.is_some();
        if had_group {
            self.end_for_new_operator();
        }
        self.leave(client);
        if let Some(name) = name {
            self.join(now, name);
        }
    }

    fn join(&mut self, now: u64, name: String) {
        self.push(Output::Join(name.clone()));
        let lock_id = self.next_lock_id();
        self.push(Output::Lock {
            id: lock_id,
            steal: false,
        });
        let silence = self.config.silence_ms;
        self.group = Some(Group {
            name,
            lock_id,
            leader: false,
            members: Members::new(silence.saturating_mul(2)),
            watch: LeaderWatch::new(silence, now),
            gate: Gate::default(),
            mirror: State::Disconnected,
            connected: None,
            tabs: 1,
            tick_at: now.saturating_add(self.beat_ms()),
        });
        // A connection this tab held alone stops quietly: the leader's takes
        // over. Its last events are a follower's, dropped: nothing is stopping.
        self.stopping = false;
        self.follow();
    }

    /// Leaves the group (logout, refused refresh, `free()`, another `sub`).
    fn leave(&mut self, client: &dyn OwnClient) {
        self.post(Message::Bye);
        let Some(group) = self.group.take() else {
            return;
        };
        if group.leader && client.state() != State::Disconnected {
            // Off now: this tab's connection stops, but not with events its
            // listeners should not see (after a logout they saw `disconnected`).
            self.stopping = true;
            self.push(Output::Client(ClientCommand::Disconnect));
        } else if !group.leader && std::mem::replace(&mut self.wants, false) {
            // A follower that still wanted the connection loses it with the
            // group (its session ended): as its own socket would have stopped.
            self.stop_following();
        }
        self.push(Output::Leave);
        self.push(Output::Auth(AuthCommand::RefreshThroughIam));
        self.land(Err(refresh::session_ended()));
        self.report();
    }

    /// Posts `message` to the group (nothing when off).
    fn post(&mut self, message: Message<J::Value>) {
        if self.group.is_some() {
            self.push(Output::Post(message));
        }
    }

    fn push(&mut self, output: Output<J::Value>) {
        self.outputs.push_back(output);
    }

    fn count_ignored(&mut self) {
        self.ignored = self.ignored.saturating_add(1);
    }

    /// A fresh id for a lock request.
    fn next_lock_id(&mut self) -> u32 {
        self.next_lock = self.next_lock.wrapping_add(1);
        self.next_lock
    }

    /// Fires `sharing` when the role or the tab count changed since the last report.
    fn report(&mut self) {
        let now = self.role_and_tabs();
        if std::mem::replace(&mut self.reported, now) != now {
            self.push(Output::Status);
        }
    }
}
