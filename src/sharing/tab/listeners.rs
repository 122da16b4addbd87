//! What a sharing tab's listeners see: every tab, leader or follower, shows
//! the shared connection's events as if they came from its own socket.
//!
//! - A tab shows lifecycle events, publications, `resync` and `error` only
//!   while it wants the connection (it called `connect()` and not
//!   `disconnect()` since), as its own socket would.
//! - `connect()` in a tab that joins a connection already up fires
//!   `connected` at once; `disconnect()` fires `disconnected` at once, while
//!   the shared socket stays open for the tabs that still want it.
//! - The leader's events are shown as they come; an event a tab made up
//!   (the `connecting` of its own `connect()`, the `connected` of a
//!   connection it found up) swallows the real one that follows. A leader
//!   change shows as `disconnected` (`reconnect: true`) then `connecting`.
//! - Every publication passes the tab's gate (exactly once, in order).
//! - The leader closes the socket as nobody's (code 0) only when it knows
//!   of no tab that wants it; a tab whose `connect()` crossed that close
//!   does not show it as a stop: its Connect reopens the socket, and the
//!   tab shows the reconnect.
//! - A leader relays its client's lifecycle events, and its publications
//!   only while some tab may listen: a tab alone pays nothing per
//!   publication for sharing.

use super::{ConnectAnswer, Output, OwnClient, Tab};
use crate::protocol::centrifuge::codes::{connecting, disconnected};
use crate::protocol::centrifuge::positions::LossReason;
use crate::protocol::centrifuge::{ClientEvent, Publications};
use crate::protocol::json_engine::JsonEngine;
use crate::protocol::State;
use crate::sharing::gate::Pass;
use crate::sharing::message::{Beat, Message};
use crate::sharing::Role;

impl<J: JsonEngine> Tab<J> {
    /// An event of this tab's own client: shown as it is when off; relayed
    /// to the group and shown when leader; dropped when follower (its
    /// client is idle, or stopping after it stepped down). `now` is read
    /// only for a publication while followers may listen.
    pub fn client_event(
        &mut self,
        event: ClientEvent<J::Value>,
        now: &dyn Fn() -> u64,
        client: &dyn OwnClient,
    ) {
        match self.role() {
            Role::Off if self.stopping => {
                // The last events of a connection this tab led before it left.
                if matches!(
                    event,
                    ClientEvent::Disconnected {
                        reconnect: false,
                        ..
                    }
                ) {
                    self.stopping = false;
                }
                self.deliver(event, "", client);
            }
            Role::Off => self.push(Output::Show(event)),
            Role::Follower | Role::Joining => {}
            Role::Leader => {
                let epoch = match &event {
                    ClientEvent::Publications(run) => client.epoch(&run.channel),
                    _ => String::new(),
                };
                self.track(&event);
                let relay = !matches!(event, ClientEvent::Publications(_))
                    || self
                        .group
                        .as_ref()
                        .is_some_and(|group| group.members.has_listeners(now));
                if relay {
                    self.post(Message::Event {
                        event: event.clone(),
                        epoch: epoch.clone(),
                    });
                }
                self.deliver(event, &epoch, client);
            }
        }
    }

    /// A client event another tab relayed: a publication passes the gate
    /// whoever sent it; lifecycle events count only from the leader.
    pub(super) fn relayed(
        &mut self,
        from: &str,
        event: ClientEvent<J::Value>,
        epoch: &str,
        client: &dyn OwnClient,
    ) {
        if matches!(event, ClientEvent::Publications(_)) {
            self.deliver(event, epoch, client);
            return;
        }
        let from_leader = self
            .group
            .as_ref()
            .is_some_and(|group| !group.leader && group.watch.leader() == Some(from));
        if from_leader {
            self.track(&event);
            self.deliver(event, "", client);
        }
    }

