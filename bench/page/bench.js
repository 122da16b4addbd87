// The bench page: twin-panel (from /pkg/) and centrifuge-js (its dist bundle,
// copied beside this file at bench time) receive the same sandbox streams
// into a JS callback. bench/run.mjs drives everything through `window.bench`;
// nothing here starts on its own, so a fresh page measures a cold start.

import { chatMessage, connectReply, publicationFrames } from './frames.js';
import { installCounter, startCounting, stopCounting } from './crossings.js';

const origin = location.origin;
const urls = {
  iamUrl: `${origin}/iam/api/v1`,
  chatUrl: `${origin}/chat/api/v1`,
  centrifugoUrl: `${origin.replace(/^http/, 'ws')}/centrifugo/connection/websocket`,
};
const OPERATOR = { email: 'operator@twin.local', password: 'operator', userId: '389' };

let twin = null; // the twin-panel module, once imported
let wasmExports = null;
let tokens = null;

const now = () => performance.now();
/** Wall-clock milliseconds with sub-millisecond resolution, comparable with Node's. */
const wallNow = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function sandbox(method, path, body) {
  const response = await fetch(origin + path, {
    method,
    // The sandbox's control endpoints refuse state changes without both headers.
    headers: { 'Content-Type': 'application/json', 'X-Sandbox-Control': '1' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** Logs in over REST once; both clients then use the same access token. */
async function login() {
  if (tokens === null) {
    tokens = await sandbox('POST', '/iam/api/v1/auth/login', {
      email: OPERATOR.email,
      password: OPERATOR.password,
      ttl: 86400,
    });
  }
  return tokens;
}

/**
 * Imports the package and instantiates the wasm: { importMs, initMs }. The
 * default entry (wasm inlined), or `twin-panel/slim` (the .wasm fetched).
 */
async function loadPanel(entry = 'index.js') {
  const t0 = now();
  twin = await import(`/pkg/${entry}`);
  const t1 = now();
  wasmExports = await twin.default();
  const t2 = now();
  return { importMs: t1 - t0, initMs: t2 - t1 };
}

/** Loads and runs centrifuge's dist bundle (a classic script): { loadMs }. */
function loadCentrifuge() {
  const t0 = now();
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/centrifuge.js';
    script.onload = () => resolve({ loadMs: now() - t0 });
    script.onerror = () => reject(new Error('centrifuge.js did not load'));
    document.head.append(script);
  });
}

/**
 * A client of either kind with one callback for stream data; `onData(data)`
 * gets the Message object (`{seq, ...}`) of every chatMessageCreated.
 * `options` go to both constructors (the reconnect delays share their names).
 * Returns { connect(): Promise, disconnect(), lost: () => count, offlineMs: () => ms }.
 */
function makeClient(kind, onData, options = {}) {
  let lost = 0;
  // Time between losing the connection and `connected` again (reconnect
  // delay, handshake, and whatever the client does with the recovery reply
  // before it says `connected`): a diagnostic, not taken out of any rate.
  const offline = {
    total: 0,
    since: null,
    down() { if (this.since === null) this.since = now(); },
    up() { if (this.since !== null) { this.total += now() - this.since; this.since = null; } },
  };
  const centrifugoUrl = options.centrifugoUrl ?? urls.centrifugoUrl;
  if (kind === 'twin-panel') {
    const panel = new twin.OperatorPanel({ ...urls, ...options });
    panel.useTokens({ token: tokens.token, refreshToken: tokens.refreshToken });
    panel.on('chatMessageCreated', onData);
    panel.on('disconnected', () => { lost += 1; offline.down(); });
    panel.on('connected', () => offline.up());
    return {
      connect: () => panel.connect(),
      disconnect: () => { panel.disconnect(); panel.free(); },
      lost: () => lost,
      offlineMs: () => offline.total,
    };
  }
  if (kind === 'engine-floor') return engineFloor(onData, centrifugoUrl);
  const { centrifugoUrl: _ignored, ...centrifugeOptions } = options;
  const client = new globalThis.Centrifuge(centrifugoUrl, {
    data: { application: 'notifications', settings: { token: tokens.token } },
    ...centrifugeOptions,
  });
  client.on('publication', (ctx) => onData(ctx.data.data));
  client.on('disconnected', () => { lost += 1; offline.down(); });
  client.on('connecting', (ctx) => { if (ctx.code !== 0) { lost += 1; offline.down(); } });
  client.on('connected', () => offline.up());
  return {
    connect: () => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('centrifuge-js did not connect in 15 s')), 15_000);
      client.once('connected', () => { clearTimeout(timer); resolve(); });
      client.connect();
    }),
    disconnect: () => { client.disconnect(); client.removeAllListeners(); },
    lost: () => lost,
    offlineMs: () => offline.total,
  };
}

