//! Who holds the shared connection: the Web Lock's grant makes a tab the
//! leader (its client, seeded with the gate's stream positions, connects if
//! some tab wants it); a lock stolen from a frozen leader makes it step down
//! quietly; the heartbeat tick beats (leader) or says hello and watches for
//! a silent leader (follower). See [`crate::sharing`] for why a change of
//! leader loses and doubles nothing.

use super::mirror;
use super::shared_tokens::land;
use super::sharing::{follow, report};
use super::Core;
use crate::protocol::{SansIoClient, State};
use crate::sharing::beat_ms;
use crate::sharing::message::{Beat, Message};
use crate::transport::clock;
use std::rc::Rc;

/// A lock request was granted, or ended without being released.
pub(super) fn on_lock(core: &Rc<Core>, id: u32, granted: bool) {
    let (current, leader) = match core.sharing.group.borrow().as_ref() {
        Some(group) => (group.lock_id == id, group.leader),
        None => return,
    };
    if !current {
        return;
    }
    if granted && !leader {
        become_leader(core);
    } else if !granted && leader {
        step_down(core);
    }
}

fn become_leader(core: &Rc<Core>) {
    let sharing = &core.sharing;
    let positions: Vec<(String, String, u64)> = {
        let mut group = sharing.group.borrow_mut();
        let Some(group) = group.as_mut() else { return };
        group.leader = true;
        group.members.clear();
        if group.watch.leader().is_some() {
            // It took over: the old leader's followers listen, and say hello soon.
            group.members.expect_listeners(clock::monotonic_ms());
        }
        group
            .gate
            .positions()
            .map(|(c, e, o)| (c.to_owned(), e.to_owned(), o))
            .collect()
    };
    core.session.set_refresher(None);
    let now = clock::monotonic_ms();
    core.host.with_client(|client| {
        for (channel, epoch, offset) in &positions {
            client.seed_position(channel, epoch, *offset);
        }
        if sharing.wants.get() {
            client.connect(now);
        }
    });
    // A refresh this tab asked the old leader for is now this tab's to do.
    let named = sharing.pending.borrow().as_ref().map(|p| p.named.clone());
    if let (Some(named), Some(pair)) = (named, core.session.tokens()) {
        if pair.token == named {
            let core = core.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = core.session.refresh_with_iam(&pair).await;
                land(&core, outcome);
            });
        }
    }
    beat(core);
    super::host::pump_later(core);
    report(core);
}

fn step_down(core: &Rc<Core>) {
    let sharing = &core.sharing;
    let lock_id = sharing.next_lock_id();
    {
        let mut group = sharing.group.borrow_mut();
        let Some(group) = group.as_mut() else { return };
        group.leader = false;
        group.members.clear();
        group.watch.restart(clock::monotonic_ms());
        group.lock_id = lock_id;
        group.link.lock(lock_id, false);
    }
    // Its events are dropped (a follower's own client says nothing).
    follow(core);
}

/// The leader posts its heartbeat.
pub(super) fn beat(core: &Rc<Core>) {
    let sharing = &core.sharing;
    let state = core.host.state();
    let positions = core
        .host
        .with_client(|client| {
            client
                .positions()
                .iter()
                .filter(|(_, p)| p.recoverable)
                .map(|(c, p)| (c.to_owned(), p.epoch.clone(), p.offset))
                .collect()
        })
        .unwrap_or_default();
    let beat = match sharing.group.borrow().as_ref() {
        Some(group) if group.leader => Beat {
            state,
            tabs: group.members.tabs(),
            connected: group
                .connected
                .clone()
                .filter(|_| state == State::Connected),
            positions,
        },
        _ => return,
    };
    sharing.post(Message::Beat(beat));
}

/// The heartbeat tick of a joined tab.
pub(super) fn tick(core: &Rc<Core>) {
    let sharing = &core.sharing;
    let now = clock::monotonic_ms();
    let every = beat_ms(core.options.ping_timeout);
    let jitter = (js_sys::Math::random() * every as f64) as u64;
    let (leader, steal) = {
        let mut group = sharing.group.borrow_mut();
        let Some(group) = group.as_mut() else { return };
        group.tick.arm(every);
        if group.leader {
            group.members.expire(now);
            (true, false)
        } else {
            (false, group.watch.steal_due(now, jitter))
        }
    };
    if leader {
        mirror::reconcile(core);
        beat(core);
    } else {
        sharing.post(Message::Hello {
            wants: sharing.wants.get(),
        });
        let named = sharing.pending.borrow().as_ref().map(|p| p.named.clone());
        if let Some(token) = named {
            sharing.post(Message::Refresh { token });
        }
        if steal {
            let id = sharing.next_lock_id();
            if let Some(group) = sharing.group.borrow_mut().as_mut() {
                group.lock_id = id;
                group.link.lock(id, true);
            }
        }
    }
    report(core);
}
