// free() at any moment, logout() during login(), and panel.status, in
// Chromium against the sandbox. Each moment is held open with the sandbox's
// HTTP delay switch, so free() really comes while the call is in flight.
// Every test checks: the waiting promise rejects with a TwinError (`freed`,
// or `loggedOut` for a login that logout() overtook), a second free() does
// nothing, and the page saw no uncaught error and no unhandled rejection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  skip, post, stats, resetSandbox, withBrowser, openPage, connectedPanel, waitInPage,
  assertNoCrash, publish, sleep,
} from './support.mjs';

const DELAY = { delayMs: 1_500, delayNext: 1 };
const FAST = { minReconnectDelay: 50, maxReconnectDelay: 300, connectTimeout: 3_000, pingTimeout: 1_000 };

/**
 * Starts `start(panel)` in the page, waits `afterMs`, frees the panel twice,
 * and returns how the promise settled plus what the panel says afterwards.
 */
async function freeDuring(page, name, start, afterMs, options = {}) {
  return page.evaluate(async ([n, body, after, o]) => {
    const f = window.faults;
    f.create(n, o);
    const panel = f.panel(n);
    // eslint-disable-next-line no-new-func
    const pending = f.settle(new Function('panel', 'f', body)(panel, f));
    await new Promise((resolve) => setTimeout(resolve, after));
    panel.free();
    let second = 'no-op';
    try {
      panel.free();
    } catch (e) {
      second = `threw ${e}`;
    }
    const settled = await pending;
    let later;
    try {
      later = await f.settle(panel.listSessions());
    } catch (e) {
      later = { threw: String(e) };
    }
    return { settled, second, state: panel.state, later };
  }, [name, start, afterMs, options]);
}

function assertFreed(result, what) {
  assert.equal(result.settled.ok, false, `${what}: the promise rejects`);
  assert.equal(result.settled.error.isTwinError, true, `${what}: with a TwinError`);
  assert.equal(result.settled.error.code, 'freed', `${what}: code freed (${result.settled.error.message})`);
  assert.equal(result.second, 'no-op', `${what}: a second free() does nothing`);
  assert.equal(result.state, 'disconnected', `${what}: state after free()`);
  assert.equal(result.later.ok, false, `${what}: a call after free() rejects`);
  assert.equal(result.later.error.code, 'freed', `${what}: with freed`);
}

test('free() during login(), connect(), a REST call, a refresh and inbox.load()', { skip, timeout: 90_000 }, async () => {
  await resetSandbox();
  await withBrowser(80_000, async (browser) => {
    const { page, seen } = await openPage(browser);

    await post('/__sandbox/faults/http', { pathPrefix: '/iam/api/v1/auth/login', ...DELAY });
    assertFreed(await freeDuring(page, 'login',
      "return panel.login({ email: 'operator@twin.local', password: 'operator' });", 200), 'login');

    const tokens = await page.evaluate(async () => {
      const f = window.faults;
      f.create('t');
      const pair = await f.login('t', 'dev@twin.local');
      f.drop('t');
      return pair;
    });
    assertFreed(await freeDuring(page, 'connect',
      `panel.useTokens(${JSON.stringify(tokens)}); return panel.connect();`, 0, { shareAcrossTabs: false }), 'connect');

    await post('/__sandbox/faults/http', { pathPrefix: '/chat/api/v1/sessions', ...DELAY });
    assertFreed(await freeDuring(page, 'rest',
      `panel.useTokens(${JSON.stringify(tokens)}); return panel.listSessions();`, 200, { shareAcrossTabs: false }), 'REST call');

    // An expired token: the call first refreshes it, and free() comes during the refresh.
    await post('/__sandbox/tokens/expire', { userId: '472' });
    await post('/__sandbox/faults/http', { pathPrefix: '/iam/api/v1/auth/refresh', ...DELAY });
    assertFreed(await freeDuring(page, 'refresh',
      `panel.useTokens(${JSON.stringify(tokens)}); return panel.me();`, 200, { shareAcrossTabs: false }), 'refresh');

    const fresh = await page.evaluate(async () => {
      const f = window.faults;
      f.create('u');
      const pair = await f.login('u', 'third@twin.local');
      f.drop('u');
      return pair;
    });
    await post('/__sandbox/faults/http', { pathPrefix: '/chat/api/v1/sessions', ...DELAY });
    assertFreed(await freeDuring(page, 'inbox',
      `panel.useTokens(${JSON.stringify(fresh)}); return panel.inbox.load();`, 200, { shareAcrossTabs: false }), 'inbox.load()');

    await assertNoCrash(page, seen);
  });
});

