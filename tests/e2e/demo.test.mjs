// The demo pages over the built package (release wasm after wasm-opt) in
// headless Chromium, against the sandbox, as a person uses them: an operator
// logs in; a chat a visitor starts on visitor.html reaches that operator; a
// visitor session appears live, the operator answers (typing shows on the
// visitor page, the widget names the operator instead of "waiting"), the
// visitor reads it; rename, history paging, transfer (the widget header
// stays one line), close (toasts keep off the closed bar and the events
// pane; closed chats show no unread count), the event log (no card cut
// mid-line, the unseen count beside the label), attachment links (only
// http(s) and blob), a crafted ?clientId= link (ignored), "End chat" (no
// start form over the transcript), pause, a lost history (resync banner) and
// a forced logout. The operator page loads the package's twin-panel entry
// only, the visitor page its twin-panel/widget entry only. Screenshots at
// 1280 and 400 px go to tests/artifacts/.
//
// Run: scripts/with-sandbox.sh -- node --test --test-concurrency=1 tests/e2e/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.env.TWIN_SANDBOX_URL;
const artifacts = 'tests/artifacts';
const WAIT = 15_000; // every wait below is bounded by this (or less)
const ME = 389; // operator@twin.local
const OTHER = 472; // dev@twin.local, also used to read the sandbox's state
const ANNA = '5e550000-0000-4000-8000-000000000001'; // a seeded session of 389

async function call(method, path, body, token, extraHeaders = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      'Content-Type': 'application/json',
      'X-Sandbox-Control': '1', // required by the sandbox's control endpoints
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...extraHeaders,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(WAIT),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: HTTP ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// The control endpoints want JSON plus this header (a cross-site form cannot send it).
const sandbox = (path, body = {}) => call('POST', `/__sandbox/${path}`, body, undefined, { 'X-Sandbox-Control': '1' });

/** Do two boxes (from boundingBox()) overlap? */
const overlap = (a, b) => !!a && !!b && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** How many lines of its own line height an element is tall. */
const lineCount = (locator) => locator.evaluate((el) => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight));

