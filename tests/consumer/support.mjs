// Shared by the consumer tests: Chromium, the sandbox's control endpoint, and
// "log in and receive an event" on a page built by one toolchain.
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
