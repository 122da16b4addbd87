// Last step of `make bench`: merges the parts scripts/bench.sh wrote into
// bench/results.json (raw numbers) and BENCH.md (latest figures), and prints
// the summary table.
//
//   node bench/report.mjs DIR [--baseline bench/baseline.json]
//
// DIR holds size.json, run-1.json … run-N.json (the browser measurements,
// once per run; the first run also measures memory), crossings.json,
// inbox.json, conversation.json, fuzz.log and machine.json. The baseline is
// the "before" of the size and crossings sections (bench/baseline.mjs).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { option } from './cli.mjs';

const dir = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 'target/bench';
const readIf = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null);
const read = (name) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
const size = read('size.json');
const runs = readdirSync(dir)
  .map((f) => /^run-(\d+)\.json$/.exec(f))
  .filter(Boolean)
  .sort((a, b) => Number(a[1]) - Number(b[1]))
  .map((m) => read(m[0]));
if (runs.length === 0) throw new Error(`no run-N.json in ${dir}`);
const inbox = readIf(join(dir, 'inbox.json'));
const conversation = readIf(join(dir, 'conversation.json'));
const crossings = readIf(join(dir, 'crossings.json'));
const baseline = readIf(option('baseline', 'bench/baseline.json'));
const machine = read('machine.json');
const fuzz = parseFuzz(readFileSync(join(dir, 'fuzz.log'), 'utf8'));
const date = new Date().toISOString().slice(0, 10);
// Memory is measured once, in the first run.
const memoryRun = runs.find((r) => r.memory) ?? null;

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

// --- formatting ---------------------------------------------------------------
const kb = (bytes) => (bytes == null ? 'n/a' : `${(bytes / 1000).toFixed(1)} KB`);
const mib = (bytes) => `${(bytes / 1048576).toFixed(2)} MiB`;
const ms = (x) => (x == null ? 'n/a' : `${x.toFixed(x < 10 ? 2 : 1)} ms`);
const rate = (x) => (x == null ? 'n/a' : `${Math.round(x).toLocaleString('en-US')}/s`);
const thousands = (x) => `${Math.round(x / 1000)}k`;
const fixed = (x) => (x == null ? 'n/a' : x.toFixed(2));
const int = (n) => (n == null ? 'n/a' : n.toLocaleString('en-US'));
const div = (a, b) => (a == null || b == null || b === 0 ? null : a / b);
const median = (values) => {
  const v = values.filter((x) => x != null).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};
const range = (lo, hi, show) => (lo == null ? '' : ` (${show(lo)}–${show(hi)})`);

function table(header, body) {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const r of body) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

const T = 'twin-panel';
const C = 'centrifuge-js';
const S = 'twin-panel-slim';
const U = 'twin-panel-unshared';
const F = 'engine-floor';

// --- per run: throughput modes, latency, startup -----------------------------
// The three ways a publication reaches the clients, as bench/run.mjs names them.
const MODES = [
  { key: 'throughput', name: 'sandbox stream' },
  { key: 'replay', name: 'client-bound replay' },
  { key: 'inPage', name: 'in-page client CPU' },
];
const CLOCKS = [
  { key: 'EventsPerSecond', round: 'eventsPerSecond', name: 'wall clock' },
  { key: 'EventsPerBusySecond', round: 'eventsPerBusySecond', name: 'per busy second' },
];
// The issue's goals: throughput at least 0.95 of the engine floor and at
// least centrifuge-js's; p99 latency and startup at most 1.1 and 1.3 times
// centrifuge-js's.
const GOAL = { floor: 0.95, centrifuge: 1.0, p99: 1.1, startup: 1.3 };

/**
 * Ours / theirs per round (rounds of one run paired by number, so each pair
 * ran minutes apart at most), over the rounds without a reconnect when there
 * are any: the range a ratio of medians hides.
 */
function roundRatios(rounds, ours, theirs, field) {
  const clean = (x) => x && x.reconnects === 0 && x.complete;
  const pairs = [];
  for (const a of rounds.filter((x) => x.kind === ours)) {
    const b = rounds.find((x) => x.kind === theirs && x.round === a.round);
    if (b) pairs.push([a, b]);
  }
  const cleanPairs = pairs.filter(([a, b]) => clean(a) && clean(b));
  const ratios = (cleanPairs.length ? cleanPairs : pairs).map(([a, b]) => div(a[field], b[field])).filter((x) => x != null);
  return ratios.length ? { min: Math.min(...ratios), max: Math.max(...ratios) } : { min: null, max: null };
}

