// REST under faults: 5xx bursts, answers slower than the timeout, and 401/403
// storms while the token is being refreshed. Requests are counted from the
// page's own request log, so "retried once" is exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  skip, post, stats, resetSandbox, withBrowser, openPage, assertNoCrash,
} from './support.mjs';

const TIMESTAMP = '/chat/api/v1/timestamp';

async function loggedIn(page, name, options = {}) {
  await page.evaluate(async ([n, o]) => {
    window.faults.create(n, o);
    await window.faults.login(n, 'operator@twin.local');
  }, [name, options]);
}

const requestsTo = (seen, path, method = 'GET') =>
  seen.requests.filter((r) => r.method === method && new URL(r.url).pathname === path).length;

test('a 5xx burst: each GET is retried once only, then rejects with a retryable TwinError', { skip, timeout: 60_000 }, async () => {
  await resetSandbox();
  await withBrowser(50_000, async (browser) => {
    const { page, seen } = await openPage(browser);
    await loggedIn(page, 'p');

    // One failure: the single retry hides it.
    await post('/__sandbox/faults/http', { failNext: 1, status: 500, pathPrefix: TIMESTAMP });
    let before = requestsTo(seen, TIMESTAMP);
    const one = await page.evaluate(() => window.faults.settle(window.faults.panel('p').serverTime()));
    assert.equal(one.ok, true, 'retried once past one 500');
    assert.equal(requestsTo(seen, TIMESTAMP) - before, 2);

    // A burst of 10 failures against 5 calls in a row: each call makes exactly two attempts.
    await post('/__sandbox/faults/http', { failNext: 10, status: 503, pathPrefix: TIMESTAMP });
    before = requestsTo(seen, TIMESTAMP);
    for (let i = 0; i < 5; i += 1) {
      const r = await page.evaluate(() => window.faults.settle(window.faults.panel('p').serverTime()));
      assert.equal(r.ok, false, `call ${i + 1} fails`);
      assert.equal(r.error.isTwinError, true);
      assert.equal(r.error.isError, true);
      assert.equal(r.error.status, 503);
      assert.equal(r.error.code, 'serverError');
      assert.equal(r.error.retryable, true);
    }
    assert.equal(requestsTo(seen, TIMESTAMP) - before, 10, 'two attempts per call, never more');
    const after = await page.evaluate(() => window.faults.settle(window.faults.panel('p').serverTime()));
    assert.equal(after.ok, true, 'the burst is over');

    // A POST is never repeated: it may have taken effect.
    await post('/__sandbox/faults/http', { failNext: 1, status: 502, pathPrefix: '/chat/api/v1/users/me/pause' });
    before = seen.requests.length;
    const pause = await page.evaluate(() => window.faults.settle(window.faults.panel('p').pause()));
    assert.equal(pause.ok, false);
    assert.equal(pause.error.status, 502);
    assert.equal(pause.error.retryable, true);
    const pauses = seen.requests.slice(before).filter((r) => r.url.includes('/users/me/pause')).length;
    assert.equal(pauses, 1, 'the POST was sent once');
    await assertNoCrash(page, seen);
  });
});

test('an answer slower than the timeout rejects with TwinError code timeout', { skip, timeout: 60_000 }, async () => {
  await resetSandbox();
  await withBrowser(50_000, async (browser) => {
    const { page, seen } = await openPage(browser);
    await loggedIn(page, 'p', { timeout: 400 });
    await post('/__sandbox/faults/http', { delayNext: 2, delayMs: 2_000, pathPrefix: TIMESTAMP });
    const r = await page.evaluate(() => window.faults.settle(window.faults.panel('p').serverTime()));
    assert.equal(r.ok, false);
    assert.equal(r.error.isTwinError, true);
    assert.equal(r.error.code, 'timeout');
    assert.equal(r.error.status, 0);
    assert.equal(r.error.retryable, true);
    await post('/__sandbox/faults/reset');
    await assertNoCrash(page, seen);
  });
});

test('20 concurrent calls after the tokens expire share exactly one refresh', { skip, timeout: 60_000 }, async () => {
  await resetSandbox();
  await withBrowser(50_000, async (browser) => {
    const { page, seen } = await openPage(browser);
    await loggedIn(page, 'p');
    await post('/__sandbox/stats/reset');
    await post('/__sandbox/tokens/expire');
    const results = await page.evaluate(() => Promise.all(
      Array.from({ length: 20 }, () => window.faults.settle(window.faults.panel('p').me())),
    ));
    assert.deepEqual(results.filter((r) => !r.ok), [], 'all 20 succeed');
    assert.ok(results.every((r) => r.value.id === 389));
    assert.equal((await stats()).refreshes, 1, 'exactly one refresh');
    assert.equal(await page.evaluate(() => window.faults.count('p', 'tokenRefreshed')), 1);
    await assertNoCrash(page, seen);
  });
});

test('a 403 storm: one refresh, then every call is retried once and succeeds', { skip, timeout: 60_000 }, async () => {
  await resetSandbox();
  await withBrowser(50_000, async (browser) => {
    const { page, seen } = await openPage(browser);
    await loggedIn(page, 'p');
    await post('/__sandbox/stats/reset');
    // The platform answers 403 to a revoked token; its advice is to refresh on any 403.
    await post('/__sandbox/faults/http', {
      failNext: 20, status: 403, error: 'Access token revoked.', details: { reason: 'test' },
      pathPrefix: '/iam/api/v1/users/me',
    });
    const before = requestsTo(seen, '/iam/api/v1/users/me');
    const results = await page.evaluate(() => Promise.all(
      Array.from({ length: 20 }, () => window.faults.settle(window.faults.panel('p').me())),
    ));
    assert.deepEqual(results.filter((r) => !r.ok), [], 'all 20 succeed after the refresh');
    assert.equal((await stats()).refreshes, 1, 'exactly one refresh');
    assert.equal(requestsTo(seen, '/iam/api/v1/users/me') - before, 40, 'each call: the 403, then one retry');
    assert.equal(requestsTo(seen, '/iam/api/v1/auth/refresh', 'POST'), 1);

    // A 403 with the token a 403 already renewed is the caller's answer (a
    // plain permission error): no second refresh, no loop, no logout.
    await post('/__sandbox/faults/http', {
      failNext: 1, status: 403, error: 'Access token revoked.', pathPrefix: '/iam/api/v1/users/me',
    });
    const stuck = await page.evaluate(() => window.faults.settle(window.faults.panel('p').me()));
    assert.equal(stuck.ok, false);
    assert.equal(stuck.error.isTwinError, true);
    assert.equal(stuck.error.status, 403);
    assert.equal(stuck.error.code, 'forbidden');
    assert.equal(stuck.error.message, 'Access token revoked.');
    assert.equal((await stats()).refreshes, 1, 'no second refresh for the same token');
    const again = await page.evaluate(() => window.faults.settle(window.faults.panel('p').me()));
    assert.equal(again.ok, true, 'still logged in');
    await assertNoCrash(page, seen);
  });
});