test('operator and visitor demo pages', { skip: !base && 'TWIN_SANDBOX_URL is not set', timeout: 180_000 }, async (t) => {
  mkdirSync(artifacts, { recursive: true });
  await sandbox('faults/reset');
  await sandbox('chats/reset');
  // Another operator's token, to read the sandbox's state over the API
  // (logging in as 389 here would log the page out with chatUserExists).
  const { token } = await call('POST', '/iam/api/v1/auth/login', { email: 'dev@twin.local', password: 'operator' });
  const api = (path) => call('GET', `/chat/api/v1${path}`, undefined, token);

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic',
    ],
  });
  const errors = [];
  const packageRequests = new Map(); // page -> the paths it requested under /pkg/
  const loaded = (page) => [...new Set(packageRequests.get(page))];
  const open = async (viewport) => {
    const context = await browser.newContext({ viewport }); // its own storage
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
    packageRequests.set(page, []);
    page.on('request', (r) => {
      const { pathname } = new URL(r.url());
      if (pathname.startsWith('/pkg/')) packageRequests.get(page).push(pathname);
    });
    return page;
  };

  try {
    const page = await open({ width: 1280, height: 800 });
    const row = (id) => page.locator(`#sessions li[data-session-id="${id}"]`);
    const tab = (name) => page.click(`.tabs [data-tab=${name}]`);
    let hasWidget = false;
    let visitor = null; // the visitor page that continues `session`
    let newcomer = null; // the visitor page that starts its own chat
    let session = null;
    const reply = `Reply from e2e ${Date.now()}`;
    const shot = (target, name) => target.screenshot({ path: join(artifacts, `${name}.png`) });
    /** Screenshots of `target` at 1280 and 400 px wide, back to its width after. */
    const shotBoth = async (target, name) => {
      const size = target.viewportSize();
      for (const width of [1280, 400]) {
        await target.setViewportSize({ width, height: 800 });
        await shot(target, `${name}-${width}`);
      }
      await target.setViewportSize(size);
    };

    await t.test('a wrong password shows the TwinError', async () => {
      await page.goto(`${base}/`);
      await page.fill('input[name=password]', 'wrong');
      await page.click('#login button[type=submit]');
      await page.locator('#login-error .error-code', { hasText: 'unauthorized' }).waitFor();
      await page.locator('#login-error', { hasText: 'Invalid credentials.' }).waitFor();
      // The widget entry of this build (the sandbox serves pkg/ at /pkg/).
      const widgetEntry = await fetch(`${base}/pkg/widget/index.js`);
      hasWidget = widgetEntry.ok && /\bChatWidget\b/.test(await widgetEntry.text());
    });

    await t.test('logs in, connects, shows the operator and the list', async () => {
      await page.fill('input[name=password]', 'operator');
      await page.click('#login button[type=submit]');
      await page.locator('#state', { hasText: /^connected$/ }).waitFor();
      await page.locator('#operator-name', { hasText: 'Первый Оператор V' }).waitFor();
      await page.locator('#status-toggle[data-status=ACTIVE]').waitFor();
      await page.locator('#sessions[aria-busy=false]').waitFor();
      await row(ANNA).waitFor();
      // The operator page loads the panel's entry only.
      assert.deepEqual(loaded(page), ['/pkg/index.js'], 'what the operator page loaded from the package');
    });

    // #15 item 11: the README's operator is logged in; a newcomer opens
    // visitor.html and writes. The chat must reach that operator (their
    // list, or the queue they see), not an operator who is not logged in.
    const newcomerName = `Newcomer ${Date.now() % 100000}`;
    let newcomerSession = null;
    await t.test('a chat started on visitor.html reaches the logged-in operator', { todo: !hasWidget && 'this build has no twin-panel/widget entry' }, async () => {
      if (!hasWidget) return;
      newcomer = await open({ width: 400, height: 800 });
      await newcomer.goto(`${base}/visitor.html`);
      await newcomer.fill('#start input[name=name]', newcomerName);
      await newcomer.fill('#start textarea[name=message]', 'Hi, is anybody there?');
      await newcomer.click('#start button[value=new]');
      await newcomer.locator('#widget-state', { hasText: 'online' }).waitFor();
      // The visitor page loads the widget's entry only, never the panel's.
      assert.deepEqual(loaded(newcomer), ['/pkg/widget/index.js'], 'what the visitor page loaded from the package');
      await newcomer.locator('#message-list .msg.own', { hasText: 'Hi, is anybody there?' }).locator('.meta', { hasText: /✓ sent|✓✓ read/ }).waitFor();

      // The operator's page: "My chats", or else the queue. Bounded poll.
      let where = null;
      for (const deadline = Date.now() + WAIT; !where && Date.now() < deadline;) {
        for (const name of ['mine', 'queue']) {
          await tab(name);
          if (await page.locator('#sessions .session-name', { hasText: newcomerName }).count()) {
            where = name;
            break;
          }
        }
        if (!where) await page.waitForTimeout(250);
      }
      if (!where) {
        const { items } = await api(`/sessions?name=${encodeURIComponent(newcomerName)}`);
        await tab('mine');
        assert.fail(`the new chat is in neither "My chats" nor "Queue" of operator@twin.local; the sandbox gave it to operator ${items[0]?.operatorId ?? '(none)'}`);
      }
      const item = page.locator('#sessions li', { hasText: newcomerName });
      newcomerSession = await item.getAttribute('data-session-id');
      await item.locator('button').click();
      if (where === 'queue') await page.click('#chat-notice [data-action=take]');
      await page.locator('#chat-notice').waitFor({ state: 'hidden' });
      await tab('mine');
      await row(newcomerSession).waitFor();
    });

    // #15 item 12: once the operator answers, the widget names them and stops "waiting".
    await t.test('after the operator replies, the new chat\'s widget names the operator', { skip: !newcomerSession && 'the chat did not reach this operator (see the test above)' }, async () => {
      await page.fill('#composer-text', 'Hello, Первый Оператор here. How can I help?');
      await page.press('#composer-text', 'Enter');
      await newcomer.locator('#message-list .msg.in', { hasText: 'How can I help?' }).waitFor();
      await newcomer.locator('#operator-line', { hasText: 'is answering you' }).waitFor();
      assert.equal(await newcomer.textContent('#operator-title'), 'Первый Оператор V');
      await shotBoth(newcomer, 'visitor-answered');
    });

    // #15 item 14: "End chat" keeps the transcript and puts no start form over it.
    await t.test('"End chat" keeps the transcript; a new chat starts on a clean widget', { todo: !hasWidget && 'this build has no twin-panel/widget entry' }, async () => {
      if (!hasWidget) return;
      await newcomer.click('#end-chat');
      await newcomer.locator('#ended', { hasText: 'You ended the chat' }).waitFor();
      assert.equal(await newcomer.locator('#start').isVisible(), false, 'no start form while the old transcript shows');
      assert.equal(await newcomer.locator('#visitor-composer').isVisible(), false);
      assert.ok(await newcomer.locator('#message-list .msg.own', { hasText: 'Hi, is anybody there?' }).isVisible(), 'the transcript stays');
      assert.equal(await newcomer.locator('#end-chat').isVisible(), false);
      await newcomer.locator('#widget-state', { hasText: 'offline' }).waitFor();
      await shotBoth(newcomer, 'visitor-ended');
      await newcomer.click('#new-chat');
      await newcomer.locator('#start').waitFor();
      assert.equal(await newcomer.locator('#visitor-messages').isVisible(), false, 'the old transcript is gone');
      assert.equal(await newcomer.locator('#message-list li').count(), 0);
      assert.equal(await newcomer.locator('#continue').isVisible(), false, 'an ended chat cannot be continued');
      if (newcomerSession) {
        await tab('closed');
        await row(newcomerSession).waitFor();
        await tab('mine');
      }
      await newcomer.context().close();
    });

    await t.test('a new session appears live', async () => {
      session = await sandbox('visitor/session', { operatorId: ME, clientName: 'E2E visitor', message: 'Hello from e2e' });
      assert.ok(session.id && session.clientId);
      await row(session.id).waitFor();
      await row(session.id).locator('.session-name', { hasText: 'E2E visitor' }).waitFor();
      await row(session.id).locator('.unread', { hasText: '1' }).waitFor();
      // Newest last message first.
      assert.equal(await page.locator('#sessions li').first().getAttribute('data-session-id'), session.id);
    });

    // #13 item 14: a link cannot hand a visitor someone else's chat.
    await t.test('visitor.html?clientId= from a link is ignored', { todo: !hasWidget && 'this build has no twin-panel/widget entry' }, async () => {
      if (!hasWidget) return;
      const crafted = await open({ width: 400, height: 800 });
      await crafted.goto(`${base}/visitor.html?clientId=${encodeURIComponent(session.clientId)}`);
      await crafted.locator('#start').waitFor();
      assert.equal(await crafted.locator('#continue').isVisible(), false, 'no "Continue my last chat" for a client id from the address');
      assert.equal(await crafted.evaluate(() => localStorage.getItem('twin-panel-demo.clientId')), null);
      await crafted.context().close();
    });

    await t.test('opening it shows the history and marks it read', async () => {
      await row(session.id).locator('button').click();
      await page.locator('#chat-name', { hasText: 'E2E visitor' }).waitFor();
      await page.locator('#message-list .msg.in', { hasText: 'Hello from e2e' }).waitFor();
      await row(session.id).locator('.unread').waitFor({ state: 'detached' });
      const { items } = await api(`/sessions/${session.id}/messages`);
      assert.ok(items[0].readAt, 'markRead reached the server');
    });

    await t.test('without ChatWidget the visitor page says so', { skip: hasWidget && 'this build has the twin-panel/widget entry' }, async () => {
      const page2 = await open({ width: 400, height: 800 });
      await page2.goto(`${base}/visitor.html`);
      await page2.locator('#unavailable', { hasText: 'ChatWidget is not available in this build' }).waitFor();
      assert.equal(await page2.locator('#start').isVisible(), false);
      await page2.screenshot({ path: join(artifacts, 'visitor-400.png') });
      await page2.context().close();
    });

    await t.test('the returning visitor continues their chat', { todo: !hasWidget && 'this build has no twin-panel/widget entry' }, async () => {
      if (!hasWidget) return;
      visitor = await open({ width: 400, height: 800 });
      // This browser started that chat before: its client id is stored.
      await visitor.goto(`${base}/visitor.html`);
      await visitor.evaluate((id) => localStorage.setItem('twin-panel-demo.clientId', id), session.clientId);
      await visitor.reload();
      await visitor.click('#continue');
      await visitor.locator('#widget-state', { hasText: 'online' }).waitFor();
      // The visitor types: the operator sees it.
      await visitor.fill('#visitor-text', 'Wait');
      await page.locator('#chat-typing', { hasText: 'typing' }).waitFor();
    });

    // #15 item 13: typing(sessionId), throttled, while the operator writes.
    await t.test('the operator\'s typing reaches the visitor, throttled', { todo: !hasWidget && 'this build has no twin-panel/widget entry' }, async () => {
      if (!hasWidget) return;
      const calls = [];
      const count = (request) => {
        if (request.url().endsWith(`/sessions/${session.id}/operators/typing`)) calls.push(request.method());
      };
      page.on('request', count);
      const started = Date.now();
      await page.locator('#composer-text').pressSequentially('Let me check that for you');
      const elapsed = Date.now() - started;
      await visitor.locator('#visitor-typing', { hasText: 'is typing' }).waitFor();
      page.off('request', count);
      assert.ok(calls.length >= 1 && calls.every((m) => m === 'POST'), `typing calls: ${calls}`);
      // One call per 2 s of typing at most, not one per key (25 keys).
      assert.ok(calls.length <= Math.ceil(elapsed / 2000) + 1, `${calls.length} typing calls in ${elapsed} ms`);
      await shot(visitor, 'visitor-operator-typing-400');
      await page.fill('#composer-text', '');
    });

    await t.test('the reply is sent and shown', async () => {
      await page.fill('#composer-text', reply);
      await page.press('#composer-text', 'Enter');
      const own = page.locator('#message-list .msg.own', { hasText: reply });
      await own.locator('.meta', { hasText: /✓ sent|✓✓ read/ }).waitFor(); // the visitor may read it at once
      assert.equal(await own.locator('.meta', { hasText: 'sending' }).count(), 0);
      assert.equal(await page.inputValue('#composer-text'), '');
      await row(session.id).locator('.session-preview', { hasText: `You: ${reply}` }).waitFor();
      const { items } = await api(`/sessions/${session.id}/messages`);
      assert.ok(items.some((m) => m.body === reply && m.authorType === 'OPERATOR' && m.authorId === String(ME)));
    });

    await t.test('the visitor sees the reply, who answers, and reads it; the operator sees "read"', { todo: !hasWidget && 'this build has no twin-panel/widget entry' }, async () => {
      if (!hasWidget) return;
      await visitor.locator('#message-list .msg.in', { hasText: reply }).waitFor();
      // #15 item 12: an operator is assigned and has replied: no "waiting".
      await visitor.locator('#operator-line', { hasText: 'is answering you' }).waitFor();
      assert.equal(await visitor.textContent('#operator-title'), 'Первый Оператор V');
      await page.locator('#message-list .msg.own', { hasText: reply }).locator('.meta .read').waitFor();
      await visitor.fill('#visitor-text', 'Thanks, operator!');
      await visitor.press('#visitor-text', 'Enter');
      await page.locator('#message-list .msg.in', { hasText: 'Thanks, operator!' }).waitFor();
      await shotBoth(visitor, 'visitor');
    });

    await t.test('screenshots at 1280×800 and 400×800', async () => {
      await page.locator('#message-list .msg.own', { hasText: reply }).waitFor();
      await page.screenshot({ path: join(artifacts, 'demo-1280.png') });
      await page.setViewportSize({ width: 400, height: 800 });
      await page.locator('#chat-back').waitFor(); // the narrow layout shows only the chat
      assert.equal(await page.locator('.list-pane').isVisible(), false);
      await page.screenshot({ path: join(artifacts, 'demo-400-chat.png') });
      await page.click('#chat-back');
      await page.locator('.list-pane').waitFor();
      assert.equal(await page.locator('#chat').isVisible(), false);
      await page.screenshot({ path: join(artifacts, 'demo-400-list.png') });
      await page.setViewportSize({ width: 1280, height: 800 });
      await row(session.id).locator('button').click();
      await page.locator('#chat-name', { hasText: 'E2E visitor' }).waitFor();
    });

    await t.test('transfer to another operator: the session leaves the list', async () => {
      await page.click('#chat-tools [data-action=transfer]');
      const dialog = page.locator('dialog.modal[open]');
      await dialog.locator(`[data-operator-id="${OTHER}"]`).click();
      await dialog.waitFor({ state: 'detached' });
      await row(session.id).waitFor({ state: 'detached' });
      await page.locator('#chat-placeholder').waitFor();
      const moved = await api(`/sessions/${session.id}`);
      assert.equal(String(moved.operatorId), String(OTHER));
    });

    // #15 item 14: the header keeps one line for the name and one for the status.
    // Both ways: to "II Dev", then (by that operator, over the API) back to
    // "Первый Оператор V", the longer name.
    await t.test('after a transfer the widget header does not wrap', { todo: !hasWidget && 'this build has no twin-panel/widget entry' }, async () => {
      if (!hasWidget) return;
      const oneLine = async (step) => {
        for (const width of [400, 1280]) {
          await visitor.setViewportSize({ width, height: 800 });
          for (const part of ['#operator-title', '#operator-line']) {
            assert.ok(await lineCount(visitor.locator(part)) < 1.5, `${part} takes one line at ${width} px (${step})`);
          }
          const head = await visitor.locator('.widget-head').boundingBox();
          const end = await visitor.locator('#end-chat').boundingBox();
          assert.ok(end.y + end.height <= head.y + head.height && end.x + end.width <= head.x + head.width, `"End chat" inside the header at ${width} px (${step})`);
          await shot(visitor, `visitor-${step}-${width}`);
        }
        await visitor.setViewportSize({ width: 400, height: 800 });
      };
      await visitor.locator('#message-list .system', { hasText: 'II Dev took over from' }).waitFor();
      await visitor.locator('#operator-title', { hasText: /^II Dev$/ }).waitFor();
      await oneLine('transferred');
      await call('PATCH', `/chat/api/v1/sessions/${session.id}/operators/${ME}`, {}, token);
      await visitor.locator('#message-list .system', { hasText: 'Первый Оператор V took over from II Dev' }).waitFor();
      await visitor.locator('#operator-title', { hasText: 'Первый Оператор V' }).waitFor();
      await oneLine('transferred-back');
      await row(session.id).waitFor(); // back in "My chats"
    });

    await t.test('rename takes any text', async () => {
      const name = 'Иван / VIP #1';
      await row(ANNA).locator('button').click();
      await page.locator('#chat-name', { hasText: 'Анна Смирнова' }).waitFor();
      await page.click('#chat-tools [data-action=rename]');
      await page.fill('dialog.modal[open] input[name=name]', name);
      await page.click('dialog.modal[open] button[type=submit]');
      await page.locator('#chat-name', { hasText: name }).waitFor();
      await row(ANNA).locator('.session-name', { hasText: name }).waitFor();
      assert.equal((await api(`/sessions/${ANNA}`)).name, name);
    });

    await t.test('"Load older" pages back through the history', async () => {
      for (let i = 1; i <= 21; i++) await sandbox('visitor/message', { sessionId: ANNA, body: `Paging message ${i}` });
      const last = page.locator('#message-list .msg .text', { hasText: /^Paging message 21$/ });
      await last.waitFor();
      await page.click('#sessions li[data-session-id] >> nth=1'); // another chat, then back: a fresh first page
      await row(ANNA).locator('button').click();
      await last.waitFor();
      await page.locator('#load-older').waitFor();
      assert.equal(await page.locator('#message-list .msg').count(), 20);
      await page.click('#load-older');
      await page.locator('#message-list .msg', { hasText: 'Не проходит оплата' }).waitFor(); // the first one
      await page.locator('#load-older').waitFor({ state: 'hidden' });
      assert.equal(await page.locator('#message-list .msg').count(), 25);
    });

    // #13 item 14: attachment URLs go into href/src only when http(s) or blob.
    await t.test('attachment links: only http(s) and blob', async () => {
      const checked = await page.evaluate(async () => {
        const { safeUrl } = await import('/ui.js');
        return ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:x', '', null,
          'https://cdn.example/a.png', 'http://127.0.0.1/f', 'blob:http://127.0.0.1/0f1e', '/files/1'].map(safeUrl);
      });
      assert.deepEqual(checked.slice(0, 6), [null, null, null, null, null, null]);
      assert.deepEqual(checked.slice(6, 9), ['https://cdn.example/a.png', 'http://127.0.0.1/f', 'blob:http://127.0.0.1/0f1e']);
      assert.equal(checked[9], `${base}/files/1`);
      // A message naming javascript: links, in the open chat.
      await sandbox('publish', {
        userId: String(ME),
        event: 'chatMessageCreated',
        data: {
          id: 'evil-1', sessionId: ANNA, authorType: 'CLIENT', body: 'evil attachments', createdAt: new Date().toISOString(),
          attachments: [
            { name: 'evil.txt', url: 'javascript:alert(1)', downloadLink: 'javascript:alert(2)' },
            { name: 'evil.png', contentType: 'image/png', url: 'javascript:alert(3)' },
            { name: 'fine.pdf', url: 'https://cdn.example/fine.pdf' },
          ],
        },
      });
      const msg = page.locator('#message-list .msg', { hasText: 'evil attachments' });
      await msg.waitFor();
      const links = await msg.locator('a.attachment').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      assert.deepEqual(links, [null, null, 'https://cdn.example/fine.pdf']);
      assert.equal(await msg.locator('img').count(), 0);
    });

    // #15 item 14: the unseen count sits beside "Events" (and the icon), never on it.
    await t.test('the Events count covers neither the label nor the icon', async () => {
      await page.locator('#events-unseen').waitFor(); // the events so far are unseen
      const label = await page.locator('#events-toggle .label').boundingBox();
      const count = await page.locator('#events-unseen').boundingBox();
      const button = await page.locator('#events-toggle').boundingBox();
      assert.ok(label && count && button, 'label, count and button on screen');
      assert.ok(!overlap(label, count), 'count over the label at 1280 px');
      assert.ok(count.x >= button.x && count.x + count.width <= button.x + button.width, 'count inside the button');
      await page.locator('.topbar').screenshot({ path: join(artifacts, 'topbar-1280.png') });
      await page.setViewportSize({ width: 400, height: 800 });
      const icon = await page.locator('#events-toggle svg').boundingBox();
      const narrow = await page.locator('#events-unseen').boundingBox();
      assert.ok(icon && narrow, 'icon and count on screen at 400 px');
      assert.ok(!overlap(icon, narrow), 'count over the icon at 400 px');
      assert.ok(narrow.x + narrow.width <= 400, 'count on screen at 400 px');
      await page.locator('.topbar').screenshot({ path: join(artifacts, 'topbar-400.png') });
      await page.setViewportSize({ width: 1280, height: 800 });
    });

    await t.test('a raw publication shows in the event log; no card is cut mid-line', async () => {
      const body = `smoke ${Date.now()}`;
      await sandbox('publish', { userId: String(ME), event: 'chatMessageCreated', data: { id: 'smoke-1', body } });
      await page.click('#events-toggle');
      await page.locator('#events .event', { hasText: body }).waitFor();
      await page.locator('#events-unseen').waitFor({ state: 'hidden' });
      // Every card shows all of its JSON, or whole lines and a "Show all" button.
      const cards = await page.locator('#events .event').evaluateAll((items) => items.map((item) => {
        const pre = item.querySelector('pre');
        const lineHeight = parseFloat(getComputedStyle(pre).lineHeight);
        return {
          overflows: pre.scrollHeight > pre.clientHeight + 1,
          wholeLines: Math.abs(pre.clientHeight / lineHeight - Math.round(pre.clientHeight / lineHeight)) < 0.01,
          more: !!item.querySelector('.event-more'),
          text: pre.textContent.slice(0, 60),
        };
      }));
      assert.ok(cards.length > 3);
      for (const card of cards) {
        if (card.overflows) assert.ok(card.more && card.wholeLines, `cut mid-line: ${card.text}`);
      }
      assert.ok(cards.some((c) => c.more), 'a long payload (a session) is folded');
      await shotBoth(page, 'events');
      const folded = page.locator('#events .event:has(.event-more)').first();
      await folded.locator('.event-more').click();
      assert.ok(await folded.locator('pre').evaluate((pre) => pre.scrollHeight <= pre.clientHeight + 1), '"Show all" shows all');
      await page.click('#events-close');
    });

    // #15 item 14: toasts keep off the "This chat is closed." bar and the events pane.
    await t.test('toasts cover neither the closed bar nor the events pane', async () => {
      const toastClear = async (what, target) => {
        const toast = page.locator('#toasts .toast', { hasText: what }).last();
        await toast.waitFor();
        const [shown, other] = [await toast.boundingBox(), await page.locator(target).boundingBox()];
        assert.ok(shown && other, `"${what}" and ${target} are both on screen`);
        assert.ok(!overlap(shown, other), `"${what}" over ${target} at ${page.viewportSize().width} px`);
      };
      await page.click('#chat-tools [data-action=close]');
      await page.click('dialog.modal[open] button[type=submit]');
      await page.locator('#chat-notice', { hasText: 'This chat is closed.' }).waitFor();
      await toastClear('is closed', '#chat-notice');
      await toastClear('is closed', '#composer');
      await shot(page, 'toast-closed-1280');
      await page.setViewportSize({ width: 400, height: 800 });
      await sandbox('visitor/session', { operatorId: ME, clientName: 'Toast one', message: 'hi' });
      await toastClear('New chat: Toast one', '#chat-notice');
      await toastClear('New chat: Toast one', '#composer');
      await shot(page, 'toast-closed-400');
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.click('#events-toggle');
      await sandbox('visitor/session', { operatorId: ME, clientName: 'Toast two', message: 'hi' });
      await toastClear('New chat: Toast two', '#events-pane');
      await toastClear('New chat: Toast two', '#chat-notice');
      await shot(page, 'toast-events-1280');
      await page.click('#events-close');
    });

    // #15 item 14: a closed chat cannot be answered, so it shows no unread count.
    await t.test('closed chats show no unread count', async () => {
      const unread = await sandbox('visitor/session', { operatorId: ME, clientName: 'Unread then closed', message: 'one' });
      await sandbox('visitor/message', { sessionId: unread.id, body: 'two' });
      await row(unread.id).locator('.unread', { hasText: '2' }).waitFor();
      await sandbox('visitor/close', { sessionId: unread.id });
      await row(unread.id).waitFor({ state: 'detached' });
      await tab('closed');
      await row(unread.id).waitFor();
      assert.equal(await page.locator('#sessions .unread').count(), 0, 'no closed chat shows an unread count');
      await shot(page, 'closed-tab-1280');
      await page.setViewportSize({ width: 400, height: 800 });
      await page.click('#chat-back'); // the narrow layout shows the list or the chat
      await page.locator('#sessions li', { hasText: 'Unread then closed' }).waitFor();
      await shot(page, 'closed-tab-400');
      await page.setViewportSize({ width: 1280, height: 800 });
      await tab('mine');
    });

    await t.test('pause: the toggle shows paused and the sandbox agrees', async () => {
      await page.click('#status-toggle');
      await page.locator('#status-toggle[data-status=PAUSED]', { hasText: 'Paused' }).waitFor();
      const { items } = await api('/users');
      assert.equal(items.find((o) => o.id === ME)?.status, 'PAUSED');
    });

    await t.test('lost history: the list is reloaded and a banner says so', async () => {
      await sandbox('faults/restart'); // new epoch: the missed publications cannot be recovered
      const note = page.locator('#resync-banner');
      await note.waitFor();
      await page.locator('#state', { hasText: /^connected$/ }).waitFor();
      await note.locator('.banner-close').click();
      await note.waitFor({ state: 'detached' });
    });

    await t.test('a forced logout returns to the login with a banner', async () => {
      await sandbox('operators/logout', { userId: String(ME) });
      await page.locator('#login-screen').waitFor();
      await page.locator('#logout-banner', { hasText: 'logged out' }).waitFor();
      assert.equal(await page.locator('#workspace').isVisible(), false);
      await shotBoth(page, 'demo-forced-logout');
    });

    assert.deepEqual(errors, []);
    assert.deepEqual(loaded(page), ['/pkg/index.js'], 'what the operator page loaded from the package, all along');
  } finally {
    await browser.close(); // playwright gives each launch a fresh, empty profile
  }
});
