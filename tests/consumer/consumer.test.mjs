// The packed tarball in apps built by real toolchains (tests/consumer/build.mjs
// built them into ../www, which the sandbox serves), each loaded in headless
// Chromium: log in against the sandbox and receive a live event. Also the
// Vite 8 and Vite 6 dev servers, a dedicated worker, the slim entry, and the
// React and Vue examples.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { activeConnections, base, launch, loginAndReceive, publish, waitFor } from './support.mjs';

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
  }

  for (const name of ['vite8', 'webpack']) {
    test(`${name} build: the panel in a dedicated worker`, async () => {
      await loginAndReceive(browser, `${base}/${name}/?worker`, `${name} worker`);
    });
  }

  for (const name of ['webpack-slim', 'esbuild-slim']) {
    test(`${name}: twin-panel/slim fetches the separate .wasm`, async () => {
      const query = name === 'esbuild-slim' ? '?wasm=twin_panel_bg.wasm' : '';
      const requests = await loginAndReceive(browser, `${base}/${name}/${query}`, name);
      assert.ok(requests.some((url) => url.endsWith('.wasm')), `${name}: no .wasm was fetched`);
    });
  }

  for (const [name, module] of [['Vite 8', 'vite'], ['Vite 6', 'vite-6']]) {
    test(`${name} dev server: default entry, no config`, async () => {
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
        await loginAndReceive(browser, `${url}?sandbox=${encodeURIComponent(base)}`, `${name} dev`);
        await loginAndReceive(browser, `${url}?worker&sandbox=${encodeURIComponent(base)}`, `${name} dev worker`);
      } finally {
        await server.close();
      }
    });
  }

  test('Vite 6 dev server: twin-panel/slim with the README\'s optimizeDeps.exclude line', async () => {
    const { createServer } = await import('vite-6');
    const server = await createServer({
      root: join(consumer, 'app'),
      configFile: false,
      logLevel: 'warn',
      cacheDir: join(consumer, '.vite-cache-vite-6-slim'),
      optimizeDeps: { exclude: ['twin-panel'] }, // the line the README shows for this case
      server: { host: '127.0.0.1', port: 0, strictPort: false },
    });
    await server.listen();
    try {
      const url = `${server.resolvedUrls.local[0]}slim.html?sandbox=${encodeURIComponent(base)}`;
      const requests = await loginAndReceive(browser, url, 'Vite 6 dev slim');
      assert.ok(requests.some((u) => u.endsWith('.wasm')), 'no .wasm was fetched');
    } finally {
      await server.close();
    }
  });

  for (const name of ['react', 'vue']) {
    test(`examples/${name}: logs in, shows a live event, and free() on unmount closes its socket`, { skip: !existsSync(join(consumer, 'www', name)) && 'not built' }, async () => {
      const page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await page.goto(`${base}/${name}/?sandbox=${encodeURIComponent(base)}`);
        await waitFor(async () => (await activeConnections()) === 0, 'earlier pages\' sockets to close');
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.getByText('connected', { exact: true }).waitFor({ timeout: 30_000 });
        assert.equal(await activeConnections(), 1);
        const body = `${name} example ${Date.now()}`;
        await publish(body);
        await page.getByText(body).waitFor({ timeout: 10_000 });
        await page.getByRole('button', { name: 'Log out' }).click();
        await page.getByRole('button', { name: 'Log in' }).waitFor({ timeout: 10_000 });
        // The component's cleanup called free(): the socket is gone.
        await waitFor(async () => (await activeConnections()) === 0, 'free() to close the socket');
        assert.deepEqual(errors, []);
      } finally {
        await page.close();
      }
    });
  }
});

test('Vitest imports the package with no wasm handling and calls the sandbox', { skip: !base && 'needs TWIN_SANDBOX_URL' }, async () => {
  const { spawn } = await import('node:child_process');
  const vitest = join(consumer, 'node_modules', 'vitest', 'vitest.mjs');
  const run = spawn(process.execPath, [vitest, 'run', '--root', join(consumer, 'suite', 'vitest')], {
    cwd: consumer,
    env: { ...process.env, CI: '1' },
  });
  let output = '';
  run.stdout.on('data', (d) => (output += d));
  run.stderr.on('data', (d) => (output += d));
  const status = await new Promise((resolve) => run.on('close', resolve));
  assert.equal(status, 0, `vitest failed:\n${output}`);
  assert.match(output, /1 passed/);
});