/**
 * The engine floor: the same frames with no protocol at all. A raw
 * WebSocket sends the connect command once, answers pings, splits each
 * frame on newlines, JSON.parses every line and hands a publication's data
 * to the listener. No recovery, no ordering checks, no state machine: the
 * physical limit of "parse and deliver" in this browser.
 */
function engineFloor(onData, url) {
  let lost = 0;
  let ws = null;
  return {
    connect: () => new Promise((resolve, reject) => {
      ws = new WebSocket(url);
      ws.onopen = () => ws.send(JSON.stringify({
        id: 1,
        connect: { data: { application: 'notifications', settings: { token: tokens.token } }, name: 'floor' },
      }));
      ws.onerror = () => reject(new Error('engine floor: socket error'));
      ws.onclose = () => { lost += 1; };
      ws.onmessage = (event) => {
        const lines = event.data.split('\n');
        for (const line of lines) {
          if (line.length === 0) continue;
          const reply = JSON.parse(line);
          const pub = reply.push?.pub;
          if (pub !== undefined) {
            onData(pub.data.data);
          } else if (reply.id === 1) {
            resolve();
          } else if (reply.id === undefined && reply.push === undefined) {
            ws.send('{}');
          }
        }
      };
    }),
    disconnect: () => { ws.onclose = null; ws.close(); },
    lost: () => lost,
    offlineMs: () => 0,
  };
}

/**
 * Checks a numbered stream as it arrives: every seq once, in order. Events of
 * the streams in `staleSessions` (earlier ones, late after a reconnect) are
 * counted apart, so they cannot pass for this stream's.
 */
function streamChecker(count, staleSessions = new Set()) {
  const rec = {
    count: 0, expected: 1, firstMs: 0, lastMs: 0, misordered: 0, stale: 0, firstProblem: null,
    done: null,
  };
  let finish;
  rec.done = new Promise((resolve) => { finish = resolve; });
  rec.onData = (data) => {
    const t = now();
    if (staleSessions.has(data.sessionId)) {
      rec.stale += 1;
      return;
    }
    if (rec.count === 0) rec.firstMs = t;
    rec.lastMs = t;
    const seq = data.seq;
    if (seq !== rec.expected) {
      rec.misordered += 1;
      if (rec.firstProblem === null) rec.firstProblem = { at: rec.count, expected: rec.expected, got: seq };
    }
    rec.expected = seq + 1;
    rec.count += 1;
    if (rec.count === count) finish();
  };
  return rec;
}

/** Waits for `rec` or the stream's end plus a grace period, bounded by `limitMs`. */
async function awaitStream(rec, streamId, limitMs) {
  const deadline = now() + limitMs;
  let finishedAt = null;
  for (;;) {
    const winner = await Promise.race([rec.done.then(() => 'done'), sleep(250).then(() => 'tick')]);
    if (winner === 'done') return true;
    if (now() > deadline) return false;
    if (finishedAt === null) {
      const status = await sandbox('GET', `/__sandbox/stream/${streamId}`);
      if (status.done) finishedAt = now();
    } else if (now() - finishedAt > 90_000) {
      return false; // published long ago, never all received
    }
  }
}