/** One mode on one clock in one run: each client's median and range, and the two ratios. */
function modeFigures(data, clock) {
  if (!data) return null;
  const sum = data.summary;
  const client = (kind) => ({
    median: sum[kind]?.[`median${clock.key}`] ?? null,
    min: sum[kind]?.[`min${clock.key}`] ?? null,
    max: sum[kind]?.[`max${clock.key}`] ?? null,
    roundsInMedian: sum[kind]?.roundsInMedian,
    rounds: sum[kind]?.rounds,
    reconnects: sum[kind]?.reconnects ?? 0,
  });
  const ours = client(T);
  const floor = client(F);
  const centrifuge = client(C);
  return {
    ours,
    centrifuge,
    floor,
    oursOverFloor: div(ours.median, floor.median),
    oursOverFloorRounds: roundRatios(data.rounds, T, F, clock.round),
    oursOverCentrifuge: div(ours.median, centrifuge.median),
    oursOverCentrifugeRounds: roundRatios(data.rounds, T, C, clock.round),
  };
}

function runFigures(run) {
  const throughput = [];
  for (const mode of MODES) {
    for (const clock of CLOCKS) {
      const f = modeFigures(run[mode.key], clock);
      if (f) throughput.push({ mode: mode.key, clock: clock.key, name: `${mode.name}, ${clock.name}`, ...f });
    }
  }
  const lat = run.latency?.summary;
  const st = run.startup?.summary;
  return {
    throughput,
    latency: lat ? Object.fromEntries(['p50', 'p99'].map((q) => {
      const key = `${q}Ms`;
      const floor = lat[F]?.[key] ?? null;
      return [q, {
        ours: lat[T][key], centrifuge: lat[C][key], floor,
        ratio: div(lat[T][key], lat[C][key]), oursOverFloor: floor == null ? null : div(lat[T][key], floor),
      }];
    })) : null,
    startup: st ? {
      default: { ours: st[T].totalMs, centrifuge: st[C].totalMs, ratio: div(st[T].totalMs, st[C].totalMs) },
      slim: st[S] ? { ours: st[S].totalMs, centrifuge: st[C].totalMs, ratio: div(st[S].totalMs, st[C].totalMs) } : null,
    } : null,
  };
}

const perRun = runs.map(runFigures);

/** The median over runs of `pick(figures)`, and each run's value. */
function overRuns(pick) {
  const values = perRun.map((f) => pick(f) ?? null);
  return { median: median(values), runs: values };
}

const medians = {
  throughput: perRun[0].throughput.map((first) => {
    const same = (f) => f.throughput.find((x) => x.mode === first.mode && x.clock === first.clock);
    return {
      mode: first.mode,
      clock: first.clock,
      name: first.name,
      ours: overRuns((f) => same(f)?.ours.median),
      centrifuge: overRuns((f) => same(f)?.centrifuge.median),
      floor: overRuns((f) => same(f)?.floor.median),
      oursOverFloor: overRuns((f) => same(f)?.oursOverFloor),
      oursOverCentrifuge: overRuns((f) => same(f)?.oursOverCentrifuge),
    };
  }),
  latency: ['p50', 'p99'].map((q) => ({
    q,
    ours: overRuns((f) => f.latency?.[q].ours),
    centrifuge: overRuns((f) => f.latency?.[q].centrifuge),
    floor: overRuns((f) => f.latency?.[q].floor),
    ratio: overRuns((f) => f.latency?.[q].ratio),
    oursOverFloor: overRuns((f) => f.latency?.[q].oursOverFloor),
  })),
  startup: ['default', 'slim'].map((entry) => ({
    entry,
    ours: overRuns((f) => f.startup?.[entry]?.ours),
    centrifuge: overRuns((f) => f.startup?.[entry]?.centrifuge),
    ratio: overRuns((f) => f.startup?.[entry]?.ratio),
  })),
};

