// `make soak` (#25): a shift under faults, with nothing lost and memory flat.
//
// For each browser of SOAK_BROWSERS, 3 tabs of one operator share one
// connection; each tab holds `panel.inbox` and a visitor's ChatWidget. The
// sandbox runs simulated visitors, a numbered stream per operator, and the
// soak's own visitors write and get answers. For SOAK_MINUTES, faults drawn
// from the seed come one after another; after each, the tabs must form one
// connected group again, and the inboxes must equal the sandbox's sessions.
// At the end every invariant is judged once more, SOAK.md is written, and the
// exit code says whether every invariant held.
//
// Run: scripts/soak.sh (the sandbox with the flags the soak needs), or
// `make soak`. Every wait is bounded; the whole run too.
import { readConfig } from './config.mjs';
import { seeded } from './random.mjs';
import { controller, truthReader, login, sleep } from './sandbox.mjs';
import { chromiumBrowser } from './chromium.mjs';
import { firefoxBrowser } from './firefox.mjs';
import { OperatorTabs } from './operator.mjs';
import { FAULTS, REST_PREFIX_LIST, applicable, clearRule } from './faults.mjs';
import { conversations } from './traffic.mjs';
import { sample, thirds } from './memory.mjs';
import { writeReport } from './report.mjs';
import {
  Verdicts, entryJudge, inboxScope, inboxDiff, checkConversations, checkConversationViews,
} from './invariants.mjs';

const OPERATORS = {
  chromium: { id: 389, email: 'operator@twin.local' },
  firefox: { id: 472, email: 'dev@twin.local' },
};
const TABS = 3;
const STREAM_INTERVAL_MS = 200;
/** After the tabs settled, a connection still closing is the failover's tail, not a second connection. */
const FAILOVER_GRACE_MS = 5_000;
/** Time for the final checks beyond SOAK_MINUTES; past it the run is stopped as failed. */
const FINAL_MS = 6 * 60_000;

const fmt = (ms) => `${Math.floor(ms / 60_000)}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}`;

/** Calls `fn` every `ms` until stopped; an error is reported once per kind, not thrown. */
function every(ms, what, fn) {
  let running = true;
  const seen = new Set();
  const done = (async () => {
    while (running) {
      try {
        await fn();
      } catch (e) {
        const key = e.message.split('\n')[0];
        if (!seen.has(key)) {
          seen.add(key);
          console.log(`soak: ${what}: ${key}`);
        }
      }
      await sleep(ms);
    }
  })();
  return async () => {
    running = false;
    await done;
  };
}

