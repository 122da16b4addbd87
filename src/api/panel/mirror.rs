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
//!
//! The leader's own client events come through [`client_event`], relayed
//! ones through [`super::sharing`]; both end in [`deliver`].

use super::payloads::{code_reason_event, disconnect_error};
use super::sharing::{self, later};
use super::Core;
use crate::api::error::to_js;
use crate::protocol::centrifuge::codes::{connecting, disconnected};
use crate::protocol::centrifuge::ClientEvent;
use crate::protocol::{SansIoClient, State};
use crate::sharing::message::{Beat, Message};
use crate::sharing::Role;
use crate::transport::clock;
use crate::transport::engine_json::JsJson;
use js_sys::Function;
use std::rc::Rc;

/// An event of this tab's own client: as today when off; relayed to the
/// group and shown when leader; dropped when follower (its client is idle,
/// or stopping after it stepped down).
pub(super) fn client_event(core: &Rc<Core>, event: ClientEvent<JsJson>) {
    match core.sharing.role() {
        Role::Off if core.sharing.stopping.get() => {
            // The last events of a connection this tab led before it left.
            if matches!(
                event,
                ClientEvent::Disconnected {
                    reconnect: false,
                    ..
                }
            ) {
                core.sharing.stopping.set(false);
            }
            deliver(core, event, "");
        }
        Role::Off => core.dispatch_event(event),
        Role::Follower => {}
        Role::Leader => {
            let epoch = match &event {
                ClientEvent::Publication { channel, .. } => core
                    .host
                    .with_client(|client| client.positions().get(channel).map(|p| p.epoch.clone()))
                    .flatten()
                    .unwrap_or_default(),
                _ => String::new(),
            };
            track(core, &event);
            // Publications go out only while some tab listens; a tab alone
            // pays nothing per publication for sharing.
            let relay = !matches!(event, ClientEvent::Publication { .. })
                || core
                    .sharing
                    .group
                    .borrow()
                    .as_ref()
                    .is_some_and(|g| g.members.has_listeners(clock::monotonic_ms));
            if relay {
                core.sharing.post(Message::Event {
                    event: event.clone(),
                    epoch: epoch.clone(),
                });
            }
            deliver(core, event, &epoch);
        }
    }
}

