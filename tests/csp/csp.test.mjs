// The package on pages with a strict Content-Security-Policy, in Chromium,
// against the sandbox (scripts/with-sandbox.sh serves tests/csp/www at / and
// the package at /pkg/). Each entry, default and slim, works under the
// README's minimal policy (script-src 'self' 'wasm-unsafe-eval', no
// 'unsafe-eval'); without 'wasm-unsafe-eval' the first use throws a
// TwinError whose code and message name what to add.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const base = (process.env.TWIN_SANDBOX_URL ?? '').replace(/\/+$/, '');
const skip = base ? false : 'TWIN_SANDBOX_URL is not set (run through scripts/with-sandbox.sh)';
const ENTRIES = ['panel', 'widget', 'panel-slim', 'widget-slim'];

async function withPage(body) {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  try {
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused/.test(message.text())) problems.push(`csp: ${message.text()}`);
    });
    return await body(page, problems);
  } finally {
    await browser.close();
  }
}

async function result(page, path) {
  await page.goto(base + path);
  await page.waitForFunction(() => document.getElementById('result').textContent !== 'loading', null, { timeout: 20_000 });
  return JSON.parse(await page.textContent('#result'));
}

for (const entry of ENTRIES) {
  test(`${entry}: works under script-src 'self' 'wasm-unsafe-eval' (no 'unsafe-eval')`, { skip, timeout: 60_000 }, async () => {
    await withPage(async (page, problems) => {
      const outcome = await result(page, `/allowed.html?entry=${entry}`);
      assert.deepEqual(
        { ok: outcome.ok, state: outcome.state },
        { ok: true, state: 'connected' },
        JSON.stringify(outcome),
      );
      assert.deepEqual(problems, []);
    });
  });

  test(`${entry}: without 'wasm-unsafe-eval' a TwinError names the directive to add`, { skip, timeout: 60_000 }, async () => {
    await withPage(async (page) => {
      const outcome = await result(page, `/blocked.html?entry=${entry}`);
      assert.equal(outcome.ok, false);
      assert.equal(outcome.name, 'TwinError', JSON.stringify(outcome));
      assert.equal(outcome.code, 'wasmUnsafeEval');
      assert.match(outcome.message, /'wasm-unsafe-eval'/);
      assert.match(outcome.message, /script-src/);
    });
  });
}