test('free() during a sharing join and lock request, and inside listeners', { skip, timeout: 90_000 }, async () => {
  await resetSandbox();
  await withBrowser(80_000, async (browser) => {
    const { page, seen } = await openPage(browser);
    const tokens = await page.evaluate(async () => {
      const f = window.faults;
      f.create('t', { shareAcrossTabs: false });
      const pair = await f.login('t', 'operator@twin.local');
      f.drop('t');
      return pair;
    });
    // useTokens joins the operator's group and asks for the Web Lock; free() comes at once.
    const joining = await freeDuring(page, 'join',
      `panel.useTokens(${JSON.stringify(tokens)}); return panel.connect();`, 0);
    assertFreed(joining, 'join');

    // free() inside listeners: `connected`, `disconnected` (it reads the
    // panel, which must still answer), and a publication's.
    const inListeners = await page.evaluate(async (pair) => {
      const f = window.faults;
      const out = {};
      for (const event of ['connected', 'chatMessageCreated', 'disconnected']) {
        f.create(event, { shareAcrossTabs: false });
        const panel = f.panel(event);
        panel.useTokens(pair);
        const freedIn = new Promise((resolve) => {
          panel.on(event, () => {
            const before = panel.state;
            panel.free();
            panel.free();
            resolve({ before, after: panel.state, sharing: panel.sharing.role });
          });
          if (event === 'disconnected') {
            panel.on('connected', () => panel.disconnect());
          }
        });
        await panel.connect();
        if (event === 'chatMessageCreated') {
          await fetch('/__sandbox/publish', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'X-Sandbox-Control': '1' },
            body: JSON.stringify({ userId: '389', event: 'chatMessageCreated', data: { seq: 1 } }),
          });
        }
        out[event] = await Promise.race([freedIn, new Promise((r) => setTimeout(() => r('listener never ran'), 10_000))]);
      }
      return out;
    }, tokens);
    assert.equal(inListeners.connected.after, 'disconnected');
    assert.equal(inListeners.chatMessageCreated.after, 'disconnected');
    assert.equal(inListeners.disconnected.before, 'disconnected', 'the panel answers inside its disconnected listener');
    await sleep(500);
    assert.equal((await stats()).activeConnections, 0, 'no socket left open');
    await assertNoCrash(page, seen);
  });
});

