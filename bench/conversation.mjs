// The conversation row of `make bench`: `panel.conversation(id)` over a
// 10,000-message session: the time to load it all (the newest page, then
// older pages back to the first message) and the time to apply 1,000 live
// events on top, with how many notifications its subscriber got for each.
//
//   scripts/with-sandbox.sh -history-size 20000 -- node bench/conversation.mjs \
//       [--out target/bench/conversation.json] [--messages 10000] [--events 1000] [--page 1000]
//
// The sandbox gets one session of operator 389 with 10,000 client messages.
// The page opens its conversation, loads the newest page and pages back
// until `loadOlder()` resolves false; the subscriber reads every snapshot
// (as React does), so building them is in the figure. Then the panel
// disconnects, 1,000 chatMessageCreated publications of the session go into
// the channel history, and the reconnect replays them in one connect reply;
// the figure is the time from the `connected` listener (just before the
// replayed publications are dispatched) to the store's notification that
// holds them all, on the page's clock. Bounded: every wait has a deadline.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium } from 'playwright-core';
import { option, sandboxBase } from './cli.mjs';

const base = sandboxBase();
const config = {
  out: option('out', 'target/bench/conversation.json'),
  messages: option('messages', 10_000),
  events: option('events', 1_000),
  page: option('page', 1_000),
};
const OPERATOR = '389';
const log = (...args) => console.log('bench conversation:', ...args);

async function sandbox(path, body) {
  const response = await fetch(`${base}/__sandbox/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Sandbox-Control': '1' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}

/** Runs `task(i)` for i < count, `width` at a time. */
async function pool(count, width, task) {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

await sandbox('chats/reset', {});
const session = await sandbox('visitor/session', { operatorId: OPERATOR, clientName: 'Bench conversation', message: 'message 0' });
log(`writing ${config.messages} messages`);
await pool(config.messages - 1, 16, (i) => sandbox('visitor/message', { sessionId: session.id, body: `message ${i + 1}` }));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-quic'],
});
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(120_000);
  await page.goto(`${base}/pkg/package.json`); // any page of the sandbox's origin
  const load = await page.evaluate(async ({ base, sessionId, limit }) => {
    const { default: init, OperatorPanel } = await import('/pkg/index.js');
    await init();
    const panel = new OperatorPanel({
      iamUrl: `${base}/iam/api/v1`,
      chatUrl: `${base}/chat/api/v1`,
      centrifugoUrl: `${base.replace(/^http/, 'ws')}/centrifugo/connection/websocket`,
    });
    await panel.login({ email: 'operator@twin.local', password: 'operator' });
    await panel.connect();
    const conversation = panel.conversation(sessionId);
    const bench = { panel, conversation, notifications: 0, held: 0, connectedAt: 0, notifiedAt: 0 };
    conversation.subscribe(() => {
      bench.notifications++;
      bench.held = conversation.getSnapshot().messages.length; // what a renderer reads
      bench.notifiedAt = performance.now();
    });
    panel.on('connected', () => {
      bench.connectedAt = performance.now();
    });
    window.conversationBench = bench;
    const started = performance.now();
    await conversation.load({ limit });
    let pages = 1;
    while (await conversation.loadOlder({ limit })) pages++;
    await new Promise((resolve) => setTimeout(resolve, 0)); // the last notification
    const ms = performance.now() - started;
    const result = { ms, pages, held: conversation.getSnapshot().messages.length, notifications: bench.notifications };
    panel.disconnect();
    return result;
  }, { base, sessionId: session.id, limit: config.page });
  if (load.held !== config.messages) throw new Error(`the store holds ${load.held} of ${config.messages} messages`);
  log(`loaded ${load.held} messages in ${load.pages} pages: ${load.ms.toFixed(1)} ms, ${load.notifications} notification(s)`);

  log(`publishing ${config.events} events into the history`);
  const start = Date.parse('2030-01-01T00:00:00Z');
  await pool(config.events, 32, (i) => sandbox('publish', {
    userId: OPERATOR,
    event: 'chatMessageCreated',
    data: {
      id: `bench-${i}`,
      sessionId: session.id,
      authorType: 'CLIENT',
      body: `live ${i}`,
      createdAt: new Date(start + i * 1000).toISOString(),
      readAt: null,
    },
  }));

  const live = await page.evaluate(async ({ total }) => {
    const bench = window.conversationBench;
    bench.notifications = 0;
    await bench.panel.connect();
    const deadline = performance.now() + 30_000;
    while (bench.held < total && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const held = bench.conversation.getSnapshot().messages.length;
    bench.panel.free();
    return { held, ms: bench.notifiedAt - bench.connectedAt, notifications: bench.notifications };
  }, { total: config.messages + config.events });
  if (live.held !== config.messages + config.events) throw new Error(`only ${live.held - config.messages} of ${config.events} events were applied`);
  const row = {
    messages: config.messages,
    page: config.page,
    pages: load.pages,
    loadMs: load.ms,
    loadNotifications: load.notifications,
    events: config.events,
    eventsMs: live.ms,
    eventNotifications: live.notifications,
  };
  log(`${row.events} events on ${row.messages} messages: ${row.eventsMs.toFixed(1)} ms, ${row.eventNotifications} notification(s)`);
  mkdirSync(dirname(config.out), { recursive: true });
  writeFileSync(config.out, `${JSON.stringify(row, null, 2)}\n`);
} finally {
  await browser.close();
}
