// At least 100 forced socket drops (TCP closed, no close frame) while the
// sandbox publishes a numbered stream: every number arrives once, in order.
// Prints the distribution of reconnect times (disconnected -> connected).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  skip, post, sandbox, resetSandbox, withBrowser, openPage, connectedPanel, waitInPage,
  assertNoCrash, summarize, sleep,
} from './support.mjs';

const DROPS = 100;
// Short delays keep 100 reconnects within about a minute; the sandbox pings
// every 2 s, so pingTimeout only matters if a drop goes unnoticed.
const OPTIONS = { minReconnectDelay: 50, maxReconnectDelay: 300, connectTimeout: 3_000, pingTimeout: 2_000 };

test(`${DROPS} socket drops during a numbered stream lose, duplicate and reorder nothing`,
  { skip, timeout: 240_000 }, async () => {
    await resetSandbox();
    await withBrowser(230_000, async (browser) => {
      const { page, seen } = await openPage(browser);
      await connectedPanel(page, 'p', 'operator@twin.local', OPTIONS);
      // About 60 s of stream at one event per 3 ms; stopped once the drops are done.
      const { streamId } = await post('/__sandbox/stream', { userId: '389', count: 20_000, intervalMs: 3 });
      let dropped = 0;
      let attempts = 0;
      while (dropped < DROPS && attempts < DROPS * 3) {
        attempts += 1;
        const connects = await page.evaluate(() => window.faults.count('p', 'connected'));
        // Let the connection carry some events before cutting it.
        await sleep(40 + (attempts % 5) * 30);
        const { dropped: n } = await post('/__sandbox/faults/drop');
        if (n === 0) continue; // nothing was open to drop: try again
        dropped += 1;
        await waitInPage(page, `reconnect after drop ${dropped}`,
          (c) => window.faults.count('p', 'connected') > c && window.faults.panel('p').state === 'connected',
          connects, 15_000);
      }
      assert.equal(dropped, DROPS, `${DROPS} drops hit a live socket (${attempts} attempts)`);

      await sandbox('DELETE', `/__sandbox/stream/${streamId}`);
      let status = await sandbox('GET', `/__sandbox/stream/${streamId}`);
      for (let i = 0; i < 50 && !status.done; i += 1) {
        await sleep(100);
        status = await sandbox('GET', `/__sandbox/stream/${streamId}`);
      }
      assert.ok(status.done, 'the stream stopped');
      assert.equal(status.error ?? '', '', 'the stream published without error');
      const published = status.published;
      assert.ok(published > 1_000, `a real stream ran during the drops (${published} published)`);
      await waitInPage(page, `all ${published} events`, (n) => window.faults.seqCount('p') >= n, published, 30_000);
      await sleep(300); // anything duplicated would arrive now

      const result = await page.evaluate(() => {
        const rec = window.faults.rec('p');
        const seqs = rec.seqs;
        let firstBad = -1;
        for (let i = 0; i < seqs.length; i += 1) {
          if (seqs[i] !== i + 1) { firstBad = i; break; }
        }
        // Reconnect time: each `disconnected` (reconnect: true) to the next `connected`.
        const times = [];
        let lostAt = null;
        for (const e of rec.events) {
          if (e.event === 'disconnected' && e.payload.reconnect) lostAt = e.at;
          if (e.event === 'connected' && lostAt !== null) { times.push(e.at - lostAt); lostAt = null; }
        }
        const codes = {};
        for (const e of rec.events) {
          if (e.event === 'disconnected') codes[e.payload.code] = (codes[e.payload.code] ?? 0) + 1;
        }
        return {
          received: seqs.length,
          firstBad,
          around: firstBad < 0 ? [] : seqs.slice(Math.max(0, firstBad - 3), firstBad + 3),
          times,
          codes,
          resyncs: window.faults.count('p', 'resync'),
          errors: window.faults.events('p', 'error').map((e) => e.error),
        };
      });
      assert.equal(result.firstBad, -1, `order broken at index ${result.firstBad}: ${result.around}`);
      assert.equal(result.received, published, 'every published number exactly once');
      assert.equal(result.resyncs, 0, 'history covered every gap: no resync');
      assert.ok(result.times.length >= DROPS, `${result.times.length} reconnects measured`);
      const s = summarize(result.times);
      console.log(`drops: ${dropped} drops, ${published} events, 0 lost, 0 duplicated; reconnect ms `
        + `min ${s.min.toFixed(1)} median ${s.median.toFixed(1)} p90 ${s.p90.toFixed(1)} max ${s.max.toFixed(1)} `
        + `(n=${s.n}); disconnect codes ${JSON.stringify(result.codes)}`);
      await assertNoCrash(page, seen);
    });
  });
