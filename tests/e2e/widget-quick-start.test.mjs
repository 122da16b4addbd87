// The widget's quick start (the README's block, word for word), in a page of
// the sandbox's origin that has the elements it names and an import map for
// `twin-panel/widget`: it starts a session on the sandbox's chat, the
// visitor's message shows at once and then as sent, an operator's reply
// shows beside it, and the operator's name is shown. The only edit to the
// block: the sandbox's address, which a test cannot choose.
//
// Run: scripts/with-sandbox.sh -- node --test tests/e2e/widget-quick-start.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transformSync } from 'esbuild';
import { chromium } from 'playwright-core';
import { widgetQuickStart } from '../readme/blocks.mjs';

const base = process.env.TWIN_SANDBOX_URL;
const WAIT = 15_000;

async function call(method, path, body, token) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', 'X-Sandbox-Control': '1', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(WAIT),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: HTTP ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const PAGE = (script) => `<!doctype html>
<meta charset="utf-8">
<title>Quick start</title>
<script type="importmap">{ "imports": { "twin-panel/widget": "/pkg/widget/index.js" } }</script>
<p id="operator"></p>
<ul id="messages"></ul>
<form id="send"><input id="text" aria-label="message"><button>Send</button></form>
<script type="module">${script}</script>`;

test('the README\'s widget quick start, word for word: both sides of the conversation and the operator\'s name', { skip: !base && 'TWIN_SANDBOX_URL is not set', timeout: 90_000 }, async () => {
  await call('POST', '/__sandbox/faults/reset', {});
  const block = widgetQuickStart();
  assert.ok(block.includes("'http://127.0.0.1:8080/chat/api/v1'"), 'the quick start names the sandbox at its default address');
  const script = transformSync(block.replaceAll('http://127.0.0.1:8080', base), { loader: 'ts', format: 'esm', target: 'es2022' }).code;

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(WAIT);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('websocket', (ws) => { console.log('WS', ws.url()); ws.on('framereceived', (f) => console.log('RX', String(f.payload).slice(0, 80))); ws.on('close', () => console.log('WSCLOSE')); });
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    await page.route(`${base}/favicon.ico`, (route) => route.fulfill({ status: 204, body: '' }));
    // A document of the sandbox's own origin and address space (a page the
    // test served itself would be a public one to Chromium, which then
    // blocks its requests to 127.0.0.1), rewritten as the quick start's page.
    await page.goto(`${base}/__sandbox/health`);
    const started = page.waitForResponse((r) => r.url().endsWith('/chats/chat-web-1/sessions') && r.request().method() === 'POST');
    await page.evaluate((html) => { document.open(); document.write(html); document.close(); }, PAGE(script));
    const session = await (await started).json();

    // The visitor writes: shown at once, then sent.
    await page.getByLabel('message').fill('Здравствуйте!');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('#messages li', { hasText: 'Здравствуйте!' }).waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('#messages li')].some((li) => li.textContent.includes('Здравствуйте!') && !li.textContent.includes('not sent')));

    // The session's operator answers (over REST, as the operator's panel would).
    const { token: reader } = await call('POST', '/iam/api/v1/auth/login', { email: 'third@twin.local', password: 'operator' });
    const { operatorId } = await call('GET', `/chat/api/v1/sessions/${session.id}`, undefined, reader);
    assert.ok(operatorId, `the sandbox assigned session ${session.id} to an operator`);
    const email = { 389: 'operator@twin.local', 472: 'dev@twin.local', 494: 'third@twin.local' }[operatorId];
    const { token } = email === 'third@twin.local' ? { token: reader } : await call('POST', '/iam/api/v1/auth/login', { email, password: 'operator' });
    const sent = await call('POST', `/chat/api/v1/sessions/${session.id}/operators/messages`, { body: 'Добрый день! Чем помочь?' }, token);

    // Both sides, the operator's name on the reply and above the list.
    const reply = page.locator('#messages li', { hasText: 'Добрый день! Чем помочь?' });
    await reply.waitFor().catch(async (e) => { console.log("LIST", await page.locator("#messages").innerHTML(), "OP", await page.locator("#operator").textContent()); throw e; });
    // The name the platform signs the operator's messages with (the sandbox: the user's full name).
    const history = await call('GET', `/chat/api/v1/sessions/${session.id}/messages?limit=100`, undefined, token);
    const name = history.items.find((m) => m.id === sent.id)?.authorName;
    assert.ok(name, 'the reply carries its author\'s name');
    const shown = await page.locator('#operator').textContent();
    assert.equal(shown, `${name} answers you`, 'the operator\'s name is shown');
    assert.equal(await reply.textContent(), `${name}: Добрый день! Чем помочь?`, 'the reply is signed by the operator');
    const lines = await page.locator('#messages li').allTextContents();
    assert.deepEqual(lines.slice(-2), ['You: Здравствуйте!', `${name}: Добрый день! Чем помочь?`], 'both sides, in order');
    await page.screenshot({ path: 'tests/artifacts/widget-quick-start.png' }).catch(() => {});
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
