// Shared by the multi-tab suite (#11): several pages of the sandbox's origin
// in ONE browser context (so they share Web Locks and BroadcastChannel, as
// the tabs of one browser profile do), each with one OperatorPanel and a
// recorder of everything it emits; the sandbox's test API from Node.
//
// Every wait is bounded; nothing asserts on how long something took (the
// failover times are measured and printed, not judged).
import assert from 'node:assert/strict';
import { BLANK, base, launch as launchChromium, sandbox, stats, sleep } from '../faults/support.mjs';

// The sandbox's test API, Chromium and the helpers the fault suite already has.
export { base, skip, sandbox, stats, sleep, summarize, bounded } from '../faults/support.mjs';

export const WAIT = 15_000; // the default bound of every wait below
export const OPERATOR = { id: 389, email: 'operator@twin.local' };
export const OTHER = { id: 472, email: 'dev@twin.local' };

export const post = (path, body = {}) => sandbox('POST', `/__sandbox/${path}`, body);

/** Live Centrifuge connections of one operator, from the sandbox's stats. */
export async function connectionsOf(operatorId) {
  const { connectionsByOperator } = await stats();
  return connectionsByOperator?.[String(operatorId)] ?? 0;
}

/** Polls `fn` (async) until it returns a truthy value; fails naming `what`. */
export async function until(what, fn, timeout = WAIT, every = 25) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      if (e instanceof Fatal) throw e;
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${describe(last)})`);
    await sleep(every);
  }
}
/** Thrown inside an `until` condition: stop waiting, fail now. */
export class Fatal extends Error {}
const describe = (v) => (v instanceof Error ? v.message : JSON.stringify(v));

/** Waits until the sandbox counts `n` live connections of the operator. */
export async function connectionsBecome(operatorId, n, timeout = WAIT) {
  await until(`${n} sandbox connection(s) of operator ${operatorId}`, async () => (await connectionsOf(operatorId)) === n, timeout);
}

/**
 * A token pair over REST, from Node. Logging in while the operator holds a
 * live connection makes the sandbox force that connection out
 * (chatUserExists), so this first waits until the operator has none left
 * from an earlier test. `ttl`: the access token's lifetime in seconds.
 */
export async function freshPair(email, operatorId, ttl = undefined) {
  await connectionsBecome(operatorId, 0);
  const response = await fetch(`${base}/iam/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: 'operator', ttl }),
    signal: AbortSignal.timeout(WAIT),
  });
  assert.equal(response.status, 200, `login of ${email}`);
  const { token, refreshToken } = await response.json();
  return { token, refreshToken };
}

/** Chromium for the tabs: hidden or occluded pages are not slowed either. */
export function launch() {
  return launchChromium(['--disable-backgrounding-occluded-windows']);
}

/**
 * One browser context (one profile: the tabs share locks and channels) and
 * the tabs opened in it. `open()` adds a tab with the package loaded;
 * `websockets` lists every Centrifugo WebSocket any of its tabs opened.
 */
export class Browser {
  constructor(context) {
    this.context = context;
    this.tabs = [];
    this.pageErrors = [];
    this.websockets = [];
  }

  static async start(browser) {
    return new Browser(await browser.newContext());
  }

  /** Opens a tab; `init` (a function) runs in it before any of its scripts. */
  async open(name, { init } = {}) {
    const page = await this.context.newPage();
    page.setDefaultTimeout(WAIT);
    const tab = new Tab(name, page, this);
    page.on('pageerror', (e) => this.pageErrors.push(`${name}: ${String(e?.stack ?? e)}`));
    page.on('websocket', (ws) => {
      if (!ws.url().includes('/centrifugo/')) return;
      const entry = { tab: name, url: ws.url(), openedAt: Date.now(), firstFrameAt: null, closedAt: null };
      this.websockets.push(entry);
      ws.on('framereceived', () => { entry.firstFrameAt ??= Date.now(); });
      ws.on('close', () => { entry.closedAt = Date.now(); });
    });
    await page.route(`${base}/favicon.ico`, (route) => route.fulfill({ status: 204, body: '' }));
    if (init) await page.addInitScript(init);
    await page.goto(base + BLANK);
    await page.evaluate(installHarness, base);
    this.tabs.push(tab);
    return tab;
  }

  /** The tabs still open. */
  get live() {
    return this.tabs.filter((t) => !t.closed);
  }

  async close() {
    await this.context.close().catch(() => {});
  }
}

/** One tab: a page with one panel (`window.tab` in the page). */
export class Tab {
  constructor(name, page, browser) {
    this.name = name;
    this.page = page;
    this.browser = browser;
    this.closed = false;
  }

  /** Creates the tab's panel with the sandbox's URLs plus `options`. */
  create(options = {}) {
    return this.page.evaluate((o) => window.tab.create(o), options);
  }

  useTokens(pair) {
    return this.page.evaluate((p) => window.tab.panel.useTokens(p), pair);
  }

