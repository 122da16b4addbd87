// Last step of `make bench`: merges the parts scripts/bench.sh wrote into
// bench/results.json (raw numbers) and BENCH.md (latest figures), and prints
// the summary table.
//
//   node bench/report.mjs DIR   (DIR holds size.json, run.json, fuzz.log, machine.json)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'target/bench';
const read = (name) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
const size = read('size.json');
const run = read('run.json');
const inbox = existsSync(join(dir, 'inbox.json')) ? read('inbox.json') : null;
const conversation = existsSync(join(dir, 'conversation.json')) ? read('conversation.json') : null;
const machine = read('machine.json');
const fuzz = parseFuzz(readFileSync(join(dir, 'fuzz.log'), 'utf8'));
const date = new Date().toISOString().slice(0, 10);

function parseFuzz(text) {
  const properties = [];
  for (const m of text.matchAll(/fuzz ([^:\n]+): (\d+) cases, (\d+) inputs, (\d+) ms/g)) {
    properties.push({ name: m[1], cases: Number(m[2]), inputs: Number(m[3]), ms: Number(m[4]) });
  }
  const reach = [...text.matchAll(/fuzz (.+?) reached: (\d+) (?:publications|events) delivered, (\d+) frames refused/g)]
    .map((m) => ({ client: m[1], delivered: Number(m[2]), refused: Number(m[3]) }));
  const wall = /^fuzz wall time: (\d+) s$/m.exec(text);
  const status = /^fuzz status: (\w+)$/m.exec(text);
  return {
    properties,
    reach,
    cases: properties.reduce((s, p) => s + p.cases, 0),
    inputs: properties.reduce((s, p) => s + p.inputs, 0),
    wallSeconds: wall ? Number(wall[1]) : null,
    passed: status ? status[1] === 'passed' : false,
  };
}

const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
const mib = (bytes) => `${(bytes / 1048576).toFixed(2)} MiB`;
const ms = (x) => (x == null ? 'n/a' : `${x.toFixed(x < 10 ? 2 : 1)} ms`);
const rate = (x) => (x == null ? 'n/a' : `${Math.round(x).toLocaleString('en-US')}/s`);
const ratio = (a, b) => (a == null || b == null || b === 0 ? 'n/a' : (a / b).toFixed(2));
const int = (n) => n.toLocaleString('en-US');

// The median rate of a client with the range of its rounds.
function spread(kind, key = 'EventsPerSecond', summary = run.throughput.summary) {
  const r = summary[kind];
  return `${rate(r[`median${key}`])} (${Math.round(r[`min${key}`] / 1000)}k–${Math.round(r[`max${key}`] / 1000)}k)`;
}

const T = 'twin-panel';
const C = 'centrifuge-js';
const S = 'twin-panel-slim';
const U = 'twin-panel-unshared';
const F = 'engine-floor';
const tp = run.throughput.summary;
const lat = run.latency.summary;
const st = run.startup.summary;
const mem = run.memory.points;

// One row per measure: twin-panel, the JS stack, ratio (ours / theirs), goal.
/** The rows of a client-bound measurement (`run.replay`, `run.inPage`), if it ran. */
function boundRows(bound, name, how) {
  if (!bound) return [];
  const sum = bound.summary;
  const goal = '≥ 1.50 (goal 2)';
  return [
    [`${name} throughput (${how}, frames of ${bound.perFrame}), median of ${sum[T].roundsInMedian}/${sum[T].rounds}`,
      spread(T, 'EventsPerSecond', sum), spread(C, 'EventsPerSecond', sum),
      ratio(sum[T].medianEventsPerSecond, sum[C].medianEventsPerSecond), goal],
    [`${name}, per busy second`, spread(T, 'EventsPerBusySecond', sum), spread(C, 'EventsPerBusySecond', sum),
      ratio(sum[T].medianEventsPerBusySecond, sum[C].medianEventsPerBusySecond), goal],
    [`${name} engine floor`, spread(F, 'EventsPerSecond', sum), '',
      `ours / floor ${ratio(sum[T].medianEventsPerSecond, sum[F].medianEventsPerSecond)}`, ''],
    [`${name} engine floor per busy second`, spread(F, 'EventsPerBusySecond', sum), '',
      `ours / floor ${ratio(sum[T].medianEventsPerBusySecond, sum[F].medianEventsPerBusySecond)}`, ''],
  ];
}

