// The default entries' `init()`: the inlined wasm is inflated by the
// browser's DecompressionStream ('deflate-raw'), not by the package's
// JavaScript inflater, whose first run on a page is cold (make bench:
// startup). Without DecompressionStream, `init()` falls back to the
// JavaScript inflater, and first use without `init()` still works.
//
// Run: scripts/with-sandbox.sh -- node --test tests/e2e/default-entry-init.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const base = process.env.TWIN_SANDBOX_URL;
const BLANK = '/__sandbox/health';

const ENTRIES = { 'twin-panel': '/pkg/index.js', 'twin-panel/widget': '/pkg/widget/index.js' };

/** In a fresh page: set `DecompressionStream` up as `native` says, load the entry, use it. */
async function loadIn(browser, path, { native, callInit }) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(base + BLANK);
    const seen = await page.evaluate(async ({ path, native, callInit }) => {
      const formats = [];
      if (native) {
        const Native = globalThis.DecompressionStream;
        globalThis.DecompressionStream = class extends Native {
          constructor(format) {
            formats.push(format);
            super(format);
          }
        };
      } else {
        delete globalThis.DecompressionStream;
      }
      const twin = await import(path);
      if (callInit) await twin.default();
      const origin = location.origin;
      const object = twin.ChatWidget
        ? new twin.ChatWidget({ chatId: 'chat-web-1', chatUrl: `${origin}/chat/api/v1` })
        : new twin.OperatorPanel({
          iamUrl: `${origin}/iam/api/v1`,
          chatUrl: `${origin}/chat/api/v1`,
          centrifugoUrl: `${origin.replace(/^http/, 'ws')}/centrifugo/connection/websocket`,
          shareAcrossTabs: false,
        });
      const state = object.state;
      object.free();
      return { formats, state };
    }, { path, native, callInit });
    assert.deepEqual(errors, []);
    return seen;
  } finally {
    await page.close();
  }
}

test('the default entries inflate their wasm natively in init(), and without DecompressionStream in JavaScript', { skip: !base, timeout: 60_000 }, async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    for (const [name, entry] of Object.entries(ENTRIES)) {
      assert.deepEqual(await loadIn(browser, entry, { native: true, callInit: true }),
        { formats: ['deflate-raw'], state: 'disconnected' }, `${name}: init() inflates with DecompressionStream`);
      assert.deepEqual(await loadIn(browser, entry, { native: false, callInit: true }),
        { formats: [], state: 'disconnected' }, `${name}: init() without DecompressionStream`);
      assert.deepEqual(await loadIn(browser, entry, { native: true, callInit: false }),
        { formats: [], state: 'disconnected' }, `${name}: first use without init() inflates synchronously`);
    }
  } finally {
    await browser.close();
  }
});
