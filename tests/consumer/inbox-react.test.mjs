// `panel.inbox` with a real React build (react and react-dom from the npm
// registry), bundled with the packed tarball: useSyncExternalStore renders
// once per batch of events, not once per event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const base = process.env.TWIN_SANDBOX_URL;

async function sandbox(path, body) {
  const response = await fetch(`${base}/__sandbox/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Sandbox-Control': '1' },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, `${path}`);
  return response.json();
}

test('useSyncExternalStore renders the inbox once per batch', { skip: !base, timeout: 60_000 }, async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  try {
    await sandbox('chats/reset', {});
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/inbox-react/`);
    await page.waitForFunction(() => document.getElementById('state').textContent === 'ready', null, { timeout: 15_000 });

    const session = await sandbox('visitor/session', { operatorId: '389', clientName: 'React reader', message: 'hello' });
    const row = page.locator(`#inbox li[data-id="${session.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    assert.equal(await row.getAttribute('data-unread'), '1');

    // Twenty messages while the socket is down reach the page in one
    // recovery reply: one batch, one render.
    await page.evaluate(() => window.inboxApp.panel.disconnect());
    for (let i = 0; i < 20; i++) await sandbox('visitor/message', { sessionId: session.id, body: `burst ${i}` });
    const before = await page.evaluate(() => window.inboxApp.renders);
    await page.evaluate(() => window.inboxApp.panel.connect());
    await page.locator(`#inbox li[data-id="${session.id}"][data-unread="21"]`).waitFor({ timeout: 10_000 });
    await page.waitForTimeout(200); // let any straggling render show up in the count
    const renders = (await page.evaluate(() => window.inboxApp.renders)) - before;
    assert.equal(renders, 1, `${renders} renders for one batch of 20 events`);
    assert.deepEqual(errors, []);
    await sandbox('chats/reset', {});
  } finally {
    await browser.close();
  }
});