/**
 * One throughput round: connect `kind`, publish a numbered stream of `count`
 * chatMessageCreated events at full speed, receive it into a callback.
 * The server drops a consumer that falls behind (Centrifuge's 1 MB client
 * queue); both clients then reconnect after the same fixed 50 ms (min = max
 * reconnect delay, so no random backoff) and recover the rest from history.
 */
/**
 * The client-bound round: a local replay server (bench/run.mjs) sends the
 * stream as ready-made frames of 100 publications as fast as the client
 * reads them, so the figure is the client's own cost, not the sandbox's
 * publishing rate.
 */
async function replayRound(kind, count, url, limitMs) {
  return deliveredRound(kind, count, { centrifugoUrl: url, minReconnectDelay: 50, maxReconnectDelay: 50 }, limitMs);
}

/** Connects `kind` with `options` and waits for `count` events (at most `limitMs`). */
async function deliveredRound(kind, count, options, limitMs) {
  await login();
  const rec = streamChecker(count);
  const client = makeClient(kind, rec.onData, options);
  const connected = client.connect();
  const complete = await Promise.race([
    connected.then(() => rec.done).then(() => true),
    sleep(limitMs).then(() => false),
  ]);
  const lost = client.lost();
  client.disconnect();
  return roundResult(kind, count, rec, complete, lost, 0);
}

/**
 * Frames of `perFrame` chatMessageCreated publications (the replay's shape),
 * built once per page for the in-page rounds.
 */
let inPageFrames = null;
function buildInPageFrames(count, perFrame) {
  if (inPageFrames === null || inPageFrames.count !== count) {
    const message = (seq) => chatMessage(seq, '2026-12-01T10:00:00+00:00', 0);
    inPageFrames = { count, frames: publicationFrames(count, perFrame, message) };
  }
  return inPageFrames.frames;
}

/**
 * A stand-in for the browser's WebSocket that never touches the network: it
 * opens on the next task, answers a connect command with a connect reply
 * (one server-side channel), then dispatches `frames` as real MessageEvents,
 * one per task like a real socket (after `gate` resolves, when given). What
 * it measures is each client's own main-thread cost.
 *
 * Each frame's task is queued through a MessageChannel before the frame is
 * dispatched. (It used to dispatch 20 frames per `setTimeout(pump, 0)`, set
 * after the 20: nested timers wait at least 4 ms, and that wait came after a
 * client that works inside its message handler (the engine floor,
 * twin-panel) but overlapped the work of one that defers it to microtasks
 * (centrifuge-js dispatches through a promise chain), so centrifuge-js
 * looked faster than the floor.)
 */
function inPageSocket(frames, gate = null) {
  return class InPageSocket extends EventTarget {
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSING = 2;
    static CLOSED = 3;

    constructor(url) {
      super();
      this.url = url;
      this.readyState = 0;
      this.binaryType = 'blob';
      this.bufferedAmount = 0;
      this.protocol = '';
      this.extensions = '';
      this.handlers = {};
      setTimeout(() => {
        if (this.readyState !== 0) return;
        this.readyState = 1;
        this.dispatchEvent(new Event('open'));
      }, 0);
    }

    set onopen(fn) { this.handle('open', fn); }
    set onmessage(fn) { this.handle('message', fn); }
    set onclose(fn) { this.handle('close', fn); }
    set onerror(fn) { this.handle('error', fn); }

    handle(type, fn) {
      if (this.handlers[type]) this.removeEventListener(type, this.handlers[type]);
      this.handlers[type] = fn;
      if (fn) this.addEventListener(type, fn);
    }

    send(text) {
      const reply = connectReply(text, 'in-page');
      if (reply === null) return;
      let next = 0;
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        if (this.readyState !== 1 || next >= frames.length) {
          channel.port1.close();
          return;
        }
        // The next frame's task is queued first, as a socket queues one
        // task per message whatever the handler does.
        if (next + 1 < frames.length) channel.port2.postMessage(0);
        this.dispatchEvent(new MessageEvent('message', { data: frames[next] }));
        next += 1;
      };
      setTimeout(() => {
        if (this.readyState !== 1) return;
        this.dispatchEvent(new MessageEvent('message', { data: reply }));
        (gate ?? Promise.resolve()).then(() => channel.port2.postMessage(0));
      }, 0);
    }

    close() {
      this.readyState = 3;
    }
  };
}