async function main() {
  const config = readConfig();
  if (!config.base) throw new Error('TWIN_SANDBOX_URL is not set (run through scripts/soak.sh)');
  const { base, seed, minutes } = config;
  const started = Date.now();
  const deadline = started + minutes * 60_000;
  const clock = () => fmt(Date.now() - started);
  const say = (text) => console.log(`soak ${clock()}: ${text}`);
  console.log(`soak: seed ${seed} (replay: SOAK_SEED=${seed} SOAK_MINUTES=${minutes} make soak); ${minutes} min; browsers ${config.browsers.join(', ')}`);
  const watchdog = setTimeout(() => {
    console.log(`soak: FAILED: still running ${FINAL_MS / 60_000} min past SOAK_MINUTES (seed ${seed}); stopped`);
    process.exit(3);
  }, minutes * 60_000 + FINAL_MS);
  watchdog.unref();

  const control = controller(base);
  const truth = truthReader(base);
  const verdicts = new Verdicts(seed, clock);
  const figures = {
    events: 0, widgetEvents: 0, resyncs: 0, tokenRefreshes: 0, leaderships: 0, failovers: 0, inboxErrors: 0,
    tabsOpened: 0, visitorMessages: 0, replies: 0, repliesSwallowed: 0, repliesMissedWithResync: 0, inboxChecks: 0, refreshes: 0, refreshRequests: 0,
  };
  const judge = entryJudge(verdicts, figures);
  const faultRng = seeded(seed);
  const trafficRng = seeded(seed ^ 0x5eed);
  const faults = [];
  const samples = [];
  const windows = { open: false, closedAt: 0 };
  const groups = [];
  const stops = [];
  let published = [];
  let conversationViews = 0;

  await control.post('faults/reset');
  await control.post('chats/reset');
  await control.post('stats/reset');
  // With one browser only its operator takes new chats (494 is seeded PAUSED).
  if (!config.browsers.includes('firefox')) await truth.setStatus(OPERATORS.firefox.email, 'PAUSED');

  try {
    for (const name of config.browsers) {
      const browser = name === 'chromium' ? await chromiumBrowser(base) : await firefoxBrowser(base);
      const group = new OperatorTabs({ browser, operator: OPERATORS[name], control, observe: judge });
      groups.push(group);
      const pair = await login(base, group.operator.email); // once: a login forces a live connection out
      for (let i = 0; i < TABS; i++) await group.open(pair);
    }
    const count = Math.ceil((minutes * 60_000 + FINAL_MS) / STREAM_INTERVAL_MS);
    for (const g of groups) {
      const { streamId } = await control.post('stream', { userId: String(g.operator.id), count, intervalMs: STREAM_INTERVAL_MS, event: 'soakSeq' });
      g.stream = { id: streamId };
    }

    /** Waits until every group settled; a group that does not breaks the recovery precondition. */
    const settleAll = async () => {
      for (const g of groups) {
        const stuck = await g.settle();
        if (stuck) verdicts.fail('recovery', `${g.name} did not settle within 60 s: ${JSON.stringify(stuck)}`);
      }
    };
    /** The inboxes equal the sandbox's sessions in scope, within 20 s (simulated visitors keep writing). */
    const checkInboxes = async (bound = 20_000) => {
      figures.inboxChecks += 1;
      // A count once wrong stays wrong: after the first break, look briefly.
      const timeout = verdicts.violations.some((v) => v.invariant === 'inbox') ? 2_000 : bound;
      const until = Date.now() + timeout;
      for (;;) {
        const diffs = [];
        let where = null;
        const sessions = await truth.activeSessions();
        for (const g of groups) {
          const want = inboxScope(sessions, String(g.operator.id));
          for (const t of g.reachable) {
            const snap = await t.handle.call('inbox');
            const d = snap.loading ? ['still loading'] : inboxDiff(snap.sessions, want);
            if (d.length) diffs.push(`${t.name}: ${d.slice(0, 3).join('; ')}${d.length > 3 ? ` (+${d.length - 3} more)` : ''}`);
            if (d.length) where ??= t;
          }
        }
        if (diffs.length === 0) return;
        if (Date.now() > until) {
          verdicts.fail('inbox', diffs.join(' | '), where);
          return;
        }
        await sleep(500);
      }
    };
    const quietPoint = async () => {
      await settleAll();
      await checkInboxes();
      samples.push(await sample(groups));
    };

    await quietPoint();
    say(`${groups.map((g) => `${g.name}: ${g.live.length} tabs`).join(', ')}; stream every ${STREAM_INTERVAL_MS} ms`);

    stops.push(every(1_000, 'drain', () => Promise.all(groups.map((g) => g.drain()))));
    let overlapping = false;
    stops.push(every(500, 'connections', async () => {
      const { connectionsByOperator: by = {} } = await control.stats();
      for (const g of groups) {
        const n = by[String(g.operator.id)] ?? 0;
        const failover = windows.open || Date.now() - windows.closedAt < FAILOVER_GRACE_MS;
        if (n > 1 && !failover && !overlapping) {
          overlapping = true;
          verdicts.fail('oneConnection', `${n} live Centrifugo connections of operator ${g.operator.id} with no fault under way`);
        }
        if (n <= 1) overlapping = false;
      }
    }));
    const traffic = conversations({ groups, truth, rng: trafficRng });
    let minute = 0;
    stops.push(every(5_000, 'progress', async () => {
      const m = Math.floor((Date.now() - started) / 60_000);
      if (m <= minute) return;
      minute = m;
      const kinds = {};
      for (const f of faults) kinds[f.kind] = (kinds[f.kind] ?? 0) + 1;
      const mem = samples.at(-1);
      const memText = groups.map((g) => `${g.browser.name} heap ${mem?.[g.browser.name]?.heap == null ? '–' : `${(mem[g.browser.name].heap / 1048576).toFixed(1)} MB`} wasm ${((mem?.[g.browser.name]?.wasm ?? 0) / 1048576).toFixed(1)} MB`).join(', ');
      say(`minute ${m}/${minutes}: ${faults.length} faults ${JSON.stringify(kinds)}; ${figures.events} events; ${figures.leaderships - groups.length} failovers; ${figures.resyncs} resyncs; ${traffic.counts.said} visitor messages, ${traffic.counts.replied} replies; ${memText}; ${verdicts.violations.length} violations`);
    }));

    // The faults, one after another, until the time is up. A broken
    // invariant does not end the run: the first break is printed at once,
    // and the rest of the shift may find more.
    const kinds = applicable(groups, config.faults);
    while (Date.now() < deadline) {
      await sleep(faultRng.int(3, 10) * 1000);
      if (Date.now() >= deadline) break;
      const kind = faultRng.pick(kinds);
      const fault = { n: faults.length + 1, kind, at: clock(), what: '', from: Date.now(), to: null };
      faults.push(fault);
      verdicts.currentFault = fault;
      windows.open = true;
      try {
        fault.what = await FAULTS[kind].run({ control, groups, rng: faultRng });
      } catch (e) {
        fault.what = `injection failed: ${e.message.split('\n')[0]}`;
      }
      fault.to = Date.now();
      say(`fault #${fault.n} ${FAULTS[kind].label}: ${fault.what}`);
      await settleAll();
      windows.open = false;
      windows.closedAt = Date.now();
      await checkInboxes();
      samples.push(await sample(groups));
    }

    // The end: no more faults, traffic or stream; everything must add up.
    say('time is up: final checks');
    verdicts.currentFault = null;
    await control.post('faults/silence', { on: false });
    for (const prefix of REST_PREFIX_LIST) await clearRule(control, prefix);
    for (const g of groups) if (g.browser.canGoOffline) await g.browser.setOffline(false);
    await traffic.stop();
    for (const g of groups) {
      await control.del(`stream/${g.stream.id}`);
      let st = await control.get(`stream/${g.stream.id}`);
      for (let i = 0; i < 50 && !st.done; i++) {
        await sleep(100);
        st = await control.get(`stream/${g.stream.id}`);
      }
      g.stream.published = st.published;
    }
    published = groups.map((g) => `${g.stream.published} (${g.name})`);
    await settleAll();
    const reachedEnd = () => groups.every((g) => g.live.every((t) => t.lastSeq >= g.stream.published));
    for (let i = 0; i < 60 && !reachedEnd(); i++) await sleep(500);
    for (const g of groups) {
      for (const t of g.live) {
        if (t.lastSeq < g.stream.published && !t.resyncs.some((at) => at >= t.lastSeqAt)) {
          verdicts.fail('stream', `${t.name}: the last publication it got is ${t.lastSeq} of ${g.stream.published}, and no resync`);
        }
      }
    }
    await checkInboxes(30_000);
    samples.push(await sample(groups));
    for (const stop of stops.splice(0)) await stop();
    await Promise.all(groups.map((g) => g.drain()));
    const silences = faults.filter((f) => f.kind === 'silentServer').map((f) => [f.from, f.to]);
    await checkConversations({ groups, truth, verdicts, figures, sentAt: traffic.sentAt, silences });
    conversationViews = await checkConversationViews({ groups, truth, verdicts });
    const { connectionsByOperator: by = {}, refreshes, refreshRequests } = await control.stats();
    for (const g of groups) {
      const n = by[String(g.operator.id)] ?? 0;
      if (n > 1) verdicts.fail('oneConnection', `${n} live Centrifugo connections of operator ${g.operator.id} at the end`);
    }
    figures.refreshes = refreshes;
    figures.refreshRequests = refreshRequests;
    for (const g of groups) for (const e of g.browser.errors) verdicts.fail('noErrors', `${e.tab}: page error: ${e.text.split('\n')[0]}`);
    figures.networkNotices = groups.reduce((n, g) => n + (g.browser.networkNotices?.length ?? 0), 0);
    figures.failovers = figures.leaderships - groups.length;
    figures.tabsOpened = groups.reduce((n, g) => n + g.opened, 0);
  } finally {
    for (const stop of stops) await stop().catch(() => {});
    for (const g of groups) await g.browser.close();
  }

  const ended = Date.now();
  const memory = thirds(samples, started, ended);
  for (const s of memory) {
    if (!s.flat) verdicts.fail('memory', `${s.name}: last third ${(s.means[2] / 1048576).toFixed(2)} MB, first third ${(s.means[0] / 1048576).toFixed(2)} MB (x${s.ratio?.toFixed(3)})`);
  }
  writeReport(config.report, { config, verdicts, figures, faults, memory, started, ended, published, conversationViews });
  if (verdicts.ok) {
    console.log(`soak: passed: ${minutes} min, seed ${seed}, ${faults.length} faults, ${figures.events} events, ${figures.failovers} failovers, ${figures.resyncs} resyncs; ${config.report} written`);
    return 0;
  }
  console.log(`soak: FAILED (seed ${seed}; replay: SOAK_SEED=${seed} SOAK_MINUTES=${minutes} make soak); ${config.report} written`);
  for (const v of verdicts.firstOfEach()) console.log(`soak:   ${v.invariant}: first at ${v.at}${v.fault ? ` (fault #${v.fault.n} ${v.fault.kind})` : ''}: ${v.detail}`);
  return 1;
}

main().then((code) => process.exit(code), (e) => {
  console.log(`soak: FAILED: ${e?.stack ?? e}`);
  process.exit(2);
});
