// The soak's judges without a browser: a soak that passes only means
// something if its checks catch what they claim to. scripts/soak.sh runs
// this first (a second); `node --test tests/soak/judge.test.mjs` alone too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Verdicts, entryJudge, inboxScope, inboxDiff, checkConversations, checkConversationViews } from './invariants.mjs';
import { thirds } from './memory.mjs';
import { seeded } from './random.mjs';
import { isFirefoxNetworkNotice } from '../support/firefox-console.mjs';

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
    widgetDrops: [], widgetResyncs: [], sharing: [], trace: [], ...tab,
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

test('the conversation judge: a reply the widget never got breaks it, unless a widget resync covers it', async () => {
  const reply = { id: 'r1', authorType: 'OPERATOR', body: 'r:1', createdAt: new Date(10_000).toISOString() };
  const run = async (entries) => {
    const verdicts = new Verdicts(1, () => '0:00');
    const visitor = {
      name: 'v', session: 's1', closedAt: null, resyncs: [], seen: new Map(), widgetSeen: new Map(),
      widgetDrops: [], widgetResyncs: [], sharing: [], trace: [],
    };
    const figures = { events: 0, widgetEvents: 0, resyncs: 0, tokenRefreshes: 0, leaderships: 0, inboxErrors: 0, replies: 0, visitorMessages: 0, repliesSwallowed: 0, repliesMissedWithResync: 0 };
    const loud = quiet();
    try {
      entryJudge(verdicts, figures)(visitor, entries);
      await checkConversations({
        groups: [{ operator: { id: 389 }, tabs: [visitor] }],
        truth: { session: async () => ({ operatorId: 389 }), messages: async () => [reply] },
        verdicts, figures, sentAt: new Map([['r:1', 10_000]]), silences: [],
      });
    } finally {
      loud();
    }
    return { violations: verdicts.violations.map((v) => v.invariant), figures };
  };
  assert.deepEqual((await run([{ kind: 'wmsg', id: 'r1', at: 10_010 }])).violations, []);
  assert.deepEqual((await run([])).violations, ['conversations']);
  const drop = { kind: 'wlife', event: 'disconnected', at: 9_000, payload: { reconnect: true } };
  const resync = (since, at) => ({ kind: 'wlife', event: 'resync', at, payload: { reason: 'reconnected', since, at } });
  const covered = await run([drop, resync(9_000, 12_000)]);
  assert.deepEqual(covered.violations, []);
  assert.equal(covered.figures.repliesMissedWithResync, 1);
  assert.deepEqual((await run([drop, resync(9_000, 9_500)])).violations, ['conversations'], 'a resync before the reply covers nothing');
});

test('the conversation view judge: the newest visitor messages, in order, once, up to the last', async () => {
  const truthMessages = ['c1', 'c2', 'c3'].map((id) => ({ id, authorType: 'CLIENT' }));
  const run = async (ids, owner = 389) => {
    const verdicts = new Verdicts(1, () => '0:00');
    const view = { sessionId: 's1', messages: ids.map((id) => ({ id, authorType: id.startsWith('c') ? 'CLIENT' : 'OPERATOR', status: 'sent' })) };
    const tab = { name: 't', handle: { call: async () => view } };
    const loud = quiet();
    let checked;
    try {
      checked = await checkConversationViews({
        groups: [{ operator: { id: owner }, reachable: [tab] }],
        truth: { session: async () => ({ operatorId: 389 }), messages: async () => truthMessages },
        verdicts,
      });
    } finally {
      loud();
    }
    return { checked, violations: verdicts.violations.length };
  };
  assert.deepEqual(await run(['c1', 'r1', 'c2', 'c3']), { checked: 1, violations: 0 });
  assert.deepEqual(await run(['c2', 'c3']), { checked: 1, violations: 0 }, 'the newest page only');
  assert.deepEqual(await run(['c1', 'c2']), { checked: 1, violations: 1 }, 'the last one missing');
  assert.deepEqual(await run(['c1', 'c3', 'c2']), { checked: 1, violations: 1 }, 'out of order');
  assert.deepEqual(await run(['c2', 'c3', 'c3']), { checked: 1, violations: 1 }, 'twice');
  assert.deepEqual(await run(['c1'], 472), { checked: 0, violations: 0 }, "another operator's tab is not judged");
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

// Soak finding 4 (seed 1474681241, 25 min, Firefox): the judge failed the run
// on Firefox's own line for a widget socket the sandbox had dropped. It is
// the browser's network notice, not a page error; what the page throws still
// is one. tests/consumer-firefox reproduces it with a real reset.
test('Firefox network notices are told apart from page errors', () => {
  for (const notice of [
    'The connection to ws://127.0.0.1:43127/socket.io/?EIO=4&transport=websocket&sessionId=a297c630-beac-4755-9cec-71a0d01523e5 was interrupted while the page was loading.',
    'The connection to wss://chat.example/centrifugo/connection/websocket was interrupted while the page was loading.',
    'Firefox can’t establish a connection to the server at ws://127.0.0.1:9/never.',
  ]) assert.equal(isFirefoxNetworkNotice(notice), true, notice);
  for (const error of [
    'Error: a real uncaught error',
    'TypeError: panel.on: unknown event "nope"',
    'The connection to ws://x was interrupted while the page was loading. And then a script threw',
    'Uncaught (in promise) TwinError: The connection to ws://x was interrupted while the page was loading.',
    'The connection to https://example.com/ was interrupted while the page was loading.',
  ]) assert.equal(isFirefoxNetworkNotice(error), false, error);
});
