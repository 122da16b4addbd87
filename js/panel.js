// The operator panel's pieces that are better written in JavaScript:
// splitting, parsing and scanning a Centrifuge frame, handing publications
// to their listeners, and the tabs' BroadcastChannel and Web Lock. Only the
// panel's wasm imports this module.

// A listener that throws must not stop the others, nor kill a Node process
// (Node 20 has no reportError, and a rethrow there is an uncaught exception).
function report(error) {
  if (typeof reportError === 'function') {
    reportError(error);
  } else {
    console.error(error);
  }
}

// The fast path of a frame (src/protocol/centrifuge/scan.rs explains the
// records). The table of channel and event names is shared by every panel
// of the page and mirrored by the wasm, which takes its fresh entries after
// each scan; a frame's payloads and other lines wait in `payloads` and
// `others` until the wasm asks for them, right after the scan.
const TABLE_MAX = 1024;
const table = new Map();
let fresh = [];
let payloads = [];
let others = [];
let records = new Float64Array(64);
let lastChannel = null;
let lastChannelIndex = -1;
let lastName = null;
let lastNameIndex = -1;

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// The index of `text` in the table (added when new), -1 when the table is full.
function indexOf(text) {
  let index = table.get(text);
  if (index === undefined) {
    if (table.size >= TABLE_MAX) return -1;
    index = table.size;
    table.set(text, index);
    fresh.push(text);
  }
  return index;
}

/**
 * Splits a Centrifuge text frame on newlines, parses each line with the
 * engine's JSON parser and records it: per line, the channel's index, the
 * offset and the index of the event name of a publication push (its payload
 * goes to `payloads`), or the kind of any other line (an object goes to
 * `others`, for the wasm's full reader). Blank lines are left out. Returns
 * the records, the count of fresh table entries first (see frameParts).
 */
export function scanFrame(text) {
  const lines = text.split('\n');
  if (records.length < 1 + 3 * lines.length) records = new Float64Array(1 + 3 * lines.length);
  payloads = [];
  others = [];
  let n = 1;
  for (const line of lines) {
    if (line.length === 0) continue;
    let value;
    let kind = -2;
    let offset = 0;
    let name = 0;
    try {
      value = JSON.parse(line);
      kind = isObject(value) ? -1 : -3;
    } catch {
      if (line.trim() === '') continue;
    }
    if (kind === -1 && (value.id === undefined || value.id === null) && isObject(value.push)) {
      const push = value.push;
      const channel = push.channel == null ? '' : push.channel;
      const pub = push.pub;
      if (typeof channel === 'string' && isObject(pub) && pub.data !== undefined) {
        const o = pub.offset;
        offset = o == null ? -1 : typeof o === 'number' ? (o < 0 ? NaN : o) : NaN;
        const data = pub.data;
        // Runs of one channel and one event are the rule: the last ones are
        // compared before the table is looked up.
        kind = channel === lastChannel ? lastChannelIndex : (lastChannelIndex = indexOf((lastChannel = channel)));
        name = -1;
        if (kind >= 0 && isObject(data) && typeof data.event === 'string') {
          const event = data.event;
          name = event === lastName ? lastNameIndex : (lastNameIndex = indexOf((lastName = event)));
          if (name < 0) kind = -1;
        }
        if (kind >= 0) payloads.push(data);
        else kind = -1;
      }
    }
    if (kind === -1) others.push(value);
    if (kind < 0) offset = name = 0;
    records[n] = kind;
    records[n + 1] = offset;
    records[n + 2] = name;
    n += 3;
  }
  records[0] = fresh.length;
  return records.subarray(0, n);
}

/** The numbers of a `Float64Array` (tabs relay publications and stream positions so); `undefined` for anything else. */
export function numbersOf(value) {
  return value instanceof Float64Array ? value : undefined;
}

/**
 * What the last scan left for the wasm: `[payloads, others, fresh]`, the
 * payloads of its publication lines, the values of its other lines, and
 * the table entries added since the last call (then forgotten).
 */
export function frameParts() {
  const added = fresh;
  fresh = [];
  return [payloads, others, added];
}

// Lifecycle event names: a publication with one of these names reaches only
// the `event` catch-all, so the server can never fake a state change.
const LIFECYCLE = new Set(['connecting', 'connected', 'disconnected', 'error', 'resync', 'tokenRefreshed', 'event', 'state', 'sharing']);

/**
 * Hands publications to `emitter`'s listeners: `indexes` says which of
 * `payloads`, in order. A payload is usually `{"event": name, "data": ...}`:
 * listeners of its name get `data` (unless the name is a lifecycle event's),
 * listeners of `event` get the whole payload, or `{ event: null, data }` for
 * a payload that names no event.
 */