// --- checks -------------------------------------------------------------------
const checks = [];
runs.forEach((run, i) => {
  const at = runs.length > 1 ? ` (run ${i + 1})` : '';
  for (const mode of MODES) {
    const sum = run[mode.key]?.summary;
    if (!sum) continue;
    for (const kind of [T, C, F]) {
      if (!sum[kind]) continue;
      if (!sum[kind].allComplete || !sum[kind].allInOrder) checks.push(`${mode.name}: ${kind} did not receive every event of every round in order${at} (see results.json)`);
      if (sum[kind].reconnects > 0) checks.push(`${mode.name}: ${kind} reconnected ${sum[kind].reconnects} time(s)${at}; those rounds are left out of the median`);
    }
  }
  const lat = run.latency?.summary;
  for (const kind of lat ? [T, C] : []) {
    if (!lat[kind].allComplete || !lat[kind].allInOrder) checks.push(`latency: ${kind} did not receive every event in order${at}`);
  }
  if (run.pageProblems?.length) checks.push(`page errors${at}: ${run.pageProblems.join('; ')}`);
});
const memory = memoryRun?.memory ?? null;
if (memory) {
  if (!memory.stream.complete || !memory.stream.inOrder) {
    checks.push(`memory: the events were not all received in order within the time limit: ${JSON.stringify(memory.stream.problems ?? [])}`);
  }
  if (memory.stream.stale) checks.push(`memory: ${memory.stream.stale} events of an already complete stream arrived again (duplicates)`);
  if (memory.problems?.length) checks.push(`memory page errors: ${memory.problems.join('; ')}`);
}
for (const c of crossings?.cases ?? []) {
  if (!c.complete || !c.inOrder) checks.push(`crossings: ${c.case} did not receive every publication in order`);
}
if (!fuzz.passed) checks.push('fuzzing: a property failed (see the fuzz log)');

// --- summary: speed, the median of the runs ------------------------------------
const N = runs.length;
/** `median (run 1 / run 2 / …)` of a value over runs, or just the value after one run. */
const ofRuns = (o, show) => (N === 1 ? show(o.median) : `${show(o.median)} (${o.runs.map(show).join(' / ')})`);
const met = (ok) => (ok == null ? '' : ok ? 'yes' : 'no');

const speedRows = [
  ...medians.throughput.map((m) => [
    `throughput, ${m.name}`, rate(m.ours.median), rate(m.centrifuge.median), rate(m.floor.median),
    ofRuns(m.oursOverFloor, fixed), ofRuns(m.oursOverCentrifuge, fixed),
    `≥ ${GOAL.floor.toFixed(2)} floor, ≥ ${GOAL.centrifuge.toFixed(2)} centrifuge-js`,
    m.oursOverFloor.median == null ? ''
      : `floor: ${met(m.oursOverFloor.median >= GOAL.floor)}, centrifuge-js: ${met(m.oursOverCentrifuge.median >= GOAL.centrifuge)}`,
  ]),
  ...medians.latency.map((m) => [
    `latency publish → callback, ${m.q}`, ms(m.ours.median), ms(m.centrifuge.median),
    m.floor.median == null ? '' : ms(m.floor.median), m.oursOverFloor.median == null ? '' : ofRuns(m.oursOverFloor, fixed),
    ofRuns(m.ratio, fixed), m.q === 'p99' ? `≤ ${GOAL.p99.toFixed(2)}` : '',
    m.q === 'p99' ? met(m.ratio.median == null ? null : m.ratio.median <= GOAL.p99) : '',
  ]),
  ...medians.startup.filter((m) => m.ours.median != null).map((m) => [
    `startup, load + connect, ${m.entry === 'default' ? 'default entry (wasm inlined)' : 'slim entry (.wasm fetched)'}`,
    ms(m.ours.median), ms(m.centrifuge.median), '', '', ofRuns(m.ratio, fixed),
    m.entry === 'default' ? `≤ ${GOAL.startup.toFixed(2)}` : '',
    m.entry === 'default' ? met(m.ratio.median <= GOAL.startup) : '',
  ]),
];
const speedHeader = ['measure', 'twin-panel', 'centrifuge-js', 'engine floor', 'ours / floor', 'ours / centrifuge-js', 'goal', 'met'];

// --- summary: size, crossings, memory, inbox, conversation --------------------
const entryOf = (name) => size.entries.find((e) => e.entry === name);
const limitRow = (s) => {
  const entry = entryOf(s.name.startsWith('twin-panel/widget') ? 'twin-panel/widget' : 'twin-panel');
  return { ...s, budget: entry.budget };
};
const limits = size.sizeLimit.map(limitRow);
const before = baseline?.package ?? null;
const beforeLabel = baseline ? `${baseline.date}, ${baseline.commit.slice(0, 7)}` : null;

