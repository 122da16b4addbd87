// The few pieces of the package that are better written in JavaScript:
// a real Error subclass, and the listener registry (so an unsubscribe
// function is a plain closure and a throwing listener cannot break delivery).

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
}

function report(error) {
  if (typeof reportError === 'function') {
    reportError(error);
  } else {
    setTimeout(() => {
      throw error;
    });
  }
}

/** Named listener sets; `on` returns the function that removes the listener. */
export class Emitter {
  constructor() {
    this.listeners = new Map();
  }

  on(name, fn) {
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

  // A publication: `json` is the payload text `{"event": name, "data": ...}`.
  // Listeners of `name` get `data`; listeners of `event` get the whole payload.
  // `byName` is false when the name is missing or collides with a lifecycle event.
  publication(json, name, byName) {
    const payload = JSON.parse(json);
    if (byName) this.emit(name, payload.data);
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