    /// A follower hears the leader's heartbeat.
    pub(super) fn on_beat(&mut self, from: &str, beat: Beat, now: u64) {
        let Some(group) = self.group.as_mut() else {
            return;
        };
        let new_leader = group.watch.heard(from, now);
        group.mirror = beat.state;
        group.connected = beat.connected.clone();
        group.tabs = beat.tabs;
        let mut missed = Vec::new();
        for (channel, epoch, offset) in &beat.positions {
            if group.gate.seed(channel, epoch, *offset) {
                missed.push(channel.clone());
            }
        }
        if !missed.is_empty() && self.wants {
            self.push(Output::Show(missed_relays(missed)));
        }
        if new_leader && self.wants {
            self.post(Message::Connect);
        }
        if let (State::Connected, Some((client, version))) = (beat.state, beat.connected) {
            self.made_up(ClientEvent::Connected { client, version });
        }
    }

    /// Follows the leader's connection state from its lifecycle events.
    fn track(&mut self, event: &ClientEvent<J::Value>) {
        let Some(group) = self.group.as_mut() else {
            return;
        };
        match event {
            ClientEvent::Connecting { .. } => group.mirror = State::Connecting,
            ClientEvent::Connected { client, version } => {
                group.mirror = State::Connected;
                group.connected = Some((client.clone(), version.clone()));
            }
            ClientEvent::Disconnected { reconnect, .. } => {
                group.mirror = if *reconnect {
                    State::Connecting
                } else {
                    State::Disconnected
                };
                group.connected = None;
            }
            _ => {}
        }
    }

    /// Shows `event` to this tab's listeners, by the rules of the module comment.
    fn deliver(&mut self, event: ClientEvent<J::Value>, epoch: &str, client: &dyn OwnClient) {
        let wants = self.wants;
        let shown = self.shown;
        match &event {
            ClientEvent::Publications(run) => return self.pass_gate(run, epoch),
            ClientEvent::Connecting { .. } => {
                if !wants || self.made_up.take() == Some(State::Connecting) {
                    return;
                }
                if shown == State::Connected {
                    self.push(Output::Show(ClientEvent::Disconnected {
                        code: u32::from(connecting::TRANSPORT_CLOSED),
                        reason: "the tab holding the connection changed".into(),
                        reconnect: true,
                    }));
                }
                self.shown = State::Connecting;
            }
            ClientEvent::Connected { .. } => {
                if !wants || self.made_up.take() == Some(State::Connected) {
                    return;
                }
                self.shown = State::Connected;
            }
            ClientEvent::Disconnected {
                code, reconnect, ..
            } => {
                if !wants && shown == State::Disconnected {
                    return;
                }
                if wants
                    && !*reconnect
                    && *code == u32::from(disconnected::DISCONNECT_CALLED)
                    && self.role() == Role::Follower
                {
                    // The leader closed the socket as nobody's (its `disconnect()`
                    // or its tick) before it heard this tab's `connect()`: the
                    // Connect this tab posted, posted again here, reopens it.
                    // Not a stop for this tab: it shows the reconnect only.
                    self.post(Message::Connect);
                    return;
                }
                self.made_up = None;
                self.shown = State::Disconnected;
                // The connection stopped for good, unless this tab's connect()
                // already started its own again (a follower's client is idle).
                if !*reconnect && client.state() == State::Disconnected {
                    self.wants = false;
                }
            }
            ClientEvent::Resync { .. } | ClientEvent::Error { .. } => {
                if !wants {
                    return;
                }
            }
        }
        self.push(Output::Show(event));
    }

    /// Shows what of `run` passes the gate (every publication passes it,
    /// shown or not): a hole before one is shown as a `resync` before it.
    fn pass_gate(&mut self, run: &Publications<J::Value>, epoch: &str) {
        let mut shown = Vec::with_capacity(run.items.len());
        for item in &run.items {
            let pass = self.group.as_mut().map_or(Pass::Show, |group| {
                group.gate.pass(&run.channel, epoch, item.offset)
            });
            if pass == Pass::Drop || !self.wants {
                continue;
            }
            if pass == Pass::AfterGap {
                if !shown.is_empty() {
                    let before = std::mem::take(&mut shown);
                    self.push(Output::Show(ClientEvent::Publications(
                        run.with_items(before),
                    )));
                }
                self.push(Output::Show(missed_relays(vec![run.channel.to_string()])));
            }
            shown.push(*item);
        }
        if !shown.is_empty() {
            self.push(Output::Show(ClientEvent::Publications(
                run.with_items(shown),
            )));
        }
    }