/**
 * One in-page round: `kind` reads `count` publications from an in-page
 * socket (the global WebSocket is swapped for the round), no network.
 */
async function inPageRound(kind, count, perFrame, limitMs) {
  const real = globalThis.WebSocket;
  globalThis.WebSocket = inPageSocket(buildInPageFrames(count, perFrame));
  try {
    return await deliveredRound(kind, count, { centrifugoUrl: 'ws://127.0.0.1:9/in-page' }, limitMs);
  } finally {
    globalThis.WebSocket = real;
  }
}

async function throughputRound(kind, count, limitMs) {
  await login();
  const rec = streamChecker(count);
  const client = makeClient(kind, rec.onData, { minReconnectDelay: 50, maxReconnectDelay: 50 });
  await client.connect();
  const { streamId } = await sandbox('POST', '/__sandbox/stream', {
    userId: OPERATOR.userId, count, intervalMs: 0,
  });
  const complete = await awaitStream(rec, streamId, limitMs);
  const lost = client.lost();
  const offlineMs = client.offlineMs();
  client.disconnect();
  if (!complete) await sandbox('DELETE', `/__sandbox/stream/${streamId}`).catch(() => {});
  return roundResult(kind, count, rec, complete, lost, offlineMs);
}

/** What one throughput round reports. */
function roundResult(kind, count, rec, complete, reconnects, offlineMs) {
  const seconds = (rec.lastMs - rec.firstMs) / 1000;
  return {
    kind,
    count,
    received: rec.count,
    complete,
    inOrder: rec.misordered === 0,
    misordered: rec.misordered,
    firstProblem: rec.firstProblem,
    reconnects,
    seconds,
    // From a lost connection to `connected` again, recovery included.
    offlineSeconds: offlineMs / 1000,
    // First to last callback, reconnects included.
    eventsPerSecond: seconds > 0 ? (rec.count - 1) / seconds : null,
  };
}

// Crossings of the wasm boundary per publication (bench/crossings.mjs): the
// page counts them (crossings.js) while twin-panel reads publications from an
// in-page socket, alone or as the leader of a follower in another page.
const IN_PAGE_URL = 'ws://127.0.0.1:9/in-page';
let crossings = null;
/** A session of the sandbox that operator 389's inbox does not hold (operator 472's). */
const OTHER_SESSION = '5e550000-0000-4000-8000-000000000005';

/**
 * Connects a panel to an in-page socket whose stream of `count` publications
 * (frames of `perFrame`) waits for `crossingsRelease()`; the panel is the
 * leader of its group (a follower may join from another page meanwhile).
 * With `inbox`, `panel.inbox` is loaded first; its sessions include the
 * stream's (Anna's), unless `mixed`: then every other message is of a
 * session it does not hold, as on a channel that carries more than the
 * inbox keeps.
 */
