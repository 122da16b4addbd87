// Shared by the fault suite: the sandbox's test API from Node, and a page of
// the sandbox's origin with the built package (pkg/, release wasm) loaded and
// a recorder for every panel it creates.
//
// Every wait is bounded; nothing asserts on how long something took.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const base = (process.env.TWIN_SANDBOX_URL ?? '').replace(/\/+$/, '');
/** `skip` option of node:test: the suite needs a running sandbox. */
export const skip = base ? false : 'TWIN_SANDBOX_URL is not set (run through scripts/with-sandbox.sh)';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic',
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
];

/**
 * A document of the sandbox's origin that runs nothing by itself. It must
 * come from the sandbox: Chromium treats a document the test answers itself
 * as public and blocks its WebSocket to loopback (local network access).
 */
export const BLANK = '/__sandbox/health';

export async function sandbox(method, path, body) {
  const response = await fetch(base + path, {
    method,
    // The control endpoints refuse state changes without both headers.
    headers: { 'Content-Type': 'application/json', 'X-Sandbox-Control': '1' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}
export const post = (path, body = {}) => sandbox('POST', path, body);
export const stats = () => sandbox('GET', '/__sandbox/stats');

/** Clears fault switches, HTTP rules, streams and counters between tests. */
export async function resetSandbox() {
  await post('/__sandbox/faults/reset');
  await post('/__sandbox/stats/reset');
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Debian's Chromium, headless, with the flags every suite needs plus `extraArgs`. */
export async function launch(extraArgs = []) {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/**
 * Runs `body(resource)`, then `close(resource)`. Past `limitMs` the resource
 * is closed under the body (its pending page calls fail) and the test fails:
 * node:test's own timeout would leave it running.
 */
export async function bounded(limitMs, resource, close, body) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up after ${limitMs} ms`)), limitMs);
  });
  try {
    return await Promise.race([body(resource), expired]);
  } finally {
    clearTimeout(timer);
    await close(resource);
  }
}

/** Runs `body(browser)` with a fresh Chromium, closed afterwards; bounded by `limitMs` (see `bounded`). */
export async function withBrowser(limitMs, body) {
  return bounded(limitMs, await launch(), (browser) => browser.close().catch(() => {}), body);
}

/**
 * Opens a page of the sandbox's origin with the package initialised.
 * Returns { page, context, seen } where `seen` collects, from outside the
 * page: page errors, console messages, every HTTP request URL, every
 * WebSocket URL and dialogs.
 */
export async function openPage(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const seen = { pageErrors: [], console: [], requests: [], websockets: [], dialogs: [] };
  page.on('pageerror', (e) => seen.pageErrors.push(String(e?.stack ?? e)));
  page.on('console', (m) => seen.console.push(`${m.type()}: ${m.text()}`));
  page.on('request', (r) => seen.requests.push({ method: r.method(), url: r.url(), body: r.postData(), headers: r.headers() }));
  page.on('websocket', (ws) => seen.websockets.push(ws.url()));
  page.on('dialog', (d) => {
    seen.dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  // No favicon request: it would be a 404 in the console.
  await page.route(`${base}/favicon.ico`, (route) => route.fulfill({ status: 204, body: '' }));
  await page.goto(base + BLANK);
  await page.evaluate(installHarness, base);
  return { page, context, seen };
}

/**
 * Runs in the page: imports the package and defines `window.faults`, which
 * creates panels and records everything each one emits.
 */
async function installHarness(origin) {
  const mod = await import('/pkg/index.js');
  const exports = await mod.default();
  const urls = {
    iamUrl: `${origin}/iam/api/v1`,
    chatUrl: `${origin}/chat/api/v1`,
    centrifugoUrl: `${origin.replace(/^http/, 'ws')}/centrifugo/connection/websocket`,
  };
  const LIFECYCLE = ['connecting', 'connected', 'disconnected', 'resync', 'tokenRefreshed', 'error'];
  const unhandled = [];
  window.addEventListener('unhandledrejection', (e) => {
    unhandled.push(String(e.reason?.stack ?? e.reason));
  });
  const describeError = (e) => ({
    isTwinError: e instanceof mod.TwinError,
    isError: e instanceof Error,
    name: e?.name,
    status: e?.status,
    code: e?.code,
    message: e?.message,
    details: e?.details === undefined ? null : JSON.stringify(e.details),
    retryable: e?.retryable,
  });
  const panels = new Map();
  window.faults = {
    mod,
    exports,
    urls,
    unhandled,
    describeError,
    /** A panel with the sandbox's URLs plus `options`; returns its name. */
    create(name, options = {}) {
      const panel = new mod.OperatorPanel({ ...urls, ...options });
      const rec = { panel, events: [], seqs: [], payloads: [], all: [] };
      for (const event of LIFECYCLE) {
        panel.on(event, (payload) => {
          const entry = { event, at: performance.now() };
          if (event === 'error') entry.error = describeError(payload);
          else entry.payload = JSON.parse(JSON.stringify(payload ?? null));
          rec.events.push(entry);
        });
      }
      panel.on('chatMessageCreated', (data) => {
        if (data !== null && typeof data === 'object' && typeof data.seq === 'number') rec.seqs.push(data.seq);
        else rec.payloads.push(data);
      });
      panel.on('event', (envelope) => rec.all.push(envelope));
      panels.set(name, rec);
      return name;
    },
    panel: (name) => panels.get(name).panel,
    rec: (name) => panels.get(name),
    count: (name, event) => panels.get(name).events.filter((e) => e.event === event).length,
    events: (name, event) => panels.get(name).events.filter((e) => e.event === event),
    seqCount: (name) => panels.get(name).seqs.length,
    async login(name, email, password = 'operator') {
      return panels.get(name).panel.login({ email, password });
    },
    /** Settles a promise into { ok, value } or { ok: false, error }. */
    async settle(promise) {
      try {
        return { ok: true, value: await promise };
      } catch (e) {
        return { ok: false, error: describeError(e) };
      }
    },
    drop(name) {
      const rec = panels.get(name);
      if (rec === undefined) return;
      try { rec.panel.disconnect(); rec.panel.free(); } catch { /* already freed */ }
      panels.delete(name);
    },
    dropAll() {
      for (const name of [...panels.keys()]) window.faults.drop(name);
    },
  };
}

/** Waits in the page until `fn(arg)` is truthy; fails with `what` after `timeout` ms. */
export async function waitInPage(page, what, fn, arg, timeout = 15_000) {
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 20 });
  } catch (e) {
    throw new Error(`timed out waiting for ${what}: ${e.message.split('\n')[0]}`);
  }
}

/** Creates, logs in and connects a panel; returns its tokens. */
export async function connectedPanel(page, name, email, options = {}) {
  return page.evaluate(async ([n, e, o]) => {
    window.faults.create(n, o);
    const tokens = await window.faults.login(n, e);
    await window.faults.panel(n).connect();
    return tokens;
  }, [name, email, options]);
}

/** Publishes one event to an operator through the sandbox. */
export function publish(userId, event, data) {
  return post('/__sandbox/publish', { userId: String(userId), event, data });
}

/** The page must not have crashed, thrown, or left a rejection unhandled. */
export async function assertNoCrash(page, seen) {
  assert.deepEqual(seen.pageErrors, [], 'no pageerror');
  const unhandled = await page.evaluate(() => window.faults.unhandled);
  assert.deepEqual(unhandled, [], 'no unhandled rejection');
}

export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { n: sorted.length, min: sorted[0], median: at(0.5), p90: at(0.9), max: sorted.at(-1) };
}