export function deliverPublications(emitter, payloads, indexes) {
  // A view of the wasm's memory, which a listener may grow: copied first.
  for (const index of indexes.slice()) {
    const payload = payloads[index];
    if (payload === undefined) continue;
    const named = isObject(payload) && typeof payload.event === 'string';
    if (named && !LIFECYCLE.has(payload.event)) emitter.emit(payload.event, payload.data);
    const all = emitter.listeners.get('event');
    if (all !== undefined && all.size > 0) emitter.emit('event', named ? payload : { event: null, data: payload });
  }
}

/** True where tabs can share one panel: `navigator.locks` and `BroadcastChannel` exist. */
export function canShareTabs() {
  return (
    typeof BroadcastChannel === 'function' &&
    typeof navigator !== 'undefined' &&
    navigator.locks != null &&
    typeof navigator.locks.request === 'function'
  );
}

/**
 * The browser side of sharing a panel across tabs: one BroadcastChannel and
 * one Web Lock, both named by the group. `onMessage(data)` gets every message
 * another tab posts; `onLock(id, granted)` reports that lock request `id` was
 * granted (true) or ended without `unlock()` (false: stolen or refused).
 * `bye` is posted on `pagehide`, best effort. After `close()` nothing is reported.
 */
export class TabLink {
  constructor(name, onMessage, onLock, bye) {
    this.lockName = name + '/leader';
    this.onLock = onLock;
    this.current = null;
    this.closed = false;
    this.channel = new BroadcastChannel(name);
    this.channel.onmessage = (event) => {
      if (!this.closed) onMessage(event.data);
    };
    this.channel.onmessageerror = () => {
      if (!this.closed) onMessage(undefined);
    };
    this.onPagehide = () => this.post(bye);
    if (typeof addEventListener === 'function') addEventListener('pagehide', this.onPagehide);
  }

  post(message) {
    if (this.closed) return;
    try {
      this.channel.postMessage(message);
    } catch (error) {
      report(error);
    }
  }

  /**
   * Asks for the lock as request `id` (dropping any earlier request): takes
   * it when nobody holds it, else queues for it; with `steal`, takes it
   * from its holder.
   */
  lock(id, steal) {
    this.unlock();
    let release;
    const held = new Promise((resolve) => (release = resolve));
    const request = { id, controller: null, release };
    this.current = request;
    const grant = (lock) => {
      if (lock === null || this.closed || this.current !== request) return undefined;
      this.onLock(id, true);
      return held;
    };
    // One call of navigator.locks.request; its end is reported when it
    // held the lock (stolen) or failed, unless the request was dropped.
    const ask = (options, callback) => {
      let granted = false;
      navigator.locks
        .request(this.lockName, options, (lock) => {
          const result = callback(lock);
          granted = result === held;
          return result;
        })
        .then(
          () => {
            if (granted && !this.closed && this.current === request) this.onLock(id, false);
          },
          () => {
            if (!this.closed && this.current === request) this.onLock(id, false);
          },
        );
    };
    if (steal) {
      ask({ steal: true }, grant);
      return;
    }
    // A tab alone takes the free lock at once, without queueing for it.
    ask({ ifAvailable: true }, (lock) => {
      if (lock !== null) return grant(lock);
      if (!this.closed && this.current === request) {
        request.controller = new AbortController();
        ask({ signal: request.controller.signal }, grant);
      }
      return undefined;
    });
  }

  /** Lets go of the lock, or leaves its queue. */
  unlock() {
    const request = this.current;
    this.current = null;
    if (request === null) return;
    request.release();
    if (request.controller !== null) request.controller.abort();
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.unlock();
    if (typeof removeEventListener === 'function') removeEventListener('pagehide', this.onPagehide);
    this.channel.onmessage = null;
    this.channel.onmessageerror = null;
    this.channel.close();
  }
}

/**
 * `panel.status`: a store of `{ state, sharing: { role, tabs } }` with the
 * contract of `panel.inbox`: `subscribe` and `getSnapshot` are bound (usable
 * unbound, as React's useSyncExternalStore calls them), the snapshot is
 * frozen and the same object until something changes, and listeners run once
 * per batch of changes, in a microtask. The panel calls `update` whenever its
 * state or its sharing may have changed; an update that changes nothing
 * notifies no one.
 */
export class StatusStore {
  constructor(state, role, tabs) {
    this.snapshot = StatusStore.freeze(state, role, tabs);
    this.listeners = new Set();
    this.scheduled = false;
    this.subscribe = (listener) => {
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    };
    this.getSnapshot = () => this.snapshot;
  }

  static freeze(state, role, tabs) {
    return Object.freeze({ state, sharing: Object.freeze({ role, tabs }) });
  }

  update(state, role, tabs) {
    const last = this.snapshot;
    if (last.state === state && last.sharing.role === role && last.sharing.tabs === tabs) return;
    this.snapshot = StatusStore.freeze(state, role, tabs);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      for (const listener of [...this.listeners]) {
        try {
          listener();
        } catch (error) {
          report(error);
        }
      }
    });
  }

  /** No more notifications (the panel was freed); the last snapshot stays. */
  end() {
    this.listeners.clear();
  }
}
