//! Loading a conversation's history: the newest page (after its count),
//! older pages before it, and the refetch after a lost stream with its
//! report. Pages are asked for oldest first and paired with what is held
//! through a sorted index of positions (the inbox's one sort).

use super::fields::{page, MessageFacts};
use super::item::{Item, Status};
use super::reducer::{Conversation, Output};
use crate::inbox::sorted::{find, sort_positions};
use crate::inbox::time::parse_ms;
use crate::protocol::json_engine::{JsonEngine, JsonError};

/// Messages per page when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 20;
/// The sort of every page: oldest first, so that an offset counts from the
/// oldest message and stays valid while new ones arrive (`-createdAt` would
/// shift with every new message; and `createdAt` has whole seconds, so only
/// one direction keeps ties in one order from page to page).
pub const LOAD_SORT: &str = "createdAt";
/// What a load asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadKind {
    /// `load()`: the newest page.
    Newest,
    /// `loadOlder()`: the page before the oldest held message.
    Older,
    /// The newest page again after the live stream was lost for `reason`.
    Resync(String),
}

/// What the store shows as `loading`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loading {
    /// Nothing is loading.
    Idle,
    /// The newest page (a load or a resync).
    Newest,
    /// An older page.
    Older,
}

impl Loading {
    /// The snapshot's `loading`.
    pub fn as_str(self) -> &'static str {
        match self {
            Loading::Idle => "idle",
            Loading::Newest => "newest",
            Loading::Older => "older",
        }
    }
}

/// The query of one page: `{limit, offset, sort: LOAD_SORT}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageQuery {
    /// Messages to skip, counted from the oldest.
    pub offset: u32,
    /// Messages to fetch.
    pub limit: u32,
}

/// What a load asks the server for next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadStep {
    /// How many messages the session has (`{withoutItems: true}`): the
    /// newest page starts that many back. Its answer goes to
    /// [`Conversation::counted`].
    Count,
    /// A page; its answer goes to [`Conversation::finish_load`].
    Page(PageQuery),
}

/// What a refetch after a lost stream found different.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResyncReport {
    /// Why the stream was lost, as the transport said it.
    pub reason: String,
    /// When the refetch finished, Unix ms.
    pub at: u64,
    /// Messages the fresh page has that the store did not (missed while
    /// the stream was down), oldest first.
    pub added: Vec<String>,
    /// Held messages the fresh page no longer has among those it spans
    /// (deleted meanwhile; no event tells of a deletion).
    pub removed: Vec<String>,
    /// Held messages whose body, `updatedAt` or read state differ.
    pub changed: Vec<String>,
}

impl<J: JsonEngine> Conversation<J> {
    /// A load starts: its generation and first step, or `None` when there
    /// is nothing to load (older messages while none are left, or while the
    /// newest page loads). A newer load makes an older one's answers stale.
    pub fn begin_load(&mut self, kind: LoadKind, limit: u32) -> Option<(u64, LoadStep)> {
        let step = match kind {
            LoadKind::Older => {
                let first = self.first_offset.filter(|_| self.has_older)?;
                if self.loading() == Loading::Newest {
                    return None;
                }
                let offset = first.saturating_sub(limit);
                LoadStep::Page(PageQuery {
                    offset,
                    limit: first - offset,
                })
            }
            _ => LoadStep::Count,
        };
        self.generation += 1;
        self.loading = Some((self.generation, kind));
        self.bump();
        Some((self.generation, step))
    }

    /// The count of load `generation` (a `{count}` answer): the query of
    /// the newest page of `limit` messages. `None` when stale; a count of
    /// the wrong shape is an error, for [`Conversation::fail_load`].
    pub fn counted(
        &mut self,
        generation: u64,
        answer: J::Value,
        limit: u32,
    ) -> Result<Option<PageQuery>, JsonError> {
        if !self.is_current(generation) {
            return Ok(None);
        }
        let count = page(&self.json, answer)?.1.ok_or(JsonError::Shape)?;
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        Ok(Some(PageQuery {
            offset: count.saturating_sub(limit),
            limit,
        }))
    }

    /// The page of load `generation`, asked for with `query`; `at` is the
    /// wall clock (for the resync report). True when it added messages.
    /// A stale answer is ignored; a page of the wrong shape is an error,
    /// for the host to hand to [`Conversation::fail_load`].
    pub fn finish_load(
        &mut self,
        generation: u64,
        query: PageQuery,
        answer: J::Value,
        at: u64,
    ) -> Result<bool, JsonError> {
        let Some((_, kind)) = self.loading.clone().filter(|(g, _)| *g == generation) else {
            return Ok(false);
        };
        let (values, _) = page(&self.json, answer)?;
        let page = self.page_items(values);
        self.loading = None;
        self.loaded = true;
        self.error = None;
        let added = match kind {
            LoadKind::Older => self.prepend(page, query),
            LoadKind::Newest => self.replace_newest(page, query, generation, None),
            LoadKind::Resync(reason) => {
                self.replace_newest(page, query, generation, Some((reason, at)))
            }
        };
        self.bump();
        Ok(added)
    }

    pub(super) fn is_current(&self, generation: u64) -> bool {
        self.loading.as_ref().is_some_and(|(g, _)| *g == generation)
    }

    /// Load `generation` failed with `error` (the host's): what was shown
    /// stays, and `error` shows until a load succeeds.
    pub fn fail_load(&mut self, generation: u64, error: J::Value) {
        if self.is_current(generation) {
            self.loading = None;
            self.error = Some(error);
            self.bump();
        }
    }

