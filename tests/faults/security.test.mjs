// Security checks from outside the page: secrets never reach URLs, console
// output or TwinError messages; request() refuses foreign hosts; hostile
// publication data is delivered as plain data and nothing is evaluated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  skip, post, resetSandbox, withBrowser, openPage, waitInPage, assertNoCrash, sandbox, connectedPanel,
} from './support.mjs';

test('tokens and passwords stay out of URLs, console output and error messages', { skip, timeout: 90_000 }, async () => {
  await resetSandbox();
  await withBrowser(80_000, async (browser) => {
    const { page, seen } = await openPage(browser);
    // A wrong, distinctive password: the seeded one ("operator") is also a
    // word of ordinary URLs, so it could not be looked for.
    const wrongPassword = `Wr0ng-Pa55-${Date.now()}`;
    const flow = await page.evaluate(async (badPassword) => {
      const f = window.faults;
      const errors = [];
      const note = (r) => { if (!r.ok) errors.push(r.error); return r; };
      f.create('p', { minReconnectDelay: 50, maxReconnectDelay: 300 });
      const panel = f.panel('p');
      note(await f.settle(panel.login({ email: 'operator@twin.local', password: badPassword })));
      const tokens = await panel.login({ email: 'operator@twin.local', password: 'operator' });
      await panel.connect();
      note(await f.settle(panel.me()));
      note(await f.settle(panel.serverTime()));
      note(await f.settle(panel.listSessions({ limit: 5, status: 'ACTIVE' })));
      note(await f.settle(panel.sessionMessages('5e550000-0000-4000-8000-000000000001', { limit: 3 })));
      note(await f.settle(panel.getSession('00000000-0000-4000-8000-00000000dead')));
      note(await f.settle(panel.sendMessage('5e550000-0000-4000-8000-000000000007', { body: 'x' })));
      note(await f.settle(panel.request('GET', '/timestamp')));
      note(await f.settle(panel.request('GET', 'https://example.com/x')));
      const forbidden = errors.at(-1);
      return { tokens, forbidden, errors };
    }, wrongPassword);
    assert.equal(flow.forbidden.code, 'forbiddenUrl', 'request() to a foreign host is refused');
    assert.equal(flow.forbidden.isTwinError, true);
    assert.ok(!seen.requests.some((r) => new URL(r.url).hostname === 'example.com'), 'nothing was sent to example.com');
    assert.ok(flow.errors.some((e) => e.status === 401), 'the wrong password failed');
    assert.ok(flow.errors.some((e) => e.status === 404), 'an unknown session failed');
    assert.ok(flow.errors.some((e) => e.status === 403), 'a foreign session failed');

    // A refresh (tokens expired), then a refresh refused (a refresh token the
    // server never issued): the failures' messages must not carry either.
    await post('/__sandbox/tokens/expire');
    const refreshed = await page.evaluate(() => window.faults.settle(window.faults.panel('p').me()));
    assert.equal(refreshed.ok, true, 'refreshed and retried');
    const fakeRefresh = `rt-secret-${Date.now()}`;
    const refreshedTokens = await page.evaluate((rt) => {
      const current = window.faults.events('p', 'tokenRefreshed').at(-1).payload;
      window.faults.panel('p').useTokens({ token: current.token, refreshToken: rt });
      return current;
    }, fakeRefresh);
    await post('/__sandbox/tokens/expire');
    const refused = await page.evaluate(() => window.faults.settle(window.faults.panel('p').me()));
    assert.equal(refused.ok, false);
    assert.equal(refused.error.status, 401);
    const lateErrors = await page.evaluate(() => window.faults.events('p', 'error').map((e) => e.error));

    const secrets = [
      ['access token', flow.tokens.token],
      ['refresh token', flow.tokens.refreshToken],
      ['refreshed access token', refreshedTokens.token],
      ['refreshed refresh token', refreshedTokens.refreshToken],
      ['unknown refresh token', fakeRefresh],
      ['password', wrongPassword],
    ];
    const urls = [...seen.requests.map((r) => r.url), ...seen.websockets];
    const messages = [...flow.errors, refused.error, ...lateErrors].map((e) => `${e.message} ${e.details ?? ''}`);
    assert.ok(urls.length > 10, `requests were recorded (${urls.length})`);
    for (const [what, secret] of secrets) {
      assert.equal(typeof secret, 'string');
      assert.ok(secret.length >= 16, `${what} is long enough to look for`);
      for (const url of urls) assert.ok(!url.includes(secret) && !url.includes(encodeURIComponent(secret)), `${what} in URL ${url}`);
      for (const line of seen.console) assert.ok(!line.includes(secret), `${what} in console output`);
      for (const m of messages) assert.ok(!m.includes(secret), `${what} in a TwinError message`);
    }
    for (const url of urls) {
      const u = new URL(url);
      assert.equal(u.password, '', `no credentials in ${url}`);
      assert.ok(!/password|token/i.test(u.search), `no secret-looking query parameter in ${url}`);
    }
    // The passwords travel in login bodies only.
    const logins = seen.requests.filter((r) => r.url.endsWith('/auth/login'));
    assert.ok(logins.length >= 2 && logins.every((r) => r.method === 'POST'));
    await assertNoCrash(page, seen);
  });
});

