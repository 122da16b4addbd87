// Malformed server frames: each ends in a defined event (an `error` carrying
// a TwinError, then a reconnect), never a page crash or an unhandled
// rejection, and the panel keeps receiving publications afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  skip, post, resetSandbox, withBrowser, openPage, connectedPanel, waitInPage, assertNoCrash, publish,
} from './support.mjs';

const FAST = { minReconnectDelay: 50, maxReconnectDelay: 300, connectTimeout: 5_000, pingTimeout: 2_000 };

const FRAMES = [
  ['garbage text', { payload: 'this is not JSON \u0000\u00ff ☃' }],
  ['truncated JSON', { payload: '{"push":{"channel":"operator:389","pub":{"data":{"event":"chatMes' }],
  ['wrong types', { payload: '{"push":{"channel":"operator:389","pub":{"data":{},"offset":"7"}}}' }],
  ['an array, not a reply object', { payload: '[1,2]' }],
  ['a 10 MB frame', { repeat: 'x', size: 10 * 1024 * 1024 }],
];

test('malformed frames end in error + reconnect, and the panel keeps working', { skip, timeout: 120_000 }, async () => {
  await resetSandbox();
  await withBrowser(110_000, async (browser) => {
    const { page, seen } = await openPage(browser);
    await connectedPanel(page, 'p', 'operator@twin.local', FAST);
    let seq = 0;
    for (const [what, body] of FRAMES) {
      const before = await page.evaluate(() => ({
        errors: window.faults.count('p', 'error'),
        connected: window.faults.count('p', 'connected'),
      }));
      const { sent } = await post('/__sandbox/faults/garbage', body);
      assert.equal(sent, 1, `${what}: sent to the one socket`);
      await waitInPage(page, `${what}: error event`, (b) => window.faults.count('p', 'error') > b.errors, before);
      await waitInPage(page, `${what}: reconnect`, (b) => window.faults.count('p', 'connected') > b.connected
        && window.faults.panel('p').state === 'connected', before, 20_000);
      const error = (await page.evaluate(() => window.faults.events('p', 'error'))).at(-1).error;
      assert.equal(error.isTwinError, true, `${what}: a TwinError`);
      assert.equal(error.isError, true);
      assert.equal(error.code, 'protocol', `${what}: code`);
      assert.equal(typeof error.message, 'string');
      assert.ok(error.message.length < 500, `${what}: the message does not quote the frame`);
      const lost = (await page.evaluate(() => window.faults.events('p', 'disconnected'))).at(-1).payload;
      assert.equal(lost.reconnect, true, `${what}: the panel comes back by itself`);

      seq += 1;
      await publish(389, 'chatMessageCreated', { seq });
      await waitInPage(page, `${what}: a publication afterwards`, (n) => window.faults.seqCount('p') === n, seq);
    }
    assert.deepEqual(await page.evaluate(() => window.faults.rec('p').seqs), [1, 2, 3, 4, 5]);
    await assertNoCrash(page, seen);
  });
});