const crossingsBefore = (name) => baseline?.crossings?.cases?.find((c) => c.case === name) ?? null;
const mem = memory?.points ?? [];
const otherRows = [
  ...limits.map((s) => [
    `size, ${s.name}, as size-limit measures it (gzip)`, kb(s.bytes),
    `budget ≤ ${kb(s.budget.budgetBytes)} (goal ${kb(s.budget.goalBytes)}, ${s.budget.goalOf}); enforced limit ${kb(s.limitBytes)}`,
    `${met(s.bytes <= s.budget.budgetBytes)} (${fixed(s.bytes / s.budget.goalBytes)} × the goal)`,
  ]),
  ...(before ? [[`size before: the one package of ${beforeLabel} (wasm + glue, gzip -9)`, kb(before.slim.gzip), 'both classes in one wasm', '']] : []),
  ...(crossings ? crossings.cases.map((c) => {
    const b = crossingsBefore(c.case);
    return [`wasm ↔ JS crossings per publication, ${c.case}`, fixed(c.perPublication),
      b ? `before (${beforeLabel}): ${fixed(b.perPublication)}` : 'before: not measured', ''];
  }) : []),
  ...(mem.length ? [
    [`JS heap: ${mem.map((p) => p.label.replace(/ \(.*\)/, '')).join(' → ')}`, mem.map((p) => mib(p.jsHeapUsedBytes)).join(' → '), 'flat', ''],
    ['wasm memory, the same points', mem.map((p) => mib(p.wasmMemoryBytes)).join(' → '), 'flat', ''],
  ] : []),
  ...(inbox ? [[`panel.inbox: ${int(inbox.events)} events applied to ${int(inbox.sessions)} sessions`, `${ms(inbox.ms)}, ${inbox.notifications} notification(s)`, '', '']] : []),
  ...(conversation ? [
    [`panel.conversation: ${int(conversation.messages)} messages loaded (${conversation.pages} pages of ${int(conversation.page)})`, `${ms(conversation.loadMs)}, ${conversation.loadNotifications} notification(s)`, '', ''],
    [`panel.conversation: ${int(conversation.events)} live events on ${int(conversation.messages)} messages`, `${ms(conversation.eventsMs)}, ${conversation.eventNotifications} notification(s)`, '', ''],
  ] : []),
];
const otherHeader = ['measure', 'twin-panel', 'against', 'met'];

// --- each run ------------------------------------------------------------------
function runTable(figures) {
  const withRange = (c, show) => `${show(c.median)}${range(c.min, c.max, show === rate ? thousands : show)}`;
  const rows = figures.throughput.map((f) => [
    f.name, withRange(f.ours, rate), withRange(f.centrifuge, rate), withRange(f.floor, rate),
    `${fixed(f.oursOverFloor)}${range(f.oursOverFloorRounds.min, f.oursOverFloorRounds.max, fixed)}`,
    `${fixed(f.oursOverCentrifuge)}${range(f.oursOverCentrifugeRounds.min, f.oursOverCentrifugeRounds.max, fixed)}`,
    `${f.ours.roundsInMedian}/${f.ours.rounds}`,
  ]);
  if (figures.latency) {
    for (const q of ['p50', 'p99']) {
      const l = figures.latency[q];
      rows.push([`latency, ${q}`, ms(l.ours), ms(l.centrifuge), l.floor == null ? '' : ms(l.floor),
        l.oursOverFloor == null ? '' : fixed(l.oursOverFloor), fixed(l.ratio), '']);
    }
  }
  if (figures.startup) {
    for (const entry of ['default', 'slim']) {
      const s = figures.startup[entry];
      if (s) rows.push([`startup, load + connect, ${entry} entry`, ms(s.ours), ms(s.centrifuge), '', '', fixed(s.ratio), '']);
    }
  }
  return table(['measure', 'twin-panel (range)', 'centrifuge-js (range)', 'engine floor (range)',
    'ours / floor (range over rounds)', 'ours / centrifuge-js (range over rounds)', 'rounds in the median'], rows);
}

function roundsTable(run) {
  return table(['round', 'client', 'events/s', 'per busy second', 'reconnects (lost → connected)', 'received', 'in order'],
    run.throughput.rounds.map((r) => [r.round, r.kind, rate(r.eventsPerSecond), rate(r.eventsPerBusySecond),
      `${r.reconnects} (${r.offlineSeconds.toFixed(2)} s)`, `${int(r.received)}/${int(r.count)}`, r.inOrder ? 'yes' : `no (${r.misordered})`]));
}

function latencyTable(run) {
  const lat = run.latency.summary;
  return table(['client', 'samples', 'p50', 'p90', 'p99', 'max'],
    [T, C, F].filter((k) => lat[k]).map((k) => [k, int(lat[k].samples), ms(lat[k].p50Ms), ms(lat[k].p90Ms), ms(lat[k].p99Ms), ms(lat[k].maxMs)]));
}