async function crossingsLeader(count, perFrame, inbox = false, mixed = false) {
  await login();
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  const message = (seq) => {
    const data = chatMessage(seq, '2026-12-01T10:00:00+00:00', 0);
    if (mixed && seq % 2 === 0) data.sessionId = OTHER_SESSION;
    return data;
  };
  const real = globalThis.WebSocket;
  globalThis.WebSocket = inPageSocket(publicationFrames(count, perFrame, message), gate);
  const rec = streamChecker(count);
  const panel = new twin.OperatorPanel({ ...urls, centrifugoUrl: IN_PAGE_URL });
  panel.useTokens({ token: tokens.token, refreshToken: tokens.refreshToken });
  panel.on('chatMessageCreated', rec.onData);
  // With the inbox loaded, every chatMessageCreated is applied to it too.
  if (inbox) await panel.inbox.load({ limit: 100 });
  await panel.connect();
  // The global stays swapped until the stream is in: the panel's socket
  // handler checks that its event target is a WebSocket.
  crossings = { panel, rec, release, restore: () => { globalThis.WebSocket = real; } };
  return panel.sharing.role;
}

/** A panel in this page that follows the leader of another page's panel. */
async function crossingsFollower(count) {
  await login();
  const rec = streamChecker(count);
  const panel = new twin.OperatorPanel({ ...urls, centrifugoUrl: IN_PAGE_URL });
  panel.useTokens({ token: tokens.token, refreshToken: tokens.refreshToken });
  panel.on('chatMessageCreated', rec.onData);
  await panel.connect();
  const deadline = now() + 10_000;
  while (panel.sharing.role !== 'follower' && now() < deadline) await sleep(20);
  crossings = { panel, rec, release: null, restore: () => {} };
  return panel.sharing.role;
}

/** Starts the leader's stream (in the leader's page). */
function crossingsRelease() {
  crossings.release();
}

/** Waits for this page's panel to receive its stream, then frees it. */
async function crossingsAwait(limitMs) {
  const { panel, rec, restore } = crossings;
  const complete = await Promise.race([rec.done.then(() => true), sleep(limitMs).then(() => false)]);
  restore();
  panel.disconnect();
  panel.free();
  crossings = null;
  return { complete, received: rec.count, inOrder: rec.misordered === 0 };
}

let latency = null;

/** Connects `kind` and records, per received event, wall-clock arrival − data.sentAt. */
async function latencyStart(kind, count) {
  await login();
  const samples = new Float64Array(count);
  const rec = { received: 0, misordered: 0, expected: 1 };
  let finish;
  const done = new Promise((resolve) => { finish = resolve; });
  const client = makeClient(kind, (data) => {
    const arrived = wallNow();
    if (data.seq !== rec.expected) rec.misordered += 1;
    rec.expected = data.seq + 1;
    if (rec.received < count) samples[rec.received] = arrived - data.sentAt;
    rec.received += 1;
    if (rec.received === count) finish();
  });
  await client.connect();
  latency = { client, samples, rec, done, count };
}

async function latencyFinish(limitMs) {
  const { client, samples, rec, done } = latency;
  const complete = await Promise.race([done.then(() => true), sleep(limitMs).then(() => false)]);
  client.disconnect();
  latency = null;
  return {
    complete,
    received: rec.received,
    inOrder: rec.misordered === 0,
    samples: Array.from(samples.subarray(0, Math.min(rec.received, samples.length))),
  };
}

/** Cold start in a fresh page: import + init (or bundle load), then connect. */
async function startup(kind) {
  await login(); // excluded from the figures
  let load;
  if (kind === 'twin-panel' || kind === 'twin-panel-unshared') {
    load = await loadPanel();
  } else if (kind === 'twin-panel-slim') {
    load = await loadPanel('slim.js');
  } else {
    load = await loadCentrifuge();
  }
  // `twin-panel-unshared`: the default entry with shareAcrossTabs: false
  // (no Web Lock before the socket), to show what the lock costs.
  const options = kind === 'twin-panel-unshared' ? { shareAcrossTabs: false } : {};
  const client = makeClient(kind.startsWith('twin-panel') ? 'twin-panel' : kind, () => {}, options);
  const t0 = now();
  await client.connect();
  const connectMs = now() - t0;
  client.disconnect();
  const loadMs = kind === 'centrifuge-js' ? load.loadMs : load.importMs + load.initMs;
  return { kind, ...load, loadMs, connectMs, totalMs: loadMs + connectMs };
}

