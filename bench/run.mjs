// Browser half of `make bench`: throughput, latency, startup and memory of
// twin-panel and centrifuge-js in one headless Chromium, against the sandbox
// at TWIN_SANDBOX_URL serving bench/page/ (scripts/bench.sh sets that up).
//
//   node bench/run.mjs --out target/bench/run.json [--events 100000] [--rounds 5]
//        [--latency-events 2000] [--memory-events 1000000] [--cycles 1000]
//        [--memory-chunk 20000] [--startup-samples 7] [--parts throughput,replay,...]
//
// Every step is bounded in count and time; one run with memory takes about
// 4 minutes on 2 cores. scripts/bench.sh runs it BENCH_RUNS times, memory in
// the first run only.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { option, sandboxBase } from './cli.mjs';
import { WebSocketServer } from 'ws';
import { chatMessage, connectReply, publicationFrames } from './page/frames.js';

const base = sandboxBase();

const config = {
  out: option('out', 'target/bench/run.json'),
  events: option('events', 100_000),
  rounds: option('rounds', 5),
  latencyEvents: option('latency-events', 2_000),
  latencyRounds: option('latency-rounds', 3),
  memoryEvents: option('memory-events', 1_000_000),
  memoryChunk: option('memory-chunk', 20_000),
  cycles: option('cycles', 1_000),
  startupSamples: option('startup-samples', 7),
  /** Which run of `make bench` this is (1-based): it shifts the clients' turns, see rotated(). */
  run: option('run', 1),
  // Which parts to run (comma-separated), for a quick look at one of them;
  // scripts/bench.sh runs them all.
  parts: option('parts', 'throughput,replay,inPage,latency,startup,memory').split(','),
};
const part = (name) => config.parts.includes(name);
const KINDS = ['twin-panel', 'centrifuge-js'];
/** Latency also runs the engine floor, so its p99 shows how much of the tail is the machine's. */
const LATENCY_KINDS = [...KINDS, 'engine-floor'];
// Throughput also measures the engine floor: the same frames, parsed and
// delivered by plain JS with no protocol (the physical limit).
const THROUGHPUT_KINDS = [...KINDS, 'engine-floor'];
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic',
  // The bench page is in the foreground the whole time; keep timers unthrottled anyway.
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
  // window.gc(): each round starts on a collected heap (see settle()).
  '--js-flags=--expose-gc',
];

/**
 * `kinds` in the order of round `r` (0-based) of this run: each round
 * starts with the next kind, and each run starts one further on. In a fixed
 * order the first kind pays for what the page did before it (the previous
 * part's garbage, background compilation): with twin-panel always first,
 * its latency p99 was its first round's, 1.5 to 2 times that of its later
 * rounds; and the first round of a run is the slowest for whoever takes it.
 */
const rotated = (kinds, r) => kinds.map((_, i) => kinds[(i + r + config.run - 1) % kinds.length]);

/** Before a measured round: a full garbage collection and a quiet moment. */
async function settle(page) {
  await page.evaluate(() => globalThis.gc?.());
  await sleep(100);
}

const wallNow = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (...args) => console.log('bench:', ...args);

function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}
const median = (values) => quantile([...values].sort((a, b) => a - b), 0.5);

async function post(path, body) {
  const response = await fetch(base + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Sandbox-Control': '1' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function openPage(context) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(`${base}/index.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 15_000 });
  return { page, problems };
}

/** Offset of the page's wall clock from Node's (page − node), from the tightest round trip. */
async function clockOffset(page) {
  let best = null;
  for (let i = 0; i < 30; i += 1) {
    const t0 = wallNow();
    const p = await page.evaluate(() => window.bench.wallNow());
    const t1 = wallNow();
    if (best === null || t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: p - (t0 + t1) / 2 };
  }
  return best;
}

/** Seconds the page's renderer main thread spent in tasks so far (CDP TaskDuration). */
async function busySeconds(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'TaskDuration')?.value ?? null;
}

/**
 * A local replay server for the client-bound rounds: after a client's connect
 * command it answers with a connect reply (one server-side channel) and then
 * sends `count` chatMessageCreated publications as ready-made frames of
 * `perFrame`, as fast as the socket drains. Listens on 127.0.0.1 only; closed
 * after the rounds.
 */