test('free() during widget start(), and logout() during login()', { skip, timeout: 90_000 }, async () => {
  await resetSandbox();
  await withBrowser(80_000, async (browser) => {
    const { page, seen } = await openPage(browser);
    await post('/__sandbox/faults/http', { pathPrefix: '/chat/api/v1/chats/', ...DELAY });
    const widget = await page.evaluate(async (origin) => {
      const { ChatWidget } = await import('/pkg/widget/index.js');
      const f = window.faults;
      const w = new ChatWidget({ chatId: 'chat-web-1', chatUrl: `${origin}/chat/api/v1` });
      const pending = f.settle(w.start({ clientName: 'Free' }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      w.free();
      w.free();
      const settled = await pending;
      const later = await f.settle(w.send('after free'));
      let typing;
      try { w.typing(); typing = 'no error'; } catch (e) { typing = e.code; }
      return { settled, later, typing, state: w.state };
    }, await page.evaluate(() => location.origin));
    assert.equal(widget.settled.error?.code, 'freed', JSON.stringify(widget.settled));
    assert.equal(widget.later.error?.code, 'freed');
    assert.equal(widget.typing, 'freed');
    assert.equal(widget.state, 'disconnected');

    await post('/__sandbox/faults/http', { pathPrefix: '/iam/api/v1/auth/login', ...DELAY });
    const before = (await stats()).connects;
    const loggedOut = await page.evaluate(async () => {
      const f = window.faults;
      f.create('l');
      const panel = f.panel('l');
      const login = f.settle(panel.login({ email: 'dev@twin.local', password: 'operator' }).then(() => panel.connect()));
      await new Promise((resolve) => setTimeout(resolve, 200));
      panel.logout();
      const settled = await login;
      const connect = await f.settle(panel.connect());
      return { settled, connect, state: panel.state };
    });
    assert.equal(loggedOut.settled.ok, false, 'the login rejects');
    assert.equal(loggedOut.settled.error.code, 'loggedOut');
    assert.equal(loggedOut.connect.error?.code, 'notAuthenticated', 'no token was kept');
    assert.equal(loggedOut.state, 'disconnected');
    await sleep(300);
    assert.equal((await stats()).connects, before, 'no connection opened');
    await assertNoCrash(page, seen);
  });
});

test("React StrictMode's mount, unmount, mount: no uncaught error, one connection", { skip, timeout: 60_000 }, async () => {
  await resetSandbox();
  await withBrowser(50_000, async (browser) => {
    const { page, seen } = await openPage(browser);
    const outcome = await page.evaluate(async () => {
      const f = window.faults;
      const creds = { email: 'operator@twin.local', password: 'operator' };
      f.create('a');
      const a = f.panel('a');
      const pa = f.settle(a.login(creds).then(() => a.connect()));
      a.free();
      f.create('b');
      const b = f.panel('b');
      await b.login(creds);
      await b.connect();
      return { first: await pa, state: b.state };
    });
    assert.equal(outcome.first.error?.code, 'freed', JSON.stringify(outcome.first));
    assert.equal(outcome.state, 'connected');
    await sleep(500);
    await assertNoCrash(page, seen);
  });
});

test('panel.status: one store, a snapshot that changes only with the state or the sharing', { skip, timeout: 60_000 }, async () => {
  await resetSandbox();
  await withBrowser(50_000, async (browser) => {
    const { page, seen } = await openPage(browser);
    const result = await page.evaluate(async () => {
      const f = window.faults;
      f.create('s');
      const panel = f.panel('s');
      const status = panel.status;
      const { subscribe, getSnapshot } = status;
      const seen = [];
      let notifications = 0;
      const unsubscribe = subscribe(() => {
        notifications += 1;
        seen.push(getSnapshot());
      });
      const first = getSnapshot();
      const same = getSnapshot() === first && panel.status === status && Object.isFrozen(first);
      await f.login('s', 'operator@twin.local');
      await panel.connect();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const connected = getSnapshot();
      panel.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const after = getSnapshot();
      unsubscribe();
      return {
        same,
        first,
        connected,
        after,
        states: seen.map((s) => s.state),
        roles: seen.map((s) => s.sharing.role),
        distinct: seen.every((s, i) => i === 0 || s !== seen[i - 1]),
        notifications,
      };
    });
    assert.equal(result.same, true, 'the same frozen snapshot and store until something changes');
    assert.deepEqual(result.first, { state: 'disconnected', sharing: { role: 'off', tabs: 1 } });
    assert.deepEqual(result.connected, { state: 'connected', sharing: { role: 'leader', tabs: 1 } });
    assert.equal(result.after.state, 'disconnected');
    assert.ok(!result.roles.includes('follower'), `a lone tab is never a follower: ${result.roles}`);
    assert.ok(result.states.includes('connected'), `${result.states}`);
    assert.ok(result.distinct, 'each notification saw a new snapshot');
    await assertNoCrash(page, seen);
  });
});

test('under a stream, panels freed at random moments leave no error behind', { skip, timeout: 120_000 }, async () => {
  await resetSandbox();
  await withBrowser(110_000, async (browser) => {
    const { page, seen } = await openPage(browser);
    // One login: a second one of a connected operator is a forced logout in the sandbox.
    const tokens = await connectedPanel(page, 'watch', 'operator@twin.local', { ...FAST, shareAcrossTabs: false });
    await post('/__sandbox/stream', { userId: '389', count: 3_000, intervalMs: 2 });
    const rounds = await page.evaluate(async (pair) => {
      const f = window.faults;
      const outcomes = [];
      let seed = 12345;
      const next = (n) => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % n;
      };
      for (let i = 0; i < 30; i += 1) {
        const name = `r${i}`;
        f.create(name, { shareAcrossTabs: false });
        const panel = f.panel(name);
        panel.useTokens(pair);
        const pending = f.settle(panel.connect().then(() => panel.inbox.load()));
        const when = next(4);
        if (when === 0) panel.free();
        else await new Promise((resolve) => setTimeout(resolve, next(300)));
        panel.free();
        const settled = await pending;
        outcomes.push(settled.ok ? 'ok' : settled.error.code);
      }
      return outcomes;
    }, tokens);
    for (const code of rounds) assert.ok(['ok', 'freed'].includes(code), `round settled with ${code}: ${rounds}`);
    await waitInPage(page, 'the watching panel still connected', () => window.faults.panel('watch').state === 'connected');
    await assertNoCrash(page, seen);
  });
});