function startupTable(run) {
  const st = run.startup.summary;
  return table(['client', 'load', 'of which import / init', 'connect', 'load + connect'], [
    [`${T} (default entry)`, ms(st[T].loadMs), `${ms(st[T].importMs)} / ${ms(st[T].initMs)}`, ms(st[T].connectMs), ms(st[T].totalMs)],
    ...(st[S] ? [[`${T} (slim entry)`, ms(st[S].loadMs), `${ms(st[S].importMs)} / ${ms(st[S].initMs)}`, ms(st[S].connectMs), ms(st[S].totalMs)]] : []),
    ...(st[U] ? [[`${T} (default entry, shareAcrossTabs: false)`, ms(st[U].loadMs), `${ms(st[U].importMs)} / ${ms(st[U].initMs)}`, ms(st[U].connectMs), ms(st[U].totalMs)]] : []),
    [C, ms(st[C].loadMs), 'script load + run', ms(st[C].connectMs), ms(st[C].totalMs)],
  ]);
}

const runSections = runs.map((run, i) => `### Run ${i + 1} of ${N}

Started ${run.startedAt ?? 'n/a'}, ${Math.round(run.seconds ?? 0)} s in the browser${run.memory ? ' (memory included)' : ''}.

${runTable(perRun[i])}

${run.throughput ? `<details><summary>Run ${i + 1}: sandbox stream, every round</summary>

${roundsTable(run)}

</details>
` : ''}${run.latency ? `
Latency, run ${i + 1}:

${latencyTable(run)}
` : ''}${run.startup ? `
Startup, run ${i + 1} (medians of ${run.config.startupSamples} cold starts):

${startupTable(run)}
` : ''}`).join('\n');

// --- size ----------------------------------------------------------------------
const rawGz = (m) => (m ? `${kb(m.raw)} / ${kb(m.gzip)}` : 'n/a');
const filesTable = table(['package', 'wasm', 'glue (slim.js)', 'wasm + glue', 'index.js (the default entry, wasm inlined)'], [
  ...(before ? [[`before: one package, both classes (${beforeLabel})`, rawGz(before.wasm), rawGz(before.glue), rawGz(before.slim), rawGz(before.inline)]] : []),
  ...size.entries.map((e) => [e.entry, rawGz(e.wasm), rawGz(e.glue), rawGz(e.slim), rawGz(e.inline)]),
]);

const limitsTable = table(['size-limit entry', 'gzip', 'enforced limit (.size-limit.json)', 'budget (the issue)', 'goal', 'ours / goal'],
  limits.map((s) => [s.name, kb(s.bytes), `${kb(s.limitBytes)}${s.passed ? '' : ' (exceeded)'}`,
    `${kb(s.budget.budgetBytes)}${s.bytes <= s.budget.budgetBytes ? ' (met)' : ' (not met)'}`,
    `${kb(s.budget.goalBytes)} (${s.budget.goalOf})`, fixed(s.bytes / s.budget.goalBytes)]));

/** Bytes per part (crates; twin_panel per module), before and per entry, the name section left out. */
function partsTable() {
  const shipped = (parts) => new Map(parts.filter((p) => !p.part.startsWith('(names')).map((p) => [p.part, p.bytes]));
  // The package shortens the wasm's import and export names after wasm-opt
  // (scripts/finish-pkg.mjs): one more row, so each column adds up to the
  // shipped file.
  const PACKED = '(import and export names shortened in the package)';
  const withPacking = (parts, shippedWasm) => {
    const c = shipped(parts);
    const d = shippedWasm.raw - [...c.values()].reduce((a, b) => a + b, 0);
    if (d !== 0) c.set(PACKED, d);
    return c;
  };
  const columns = [
    ...(baseline ? [withPacking(baseline.twiggy.byPart.parts, baseline.package.wasm)] : []),
    ...size.entries.map((e) => withPacking(e.twiggy.byPart.parts, e.wasm)),
  ];
  const names = [...new Set(columns.flatMap((c) => [...c.keys()]))];
  const weight = (n) => (n === PACKED ? -Infinity : Math.max(...columns.map((c) => c.get(n) ?? 0)));
  const ownFirst = (a, b) => (a.startsWith('twin_panel') === b.startsWith('twin_panel') ? weight(b) - weight(a) : a.startsWith('twin_panel') ? -1 : 1);
  names.sort(ownFirst);
  const signed = (x) => (x < 0 ? `−${int(-x)}` : int(x));
  const cell = (c, n) => (c.has(n) ? signed(c.get(n)) : '—');
  const delta = (n) => {
    const d = (columns[1]?.get(n) ?? 0) - (columns[0]?.get(n) ?? 0);
    return d === 0 ? '0' : `${d > 0 ? '+' : '−'}${int(Math.abs(d))}`;
  };
  const sum = (c) => [...c.values()].reduce((a, b) => a + b, 0);
  const own = (c) => [...c].filter(([n]) => n.startsWith('twin_panel')).reduce((a, [, b]) => a + b, 0);
  const header = ['part', ...(baseline ? [`before (${beforeLabel})`] : []), ...size.entries.map((e) => e.entry), ...(baseline ? [`${size.entries[0].entry} − before`] : [])];
  const totals = (label, f) => [`**${label}**`, ...columns.map((c) => int(f(c))),
    ...(baseline ? [(() => { const d = f(columns[1]) - f(columns[0]); return `${d > 0 ? '+' : '−'}${int(Math.abs(d))}`; })()] : [])];
  return table(header, [
    ...names.map((n) => [n, ...columns.map((c) => cell(c, n)), ...(baseline ? [delta(n)] : [])]),
    totals('twin_panel, all modules', own),
    totals('the shipped .wasm', sum),
  ]);
}