async function startReplay(count, perFrame) {
  const frames = publicationFrames(count, perFrame, latencyMessage);
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (ws) => {
    ws.on('message', (raw) => {
      const reply = connectReply(raw, 'replay');
      if (reply === null) return;
      ws.send(reply);
      let next = 0;
      const pump = () => {
        while (next < frames.length && ws.readyState === ws.OPEN) {
          if (ws.bufferedAmount > 4 * 1024 * 1024) {
            setTimeout(pump, 1);
            return;
          }
          ws.send(frames[next]);
          next += 1;
        }
      };
      setImmediate(pump);
    });
  });
  await new Promise((resolve) => server.on('listening', resolve));
  return { url: `ws://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * Rounds of every throughput kind, `config.rounds` times: `round(kind)`
 * runs one in the page; the page's main-thread busy time is added to each.
 */
async function clientBoundRounds(page, label, round) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const rounds = [];
  try {
    for (let r = 0; r < config.rounds; r += 1) {
      for (const kind of rotated(THROUGHPUT_KINDS, r)) {
        await settle(page);
        const busyBefore = await busySeconds(cdp);
        const result = await round(kind);
        const busy = (await busySeconds(cdp)) - busyBefore;
        result.busySeconds = busy;
        result.eventsPerBusySecond = busy > 0 ? result.received / busy : null;
        log(`${label} ${kind} round ${r + 1}: ${Math.round(result.eventsPerSecond ?? 0)} events/s, `
          + `${Math.round(result.eventsPerBusySecond ?? 0)} per busy second, ${result.received}/${result.count}, in order: ${result.inOrder}`);
        rounds.push({ round: r + 1, ...result });
        await sleep(300);
      }
    }
  } finally {
    await cdp.detach();
  }
  return { rounds, summary: summarize(rounds) };
}

const PER_FRAME = 100;

/** Client-bound throughput: the same stream from the replay server. */
async function replayThroughput(page) {
  const replay = await startReplay(config.events, PER_FRAME);
  try {
    const measured = await clientBoundRounds(page, 'replay', (kind) => page.evaluate(
      ([k, n, url, limit]) => window.bench.replayRound(k, n, url, limit),
      [kind, config.events, replay.url, 120_000],
    ));
    return { events: config.events, perFrame: PER_FRAME, ...measured };
  } finally {
    await replay.close();
  }
}

/**
 * Client CPU cost: the same frames from an in-page socket (no network, no
 * sandbox), so the rate is each client's own main-thread work.
 */
async function inPageThroughput(page) {
  const measured = await clientBoundRounds(page, 'in-page', (kind) => page.evaluate(
    ([k, n, per, limit]) => window.bench.inPageRound(k, n, per, limit),
    [kind, config.events, PER_FRAME, 60_000],
  ));
  return { events: config.events, perFrame: PER_FRAME, ...measured };
}

async function throughput(page) {
  // Wall-clock rates swing with whatever else the shared machine runs; the
  // main thread's busy time per round does much less, so both are kept.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const rounds = [];
  for (let r = 0; r < config.rounds; r += 1) {
    for (const kind of rotated(THROUGHPUT_KINDS, r)) {
      await settle(page);
      const busyBefore = await busySeconds(cdp);
      const result = await page.evaluate(
        ([k, n, limit]) => window.bench.throughputRound(k, n, limit),
        [kind, config.events, 240_000],
      );
      const busy = (await busySeconds(cdp)) - busyBefore;
      result.busySeconds = busy;
      result.eventsPerBusySecond = busy > 0 ? result.received / busy : null;
      log(`throughput ${kind} round ${r + 1}: ${Math.round(result.eventsPerSecond ?? 0)} events/s, `
        + `${Math.round(result.eventsPerBusySecond ?? 0)} per busy second, `
        + `${result.received}/${result.count} received, in order: ${result.inOrder}, `
        + `reconnects: ${result.reconnects} (${result.offlineSeconds.toFixed(2)} s)`);
      rounds.push({ round: r + 1, ...result });
      await sleep(500);
    }
  }
  await cdp.detach();
  const summary = summarize(rounds);
  return { events: config.events, rounds, summary };
}

/** Median, range and checks per client; rounds with a reconnect are left out of the median. */
function summarize(rounds) {
  const summary = {};
  for (const kind of THROUGHPUT_KINDS) {
    // A round with a reconnect is not a throughput round: it is reported,
    // and left out of the median (unless every round had one).
    const all = rounds.filter((x) => x.kind === kind);
    const clean = all.filter((x) => x.reconnects === 0 && x.complete);
    const mine = clean.length > 0 ? clean : all;
    summary[kind] = {
      rounds: all.length,
      roundsInMedian: clean.length,
      medianEventsPerSecond: median(mine.map((x) => x.eventsPerSecond ?? 0)),
      minEventsPerSecond: Math.min(...mine.map((x) => x.eventsPerSecond ?? 0)),
      maxEventsPerSecond: Math.max(...mine.map((x) => x.eventsPerSecond ?? 0)),
      medianEventsPerBusySecond: median(mine.map((x) => x.eventsPerBusySecond ?? 0)),
      minEventsPerBusySecond: Math.min(...mine.map((x) => x.eventsPerBusySecond ?? 0)),
      maxEventsPerBusySecond: Math.max(...mine.map((x) => x.eventsPerBusySecond ?? 0)),
      allComplete: all.every((x) => x.complete && x.received === x.count),
      allInOrder: all.every((x) => x.inOrder),
      reconnects: all.reduce((sum, x) => sum + x.reconnects, 0),
    };
  }
  return summary;
}

/** A realistic chatMessageCreated Message plus seq and the publish instant. */
function latencyMessage(seq) {
  return chatMessage(seq, new Date().toISOString().replace(/\.\d+Z$/, '+00:00'), wallNow());
}

async function latencyRun(page) {
  const { offset, rtt } = await clockOffset(page);
  log(`clock offset page−node ${offset.toFixed(3)} ms (round trip ${rtt.toFixed(3)} ms)`);
  const rounds = [];
  for (let r = 0; r < config.latencyRounds; r += 1) {
    for (const kind of rotated(LATENCY_KINDS, r)) {
      await settle(page);
      await page.evaluate(([k, n]) => window.bench.latencyStart(k, n), [kind, config.latencyEvents]);
      for (let seq = 1; seq <= config.latencyEvents; seq += 1) {
        await post('/__sandbox/publish', { userId: '389', event: 'chatMessageCreated', data: latencyMessage(seq) });
        await sleep(1);
      }
      const result = await page.evaluate((limit) => window.bench.latencyFinish(limit), 30_000);
      const samples = result.samples.map((x) => x - offset);
      const sorted = [...samples].sort((a, b) => a - b);
      rounds.push({
        kind, round: r + 1, complete: result.complete, received: result.received, inOrder: result.inOrder, samples,
        p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99), maxMs: sorted.at(-1) ?? null,
      });
      log(`latency ${kind} round ${r + 1}: p50 ${quantile(sorted, 0.5)?.toFixed(3)} ms, `
        + `p99 ${quantile(sorted, 0.99)?.toFixed(3)} ms, ${result.received}/${config.latencyEvents}`);
      await sleep(300);
    }
  }
  const summary = {};
  for (const kind of LATENCY_KINDS) {
    const mine = rounds.filter((x) => x.kind === kind);
    const all = mine.flatMap((x) => x.samples).sort((a, b) => a - b);
    summary[kind] = {
      samples: all.length,
      p50Ms: quantile(all, 0.5),
      p90Ms: quantile(all, 0.9),
      p99Ms: quantile(all, 0.99),
      maxMs: all.at(-1) ?? null,
      allComplete: mine.every((x) => x.complete),
      allInOrder: mine.every((x) => x.inOrder),
    };
  }
  for (const round of rounds) delete round.samples; // the summaries keep what matters
  return {
    eventsPerRound: config.latencyEvents,
    perRound: rounds,
    rounds: config.latencyRounds,
    pacing: 'one /__sandbox/publish at a time from Node, 1 ms apart',
    clock: { offsetMs: offset, roundTripMs: rtt },
    summary,
  };
}

// Startup also measures the slim entry (the .wasm as a separate file).
// and the default entry with shareAcrossTabs: false (what the Web Lock costs).
const STARTUP_KINDS = ['twin-panel', 'twin-panel-slim', 'twin-panel-unshared', 'centrifuge-js'];

async function startupRun(browser) {
  const samples = [];
  for (let i = 0; i < config.startupSamples; i += 1) {
    for (const kind of STARTUP_KINDS) {
      const context = await browser.newContext(); // empty cache, fresh V8 isolate for the page
      try {
        const { page } = await openPage(context);
        samples.push(await page.evaluate((k) => window.bench.startup(k), kind));
      } finally {
        await context.close();
      }
    }
  }
  const summary = {};
  for (const kind of STARTUP_KINDS) {
    const mine = samples.filter((x) => x.kind === kind);
    summary[kind] = {
      loadMs: median(mine.map((x) => x.loadMs)),
      connectMs: median(mine.map((x) => x.connectMs)),
      totalMs: median(mine.map((x) => x.totalMs)),
    };
    if (kind !== 'centrifuge-js') {
      summary[kind].importMs = median(mine.map((x) => x.importMs));
      summary[kind].initMs = median(mine.map((x) => x.initMs));
    }
  }
  return { samples, summary };
}

async function memoryRun(browser) {
  const context = await browser.newContext();
  try {
    const { page, problems } = await openPage(context);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const measure = async (label) => {
      await cdp.send('HeapProfiler.collectGarbage');
      await sleep(100);
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      const jsHeap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? null;
      const wasm = await page.evaluate(() => window.bench.wasmMemoryBytes());
      log(`memory ${label}: JS heap ${(jsHeap / 1048576).toFixed(2)} MiB, wasm ${(wasm / 1048576).toFixed(2)} MiB`);
      return { label, jsHeapUsedBytes: jsHeap, wasmMemoryBytes: wasm };
    };
    await page.evaluate(() => window.bench.memoryStart());
    // Warm-up: lazy allocations and JIT tiers settle before the baseline.
    const warmup = await page.evaluate(() => window.bench.memoryStream(10_000, 60_000));
    const points = [await measure('baseline (after a 10k warm-up)')];
    // Two halves, measured after each: flat means the second half adds nothing.
    const half = Math.floor(config.memoryEvents / 2);
    const halves = [];
    for (const [i, n] of [half, config.memoryEvents - half].entries()) {
      const part = await page.evaluate(
        ([count, limit, chunk]) => window.bench.memoryStream(count, limit, chunk), [n, 240_000, config.memoryChunk],
      );
      log(`memory stream ${i + 1}/2: ${part.received}/${part.count} in ${part.seconds.toFixed(1)} s, in order: ${part.inOrder}, reconnects: ${part.reconnects}, late: ${part.stale}`
        + (part.problems.length ? `, problems: ${JSON.stringify(part.problems)}` : ''));
      halves.push(part);
      points.push(await measure(`after ${(i === 0 ? half : config.memoryEvents).toLocaleString('en-US')} events`));
    }
    const stream = {
      count: config.memoryEvents,
      chunk: config.memoryChunk,
      received: halves.reduce((s, p) => s + p.received, 0),
      complete: halves.every((p) => p.complete),
      inOrder: halves.every((p) => p.inOrder),
      reconnects: halves.reduce((s, p) => s + p.reconnects, 0),
      seconds: halves.reduce((s, p) => s + p.seconds, 0),
      stale: halves.reduce((s, p) => s + p.stale, 0),
      problems: halves.flatMap((p) => p.problems),
    };
    const cycles = await page.evaluate((n) => window.bench.memoryCycles(n), config.cycles);
    log(`memory cycles: ${cycles.cycles} in ${cycles.seconds.toFixed(1)} s`);
    points.push(await measure(`after ${config.cycles.toLocaleString('en-US')} connect/disconnect cycles`));
    await page.evaluate(() => window.bench.memoryStop());
    return { warmup, stream, cycles, points, problems };
  } finally {
    await context.close();
  }
}

const started = Date.now();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
const results = { config, chromium: browser.version(), startedAt: new Date(started).toISOString() };
try {
  const context = await browser.newContext();
  const { page, problems } = await openPage(context);
  await page.evaluate(async () => {
    await window.bench.loadPanel();
    await window.bench.loadCentrifuge();
    await window.bench.login();
  });
  await post('/__sandbox/faults/reset', {});
  if (part('throughput')) results.throughput = await throughput(page);
  if (part('replay')) results.replay = await replayThroughput(page);
  if (part('inPage')) results.inPage = await inPageThroughput(page);
  if (part('latency')) results.latency = await latencyRun(page);
  results.pageProblems = problems;
  await context.close();
  if (part('startup')) results.startup = await startupRun(browser);
  if (part('memory')) results.memory = await memoryRun(browser);
} finally {
  await browser.close();
}
results.seconds = (Date.now() - started) / 1000;
mkdirSync(dirname(config.out), { recursive: true });
writeFileSync(config.out, JSON.stringify(results, null, 2));
log(`done in ${results.seconds.toFixed(0)} s -> ${config.out}`);
