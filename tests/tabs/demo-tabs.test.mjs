// #11 in the demo page: opened in two tabs of one browser, the operator has
// one connection in the sandbox's stats; the header says which tab leads
// ("leader") and which follows ("shared by N tabs"); closing the leader
// hands the connection over; logging out in one tab logs out the others,
// and logging in in one signs in the others still on the login screen.
// Screenshots of both top bars go to tests/artifacts/.
//
// Run: scripts/with-sandbox.sh -single-use-refresh -- node --test --test-concurrency=1 tests/tabs/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { skip, base, WAIT, OPERATOR, launch, post, connectionsOf, connectionsBecome } from './support.mjs';

test('the demo in two tabs: one connection, "leader" and "shared by 2 tabs"', { skip, timeout: 90_000 }, async () => {
  await post('faults/reset');
  await post('chats/reset');
  await connectionsBecome(OPERATOR.id, 0); // the login below would force an earlier one out
  const browser = await launch();
  const errors = [];
  const sockets = [];
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('gave up after 80 s')), 80_000);
  });
  try {
    await Promise.race([expired, (async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const open = async () => {
        const page = await context.newPage();
        page.setDefaultTimeout(WAIT);
        page.on('pageerror', (e) => errors.push(String(e)));
        page.on('websocket', (ws) => { if (ws.url().includes('/centrifugo/')) sockets.push(ws.url()); });
        await page.goto(`${base}/`);
        return page;
      };
      const sharing = (page) => page.locator('#sharing');

      const first = await open();
      await first.click('#login button[type=submit]'); // the seeded operator is filled in
      await first.locator('#state', { hasText: /^connected$/ }).waitFor();
      await sharing(first).filter({ hasText: /^leader$/ }).waitFor();

      // The second tab starts signed in with the first one's tokens and joins its connection.
      const second = await open();
      await second.locator('#workspace').waitFor();
      await second.locator('#state', { hasText: /^connected$/ }).waitFor();
      await sharing(second).filter({ hasText: /^shared by 2 tabs$/ }).waitFor();
      assert.equal(await sharing(first).textContent(), 'leader');
      mkdirSync('tests/artifacts', { recursive: true });
      await first.locator('.topbar').screenshot({ path: 'tests/artifacts/topbar-tabs-leader-1280.png' });
      await second.locator('.topbar').screenshot({ path: 'tests/artifacts/topbar-tabs-follower-1280.png' });
      await connectionsBecome(OPERATOR.id, 1);
      assert.equal(sockets.length, 1, 'one WebSocket for the two tabs');
      console.log(`tabs: demo opened in 2 tabs: sandbox connections of operator ${OPERATOR.id}: ${await connectionsOf(OPERATOR.id)}`);

      // The leader closes: the other tab takes the connection over.
      await first.close();
      await sharing(second).filter({ hasText: /^leader$/ }).waitFor();
      await second.locator('#state', { hasText: /^connected$/ }).waitFor();
      await connectionsBecome(OPERATOR.id, 1);

      // A third tab joins; logging out there ends the session in the other one too.
      const third = await open();
      await sharing(third).filter({ hasText: /^shared by 2 tabs$/ }).waitFor();
      await third.click('#logout');
      await third.locator('#login-screen').waitFor();
      await second.locator('#login-screen').waitFor();
      await second.locator('#logout-banner', { hasText: 'another tab' }).waitFor();
      assert.equal(await sharing(second).isVisible(), false, 'nothing shown while not sharing');
      await connectionsBecome(OPERATOR.id, 0);

      // Both on the login screen: logging in in one signs the other in too.
      await second.click('#login button[type=submit]');
      await second.locator('#state', { hasText: /^connected$/ }).waitFor();
      await third.locator('#workspace').waitFor();
      await third.locator('#state', { hasText: /^connected$/ }).waitFor();
      await sharing(second).filter({ hasText: /^(leader|shared by 2 tabs)$/ }).waitFor();
      await sharing(third).filter({ hasText: /^(leader|shared by 2 tabs)$/ }).waitFor();
      assert.notEqual(await sharing(second).textContent(), await sharing(third).textContent(), 'one leader, one follower');
      await connectionsBecome(OPERATOR.id, 1);
      await second.click('#logout');
      await third.locator('#login-screen').waitFor();
      await connectionsBecome(OPERATOR.id, 0);
      assert.deepEqual(errors, []);
    })()]);
  } finally {
    clearTimeout(timer);
    await browser.close().catch(() => {});
  }
});
