// The soak's judges without a browser: a soak that passes only means
// something if its checks catch what they claim to. scripts/soak.sh runs
// this first (a second); `node --test tests/soak/judge.test.mjs` alone too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Verdicts, entryJudge, inboxScope, inboxDiff } from './invariants.mjs';
import { thirds } from './memory.mjs';
import { seeded } from './random.mjs';

const quiet = () => {
  const log = console.log;
  console.log = () => {};
  return () => { console.log = log; };
};

function judged(entries, tab = {}) {
  const verdicts = new Verdicts(1, () => '0:00');
  const figures = { events: 0, widgetEvents: 0, resyncs: 0, tokenRefreshes: 0, leaderships: 0, inboxErrors: 0 };
  const t = {
    name: 't', lastSeq: 0, lastSeqAt: 0, joinedSeq: null, resyncs: [], seen: new Map(), widgetSeen: new Map(),
    widgetDrops: [], sharing: [], trace: [], ...tab,
  };
  const loud = quiet();
  try {
    entryJudge(verdicts, figures)(t, entries);
  } finally {
    loud();
  }
  return verdicts.violations.map((v) => `${v.invariant}: ${v.detail}`);
}
const seq = (n, at = n) => ({ kind: 'seq', seq: n, at });

test('the stream judge: in order passes; a duplicate, a step back or an unexplained gap breaks it', () => {
  assert.deepEqual(judged([1, 2, 3].map((n) => seq(n))), []);
  assert.deepEqual(judged([seq(1), seq(2), seq(2)]), ['stream: t: publication 2 again (a duplicate)']);
  assert.deepEqual(judged([seq(1), seq(3), seq(2)]).length, 2); // the gap, then the step back
  assert.deepEqual(judged([seq(1), seq(5)]), ['stream: t: publication 5 after 1: 2..4 missed without a resync']);
});

test('the stream judge: a gap after a resync in that tab is what a resync means', () => {
  const resync = { kind: 'life', event: 'resync', at: 2, payload: { reason: 'epochChanged' } };
  assert.deepEqual(judged([seq(1, 1), resync, seq(9, 3)]), []);
});

test('the stream judge: a tab that starts later than the stream was when it connected missed the start', () => {
  assert.deepEqual(judged([seq(12)], { joinedSeq: 10 }), ['stream: t: first publication 12, but the stream was at 10 when the tab was connected: 11..11 missed without a resync']);
  assert.deepEqual(judged([seq(11)], { joinedSeq: 10 }), []);
});

test('logouts and page errors break their invariants; a reconnecting disconnect does not', () => {
  assert.deepEqual(judged([{ kind: 'life', event: 'disconnected', at: 1, payload: { code: 2, reconnect: true } }]), []);
  assert.equal(judged([{ kind: 'life', event: 'disconnected', at: 1, payload: { code: 4, reconnect: false } }])[0].split(':')[0], 'noLogout');
  assert.equal(judged([{ kind: 'unhandled', at: 1, text: 'boom' }])[0].split(':')[0], 'noErrors');
});

test('the inbox scope and its comparison', () => {
  const s = (id, operatorId, operators, extra = {}) => ({
    id, name: id, status: 'ACTIVE', operatorId, operators: operators.map((o) => ({ id: o })), botStatus: null,
    unreadClientMessageCount: 1, lastMessage: { id: `m-${id}`, authorType: 'CLIENT' }, ...extra,
  });
  const sessions = [s('mine', 389, [389]), s('helper', 472, [472, 389]), s('queue', null, []), s('bot', null, [], { botStatus: 'ACTIVE' }), s('other', 472, [472])];
  const scope = inboxScope(sessions, '389');
  assert.deepEqual(scope.map((x) => x.id), ['mine', 'helper', 'queue']);
  const row = (x) => ({ id: x.id, status: 'ACTIVE', operatorId: x.operatorId == null ? null : String(x.operatorId), operators: x.operators.map((o) => String(o.id)).sort(), unread: 1, lastMessageId: `m-${x.id}` });
  assert.deepEqual(inboxDiff(scope.map(row), scope), []);
  const rows = scope.map(row);
  rows[0].unread = 2;
  rows.pop();
  assert.deepEqual(inboxDiff(rows, scope), ['mine (mine) unread: 2, sandbox 1', 'queue (queue) missing']);
});

test('memory thirds: flat within 10%, growth past it is not', () => {
  const samples = (values) => values.map((v, i) => ({ at: i * 10, chromium: { heap: v, wasm: 100 } }));
  const [heap, wasm] = thirds(samples([100, 100, 100, 104, 105, 109, 109, 109, 109]), 0, 90);
  assert.equal(heap.flat, true);
  assert.equal(wasm.ratio, 1);
  const [grown] = thirds(samples([100, 100, 100, 110, 115, 120, 120, 125, 130]), 0, 90);
  assert.equal(grown.flat, false);
});

test('a seed replays the same draws', () => {
  const draw = (seed) => {
    const r = seeded(seed);
    return Array.from({ length: 20 }, () => r.int(0, 1000));
  };
  assert.deepEqual(draw(42), draw(42));
  assert.notDeepEqual(draw(42), draw(43));
});
