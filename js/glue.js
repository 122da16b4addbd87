// The few pieces of the package that are better written in JavaScript:
// a real Error subclass, and the listener registry (so an unsubscribe
// function is a plain closure and a throwing listener cannot break delivery).

// Each entry of the package (`twin-panel`, `twin-panel/widget`) is one module
// with its own copy of this class; the brand makes `instanceof TwinError` hold
// for the errors of either entry, whichever entry the class came from.
const BRAND = Symbol.for('twin-panel/TwinError');

/**
 * Every failure of the package: HTTP, network, timeout or protocol.
 * `status` is the HTTP status (0 when there was none), `code` a stable
 * machine-readable name, `retryable` whether trying again later may succeed.
 */
export class TwinError extends Error {
  constructor(status, code, message, details, retryable) {
    super(message);
    this.name = 'TwinError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryable = retryable;
  }

  get [BRAND]() {
    return true;
  }

  static [Symbol.hasInstance](value) {
    return value !== null && typeof value === 'object' && value[BRAND] === true;
  }
}

// A listener that throws must not stop the others, nor kill a Node process
// (Node 20 has no reportError, and a rethrow there is an uncaught exception).
function report(error) {
  if (typeof reportError === 'function') {
    reportError(error);
  } else {
    console.error(error);
  }
}

/** Named listener sets; `on` returns the function that removes the listener. */
export class Emitter {
  // `known`: the event names `on` accepts (any string when undefined).
  constructor(known) {
    this.listeners = new Map();
    this.known = known === undefined ? null : known;
  }

  on(name, fn) {
    if (this.known !== null && !this.known.includes(name)) {
      throw new TypeError(`unknown event ${JSON.stringify(name)}; the events are: ${this.known.join(', ')}`);
    }
    if (typeof name !== 'string') throw new TypeError('event name must be a string');
    if (typeof fn !== 'function') throw new TypeError('listener must be a function');
    let set = this.listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(fn);
    return () => this.off(name, fn);
  }

  off(name, fn) {
    const set = this.listeners.get(name);
    if (set !== undefined) set.delete(fn);
  }

  emit(name, payload) {
    const set = this.listeners.get(name);
    if (set === undefined) return;
    for (const fn of set) {
      try {
        fn(payload);
      } catch (error) {
        report(error);
      }
    }
  }

  // A publication: `payload` is the value the engine parsed, usually
  // `{"event": name, "data": ...}`. Listeners of the name get `data` (when
  // `byName`: the name is a string and not a lifecycle event); listeners of
  // `event` get the whole payload, or `{ event: null, data }` for a payload
  // that names no event.
  publication(payload, byName) {
    if (byName) this.emit(payload.event, payload.data);
    const all = this.listeners.get('event');
    if (all !== undefined && all.size > 0) {
      const envelope =
        payload !== null && typeof payload === 'object' && !Array.isArray(payload) && typeof payload.event === 'string'
          ? payload
          : { event: null, data: payload };
      this.emit('event', envelope);
    }
  }

  clear() {
    this.listeners.clear();
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

/**
 * The platform event a publication payload names: its `event` field when the
 * payload is a plain object and the field a string, else `undefined`. One
 * call per publication instead of a call per check.
 */
export function eventName(payload) {
  return payload !== null &&
    typeof payload === 'object' &&
    !Array.isArray(payload) &&
    typeof payload.event === 'string'
    ? payload.event
    : undefined;
}

/** Field `key` of a plain object; `undefined` for anything else. */
export function field(value, key) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value[key] : undefined;
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
