// The built package (release wasm after wasm-opt) in headless Chromium: the
// demo page logs in, connects and shows an event published by the sandbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.env.TWIN_SANDBOX_URL;

test('the demo page logs in and shows a live event', { skip: !base, timeout: 60_000 }, async () => {
  const artifacts = 'tests/artifacts';
  mkdirSync(artifacts, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic',
    ],
  });
  const errors = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/`);
    await page.click('button[type=submit]');
    await page.waitForFunction(() => document.getElementById('state').textContent === 'connected', null, { timeout: 15_000 });
    const body = `smoke ${Date.now()}`;
    const response = await fetch(`${base}/__sandbox/publish`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId: '389', event: 'chatMessageCreated', data: { id: 'smoke-1', body } }),
    });
    assert.equal(response.status, 200);
    await page.getByText(body).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(artifacts, 'demo-1280.png') });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close(); // playwright gives each launch a fresh, empty profile
  }
});
