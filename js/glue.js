// The few pieces of both entries that are better written in JavaScript: a
// real Error subclass, the listener registry (so an unsubscribe function is a
// plain closure and a throwing listener cannot break delivery), and reads of
// the page that the wasm would otherwise make through generic bindings. The
// operator panel's own pieces are in panel.js, which the widget never loads.

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

  clear() {
    this.listeners.clear();
  }
}

/**
 * The platform event a publication payload names: its `event` field when the
 * payload is a plain object and the field a string, else `undefined`. One
 * call per publication instead of a call per check.
 */
export function eventName(payload) {
  return isPlainObject(payload) && typeof payload.event === 'string' ? payload.event : undefined;
}

/** Whether `value` is a plain object (not null, not an array). */
export function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Field `key` of a plain object; `undefined` for anything else. */
export function field(value, key) {
  return isPlainObject(value) ? value[key] : undefined;
}

/**
 * Calls `listener(true)` when the browser goes online and `listener(false)`
 * when it goes offline (`watch` true), or stops doing so (`watch` false).
 * Nothing where the global scope has no event listeners (Node).
 */
export function watchNetwork(listener, watch) {
  if (typeof addEventListener !== 'function') return;
  if (watch) {
    listener.online = () => listener(true);
    listener.offline = () => listener(false);
    addEventListener('online', listener.online);
    addEventListener('offline', listener.offline);
  } else if (listener.online !== undefined) {
    removeEventListener('online', listener.online);
    removeEventListener('offline', listener.offline);
  }
}

/** The page's (or worker's) URL scheme, e.g. `'https:'`; `''` where there is none (Node). */
export function pageProtocol() {
  return typeof location === 'object' && location !== null ? String(location.protocol) : '';
}
