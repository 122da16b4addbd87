// `wasm-pack build --target web` output (scripts/check-wasm-pack-build.sh
// serves it at /pkg/) in headless Chromium against the sandbox: the module
// (the crate's default features: both classes) instantiates, an
// OperatorPanel logs in and connects, and a ChatWidget starts a session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const base = process.env.TWIN_SANDBOX_URL;

test('the wasm-pack build loads in Chromium, its panel logs in and connects, its widget starts a session', { skip: !base, timeout: 60_000 }, async () => {
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
    await page.waitForFunction(() => document.getElementById('widget').textContent !== 'loading', null, { timeout: 30_000 });
    assert.equal(await page.textContent('#state'), 'connected', 'the panel');
    assert.equal(await page.textContent('#widget'), 'connected', 'the widget');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