test('hostile publication data is plain data: nothing evaluated, no prototype pollution', { skip, timeout: 60_000 }, async () => {
  await resetSandbox();
  await withBrowser(50_000, async (browser) => {
    const { page, seen } = await openPage(browser);
    await page.evaluate(async () => {
      window.faults.create('p');
      await window.faults.login('p', 'operator@twin.local');
      await window.faults.panel('p').connect();
    });
    // Written as text so "__proto__" is a real key of the JSON, as a server would send it.
    const xss = '<img src=x onerror=alert(1)>';
    const raw = `{"userId":"389","event":"chatMessageCreated","data":{"id":"m-xss","body":${JSON.stringify(xss)},`
      + '"__proto__":{"polluted":"yes","toString":"nope"},'
      + '"nested":{"__proto__":{"isAdmin":true}},"constructor":{"prototype":{"polluted2":"yes"}}}}';
    await sandbox('POST', '/__sandbox/publish', raw);
    await waitInPage(page, 'the hostile publication', () => window.faults.rec('p').payloads.length === 1);
    const result = await page.evaluate(() => {
      const data = window.faults.rec('p').payloads[0];
      const envelope = window.faults.rec('p').all.at(-1);
      return {
        body: data.body,
        ownProto: Object.prototype.hasOwnProperty.call(data, '__proto__'),
        protoIsObject: Object.getPrototypeOf(data) === Object.prototype,
        nestedOwnProto: Object.prototype.hasOwnProperty.call(data.nested, '__proto__'),
        polluted: ({}).polluted ?? null,
        polluted2: ({}).polluted2 ?? null,
        isAdmin: ({}).isAdmin ?? null,
        toStringIsNative: typeof ({}).toString === 'function',
        envelopeEvent: envelope.event,
        envelopeBody: envelope.data.body,
        images: document.querySelectorAll('img').length,
      };
    });
    assert.equal(result.body, xss, 'the markup arrives as a string');
    assert.equal(result.envelopeEvent, 'chatMessageCreated');
    assert.equal(result.envelopeBody, xss);
    assert.equal(result.ownProto, true, '"__proto__" stays an own data key');
    assert.equal(result.protoIsObject, true, 'the prototype is untouched');
    assert.equal(result.nestedOwnProto, true);
    assert.equal(result.polluted, null, 'Object.prototype untouched');
    assert.equal(result.polluted2, null);
    assert.equal(result.isAdmin, null);
    assert.equal(result.toStringIsNative, true);
    assert.equal(result.images, 0, 'nothing was rendered');
    assert.deepEqual(seen.dialogs, [], 'no dialog: nothing was evaluated');
    assert.ok(!seen.requests.some((r) => new URL(r.url).pathname === '/x'), 'the image source was never fetched');
    await assertNoCrash(page, seen);
  });
});

test('a read carries no Content-Type (no CORS preflight); a write with a body does', { skip, timeout: 60_000 }, async () => {
  await resetSandbox();
  await withBrowser(50_000, async (browser) => {
    const { page, seen } = await openPage(browser);
    await connectedPanel(page, 'p', 'operator@twin.local');
    await page.evaluate(async () => {
      const panel = window.faults.panel('p');
      await panel.me();
      await panel.listSessions({ limit: 1 });
      await panel.activate();
    });
    const reads = seen.requests.filter((r) => r.method === 'GET' && /\/(users\/me|sessions)/.test(r.url));
    assert.ok(reads.length >= 2, 'the reads were seen');
    for (const r of reads) assert.equal(r.headers['content-type'], undefined, `GET ${r.url}`);
    const login = seen.requests.find((r) => r.method === 'POST' && r.url.endsWith('/auth/login'));
    assert.equal(login.headers['content-type'], 'application/json');
    await assertNoCrash(page, seen);
  });
});