    /// A page's items as held messages, oldest first, as asked for; a page
    /// that came newest first (by `createdAt`: the platform's sort is
    /// unconfirmed) is turned round. Items without an id cannot be kept
    /// once: skipped and counted.
    fn page_items(&mut self, values: Vec<J::Value>) -> Vec<Item<J::Value>> {
        let mut items = Vec::with_capacity(values.len());
        let mut times = (None, None);
        for value in values {
            match MessageFacts::read(&self.json, value.clone()) {
                Ok(facts) if facts.id.is_some() => {
                    let at = facts.created_at.as_deref().and_then(parse_ms);
                    if times.0.is_none() {
                        times.0 = at;
                    }
                    times.1 = at.or(times.1);
                    let read = facts.read_at.is_some();
                    items.push(Item::server(value, facts.id, facts.author_type, read));
                }
                _ => self.bad_payloads += 1,
            }
        }
        if matches!(times, (Some(first), Some(last)) if first > last) {
            items.reverse();
        }
        items
    }

    /// A newest page: it replaces what it spans. Held messages older than
    /// it stay when the page reaches back into them (no gap between);
    /// messages that came live during the load, and own messages not sent
    /// yet, stay after it. True when it has messages the store had not.
    fn replace_newest(
        &mut self,
        mut page: Vec<Item<J::Value>>,
        query: PageQuery,
        generation: u64,
        resync: Option<(String, u64)>,
    ) -> bool {
        let old = std::mem::take(&mut self.items);
        let old_index = id_index(&old);
        let page_index = id_index(&page);
        let anchor = page
            .first()
            .and_then(|first| first.id.as_deref())
            .and_then(|id| lookup(&old, &old_index, id));
        let mut report = resync.map(|(reason, at)| ResyncReport {
            reason,
            at,
            ..ResyncReport::default()
        });
        let mut added = false;
        for item in page.iter_mut() {
            let Some(id) = item.id.as_deref() else {
                continue;
            };
            match lookup(&old, &old_index, id).and_then(|at| old.get(at)) {
                Some(before) => {
                    if let Some(report) = report.as_mut() {
                        if self.differs(before, item) {
                            report.changed.push(id.to_owned());
                        }
                    }
                    item.local_id = before.local_id.clone();
                    if !item.read {
                        item.read_at = before.read_at.clone();
                    }
                }
                None => {
                    added = true;
                    if let Some(report) = report.as_mut() {
                        report.added.push(id.to_owned());
                    }
                }
            }
        }
        let mut before = Vec::new();
        let mut after = Vec::new();
        for (at, item) in old.into_iter().enumerate() {
            let in_page = item
                .id
                .as_deref()
                .is_some_and(|id| lookup(&page, &page_index, id).is_some());
            if in_page {
                continue;
            }
            let older = anchor.is_some_and(|anchor| at < anchor);
            if older && item.status == Status::Sent && item.id.is_some() {
                before.push(item);
            } else if item.is_unsent() || item.arrived_in == generation {
                after.push(item);
            } else if let (Some(report), Some(id), true) =
                (report.as_mut(), item.id.as_ref(), anchor.is_some())
            {
                report.removed.push(id.clone());
            }
        }
        if before.is_empty() {
            self.first_offset = Some(query.offset);
            self.has_older = query.offset > 0;
        }
        before.append(&mut page);
        before.append(&mut after);
        self.items = before;
        if let Some(report) = report {
            self.outputs.push(Output::Resync(report));
        }
        added
    }

    /// An older page: its messages the store does not hold go first.
    fn prepend(&mut self, page: Vec<Item<J::Value>>, query: PageQuery) -> bool {
        let index = id_index(&self.items);
        let received = !page.is_empty();
        let fresh: Vec<Item<J::Value>> = page
            .into_iter()
            .filter(|item| {
                item.id
                    .as_deref()
                    .is_some_and(|id| lookup(&self.items, &index, id).is_none())
            })
            .collect();
        self.first_offset = Some(query.offset);
        // An empty page where older ones should be ends the paging: no loop.
        self.has_older = query.offset > 0 && received;
        let added = !fresh.is_empty();
        self.items.splice(0..0, fresh);
        added
    }

    /// A held message and its fresh copy differ where a person sees it.
    fn differs(&self, before: &Item<J::Value>, after: &Item<J::Value>) -> bool {
        let facts = |value: &J::Value| MessageFacts::read(&self.json, value.clone()).ok();
        let (old, new) = (facts(&before.value), facts(&after.value));
        let shown =
            |f: &Option<MessageFacts>| f.as_ref().map(|f| (f.body.clone(), f.updated_at.clone()));
        shown(&old) != shown(&new) || before.is_read() != after.is_read()
    }
}

/// Positions of the items that have an id, in id order (one sort, for
/// pairing a page with what is held).
fn id_index<V>(items: &[Item<V>]) -> Vec<usize> {
    let id = |at: usize| items.get(at).and_then(|item| item.id.as_deref());
    let mut positions: Vec<usize> = (0..items.len()).filter(|&at| id(at).is_some()).collect();
    sort_positions(&mut positions, &|a, b| id(a).cmp(&id(b)));
    positions
}

/// Where message `id` is among `items`, through their [`id_index`].
fn lookup<V>(items: &[Item<V>], index: &[usize], id: &str) -> Option<usize> {
    let id_at = |k: usize| {
        index
            .get(k)
            .and_then(|&at| items.get(at))
            .and_then(|item| item.id.as_deref())
    };
    let k = find(index.len(), id, &id_at).ok()?;
    index.get(k).copied()
}
