// The operator panel's pieces that are better written in JavaScript:
// splitting and parsing a Centrifuge frame, handing a publication to its
// listeners, and the tabs' BroadcastChannel and Web Lock. Only the panel's
// wasm imports this module.

// A listener that throws must not stop the others, nor kill a Node process
// (Node 20 has no reportError, and a rethrow there is an uncaught exception).
function report(error) {
  if (typeof reportError === 'function') {
    reportError(error);
  } else {
    console.error(error);
  }
}

/**
 * A publication for `emitter`'s listeners: `payload` is the value the engine
 * parsed, usually `{"event": name, "data": ...}`. Listeners of the name get
 * `data` (when `byName`: the name is a string and not a lifecycle event);
 * listeners of `event` get the whole payload, or `{ event: null, data }` for
 * a payload that names no event.
 */
export function deliverPublication(emitter, payload, byName) {
  if (byName) emitter.emit(payload.event, payload.data);
  const all = emitter.listeners.get('event');
  if (all !== undefined && all.size > 0) {
    const envelope =
      payload !== null && typeof payload === 'object' && !Array.isArray(payload) && typeof payload.event === 'string'
        ? payload
        : { event: null, data: payload };
    emitter.emit('event', envelope);
  }
}

/**
 * Splits a Centrifuge text frame on newlines and parses each line with the
 * engine's JSON parser. Blank lines are left out. A line that is not JSON is
 * `undefined` in the result (JSON.parse never returns that), and a line that
 * is JSON but not an object (a reply always is one) is `null`: the protocol
 * core reports either and reconnects. The shape check is here, beside the
 * parse, so the hot path makes no extra calls across the wasm boundary.
 */
export function parseFrame(text) {
  const lines = text.split('\n');
  const values = [];
  for (const line of lines) {
    if (line.length === 0) continue;
    let value;
    try {
      value = JSON.parse(line);
    } catch {
      if (line.trim() === '') continue;
      value = undefined;
    }
    // serde-wasm-bindgen would read an array's missing fields as defaults
    // (`[1,2]` as a ping): anything but a plain object is refused as a shape.
    if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      value = null;
    }
    values.push(value);
  }
  return values;
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