const rows = [
  ['size, gzip -9 (wasm + JS glue)', kb(size.package.total.gzip), `${kb(size.replaces.total.gzip)} (centrifuge ${kb(size.replaces.centrifuge.gzip)} + socket.io-client ${kb(size.replaces.socketio.gzip)})`,
    ratio(size.package.total.gzip, size.replaces.total.gzip), '≤ 1.00'],
  ['size, raw', kb(size.package.total.raw), kb(size.replaces.total.raw), ratio(size.package.total.raw, size.replaces.total.raw), ''],
  [`throughput, median of ${tp[T].roundsInMedian}/${tp[T].rounds} rounds without a reconnect × ${int(run.throughput.events)} events (range)`, spread(T), spread(C),
    ratio(tp[T].medianEventsPerSecond, tp[C].medianEventsPerSecond), '≥ 1.50 (goal 2)'],
  ['throughput per second of main-thread busy time (range)', spread(T, 'EventsPerBusySecond'), spread(C, 'EventsPerBusySecond'),
    ratio(tp[T].medianEventsPerBusySecond, tp[C].medianEventsPerBusySecond), '≥ 1.50 (goal 2)'],
  ['engine floor (plain JS: split, JSON.parse, listener; no protocol)', spread(F), '',
    `ours / floor ${ratio(tp[T].medianEventsPerSecond, tp[F].medianEventsPerSecond)}`, ''],
  ['engine floor per busy second', spread(F, 'EventsPerBusySecond'), '',
    `ours / floor ${ratio(tp[T].medianEventsPerBusySecond, tp[F].medianEventsPerBusySecond)}`, ''],
  ...boundRows(run.replay, 'client-bound', 'local replay'),
  ...boundRows(run.inPage, 'client CPU', 'in-page socket, no network'),
  ['latency publish → callback, p50', ms(lat[T].p50Ms), ms(lat[C].p50Ms), ratio(lat[T].p50Ms, lat[C].p50Ms), ''],
  ['latency publish → callback, p99', ms(lat[T].p99Ms), ms(lat[C].p99Ms), ratio(lat[T].p99Ms, lat[C].p99Ms), '≤ 1.00'],
  ['startup, default entry (wasm inlined): load (import + init / bundle)', ms(st[T].loadMs), ms(st[C].loadMs), ratio(st[T].loadMs, st[C].loadMs), ''],
  ['startup, default entry: connect until connected', ms(st[T].connectMs), ms(st[C].connectMs), ratio(st[T].connectMs, st[C].connectMs), ''],
  ['startup, default entry: total', ms(st[T].totalMs), ms(st[C].totalMs), ratio(st[T].totalMs, st[C].totalMs), '≤ 1.00'],
  ...(st[S] ? [
    ['startup, slim entry (.wasm fetched): load', ms(st[S].loadMs), ms(st[C].loadMs), ratio(st[S].loadMs, st[C].loadMs), ''],
    ['startup, slim entry: total', ms(st[S].totalMs), ms(st[C].totalMs), ratio(st[S].totalMs, st[C].totalMs), '≤ 1.00'],
  ] : []),
  ...(st[U] ? [
    ['startup, default entry, shareAcrossTabs: false: connect until connected', ms(st[U].connectMs), ms(st[C].connectMs), ratio(st[U].connectMs, st[C].connectMs), ''],
    ['startup, default entry, shareAcrossTabs: false: total', ms(st[U].totalMs), ms(st[C].totalMs), ratio(st[U].totalMs, st[C].totalMs), ''],
  ] : []),
  ['JS heap: baseline → 500k → 1M events → 1k cycles', mem.map((p) => mib(p.jsHeapUsedBytes)).join(' → '), '', '', 'flat'],
  ['wasm memory: baseline → 500k → 1M events → 1k cycles', mem.map((p) => mib(p.wasmMemoryBytes)).join(' → '), '', '', 'flat'],
  ...(inbox ? [[`panel.inbox: ${int(inbox.events)} events applied to ${int(inbox.sessions)} sessions`, `${ms(inbox.ms)}, ${inbox.notifications} notification(s)`, '', '', '']] : []),
  ...(conversation ? [
    [`panel.conversation: ${int(conversation.messages)} messages loaded (${conversation.pages} pages of ${int(conversation.page)})`, `${ms(conversation.loadMs)}, ${conversation.loadNotifications} notification(s)`, '', '', ''],
    [`panel.conversation: ${int(conversation.events)} live events on ${int(conversation.messages)} messages`, `${ms(conversation.eventsMs)}, ${conversation.eventNotifications} notification(s)`, '', '', ''],
  ] : []),
];

