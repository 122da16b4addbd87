// The inbox row of `make bench`: the time `panel.inbox` takes to apply
// 10,000 events to a 1,000-session store, and how many notifications its
// subscribers got for them.
//
//   scripts/with-sandbox.sh -history-size 20000 -- node bench/inbox.mjs \
//       [--out target/bench/inbox.json] [--sessions 1000] [--events 10000]
//
// The sandbox gets 1,000 sessions of operator 389; the page loads them into
// `panel.inbox` and disconnects; 10,000 chatMessageCreated publications (client
// messages spread over the sessions) go into the channel history; on
// reconnect the server replays them in one connect reply. The figure is the
// time from the `connected` listener (which runs just before the replayed
// publications are dispatched) to the inbox's notification, on the page's
// clock; it includes the panel's own per-publication dispatch. Bounded: every
// wait has a deadline, and the whole run takes well under a minute.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium } from 'playwright-core';
import { option, sandboxBase } from './cli.mjs';

const base = sandboxBase();
const config = {
  out: option('out', 'target/bench/inbox.json'),
  sessions: option('sessions', 1_000),
  events: option('events', 10_000),
};
const OPERATOR = '389';
const log = (...args) => console.log('bench inbox:', ...args);

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
const ids = new Array(config.sessions);
log(`starting ${config.sessions} sessions`);
await pool(config.sessions, 16, async (i) => {
  ids[i] = (await sandbox('visitor/session', { operatorId: OPERATOR, clientName: `Bench ${i}` })).id;
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-quic'],
});
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(`${base}/pkg/package.json`); // any page of the sandbox's origin
  const loaded = await page.evaluate(async ({ base, limit }) => {
    const { default: init, OperatorPanel } = await import('/pkg/index.js');
    await init();
    const panel = new OperatorPanel({
      iamUrl: `${base}/iam/api/v1`,
      chatUrl: `${base}/chat/api/v1`,
      centrifugoUrl: `${base.replace(/^http/, 'ws')}/centrifugo/connection/websocket`,
    });
    await panel.login({ email: 'operator@twin.local', password: 'operator' });
    await panel.connect();
    const inbox = panel.inbox;
    await inbox.load({ status: 'ACTIVE', limit });
    const bench = { panel, inbox, notifications: 0, connectedAt: 0, notifiedAt: 0 };
    inbox.subscribe(() => {
      bench.notifications++;
      bench.notifiedAt = performance.now();
    });
    panel.on('connected', () => {
      bench.connectedAt = performance.now();
    });
    window.inboxBench = bench;
    panel.disconnect();
    return inbox.getSnapshot().sessions.length;
  }, { base, limit: config.sessions });
  log(`the store holds ${loaded} sessions`);

  log(`publishing ${config.events} events into the history`);
  const start = Date.parse('2030-01-01T00:00:00Z');
  await pool(config.events, 32, async (i) => {
    await sandbox('publish', {
      userId: OPERATOR,
      event: 'chatMessageCreated',
      data: {
        id: `bench-${i}`,
        sessionId: ids[i % ids.length],
        authorType: 'CLIENT',
        body: `message ${i}`,
        createdAt: new Date(start + i * 1000).toISOString(),
        readAt: null,
      },
    });
  });

  const result = await page.evaluate(async ({ events }) => {
    const bench = window.inboxBench;
    const before = bench.inbox.getSnapshot();
    bench.notifications = 0;
    await bench.panel.connect();
    const deadline = performance.now() + 30_000;
    while (bench.inbox.getSnapshot().unreadTotal < before.unreadTotal + events && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const after = bench.inbox.getSnapshot();
    bench.panel.free();
    return {
      applied: after.unreadTotal - before.unreadTotal,
      versions: after.version - before.version,
      ms: bench.notifiedAt - bench.connectedAt,
      notifications: bench.notifications,
    };
  }, { events: config.events });
  if (result.applied !== config.events) throw new Error(`only ${result.applied} of ${config.events} events were applied`);
  const row = { sessions: loaded, events: config.events, ...result };
  log(`${row.events} events on ${row.sessions} sessions: ${row.ms.toFixed(1)} ms, ${row.notifications} notification(s)`);
  mkdirSync(dirname(config.out), { recursive: true });
  writeFileSync(config.out, `${JSON.stringify(row, null, 2)}\n`);
} finally {
  await browser.close();
}