const topBlocks = [
  ...size.entries.map((e) => ({ title: `${e.entry} (${kb(e.twiggy.namedOptimizedBytes)} with the name section)`, text: e.twiggy.top20 })),
  ...(baseline ? [{ title: `before: the one package of ${beforeLabel} (${kb(baseline.twiggy.namedOptimizedBytes)} with the name section)`, text: baseline.twiggy.top20 }] : []),
].map((b) => `${b.title}:\n\n\`\`\`\n${b.text.trimEnd()}\n\`\`\``).join('\n\n');

// --- crossings -------------------------------------------------------------------
function crossingsSection() {
  if (!crossings) return 'Not measured in this run.';
  const rows = crossings.cases.map((c) => {
    const b = crossingsBefore(c.case);
    const was = !baseline?.crossings ? 'not measured' : b ? fixed(b.perPublication) : 'this case did not run on that package';
    return [c.case, was, fixed(c.perPublication), `${int(c.imports)} / ${int(c.exports)}`];
  });
  return `${table(['case', `before (${beforeLabel ?? 'n/a'})`, 'now', 'now: imports / exports, all publications'], rows)}

<details><summary>The most crossed imports and exports per case, per publication
(the package's names are shortened: an import is shown with the start of its
JS)</summary>

${crossings.cases.map((c) => `${c.case}:

\`\`\`
${c.top.map((t) => `${fixed(t.perPublication).padStart(7)}  ${t.name}${t.source ? `  ${t.source}` : ''}`).join('\n')}
\`\`\``).join('\n\n')}

</details>`;
}

// --- memory ------------------------------------------------------------------------
function memorySection() {
  if (!memory) return 'Not measured in this run.';
  return `One panel, after a forced GC (\`HeapProfiler.collectGarbage\`, CDP
\`Performance.getMetrics\` JSHeapUsedSize) and the wasm memory
(the byte length of the module's exported \`WebAssembly.Memory\`, which
never shrinks: it shows the high-water mark; it grows to fit the largest frame seen, such as a connect
reply carrying the backlog recovered after a reconnect, and then keeps that
size). Measured in the first run only. The ${int(memory.stream.count)} events came as streams of
${int(memory.stream.chunk)}, each received in full before the next (so a
consumer dropped for falling behind recovers a small backlog), in
${memory.stream.seconds.toFixed(0)} s (${int(memory.stream.received)} received, every stream in order:
${memory.stream.inOrder ? 'yes' : 'no'}, ${memory.stream.reconnects} reconnects);
${int(memory.cycles.cycles)} connect/disconnect cycles (\`await connect()\`,
\`disconnect()\`, same panel) took ${memory.cycles.seconds.toFixed(1)} s.

${table(['point', 'JS heap used', 'wasm memory'], memory.points.map((p) => [p.label, mib(p.jsHeapUsedBytes), mib(p.wasmMemoryBytes)]))}`;
}

const fuzzTable = table(['property', 'cases', 'inputs', 'time'],
  fuzz.properties.map((p) => [p.name, int(p.cases), int(p.inputs), `${(p.ms / 1000).toFixed(1)} s`]));

