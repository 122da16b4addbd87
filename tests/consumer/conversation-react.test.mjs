// `panel.conversation(id)` with a real React build (react and react-dom from
// the npm registry), bundled by Vite 8 with the packed tarball: the newest
// page renders oldest first, older pages prepend, a burst of events renders
// once, and a reply sent from the page shows once, 'sent', with the server's id.
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

test('useSyncExternalStore renders a conversation, once per batch', { skip: !base, timeout: 90_000 }, async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  try {
    await sandbox('chats/reset', {});
    const session = await sandbox('visitor/session', { operatorId: '389', clientName: 'React conversation', message: 'm0' });
    for (let i = 1; i < 15; i++) await sandbox('visitor/message', { sessionId: session.id, body: `m${i}` });
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/conversation-react/conversation.html?session=${session.id}`);
    await page.waitForFunction(() => document.getElementById('state').textContent === 'ready', null, { timeout: 15_000 });
    const bodies = () => page.locator('#messages li').allTextContents();
    const range = (from, to) => Array.from({ length: to - from }, (_, i) => `m${from + i}`);
    assert.deepEqual(await bodies(), range(5, 15), 'the newest page, oldest first');
    assert.equal(await page.getAttribute('#meta', 'data-has-older'), 'true');
    assert.equal(await page.getAttribute('#meta', 'data-unread'), '10');

    assert.equal(await page.evaluate(() => window.conversationApp.conversation.loadOlder({ limit: 10 })), true);
    await page.locator('#meta[data-has-older=false]').waitFor({ state: 'attached', timeout: 10_000 });
    assert.deepEqual(await bodies(), range(0, 15));

    // Twenty messages while the socket is down reach the page in one
    // recovery reply: one batch, one render.
    await page.evaluate(() => window.conversationApp.panel.disconnect());
    for (let i = 15; i < 35; i++) await sandbox('visitor/message', { sessionId: session.id, body: `m${i}` });
    const before = await page.evaluate(() => window.conversationApp.renders);
    await page.evaluate(() => window.conversationApp.panel.connect());
    await page.locator('#messages li', { hasText: /^m34$/ }).waitFor({ timeout: 10_000 });
    await page.waitForTimeout(200); // let any straggling render show up in the count
    const renders = (await page.evaluate(() => window.conversationApp.renders)) - before;
    assert.equal(renders, 1, `${renders} renders for one batch of 20 events`);
    assert.deepEqual(await bodies(), range(0, 35), 'each once, in order');

    // A reply from the page: one row, from pending to sent, with the server's id.
    await page.fill('#composer input', 'from React');
    await page.click('#composer button');
    const reply = page.locator('#messages li', { hasText: 'from React' });
    await page.locator('#messages li[data-status=sent]', { hasText: 'from React' }).waitFor({ timeout: 10_000 });
    assert.equal(await reply.count(), 1);
    const id = await reply.getAttribute('data-id');
    const onServer = await page.evaluate(async (sessionId) => {
      const { items } = await window.conversationApp.panel.sessionMessages(sessionId, { limit: 100 });
      return items.filter((m) => m.body === 'from React').map((m) => m.id);
    }, session.id);
    assert.deepEqual(onServer, [id], 'one message on the server, the one shown');
    assert.deepEqual(errors, []);
    await sandbox('chats/reset', {});
  } finally {
    await browser.close();
  }
});
