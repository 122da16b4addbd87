// The few pieces of both entries that are better written in JavaScript: a
// real Error subclass, the listener registry (so an unsubscribe function is a
// plain closure and a throwing listener cannot break delivery), the live
// stores' subscribe/getSnapshot shell, the conversation class (each method
// one call into the wasm), and reads of the page that the wasm would
// otherwise make through generic bindings. The operator panel's own pieces
// are in panel.js, which the widget never loads.

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
 * What a live store (`panel.inbox`, a conversation) shows React, Vue and
 * Svelte: `subscribe` and `getSnapshot` as plain functions that work unbound,
 * and one `change` notification per batch of changes, in a microtask.
 * `getSnapshot` is the store's own (the wasm keeps one snapshot per version);
 * its other events go through the same registry.
 */
export class Live extends Emitter {
  constructor(getSnapshot) {
    super();
    this.scheduled = false;
    this.ended = false;
    this.getSnapshot = getSnapshot;
    this.subscribe = (listener) => (this.ended ? () => {} : this.on('change', listener));
  }

  /** The store changed: its listeners hear of it once, in a microtask. */
  changed() {
    if (this.ended || this.scheduled) return;
    this.scheduled = true;
    Promise.resolve().then(() => {
      this.scheduled = false;
      if (!this.ended) this.emit('change');
    });
  }

  /** No more notifications and no more listeners. */
  end() {
    this.ended = true;
    this.clear();
  }
}

// A conversation's wasm half and its store's shell: symbols, so that they
// are no part of the class's surface.
const CORE = Symbol('core');
const LIVE = Symbol('live');

/**
 * `panel.conversation(id)` and `widget.conversation`: every method is one
 * call of the wasm half, with the method's number (`call` in
 * src/api/conversation/class.rs); `subscribe`, `getSnapshot` and `off` are
 * the store's shell's. The docs are in the .d.ts.
 */
export class Conversation {
  constructor(core, live) {
    this[CORE] = core;
    this[LIVE] = live;
  }

  load(options) {
    return this[CORE].call(0, options);
  }

  loadOlder(options) {
    return this[CORE].call(1, options);
  }

  send(message) {
    return this[CORE].call(2, message);
  }

  retry(localId) {
    return this[CORE].call(3, localId);
  }

  discard(localId) {
    return this[CORE].call(4, localId);
  }

  markRead() {
    return this[CORE].call(5);
  }

  typing() {
    return this[CORE].call(6);
  }

  get badPayloads() {
    return this[CORE].call(7);
  }

  on(name, listener) {
    return this[CORE].call(8, name, listener);
  }

  off(name, listener) {
    this[LIVE].off(name, listener);
  }

  get subscribe() {
    return this[LIVE].subscribe;
  }

  get getSnapshot() {
    return this[LIVE].getSnapshot;
  }

  free() {
    this[CORE].free();
  }
}
if (Symbol.dispose) Conversation.prototype[Symbol.dispose] = Conversation.prototype.free;

/** The operator's conversation: it also edits and removes own messages. */
export class OperatorConversation extends Conversation {
  edit(messageId, patch) {
    return this[CORE].call(9, messageId, patch);
  }

  remove(messageId) {
    return this[CORE].call(10, messageId);
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