const first = runs[0];
const lastLatency = runs.find((r) => r.latency)?.latency;

const md = `# twin-panel benchmarks

Latest \`make bench\` (scripts/bench.sh): **${date}**. The browser's speed
measurements (throughput, latency, startup) ran ${N === 1 ? 'once' : `${N} times: the summary gives the
median of the runs, each run's figure in brackets, and each run has its own
tables`}; size, crossings, memory, the inbox, the conversation and fuzzing
are measured once. Ratios come from the same Chromium, so they matter more than the absolute
figures. The machine is shared: throughput in particular moves from run to
run, so read one run's ratio as a rough figure.

Machine: ${machine.nproc} cores (${machine.cpu}), ${machine.memory} memory,
shared and noisy; Chromium ${first.chromium} headless; Node.js ${machine.node};
${machine.rustc}. Sandbox: \`-history-size ${machine.historySize}\`.

${checks.length ? `**Checks that did not hold:**\n\n${checks.map((c) => `- ${c}`).join('\n')}\n` : 'Every round received every event once and in order; fuzzing found no panic.\n'}
## Summary

${N === 1 ? 'Speed, one run (throughput: the median of its rounds):' : `Speed, the median of ${N} runs (throughput: each run's median of its rounds;
a ratio is the median of the runs' ratios, each run's in brackets):`}

${table(speedHeader, speedRows)}

Throughput: above 1 is better; latency and startup: below 1 is better.

Size, crossings, memory, inbox, conversation:

${table(otherHeader, otherRows)}

## Runs

Each run's medians with the range of its rounds; a ratio's range is over
the rounds of the two clients paired by round number (rounds with a
reconnect left out while there are others). Within a round the clients take
turns in a rotating order (round 2 starts with the second, and so on, and
each run one further on), each
after a full garbage collection (\`gc()\`, Chromium started with
\`--expose-gc\`): in a fixed order the first client of every round paid for
the previous part's garbage and background compilation.

${runSections}
## Size

Each entry as built by \`make pkg\` (its own wasm, after \`wasm-opt
${size.entries[0].twiggy.wasmOptFlags.join(' ')}\`), raw / \`gzip -9 -n\`:

${filesTable}

What an importer ships, as size-limit measures it (\`npx size-limit\`,
\`.size-limit.json\`: each default entry bundled by esbuild with the import
named, each slim entry's glue and .wasm), against the budgets of the size
issue and the limits test-size enforces until they are met. The JS stack
the package replaces: centrifuge ${size.replaces.centrifuge.version} \`dist/centrifuge.js\`
${kb(size.replaces.centrifuge.raw)} / ${kb(size.replaces.centrifuge.gzip)}, socket.io-client ${size.replaces.socketio.version}
\`dist/socket.io.min.js\` ${kb(size.replaces.socketio.raw)} / ${kb(size.replaces.socketio.gzip)} (gzip -9).

${limitsTable}

Per module: twiggy's items of each entry's names-kept build (below), grouped
by the crate of their path (for \`<T as Trait>::f\` the crate of \`T\`), with
twin_panel split into its modules and \`twin_panel::api\` into its
submodules. Generic code is counted where its path is:
\`core::ptr::drop_in_place<twin_panel::…>\` is \`core\`. The name section is left out, so the parts add up to the wasm
as wasm-opt writes it; the package then shortens its import and export
names, the last row before the totals. ${baseline ? `"Before" is the one
wasm of ${beforeLabel} (${baseline.about}), built and measured the same way
(with its own wasm-opt flags, \`${baseline.twiggy.wasmOptFlags.join(' ')}\`).` : ''}

${partsTable()}

