// The packed tarball in apps built by real toolchains (tests/consumer/build.mjs
// built them into ../www, which the sandbox serves), each loaded in headless
// Chromium: the panel page (`twin-panel`) logs in against the sandbox and
// receives a live event; the widget page (`twin-panel/widget`) starts a
// session on the seeded web chat. Also the Vite 8 and Vite 6 dev servers, a
// dedicated worker, the slim entries, and the React and Vue examples.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { activeConnections, base, launch, loginAndReceive, publish, startWidget, waitFor } from './support.mjs';

const consumer = join(dirname(fileURLToPath(import.meta.url)), '..');
let browser;

describe('the tarball in real toolchains', { skip: !base && 'needs TWIN_SANDBOX_URL (make test-consumer)' }, () => {
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  for (const name of ['vite8', 'vite6', 'webpack', 'esbuild', 'rollup']) {
    test(`${name} build: default entry, no init(), no config`, async () => {
      await loginAndReceive(browser, `${base}/${name}/`, name);
    });

    test(`${name} build: twin-panel/widget default entry, no init(), no config`, async () => {
      await startWidget(browser, `${base}/${name}/widget.html`, `${name} widget`);
    });
  }

  for (const name of ['vite8', 'webpack']) {
    test(`${name} build: the panel and the widget in a dedicated worker`, async () => {
      await loginAndReceive(browser, `${base}/${name}/?worker`, `${name} worker`);
      await startWidget(browser, `${base}/${name}/widget.html?worker`, `${name} widget worker`);
    });
  }

  for (const name of ['webpack-slim', 'esbuild-slim']) {
    test(`${name}: twin-panel/slim fetches the separate .wasm`, async () => {
      const query = name === 'esbuild-slim' ? '?wasm=twin_panel_bg.wasm' : '';
      const requests = await loginAndReceive(browser, `${base}/${name}/${query}`, name);
      assert.ok(requests.some((url) => url.endsWith('.wasm')), `${name}: no .wasm was fetched`);
    });

    test(`${name}: twin-panel/widget/slim fetches the separate .wasm`, async () => {
      const query = name === 'esbuild-slim' ? '?wasm=twin_widget_bg.wasm' : '';
      const requests = await startWidget(browser, `${base}/${name}/widget.html${query}`, `${name} widget`);
      assert.ok(requests.some((url) => url.endsWith('.wasm')), `${name} widget: no .wasm was fetched`);
    });
  }

  for (const [name, module] of [['Vite 8', 'vite'], ['Vite 6', 'vite-6']]) {
    test(`${name} dev server: both default entries, no config`, async () => {
      const { createServer } = await import(module);
      const server = await createServer({
        root: join(consumer, 'app'),
        configFile: false,
        logLevel: 'warn',
        cacheDir: join(consumer, `.vite-cache-${module}`),
        server: { host: '127.0.0.1', port: 0, strictPort: false },
      });
      await server.listen();
      try {
        const url = server.resolvedUrls.local[0];
        const sandbox = `sandbox=${encodeURIComponent(base)}`;
        await loginAndReceive(browser, `${url}?${sandbox}`, `${name} dev`);
        await loginAndReceive(browser, `${url}?worker&${sandbox}`, `${name} dev worker`);
        await startWidget(browser, `${url}widget.html?${sandbox}`, `${name} dev widget`);
        await startWidget(browser, `${url}widget.html?worker&${sandbox}`, `${name} dev widget worker`);
      } finally {
        await server.close();
      }
    });
  }

  test('Vite 6 dev server: both slim entries with the README\'s optimizeDeps.exclude line', async () => {
    const { createServer } = await import('vite-6');
    const server = await createServer({
      root: join(consumer, 'app'),
      configFile: false,
      logLevel: 'warn',
      cacheDir: join(consumer, '.vite-cache-vite-6-slim'),
      // The line the README shows for this case; it covers twin-panel/widget/slim too.
      optimizeDeps: { exclude: ['twin-panel'] },
      server: { host: '127.0.0.1', port: 0, strictPort: false },
    });
    await server.listen();
    try {
      const sandbox = `sandbox=${encodeURIComponent(base)}`;
      const panel = await loginAndReceive(browser, `${server.resolvedUrls.local[0]}slim.html?${sandbox}`, 'Vite 6 dev slim');
      assert.ok(panel.some((u) => u.endsWith('.wasm')), 'no .wasm was fetched');
      const widget = await startWidget(browser, `${server.resolvedUrls.local[0]}widget-slim.html?${sandbox}`, 'Vite 6 dev widget slim');
      assert.ok(widget.some((u) => u.endsWith('twin_widget_bg.wasm')), 'the widget page fetched no twin_widget_bg.wasm');
    } finally {
      await server.close();
    }
  });

  // The README's recipes, as examples/react (under <StrictMode>) and
  // examples/vue, in their production build and on the Vite dev server (where
  // StrictMode mounts, unmounts and mounts again): no page error, one
  // connection, the inbox's sessions shown, a reply sent in the session's
  // conversation (shown as sent), the kept tokens
  // reused after a reload (no second login), and free() on unmount.
  async function recipe(name, url) {
    const page = await browser.newPage();
    const errors = [];
    const logins = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // No favicon request: it would be a 404 in the console.
    await page.route('**/favicon.ico', (route) => route.fulfill({ status: 204, body: '' }));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
    });
    page.on('request', (r) => {
      if (r.url().endsWith('/auth/login')) logins.push(r.url());
    });
    try {
      await waitFor(async () => (await activeConnections()) === 0, "earlier pages' sockets to close");
      await page.goto(url);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByTestId('state').filter({ hasText: /^connected$/ }).waitFor({ timeout: 30_000 });
      await page.locator('li[data-id] button').first().waitFor({ timeout: 15_000 });
      await waitFor(async () => (await activeConnections()) === 1, 'one connection');
      await page.locator('li[data-id] button').first().click();
      await page.getByLabel('reply').fill(`${name} reply`);
      await page.getByRole('button', { name: 'Send' }).click();
      // The conversation shows the reply at once, then as sent.
      await page.locator('li[data-status=sent]', { hasText: `${name} reply` }).waitFor({ timeout: 10_000 });
      await page.reload();
      await page.getByTestId('state').filter({ hasText: /^connected$/ }).waitFor({ timeout: 30_000 });
      await waitFor(async () => (await activeConnections()) === 1, 'one connection after the reload');
      assert.equal(logins.length, 1, `${name}: logged in once (${logins.length})`);
      await page.getByRole('button', { name: 'Log out' }).click();
      // The cleanup called free(), or logout() ended the connection: the socket is gone.
      await waitFor(async () => (await activeConnections()) === 0, 'the socket to close after the logout');
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  }

  for (const name of ['react', 'vue']) {
    test(`examples/${name} build: the recipe`, { skip: !existsSync(join(consumer, 'www', name)) && 'not built' }, async () => {
      await recipe(name, `${base}/${name}/?sandbox=${encodeURIComponent(base)}`);
    });

    test(`examples/${name} on the Vite dev server: the recipe (React: StrictMode mounts twice)`, { skip: !existsSync(join(consumer, 'examples', name)) && 'not copied' }, async () => {
      const { createServer } = await import('vite');
      const dir = join(consumer, 'examples', name);
      const server = await createServer({
        root: dir,
        configFile: join(dir, 'vite.config.js'),
        logLevel: 'warn',
        cacheDir: join(consumer, `.vite-cache-example-${name}`),
        server: { host: '127.0.0.1', port: 0, strictPort: false },
      });
      await server.listen();
      try {
        await recipe(`${name} dev`, `${server.resolvedUrls.local[0]}?sandbox=${encodeURIComponent(base)}`);
      } finally {
        await server.close();
      }
    });
  }
});