/// Follows the leader's connection state from its lifecycle events.
pub(super) fn track(core: &Rc<Core>, event: &ClientEvent<JsJson>) {
    let mut group = core.sharing.group.borrow_mut();
    let Some(group) = group.as_mut() else { return };
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
pub(super) fn deliver(core: &Rc<Core>, event: ClientEvent<JsJson>, epoch: &str) {
    let sharing = &core.sharing;
    let wants = sharing.wants.get();
    let shown = sharing.shown.get();
    match &event {
        ClientEvent::Publication {
            channel, offset, ..
        } => {
            let pass = sharing
                .group
                .borrow_mut()
                .as_mut()
                .is_none_or(|g| g.gate.pass(channel, epoch, *offset));
            if !(pass && wants) {
                return;
            }
        }
        ClientEvent::Connecting { .. } => {
            if !wants || sharing.made_up.take() == Some(State::Connecting) {
                return;
            }
            if shown == State::Connected {
                core.dispatch_event(ClientEvent::Disconnected {
                    code: u32::from(connecting::TRANSPORT_CLOSED),
                    reason: "the tab holding the connection changed".into(),
                    reconnect: true,
                });
            }
            sharing.shown.set(State::Connecting);
        }
        ClientEvent::Connected { .. } => {
            if !wants || sharing.made_up.take() == Some(State::Connected) {
                return;
            }
            sharing.shown.set(State::Connected);
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
                && sharing.role() == Role::Follower
            {
                // The leader closed the socket as nobody's (its `disconnect()`
                // or its tick) before it heard this tab's `connect()`: the
                // Connect this tab posted, posted again here, reopens it.
                // Not a stop for this tab: it shows the reconnect only.
                sharing.post(Message::Connect);
                return;
            }
            sharing.made_up.set(None);
            sharing.shown.set(State::Disconnected);
            // The connection stopped for good, unless this tab's connect()
            // already started its own again (a follower's client is idle).
            if !reconnect && core.host.state() == State::Disconnected {
                sharing.wants.set(false);
            }
        }
        ClientEvent::Resync { .. } | ClientEvent::Error { .. } => {
            if !wants {
                return;
            }
        }
    }
    core.dispatch_event(event);
}

/// Shows a `connecting` or `connected` this tab makes up (its own
/// `connect()`, or a connection it finds up), unless its listeners already
/// saw that state; the real event that follows is then not shown again.
pub(super) fn made_up(core: &Rc<Core>, event: ClientEvent<JsJson>) {
    let sharing = &core.sharing;
    let state = match event {
        ClientEvent::Connecting { .. } => State::Connecting,
        ClientEvent::Connected { .. } => State::Connected,
        _ => return,
    };
    if !sharing.wants.get() || sharing.shown.get() == state {
        return;
    }
    sharing.made_up.set(Some(state));
    sharing.shown.set(state);
    core.dispatch_event(event);
}

/// A follower hears the leader's heartbeat.
pub(super) fn on_beat(core: &Rc<Core>, from: &str, beat: Beat, now: u64) {
    let sharing = &core.sharing;
    let new_leader = {
        let mut group = sharing.group.borrow_mut();
        let Some(group) = group.as_mut() else { return };
        let new_leader = group.watch.heard(from, now);
        group.mirror = beat.state;
        group.connected = beat.connected.clone();
        group.tabs = beat.tabs;
        for (channel, epoch, offset) in &beat.positions {
            group.gate.seed(channel, epoch, *offset);
        }
        new_leader
    };
    if new_leader && sharing.wants.get() {
        sharing.post(Message::Connect);
    }
    if let (State::Connected, Some((client, version))) = (beat.state, beat.connected) {
        made_up(core, ClientEvent::Connected { client, version });
    }
}

/// The leader closes the shared socket once no tab wants it (on its tick:
/// a follower that disconnects and connects again keeps the socket).
pub(super) fn reconcile(core: &Rc<Core>) {
    let any = core.sharing.wants.get()
        || core
            .sharing
            .group
            .borrow()
            .as_ref()
            .is_some_and(|g| g.leader && g.members.any_wants());
    if !any && core.host.state() != State::Disconnected {
        core.host.with_client(|client| client.disconnect());
        super::host::pump_later(core);
    }
}

/// `connect()` in a sharing tab; false when the caller goes on as today
/// (off, or a leader whose socket is not up yet).
pub(super) fn connect(
    core: &Rc<Core>,
    resolve: Function,
    reject: Function,
    deadline: Option<u64>,
) -> bool {
    let sharing = &core.sharing;
    let (leader, mirror) = match sharing.group.borrow().as_ref() {
        None => {
            sharing.stopping.set(false);
            return false;
        }
        Some(group) => (group.leader, group.mirror),
    };
    sharing.wants.set(true);
    let up = if leader {
        core.host.state() == State::Connected
    } else {
        mirror == State::Connected
    };
    if !leader {
        sharing.post(Message::Hello { wants: true });
        sharing.post(Message::Connect);
    }
    if up {
        let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        later(core, |core| {
            let connected = core
                .sharing
                .group
                .borrow()
                .as_ref()
                .and_then(|g| g.connected.clone());
            if let Some((client, version)) = connected {
                made_up(core, ClientEvent::Connected { client, version });
            }
        });
        return true;
    }
    if leader {
        return false;
    }
    core.connect_waiters.add(resolve, reject, deadline);
    later(core, |core| {
        if core.sharing.shown.get() == State::Disconnected {
            made_up(
                core,
                ClientEvent::Connecting {
                    code: u32::from(connecting::CONNECT_CALLED),
                    reason: "connect called".into(),
                },
            );
        }
    });
    sharing::report(core);
    true
}

/// `disconnect()` in a sharing tab; false when off.
pub(super) fn disconnect(core: &Rc<Core>) -> bool {
    let sharing = &core.sharing;
    let Some((leader, others)) = sharing
        .group
        .borrow()
        .as_ref()
        .map(|g| (g.leader, g.leader && g.members.any_wants()))
    else {
        return false;
    };
    sharing.wants.set(false);
    if leader && !others {
        // Nobody else wants the socket: it closes as it always did, and
        // its own `disconnected` is what the listeners see.
        core.host.with_client(|client| client.disconnect());
        super::host::pump_later(core);
        return true;
    }
    if !leader {
        sharing.post(Message::Hello { wants: false });
    }
    stop_showing(
        core,
        u32::from(disconnected::DISCONNECT_CALLED),
        "disconnect called",
    );
    true
}

/// A follower that wanted the connection leaves its group (the session
/// ended): pending `connect()` calls reject and, unless its listeners saw
/// `disconnected` last, they see one (`reconnect: false`).
pub(super) fn stop_following(core: &Rc<Core>) {
    stop_showing(
        core,
        u32::from(disconnected::UNAUTHORIZED),
        "the session ended",
    );
}

/// The tab's tokens now belong to another operator (another JWT `sub`):
/// its connection as the first one ends for its listeners, whatever its
/// role, as after `disconnect()`; `connect()` connects as the new one.
pub(super) fn end_for_new_operator(core: &Rc<Core>) {
    core.sharing.wants.set(false);
    stop_showing(
        core,
        u32::from(disconnected::DISCONNECT_CALLED),
        "the operator changed",
    );
}

/// Rejects the waiting `connect()` calls and shows `disconnected`
/// (`reconnect: false`) unless the listeners already saw it.
fn stop_showing(core: &Rc<Core>, code: u32, reason: &'static str) {
    core.connect_waiters
        .reject_all(|| to_js(&disconnect_error(code, reason)));
    if core.sharing.shown.replace(State::Disconnected) != State::Disconnected {
        later(core, move |core| {
            core.emitter
                .emit("disconnected", &code_reason_event(code, reason, false));
        });
    }
}

/// `panel.state` while sharing (`None` when off).
pub(super) fn state(core: &Rc<Core>) -> Option<State> {
    let group = core.sharing.group.borrow();
    let group = group.as_ref()?;
    Some(if !core.sharing.wants.get() {
        State::Disconnected
    } else if group.leader {
        core.host.state()
    } else if group.mirror == State::Disconnected {
        State::Connecting
    } else {
        group.mirror
    })
}