// Memory of one long-lived panel (twin-panel only).
let memoryPanel = null;

async function memoryStart() {
  await login();
  if (twin === null) await loadPanel();
  const panel = new twin.OperatorPanel(urls);
  panel.useTokens({ token: tokens.token, refreshToken: tokens.refreshToken });
  const state = { panel, rec: null, lost: 0, pastSessions: new Set() };
  panel.on('chatMessageCreated', (data) => state.rec.onData(data));
  panel.on('disconnected', () => { state.lost += 1; });
  state.rec = streamChecker(0);
  await panel.connect();
  memoryPanel = state;
}

/**
 * Streams `count` events to the memory panel in streams of `chunk`, each
 * received in full before the next starts; nothing received is kept. Chunks
 * keep the backlog of a consumer the server drops for falling behind small,
 * so memory reflects steady delivery rather than one giant recovery reply.
 */
async function memoryStream(count, limitMs, chunk = count) {
  const state = memoryPanel;
  const lostBefore = state.lost;
  const t0 = now();
  const deadline = t0 + limitMs;
  let received = 0;
  let inOrder = true;
  let complete = true;
  let stale = 0;
  const problems = [];
  for (let sent = 0; sent < count && complete; sent += chunk) {
    const n = Math.min(chunk, count - sent);
    const rec = streamChecker(n, state.pastSessions);
    state.rec = rec;
    const { streamId } = await sandbox('POST', '/__sandbox/stream', {
      userId: OPERATOR.userId, count: n, intervalMs: 0,
    });
    complete = await awaitStream(rec, streamId, Math.max(1, deadline - now()));
    state.pastSessions.add(`stream-${streamId}`);
    if (!complete) await sandbox('DELETE', `/__sandbox/stream/${streamId}`).catch(() => {});
    const got = Math.min(rec.count, n);
    received += got;
    stale += rec.stale;
    const ok = rec.misordered === 0 && rec.count === n;
    inOrder = inOrder && ok;
    if (!ok && problems.length < 5) {
      problems.push({
        stream: sent / chunk + 1, received: rec.count, misordered: rec.misordered,
        firstProblem: rec.firstProblem, complete,
      });
    }
  }
  return {
    count,
    chunk,
    received,
    complete: complete && received === count,
    inOrder,
    reconnects: state.lost - lostBefore,
    seconds: (now() - t0) / 1000,
    // Events of an earlier stream that arrived during a later one.
    stale,
    problems,
  };
}

/** `cycles` × (connect until connected, disconnect) on the memory panel. */
async function memoryCycles(cycles) {
  const { panel } = memoryPanel;
  panel.disconnect();
  const t0 = now();
  for (let i = 0; i < cycles; i += 1) {
    await panel.connect();
    panel.disconnect();
  }
  const seconds = (now() - t0) / 1000;
  await panel.connect();
  return { cycles, seconds };
}

/**
 * The wasm memory's size. The shipped module's export names are shortened,
 * so the memory is found as the one `WebAssembly.Memory` among the exports.
 */
function wasmMemoryBytes() {
  if (wasmExports === null) return null;
  const memory = Object.values(wasmExports).find((x) => x instanceof WebAssembly.Memory);
  return memory ? memory.buffer.byteLength : null;
}

function memoryStop() {
  if (memoryPanel !== null) {
    memoryPanel.panel.disconnect();
    memoryPanel.panel.free();
    memoryPanel = null;
  }
}

window.bench = {
  installCounter,
  startCounting,
  stopCounting,
  crossingsLeader,
  crossingsFollower,
  crossingsRelease,
  crossingsAwait,
  loadPanel,
  loadCentrifuge,
  login,
  throughputRound,
  replayRound,
  inPageRound,
  latencyStart,
  latencyFinish,
  startup,
  memoryStart,
  memoryStream,
  memoryCycles,
  memoryStop,
  wasmMemoryBytes,
  wallNow,
};
window.benchReady = true;
