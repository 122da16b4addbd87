// Shared by the consumer tests: Chromium, the sandbox's control endpoint,
// "log in and receive an event" on a panel page and "start a session" on a
// widget page built by one toolchain.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const base = process.env.TWIN_SANDBOX_URL;

export function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
}

/** Publishes a chatMessageCreated to the seeded operator through the sandbox. */
export async function publish(body) {
  const response = await fetch(`${base}/__sandbox/publish`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Sandbox-Control': '1' },
    body: JSON.stringify({ userId: '389', event: 'chatMessageCreated', data: { id: `c-${Date.now()}`, body } }),
  });
  assert.equal(response.status, 200, `publish answered ${response.status}`);
}

/**
 * Opens `url` (an app from tests/consumer/app), waits until its panel is
 * connected, checks that a wrong password was a TwinError 401, publishes an
 * event and waits until the page shows it. Fails on any page error.
 * Returns the URLs the page requested.
 */
export async function loginAndReceive(browser, url, label) {
  const page = await browser.newPage();
  const errors = [];
  const requests = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  try {
    await page.goto(url);
    const state = page.locator('#state');
    await page.waitForFunction(() => document.getElementById('state').textContent !== 'loading', null, { timeout: 30_000 })
      .catch(() => {});
    assert.equal(await state.textContent(), 'connected', `${label}: the panel did not connect (page errors: ${errors.join('; ')})`);
    assert.equal(await page.locator('#loginError').textContent(), '401', `${label}: a wrong password is a TwinError 401`);
    const body = `${label} ${Date.now()}`;
    await publish(body);
    await page.getByText(body).waitFor({ timeout: 10_000 });
    assert.deepEqual(errors, [], `${label}: page errors`);
    return requests;
  } finally {
    await page.close();
  }
}

/**
 * Opens `url` (a widget page from tests/consumer/app), waits until its
 * ChatWidget has started a session on the seeded web chat and is connected,
 * checks that a start on an unknown chat was a TwinError 404 and that the
 * sandbox holds the session the page shows (chat `chat-web-1`, its socket
 * connected). Fails on any page error. Returns the URLs the page requested.
 */
export async function startWidget(browser, url, label) {
  const page = await browser.newPage();
  const errors = [];
  const requests = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  try {
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('state').textContent !== 'loading', null, { timeout: 30_000 })
      .catch(() => {});
    assert.equal(await page.locator('#state').textContent(), 'connected', `${label}: the widget did not connect (page errors: ${errors.join('; ')})`);
    assert.equal(await page.locator('#startError').textContent(), '404', `${label}: a start on an unknown chat is a TwinError 404`);
    const id = await page.locator('#session').textContent();
    assert.ok(id, `${label}: no session id shown`);
    const session = await sandboxSession(id);
    assert.equal(session.chatId, 'chat-web-1', `${label}: the session's chat`);
    assert.equal(session.status, 'ACTIVE', `${label}: the session's status`);
    const { socketio } = await (await fetch(`${base}/__sandbox/stats`)).json();
    assert.ok(socketio.active >= 1, `${label}: the sandbox counts no widget socket`);
    assert.deepEqual(errors, [], `${label}: page errors`);
    return requests;
  } finally {
    await page.close();
  }
}

let readerToken = null;

/**
 * Session `id` as the chats API shows it, read as dev@twin.local (the panel
 * pages log in as operator@twin.local; a second login of one operator would
 * end that operator's live connection).
 */
export async function sandboxSession(id) {
  if (readerToken === null) {
    const login = await fetch(`${base}/iam/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'dev@twin.local', password: 'operator' }),
    });
    assert.equal(login.status, 200, `login answered ${login.status}`);
    readerToken = (await login.json()).token;
  }
  const response = await fetch(`${base}/chat/api/v1/sessions/${encodeURIComponent(id)}`, {
    headers: { Authorization: `Bearer ${readerToken}` },
  });
  assert.equal(response.status, 200, `GET /sessions/${id} answered ${response.status}`);
  return response.json();
}

/** The sandbox's count of open Centrifugo connections. */
export async function activeConnections() {
  const response = await fetch(`${base}/__sandbox/stats`);
  return (await response.json()).activeConnections;
}

/** Polls `check` every 100 ms until it is true; fails after 10 s. */
export async function waitFor(check, what) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`gave up waiting for ${what}`);
}