What costs the most: twiggy over each entry's release wasm run through
\`wasm-bindgen --keep-debug\` and \`wasm-opt\` with the shipped flags plus \`-g\`
(optimised like the shipped file, names kept).

${topBlocks}

## Crossings

Calls across the wasm boundary per publication that reaches a JS callback
(\`bench/crossings.mjs\`: the page wraps the module's imports and exports and
counts them while twin-panel reads ${int(crossings?.events)} chatMessageCreated publications
from an in-page socket). Counting slows the page: these runs are not timed.
${baseline ? `"Before" is the same script against the package of ${beforeLabel}.` : ''}

${crossingsSection()}

## Throughput

The **sandbox stream** mode: the sandbox publishes a numbered stream of ${int(first.throughput?.events)}
\`chatMessageCreated\` Messages (the stream endpoint's payload, \`intervalMs: 0\`)
to operator 389; one client is connected per round, connected before the
stream starts, and counts each event in a JS callback (twin-panel:
\`panel.on('chatMessageCreated')\`; centrifuge-js: \`client.on('publication')\`).
events/s = (received − 1) / (last − first callback), ${first.config.rounds} rounds per run. A
reconnect during a round is the server dropping a consumer that fell behind
(close code 3008): the stream is published faster than either client reads
it. Both clients then reconnect after the same fixed 50 ms
(\`minReconnectDelay\` = \`maxReconnectDelay\` = 50, so no random backoff
skews a round) and recover the rest from history; such a round is left out
of the median.

"Per busy second" divides the events by the time the page's main thread
spent in tasks during the round (CDP \`Performance.getMetrics\`
TaskDuration, before and after): the client's own cost per event, parsing
and callbacks included, and much less sensitive than the wall clock to what
else the shared machine runs.

**Client-bound replay** rounds read the same publications from a local replay
server (Node, 127.0.0.1) that sends ready-made frames of 100 as fast as the socket
drains; **in-page client CPU** rounds read them from an in-page stand-in for the
WebSocket (the page's global \`WebSocket\` is swapped for the round: it
answers the connect command and dispatches the frames as real
\`MessageEvent\`s, one per task), so no network, sandbox or browser socket
plumbing is in the figure: it is each client's own main-thread cost per
publication. The **engine floor** is plain JS (split, \`JSON.parse\`, a
listener, no protocol) over the same frames.

## Latency

${int(lastLatency?.eventsPerRound)} events × ${lastLatency?.rounds} rounds per client and run,
published one at a time from Node through \`/__sandbox/publish\` (about 1 ms
apart), each with \`sentAt\` (Node's wall clock, sub-millisecond); latency =
page wall clock at the callback − sentAt, corrected by the measured offset
between the two clocks. The engine floor is measured the same way: its p99
is the tail the browser and the machine add with no protocol at all. Each
run's table is under its run.

## Startup

Median of ${first.config.startupSamples} cold starts each per run, every one in a fresh
browser context (empty cache). twin-panel, default entry:
\`import('/pkg/index.js')\` (one module, the wasm inlined) +
\`await init()\`; slim entry: \`import('/pkg/slim.js')\` + \`await init()\`
(fetches and compiles the separate .wasm); centrifuge-js: loading and running
its dist bundle. Unbundled modules from the sandbox, as a page without a
bundler would load them. Then connect until \`connected\` (login excluded:
both use the same token). The default entry is also measured with
\`shareAcrossTabs: false\`, which shows what the leader's Web Lock costs.

## Memory (twin-panel)

${memorySection()}

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

\`make bench\` (after \`make pkg\`): about ${Math.round((machine.totalSeconds ?? 0) / 60)} minutes here with
BENCH_RUNS=${N} (the default is 3; \`BENCH_RUNS=1 make bench\` for one run).
It writes this file and \`bench/results.json\` (every raw number: each run's
rounds, latency and startup summaries, size, crossings). The "before"
figures come from \`bench/baseline.json\`, written by \`bench/baseline.mjs\`
from a build of that commit. Not part of \`make test\`.
`;

writeFileSync('BENCH.md', md);
const results = {
  date,
  machine,
  size,
  baseline: baseline ? { commit: baseline.commit, date: baseline.date, file: 'bench/baseline.json' } : null,
  medians,
  runs: runs.map((run, i) => ({
    run: i + 1,
    startedAt: run.startedAt,
    browserSeconds: run.seconds,
    chromium: run.chromium,
    config: run.config,
    figures: perRun[i],
    throughput: run.throughput,
    replay: run.replay,
    inPage: run.inPage,
    latency: run.latency,
    startup: run.startup,
  })),
  memory,
  crossings,
  ...(inbox ? { inbox } : {}),
  ...(conversation ? { conversation } : {}),
  fuzz,
  checks,
};
writeFileSync('bench/results.json', `${JSON.stringify(results, null, 2)}\n`);

// The speed table, plain, for the terminal.
function printTable(header, body) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  console.log(`\n${line(header)}`);
  for (const r of body) console.log(line(r));
}
printTable(speedHeader, speedRows);
printTable(otherHeader, otherRows);
console.log(`\nfuzzing: ${int(fuzz.inputs)} inputs, ${fuzz.wallSeconds} s, ${fuzz.passed ? '0 panics' : 'FAILED'}`);
for (const c of checks) console.log(`check: ${c}`);
console.log('\nwrote BENCH.md and bench/results.json');