function table(header, body) {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const r of body) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

const checks = [];
for (const kind of [T, C]) {
  if (!tp[kind].allComplete || !tp[kind].allInOrder) checks.push(`throughput: ${kind} did not receive every event of every round in order (see results.json)`);
  if (tp[kind].reconnects > 0) checks.push(`throughput: ${kind} reconnected ${tp[kind].reconnects} time(s); those rounds are left out of the median`);
  if (!lat[kind].allComplete || !lat[kind].allInOrder) checks.push(`latency: ${kind} did not receive every event in order`);
}
if (!run.memory.stream.complete || !run.memory.stream.inOrder) {
  checks.push(`memory: the 1M events were not all received in order within the time limit: ${JSON.stringify(run.memory.stream.problems ?? [])}`);
}
if (run.memory.stream.stale) checks.push(`memory: ${run.memory.stream.stale} events of an already complete stream arrived again (duplicates)`);
if (!fuzz.passed) checks.push('fuzzing: a property failed (see the fuzz log)');
const problems = [...(run.pageProblems ?? []), ...(run.memory.problems ?? [])];
if (problems.length) checks.push(`page errors: ${problems.join('; ')}`);

const summaryHeader = ['measure', 'twin-panel', 'centrifuge-js (+ socket.io-client for size)', 'ratio ours/theirs', 'goal'];

const roundsTable = table(['round', 'client', 'events/s', 'per busy second', 'reconnects (lost → connected)', 'received', 'in order'],
  run.throughput.rounds.map((r) => [r.round, r.kind, rate(r.eventsPerSecond), rate(r.eventsPerBusySecond),
    `${r.reconnects} (${r.offlineSeconds.toFixed(2)} s)`, `${int(r.received)}/${int(r.count)}`, r.inOrder ? 'yes' : `no (${r.misordered})`]));

const latencyTable = table(['client', 'samples', 'p50', 'p90', 'p99', 'max'],
  [T, C].map((k) => [k, int(lat[k].samples), ms(lat[k].p50Ms), ms(lat[k].p90Ms), ms(lat[k].p99Ms), ms(lat[k].maxMs)]));

const startupTable = table(['client', 'load', 'of which import / init', 'connect', 'total'], [
  [`${T} (default entry)`, ms(st[T].loadMs), `${ms(st[T].importMs)} / ${ms(st[T].initMs)}`, ms(st[T].connectMs), ms(st[T].totalMs)],
  ...(st[S] ? [[`${T} (slim entry)`, ms(st[S].loadMs), `${ms(st[S].importMs)} / ${ms(st[S].initMs)}`, ms(st[S].connectMs), ms(st[S].totalMs)]] : []),
  ...(st[U] ? [[`${T} (default entry, shareAcrossTabs: false)`, ms(st[U].loadMs), `${ms(st[U].importMs)} / ${ms(st[U].initMs)}`, ms(st[U].connectMs), ms(st[U].totalMs)]] : []),
  [C, ms(st[C].loadMs), 'script load + run', ms(st[C].connectMs), ms(st[C].totalMs)],
]);

const memoryTable = table(['point', 'JS heap used', 'wasm memory'],
  mem.map((p) => [p.label, mib(p.jsHeapUsedBytes), mib(p.wasmMemoryBytes)]));

const crates = size.twiggy.byCrate;
const shipped = crates.crates.filter((c) => !c.crate.startsWith('(names'));
const shippedTotal = shipped.reduce((s, c) => s + c.bytes, 0);
const crateTable = table(['crate or part', 'bytes', 'share of shipped'],
  shipped.map((c) => [c.crate, int(c.bytes), `${((100 * c.bytes) / shippedTotal).toFixed(1)}%`]));

const fuzzTable = table(['property', 'cases', 'inputs', 'time'],
  fuzz.properties.map((p) => [p.name, int(p.cases), int(p.inputs), `${(p.ms / 1000).toFixed(1)} s`]));