  /** connect() of the tab's panel; resolves to { ok } or { ok: false, error }. */
  connect() {
    return this.page.evaluate(() => window.tab.settle(window.tab.panel.connect({ timeout: 10_000 })));
  }

  /** `panel.sharing` (a plain copy) and `panel.state`. */
  status() {
    return this.page.evaluate(() => window.tab.status());
  }

  /** What the recorder holds (copies). */
  record() {
    return this.page.evaluate(() => window.tab.snapshot());
  }

  clear() {
    return this.page.evaluate(() => window.tab.clear());
  }

  async close() {
    this.closed = true;
    await this.page.close();
  }
}

/**
 * Runs in the page: imports the package and defines `window.tab`, which
 * creates the page's panel and records what it emits, with the wall-clock
 * time (Date.now(): comparable across the tabs and with Node).
 */
async function installHarness(origin) {
  const mod = await import('/pkg/index.js');
  await mod.default();
  const urls = {
    iamUrl: `${origin}/iam/api/v1`,
    chatUrl: `${origin}/chat/api/v1`,
    centrifugoUrl: `${origin.replace(/^http/, 'ws')}/centrifugo/connection/websocket`,
  };
  const LIFECYCLE = ['connecting', 'connected', 'disconnected', 'resync', 'tokenRefreshed', 'error'];
  const describeError = (e) => ({
    name: e?.name, code: e?.code, status: e?.status, message: e?.message, isTwinError: e instanceof mod.TwinError,
  });
  const plain = (v) => JSON.parse(JSON.stringify(v ?? null));
  const unhandled = [];
  window.addEventListener('unhandledrejection', (e) => unhandled.push(String(e.reason?.stack ?? e.reason)));
  const fresh = () => ({
    lifecycle: [], // { event, payload, at }
    sharing: [], // { role, tabs, ignored, at }
    byName: [], // { seq, sid } of chatMessageCreated with a numeric seq
    viaEvent: [], // { seq, sid } of `event` envelopes of chatMessageCreated with a numeric seq
    envelopes: [], // every `event` envelope, as plain JSON
    other: [], // other named events: { event, data }
  });
  window.tab = {
    mod,
    urls,
    unhandled,
    describeError,
    panel: null,
    rec: fresh(),
    create(options = {}) {
      const panel = new mod.OperatorPanel({ ...urls, ...options });
      this.panel = panel;
      const rec = () => window.tab.rec;
      for (const event of LIFECYCLE) {
        panel.on(event, (payload) => {
          const entry = { event, at: Date.now() };
          entry.payload = event === 'error' ? describeError(payload) : plain(payload);
          rec().lifecycle.push(entry);
        });
      }
      panel.on('sharing', (s) => rec().sharing.push({ ...plain(s), at: Date.now() }));
      panel.on('chatMessageCreated', (data) => {
        if (typeof data?.seq === 'number') rec().byName.push({ seq: data.seq, sid: data.sessionId });
      });
      for (const name of ['chatUserExists', 'operatorBlocked', 'operatorLoggedOut']) {
        panel.on(name, (data) => rec().other.push({ event: name, data: plain(data) }));
      }
      panel.on('event', (envelope) => {
        rec().envelopes.push(plain(envelope));
        const data = envelope?.data;
        if (envelope?.event === 'chatMessageCreated' && typeof data?.seq === 'number') {
          rec().viaEvent.push({ seq: data.seq, sid: data.sessionId });
        }
      });
      return true;
    },
    /**
     * The BroadcastChannel name of the group a token belongs to:
     * "twin-panel/v2/<centrifugoUrl>/<JWT sub>" (src/sharing/mod.rs).
     */
    channelFor(token) {
      const b64 = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const { sub } = JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)));
      return `twin-panel/v2/${urls.centrifugoUrl}/${sub}`;
    },
    /** Listens on the channel of `token`'s group as any page script could; returns what it heard (JSON). */
    eavesdrop(token) {
      const heard = [];
      const channel = new BroadcastChannel(this.channelFor(token));
      channel.onmessage = (e) => heard.push(JSON.stringify(e.data));
      this.heard = heard;
      return this.channelFor(token);
    },
    status() {
      const s = this.panel?.sharing;
      return { sharing: s === undefined ? undefined : plain(s), state: this.panel?.state };
    },
    snapshot() {
      return plain(this.rec);
    },
    clear() {
      this.rec = fresh();
    },
    async settle(promise) {
      try {
        return { ok: true, value: plain(await promise) };
      } catch (e) {
        return { ok: false, error: describeError(e) };
      }
    },
  };
}

/** The tabs' status, in order. */
export const statuses = (tabs) => Promise.all(tabs.map((t) => t.status()));

/**
 * Waits until the tabs form one group: exactly one 'leader', the others
 * 'follower', `tabs` = the number of tabs everywhere, every state
 * 'connected'. Returns the leader.
 */
