// Server-side lifecycle faults: a node restart that loses history, terminal
// close codes, and a server that goes silent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  skip, post, stats, resetSandbox, withBrowser, openPage, connectedPanel, waitInPage,
  assertNoCrash, publish, sleep,
} from './support.mjs';

const FAST = { minReconnectDelay: 50, maxReconnectDelay: 300, connectTimeout: 3_000, pingTimeout: 1_000 };

test('a restart that loses history ends in resync, and events flow again', { skip, timeout: 60_000 }, async () => {
  await resetSandbox();
  await withBrowser(50_000, async (browser) => {
    const { page, seen } = await openPage(browser);
    await connectedPanel(page, 'p', 'operator@twin.local', FAST);
    await publish(389, 'chatMessageCreated', { seq: 1 });
    await waitInPage(page, 'the first event', () => window.faults.seqCount('p') === 1);
    const { epochChanged } = await post('/__sandbox/faults/restart');
    assert.ok(epochChanged !== false, 'the node was replaced');
    await waitInPage(page, 'resync', () => window.faults.count('p', 'resync') === 1);
    const resync = (await page.evaluate(() => window.faults.events('p', 'resync')))[0].payload;
    assert.equal(resync.reason, 'epochChanged');
    assert.deepEqual(resync.channels, ['operator:389']);
    await waitInPage(page, 'connected again', () => window.faults.panel('p').state === 'connected');
    await publish(389, 'chatMessageCreated', { seq: 2 });
    await waitInPage(page, 'an event after the restart', () => window.faults.seqCount('p') === 2);
    assert.deepEqual(await page.evaluate(() => window.faults.rec('p').seqs), [1, 2]);
    await assertNoCrash(page, seen);
  });
});

test('terminal close codes 3501 and 4503 stop the panel: no connect for 5 s', { skip, timeout: 60_000 }, async () => {
  await resetSandbox();
  await withBrowser(50_000, async (browser) => {
    const { page, seen } = await openPage(browser);
    // Two operators, one code each, watched over the same 5 s.
    await connectedPanel(page, 'a', 'dev@twin.local', FAST);
    await connectedPanel(page, 'b', 'third@twin.local', FAST);
    await post('/__sandbox/faults/close', { userId: '472', code: 3501, reason: 'bad request' });
    await post('/__sandbox/faults/close', { userId: '494', code: 4503, reason: 'operator blocked' });
    await waitInPage(page, 'both disconnected',
      () => window.faults.count('a', 'disconnected') >= 1 && window.faults.count('b', 'disconnected') >= 1);
    const before = (await stats()).connects;
    await sleep(5_000);
    const after = (await stats()).connects;
    assert.equal(after, before, 'no connect attempt reached the server in 5 s');
    for (const [name, code] of [['a', 3501], ['b', 4503]]) {
      const result = await page.evaluate((n) => ({
        state: window.faults.panel(n).state,
        lost: window.faults.events(n, 'disconnected').map((e) => e.payload),
        connecting: window.faults.count(n, 'connecting'),
      }), name);
      assert.equal(result.state, 'disconnected', `${code}: state`);
      assert.equal(result.lost.length, 1, `${code}: one disconnected event`);
      assert.equal(result.lost[0].code, code);
      assert.equal(result.lost[0].reconnect, false, `${code}: reconnect false`);
      assert.equal(result.connecting, 1, `${code}: no connecting after the close`);
    }
    await assertNoCrash(page, seen);
  });
});

test('a silent server is detected and the panel reconnects', { skip, timeout: 60_000 }, async () => {
  await resetSandbox();
  await withBrowser(50_000, async (browser) => {
    const { page, seen } = await openPage(browser);
    await connectedPanel(page, 'p', 'operator@twin.local', FAST);
    await post('/__sandbox/faults/silence', { on: true });
    try {
      // 2 s ping interval + 1 s pingTimeout: the link counts as dead after about 3 s.
      await waitInPage(page, 'silence detected', () => window.faults.count('p', 'disconnected') >= 1, undefined, 20_000);
    } finally {
      await post('/__sandbox/faults/silence', { on: false });
    }
    const lost = (await page.evaluate(() => window.faults.events('p', 'disconnected')))[0].payload;
    assert.equal(lost.code, 2, 'no ping');
    assert.equal(lost.reconnect, true);
    await waitInPage(page, 'reconnected', () => window.faults.count('p', 'connected') >= 2
      && window.faults.panel('p').state === 'connected', undefined, 20_000);
    await publish(389, 'chatMessageCreated', { seq: 1 });
    await waitInPage(page, 'an event after the silence', () => window.faults.seqCount('p') === 1);
    await assertNoCrash(page, seen);
  });
});

test('free() from a listener of connect(), disconnect() or logout() is safe', { skip, timeout: 60_000 }, async () => {
  await resetSandbox();
  await withBrowser(50_000, async (browser) => {
    const { page, seen } = await openPage(browser);
    const outcome = await page.evaluate(async (urls) => {
      const { OperatorPanel } = window.faults.mod;
      const results = {};
      const settle = async (name, run) => {
        try {
          await run();
          results[name] = 'ok';
        } catch (e) {
          results[name] = `threw: ${e?.message ?? e}`;
        }
      };
      const panel = async (listenOn) => {
        const p = new OperatorPanel(urls);
        await p.login({ email: 'operator@twin.local', password: 'operator' });
        let freed = false;
        p.on(listenOn, () => {
          if (!freed) {
            freed = true;
            p.free();
          }
        });
        return { p, freed: () => freed };
      };
      // `connecting` fires inside connect(), `disconnected` inside
      // disconnect() and logout(): each listener frees the panel.
      await settle('connect', async () => {
        const { p, freed } = await panel('connecting');
        await p.connect().catch(() => {});
        await new Promise((r) => setTimeout(r, 50));
        if (!freed()) throw new Error('listener did not run');
      });
      await settle('disconnect', async () => {
        const { p, freed } = await panel('disconnected');
        await p.connect();
        p.disconnect();
        await new Promise((r) => setTimeout(r, 50));
        if (!freed()) throw new Error('listener did not run');
      });
      await settle('logout', async () => {
        const { p, freed } = await panel('disconnected');
        await p.connect();
        p.logout();
        await new Promise((r) => setTimeout(r, 50));
        if (!freed()) throw new Error('listener did not run');
      });
      return results;
    }, await page.evaluate(() => window.faults.urls));
    assert.deepEqual(outcome, { connect: 'ok', disconnect: 'ok', logout: 'ok' });
    await assertNoCrash(page, seen);
  });
});
