// The packed npm tarball, installed into a scratch app and bundled with
// esbuild, in headless Chromium against the sandbox (which serves the app).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const base = process.env.TWIN_SANDBOX_URL;

test('an app bundled from the tarball logs in and receives a live event', { skip: !base, timeout: 60_000 }, async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/`);
    await page.waitForFunction(() => document.getElementById('state').textContent === 'connected', null, { timeout: 15_000 });
    assert.equal(await page.evaluate(() => window.loginError), 401, 'a wrong password is a TwinError with status 401');
    const body = `from the bundle ${Date.now()}`;
    const response = await fetch(`${base}/__sandbox/publish`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Sandbox-Control': '1' },
      body: JSON.stringify({ userId: '389', event: 'chatMessageCreated', data: { id: 'c-1', body } }),
    });
    assert.equal(response.status, 200);
    await page.getByText(body).waitFor({ timeout: 10_000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