export async function settled(tabs, timeout = WAIT) {
  let leader = null;
  await until(`${tabs.length} tabs with one leader, tabs = ${tabs.length} and connected`, async () => {
    const all = await statuses(tabs);
    if (all.some((s) => s.sharing === undefined)) throw new Fatal('panel.sharing is missing (no multi-tab sharing in this build)');
    const leaders = all.filter((s) => s.sharing?.role === 'leader').length;
    const followers = all.filter((s) => s.sharing?.role === 'follower').length;
    const ok = leaders === 1 && followers === tabs.length - 1
      && all.every((s) => s.sharing.tabs === tabs.length && s.state === 'connected');
    if (!ok) return false;
    leader = tabs[all.findIndex((s) => s.sharing.role === 'leader')];
    return true;
  }, timeout).catch(async (e) => {
    throw new Error(`${e.message}; statuses: ${JSON.stringify(await statuses(tabs).catch(() => null))}`);
  });
  return leader;
}

/** Starts a numbered stream of chatMessageCreated (data.seq 1..count). */
export async function stream(userId, count, intervalMs = 0) {
  const { streamId } = await post('stream', { userId: String(userId), count, intervalMs });
  return { id: streamId, sid: `stream-${streamId}`, count };
}

export async function streamDone(s, timeout = WAIT) {
  await until(`stream ${s.id} published`, async () => {
    const st = await sandbox('GET', `/__sandbox/stream/${s.id}`);
    if (st.error) throw new Error(`stream ${s.id}: ${st.error}`);
    return st.done && st.published === s.count;
  }, timeout);
}

/** 1..n */
export const range = (n) => Array.from({ length: n }, (_, i) => i + 1);

/**
 * Waits until every tab has recorded the whole stream (by name and via
 * `event`), then checks it arrived exactly once, in order, and nothing else
 * numbered came in.
 */
export async function assertStream(tabs, s, timeout = WAIT) {
  await until(`stream ${s.id} (${s.count}) in ${tabs.map((t) => t.name).join(', ')}`, async () => {
    const recs = await Promise.all(tabs.map((t) => t.record()));
    return recs.every((r) => r.byName.length >= s.count && r.viaEvent.length >= s.count);
  }, timeout).catch(async (e) => {
    const recs = await Promise.all(tabs.map((t) => t.record().catch(() => null)));
    const got = recs.map((r, i) => `${tabs[i].name}: ${r?.byName.length} by name, ${r?.viaEvent.length} via event`);
    throw new Error(`${e.message}; ${got.join('; ')}`);
  });
  await sleep(100); // a doubled publication right behind the last one would show
  for (const t of tabs) {
    const r = await t.record();
    for (const [how, list] of [['by name', r.byName], ['via event', r.viaEvent]]) {
      assert.deepEqual(list.map((e) => e.sid).filter((sid) => sid !== s.sid), [], `${t.name} ${how}: nothing from another stream`);
      assert.deepEqual(list.map((e) => e.seq), range(s.count), `${t.name} ${how}: the stream once each, in order`);
    }
  }
}

/** The page must not have crashed, thrown, or left a rejection unhandled. */
export async function assertNoCrash(browser) {
  assert.deepEqual(browser.pageErrors, [], 'no pageerror');
  for (const t of browser.live) {
    assert.deepEqual(await t.page.evaluate(() => window.tab.unhandled), [], `${t.name}: no unhandled rejection`);
  }
}

/**
 * Freezes a tab: it keeps its Web Lock and its socket but runs no script,
 * as a tab the browser froze in the background. Returns { how, thaw }.
 *
 * First through CDP `Page.setWebLifecycleState` { state: 'frozen' } (the
 * page's `freeze` event says it took). Headless Chromium keeps every page
 * visible and leaves a visible page running, so where the page did not
 * freeze its script is paused in the debugger instead (`Debugger.pause`):
 * for the other tabs the same thing, a lock holder that has gone silent.
 */
export async function freeze(page) {
  const cdp = await page.context().newCDPSession(page);
  await page.evaluate(() => {
    window.frozenByTest = false;
    document.addEventListener('freeze', () => { window.frozenByTest = true; }, { once: true });
  });
  await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
  await sleep(200);
  if (await page.evaluate(() => window.frozenByTest)) {
    return { how: 'Page.setWebLifecycleState frozen', thaw: () => cdp.send('Page.setWebLifecycleState', { state: 'active' }) };
  }
  await cdp.send('Page.setWebLifecycleState', { state: 'active' });
  await cdp.send('Debugger.enable');
  const paused = new Promise((resolve) => cdp.once('Debugger.paused', resolve));
  await cdp.send('Debugger.pause');
  let timer;
  await Promise.race([paused, new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('the page did not pause within 5 s')), 5000);
  })]).finally(() => clearTimeout(timer));
  return {
    how: 'Debugger.pause (headless Chromium does not freeze a visible page)',
    thaw: async () => {
      await cdp.send('Debugger.resume');
      await cdp.send('Debugger.disable');
    },
  };
}
