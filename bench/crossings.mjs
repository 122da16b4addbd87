// The crossings row of `make bench`: how many calls cross the wasm boundary
// per publication that reaches a JS callback, counted in the page
// (bench/page/crossings.js wraps the module's imports and exports), while
// twin-panel reads a stream of chatMessageCreated publications from an
// in-page socket. Six cases: a tab alone with frames of 100 publications
// and of 1, and with `panel.inbox` loaded (each publication applied to it:
// all of a session it holds, or every other one of a session it does not);
// a leader with one follower (another page of the same context), and that
// follower, which gets the publications relayed over the BroadcastChannel.
//
//   scripts/with-sandbox.sh -www bench/page -- node bench/crossings.mjs \
//       [--out target/bench/crossings.json] [--events 2000]
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium } from 'playwright-core';
import { option, sandboxBase } from './cli.mjs';

const base = sandboxBase();
const config = {
  out: option('out', 'target/bench/crossings.json'),
  events: option('events', 2_000),
};
const log = (...args) => console.log('bench crossings:', ...args);

async function openPage(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  await page.goto(`${base}/index.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 15_000 });
  await page.evaluate(async () => {
    window.bench.installCounter();
    await window.bench.loadPanel();
  });
  return page;
}

function perPublication(counted, received) {
  return {
    ...counted,
    received,
    perPublication: received > 0 ? counted.total / received : null,
    top: counted.top.map((t) => ({ ...t, perPublication: t.n / received })),
  };
}

/** A tab alone (the leader of a group of one): frames of `perFrame`, with `panel.inbox` loaded or not. */
async function alone(browser, perFrame, inbox = false, mixed = false) {
  const context = await browser.newContext();
  try {
    const page = await openPage(context);
    const role = await page.evaluate(([n, per, withInbox, half]) => window.bench.crossingsLeader(n, per, withInbox, half), [config.events, perFrame, inbox, mixed]);
    await page.evaluate(() => { window.bench.startCounting(); window.bench.crossingsRelease(); });
    const result = await page.evaluate(() => window.bench.crossingsAwait(60_000));
    const counted = await page.evaluate(() => window.bench.stopCounting());
    const held = mixed ? ', every other message of a session it does not hold' : '';
    const name = `alone (${role}), frames of ${perFrame}${inbox ? `, panel.inbox loaded${held}` : ''}`;
    return { case: name, ...result, ...perPublication(counted, result.received) };
  } finally {
    await context.close();
  }
}

/** A leader and its follower in two pages of one context: frames of `perFrame`. */
async function shared(browser, perFrame) {
  const context = await browser.newContext();
  try {
    const leader = await openPage(context);
    const follower = await openPage(context);
    const leaderRole = await leader.evaluate(([n, per]) => window.bench.crossingsLeader(n, per), [config.events, perFrame]);
    const followerRole = await follower.evaluate((n) => window.bench.crossingsFollower(n), config.events);
    await follower.evaluate(() => window.bench.startCounting());
    await leader.evaluate(() => { window.bench.startCounting(); window.bench.crossingsRelease(); });
    const [led, followed] = await Promise.all([
      leader.evaluate(() => window.bench.crossingsAwait(60_000)),
      follower.evaluate(() => window.bench.crossingsAwait(60_000)),
    ]);
    const ledCount = await leader.evaluate(() => window.bench.stopCounting());
    const followedCount = await follower.evaluate(() => window.bench.stopCounting());
    return [
      { case: `${leaderRole} with a follower, frames of ${perFrame}`, ...led, ...perPublication(ledCount, led.received) },
      { case: `${followerRole} (relayed), frames of ${perFrame}`, ...followed, ...perPublication(followedCount, followed.received) },
    ];
  } finally {
    await context.close();
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-quic'],
});
const cases = [];
try {
  cases.push(await alone(browser, 100));
  cases.push(await alone(browser, 1));
  cases.push(await alone(browser, 100, true));
  cases.push(await alone(browser, 100, true, true));
  cases.push(...(await shared(browser, 100)));
} finally {
  await browser.close();
}
for (const c of cases) {
  log(`${c.case}: ${c.perPublication?.toFixed(2)} per publication (${c.total} for ${c.received}, complete: ${c.complete}, in order: ${c.inOrder})`);
  for (const t of c.top.slice(0, 12)) log(`    ${t.name}: ${t.perPublication.toFixed(2)}  ${t.source ?? ''}`);
}
mkdirSync(dirname(config.out), { recursive: true });
writeFileSync(config.out, JSON.stringify({ events: config.events, cases }, null, 2));