test('Vitest imports both entries with no wasm handling and calls the sandbox', { skip: !base && 'needs TWIN_SANDBOX_URL' }, async () => {
  const { execFileSync, spawn } = await import('node:child_process');
  // The widget's socket needs a global WebSocket: Node 20 has it behind a flag.
  const hasWebSocket = execFileSync(process.execPath, ['-p', 'typeof WebSocket'], { encoding: 'utf8' }).trim() === 'function';
  const nodeOptions = [process.env.NODE_OPTIONS, hasWebSocket ? '' : '--experimental-websocket'].filter(Boolean).join(' ');
  const vitest = join(consumer, 'node_modules', 'vitest', 'vitest.mjs');
  const run = spawn(process.execPath, [vitest, 'run', '--root', join(consumer, 'suite', 'vitest')], {
    cwd: consumer,
    env: { ...process.env, CI: '1', NODE_OPTIONS: nodeOptions },
  });
  let output = '';
  run.stdout.on('data', (d) => (output += d));
  run.stderr.on('data', (d) => (output += d));
  const status = await new Promise((resolve) => run.on('close', resolve));
  assert.equal(status, 0, `vitest failed:\n${output}`);
  const plain = stripVTControlCharacters(output);
  assert.match(plain, /Test Files\s+2 passed \(2\)/);
  assert.match(plain, /Tests\s+3 passed \(3\)/);
});