const md = `# twin-panel benchmarks

Latest \`make bench\` (scripts/bench.sh): **${date}**. One run, ratios from the
same Chromium, so the ratios matter more than the absolute figures. The
machine is shared: throughput in particular moves a lot from run to run (see
the per-round table), so read its ratio as a rough figure.

Machine: ${machine.nproc} cores (${machine.cpu}), ${machine.memory} memory,
shared and noisy; Chromium ${run.chromium} headless; Node.js ${machine.node};
${machine.rustc}. Sandbox: \`-history-size ${machine.historySize}\`.

${checks.length ? `**Checks that did not hold:**\n\n${checks.map((c) => `- ${c}`).join('\n')}\n` : 'Every round received every event once and in order; fuzzing found no panic.\n'}
## Summary

${table(summaryHeader, rows)}

Ratios are twin-panel / the JS stack: below 1 is better for size, latency
and startup, above 1 is better for throughput.

## Size

The package as shipped (\`pkg/\` after \`wasm-opt -Oz --converge --low-memory-unused\`): wasm ${kb(size.package.wasm.raw)}
raw / ${kb(size.package.wasm.gzip)} gz, JS glue (slim.js: each entry
ships as one bundled module; index.js is the same glue plus the wasm as base64) ${kb(size.package.glue.raw)} / ${kb(size.package.glue.gzip)}.
The stack it replaces: centrifuge ${size.replaces.centrifuge.version}
\`dist/centrifuge.js\` ${kb(size.replaces.centrifuge.raw)} / ${kb(size.replaces.centrifuge.gzip)},
socket.io-client ${size.replaces.socketio.version} \`dist/socket.io.min.js\`
${kb(size.replaces.socketio.raw)} / ${kb(size.replaces.socketio.gzip)}. gzip is
\`gzip -9 -n\`.

What costs the most: twiggy over the same release wasm, run through
\`wasm-bindgen --keep-debug\` and \`wasm-opt -Oz --converge --low-memory-unused -g\` (optimised like the shipped
file, names kept; ${kb(size.twiggy.namedOptimizedBytes)} with the name section).

\`\`\`
${size.twiggy.top20.trimEnd()}
\`\`\`

Per crate (twiggy's items grouped by the crate of their path; for
\`<T as Trait>::f\` the crate of \`T\`; the name section left out):

${crateTable}

## Throughput

The sandbox publishes a numbered stream of ${int(run.throughput.events)}
\`chatMessageCreated\` Messages (the stream endpoint's payload, \`intervalMs: 0\`)
to operator 389; one client is connected per round, connected before the
stream starts, and counts each event in a JS callback (twin-panel:
\`panel.on('chatMessageCreated')\`; centrifuge-js: \`client.on('publication')\`).
events/s = (received − 1) / (last − first callback). A reconnect during a
round is the server dropping a consumer that fell behind (Centrifuge's 1 MB
client queue, close code 3008): the stream is published faster than either
client reads it. Both clients then reconnect after the same fixed 50 ms
(\`minReconnectDelay\` = \`maxReconnectDelay\` = 50, so no random backoff
skews a round) and recover the rest from history; that time is part of the
rate. "lost → connected" is from the lost connection to \`connected\` again,
the recovery reply included.

"Per busy second" divides the events by the time the page's main thread
spent in tasks during the round (CDP \`Performance.getMetrics\`
TaskDuration, before and after): the client's own cost per event, parsing
and callbacks included, and much less sensitive than the wall clock to what
else the shared machine runs. Idle waits (reconnect delays) do not count.

${roundsTable}

"Client-bound" rounds read the same publications from a local replay
server (Node, 127.0.0.1) that sends ready-made frames as fast as the socket
drains; "client CPU" rounds read them from an in-page stand-in for the
WebSocket (the page's global \`WebSocket\` is swapped for the round: it
answers the connect command and dispatches the frames as real
\`MessageEvent\`s, 20 per task), so no network, sandbox or browser socket
plumbing is in the figure: it is each client's own main-thread cost per
publication. The engine floor rows are plain JS (split, \`JSON.parse\`, a
listener) over the same frames.

## Latency

${int(run.latency.eventsPerRound)} events × ${run.latency.rounds} rounds per client,
published one at a time from Node through \`/__sandbox/publish\` (about 1 ms
apart), each with \`sentAt\` (Node's wall clock, sub-millisecond); latency =
page wall clock at the callback − sentAt, corrected by the measured offset
between the two clocks (${run.latency.clock.offsetMs.toFixed(3)} ms, from a
${run.latency.clock.roundTripMs.toFixed(3)} ms round trip).

${latencyTable}

## Startup

Median of ${run.config.startupSamples} cold starts each, every one in a fresh
browser context (empty cache). twin-panel, default entry:
\`import('/pkg/index.js')\` (one module, the wasm inlined as base64) +
\`await init()\`; slim entry: \`import('/pkg/slim.js')\` + \`await init()\`
(fetches and compiles the separate .wasm); centrifuge-js: loading and running
its dist bundle. Unbundled modules from the sandbox, as a page without a
bundler would load them. Then
connect until \`connected\` (login excluded: both use the same token). The
default entry is measured twice: as shipped (\`shareAcrossTabs\` on, so a
lone tab takes the leader's Web Lock before it opens its socket) and with
\`shareAcrossTabs: false\`, which shows what the lock costs.

${startupTable}

## Memory (twin-panel)

One panel, after a forced GC (\`HeapProfiler.collectGarbage\`, CDP
\`Performance.getMetrics\` JSHeapUsedSize) and the wasm memory
(\`(await init()).memory.buffer.byteLength\`, which never shrinks: it shows the
high-water mark; it grows to fit the largest frame seen, such as a connect
reply carrying the backlog recovered after a reconnect, and then keeps that
size). The ${int(run.memory.stream.count)} events came as streams of
${int(run.memory.stream.chunk)}, each received in full before the next (so a
consumer dropped for falling behind recovers a small backlog), in
${run.memory.stream.seconds.toFixed(0)} s (${int(run.memory.stream.received)} received, every stream in order:
${run.memory.stream.inOrder ? 'yes' : 'no'}, ${run.memory.stream.reconnects} reconnects);
${int(run.memory.cycles.cycles)} connect/disconnect cycles (\`await connect()\`,
\`disconnect()\`, same panel) took ${run.memory.cycles.seconds.toFixed(1)} s.

${memoryTable}

## Fuzzing

\`tests/fuzz_codecs.rs\` (proptest as the generator; both codecs and both
\`socket_message\` state machines; arbitrary bytes, arbitrary JSON,
structure-aware mutations of valid frames): **${int(fuzz.inputs)} inputs** in
${int(fuzz.cases)} cases, ${fuzz.wallSeconds ?? 'n/a'} s wall time (release build,
FUZZ_CASES=${machine.fuzzCases}), ${fuzz.passed ? '0 panics' : 'FAILED'}.
Coverage-guided fuzzing (cargo-fuzz) needs a nightly toolchain, which cannot be
installed on this machine.

${fuzzTable}

How deep the state-machine properties got, over all their cases:
${fuzz.reach.map((r) => `${r.client} ${int(r.delivered)} payloads delivered to the application, ${int(r.refused)} frames refused (each an \`error\` and a reconnect)`).join('; ')}.

## Running it

\`make bench\` (after \`make pkg\`): about ${Math.round((machine.totalSeconds ?? 0) / 60)} minutes here. It writes this
file and \`bench/results.json\` (every raw number, every round and latency
summary). Not part of \`make test\`.
`;

writeFileSync('BENCH.md', md);
const results = {
  date,
  machine,
  size,
  throughput: run.throughput,
  latency: run.latency,
  startup: run.startup,
  memory: run.memory,
  fuzz,
  ...(conversation ? { conversation } : {}),
  checks,
  config: run.config,
  chromium: run.chromium,
  browserSeconds: run.seconds,
};
writeFileSync('bench/results.json', `${JSON.stringify(results, null, 2)}\n`);

// The table, plain, for the terminal.
const widths = summaryHeader.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
console.log(`\n${line(summaryHeader)}`);
for (const r of rows) console.log(line(r));
console.log(`\nfuzzing: ${int(fuzz.inputs)} inputs, ${fuzz.wallSeconds} s, ${fuzz.passed ? '0 panics' : 'FAILED'}`);
for (const c of checks) console.log(`check: ${c}`);
console.log('\nwrote BENCH.md and bench/results.json');