    /// Shows a `connecting` or `connected` this tab makes up (its own
    /// `connect()`, or a connection it finds up), unless its listeners already
    /// saw that state; the real event that follows is then not shown again.
    fn made_up(&mut self, event: ClientEvent<J::Value>) {
        let state = match event {
            ClientEvent::Connecting { .. } => State::Connecting,
            ClientEvent::Connected { .. } => State::Connected,
            _ => return,
        };
        if !self.wants || self.shown == state {
            return;
        }
        self.made_up = Some(state);
        self.shown = state;
        self.push(Output::Show(event));
    }

    /// `connect()` in this tab (with tokens, not freed).
    pub fn connect(&mut self, client: &dyn OwnClient) -> ConnectAnswer {
        let Some(group) = self.group.as_ref() else {
            self.stopping = false;
            return ConnectAnswer::OwnClient;
        };
        let leader = group.leader;
        let up = if leader {
            client.state() == State::Connected
        } else {
            group.mirror == State::Connected
        };
        let connected = group.connected.clone();
        self.wants = true;
        if !leader {
            self.post(Message::Hello { wants: true });
            self.post(Message::Connect);
        }
        if up {
            if let Some((client, version)) = connected {
                self.made_up(ClientEvent::Connected { client, version });
            }
            return ConnectAnswer::Resolve;
        }
        if leader {
            return ConnectAnswer::OwnClient;
        }
        if self.shown == State::Disconnected {
            self.made_up(ClientEvent::Connecting {
                code: u32::from(connecting::CONNECT_CALLED),
                reason: "connect called".into(),
            });
        }
        self.report();
        ConnectAnswer::Wait
    }

    /// `disconnect()` in this tab; false when it does not share (its own
    /// client disconnects, as without sharing).
    pub fn disconnect(&mut self) -> bool {
        let Some(group) = self.group.as_ref() else {
            return false;
        };
        let leader = group.leader;
        let others = leader && group.members.any_wants();
        self.wants = false;
        if leader && !others {
            // Nobody else wants the socket: it closes as it always did, and
            // its own `disconnected` is what the listeners see.
            self.push(Output::Client(super::ClientCommand::Disconnect));
            return true;
        }
        if !leader {
            self.post(Message::Hello { wants: false });
        }
        self.stop_showing(
            u32::from(disconnected::DISCONNECT_CALLED),
            "disconnect called",
        );
        true
    }

    /// `panel.state` while sharing (`None` when off).
    pub fn state(&self, client: &dyn OwnClient) -> Option<State> {
        let group = self.group.as_ref()?;
        Some(if !self.wants {
            State::Disconnected
        } else if group.leader {
            client.state()
        } else if group.mirror == State::Disconnected {
            State::Connecting
        } else {
            group.mirror
        })
    }

    /// A follower that wanted the connection leaves its group (the session
    /// ended): pending `connect()` calls reject and, unless its listeners saw
    /// `disconnected` last, they see one (`reconnect: false`).
    pub(super) fn stop_following(&mut self) {
        self.stop_showing(u32::from(disconnected::UNAUTHORIZED), "the session ended");
    }

    /// The tab's tokens now belong to another operator (another JWT `sub`):
    /// its connection as the first one ends for its listeners, whatever its
    /// role, as after `disconnect()`; `connect()` connects as the new one.
    pub(super) fn end_for_new_operator(&mut self) {
        self.wants = false;
        self.stop_showing(
            u32::from(disconnected::DISCONNECT_CALLED),
            "the operator changed",
        );
    }

    fn stop_showing(&mut self, code: u32, reason: &'static str) {
        let show = std::mem::replace(&mut self.shown, State::Disconnected) != State::Disconnected;
        self.push(Output::Stop { code, reason, show });
    }
}

/// The `resync` a tab shows for channels whose relays it missed (see the
/// gate): its listeners refetch over REST, as after a lost stream.
fn missed_relays<V>(channels: Vec<String>) -> ClientEvent<V> {
    ClientEvent::Resync {
        channels,
        reason: LossReason::MissedRelays.as_str(),
    }
}
