//! [`Publications`]: what the client delivers, a run of publications of one
//! channel whose payloads stay where the engine put them.
//!
//! A frame's publications are delivered by index into the JS array the
//! host's scanner filled while it parsed the frame: the payloads reach the
//! listeners without crossing into the wasm and back. A publication read
//! one by one (recovered in a connect reply, an async message, a line the
//! scanner left to the full reader) is delivered the same way, in an array
//! of its own.
//!
//! Imports: std and `protocol`'s JSON engine only.

use crate::protocol::json_engine::JsonEngine;
use std::rc::Rc;

/// A channel or event name, shared by the runs and lines that carry it.
pub type Name = Rc<String>;

/// One delivered publication of a run. (Which event its payload names is
/// read where the payload is: the listeners' side reads it in JavaScript.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    /// Where its payload is in the run's payloads.
    pub index: u32,
    /// Its stream offset (0 when the channel is not positioned).
    pub offset: u64,
}

/// Publications of one channel, in stream order, delivered together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publications<V> {
    /// The channel (empty for async `message` pushes).
    pub channel: Name,
    /// The payloads, as the engine parsed them: an array, of which `items`
    /// name the delivered ones (it may hold others: duplicates, or
    /// publications of another channel of the same frame).
    pub payloads: V,
    /// The delivered publications, in order.
    pub items: Vec<Item>,
}

impl<V> Publications<V> {
    /// The same run with only `items` (what a sharing tab's gate lets through).
    pub fn with_items(&self, items: Vec<Item>) -> Self
    where
        V: Clone,
    {
        Publications {
            channel: self.channel.clone(),
            payloads: self.payloads.clone(),
            items,
        }
    }
}

impl<V> Publications<V> {
    /// The delivered publications one by one, as `json` reads them out of
    /// the payloads: the payload (`None` when the payloads lack it) and the
    /// offset. For tests and tools: the package never reads payloads so.
    pub fn each<J: JsonEngine<Value = V>>(&self, json: &J) -> Vec<(Option<V>, u64)>
    where
        V: Clone,
    {
        let payloads = json.items(&self.payloads).unwrap_or_default();
        self.items
            .iter()
            .map(|item| (payloads.get(item.index as usize).cloned(), item.offset))
            .collect()
    }
}
