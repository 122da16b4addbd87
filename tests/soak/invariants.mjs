// The issue's invariants (#25) and how each is judged. Some are judged on
// every drained log entry as it arrives (stream order, logouts, page
// errors), some at each quiet point after a fault and at the end (inbox,
// connections), some at the end only (conversations, memory).
//
// The first violation of the run is printed at once with the seed; every
// violation is kept for the report.

/**
 * How long a widget's socket may be dead before the widget notices (the
 * sandbox's Socket.IO server keeps the library's defaults: a ping every
 * 25 s, 20 s to answer): a reply written that long before a `resync`'s
 * `since` may be one the widget missed.
 */
const WIDGET_SILENCE_MS = 45_000;

export const INVARIANTS = {
  stream: 'every numbered publication reaches every live tab once and in order, or a resync says it was missed',
  oneConnection: 'at most one Centrifugo connection per operator, except during a failover',
  noLogout: 'no forced logout that the faults did not cause',
  inbox: 'every inbox snapshot equals the sandbox\'s sessions once the faults stop',
  conversations: 'every visitor message reaches the operator once, and every reply reaches the visitor once or a widget resync says it may not',
  memory: 'JS heap and wasm memory flat: the last third within 10% of the first third',
  noErrors: 'no page error and no unhandled rejection',
  recovery: 'the tabs form one connected group again after every fault (the soak\'s own precondition)',
};

export class Verdicts {
  constructor(seed, clock) {
    this.seed = seed;
    this.clock = clock; // () => "m:ss" since the start
    this.violations = []; // { invariant, at, detail, fault }
    this.currentFault = null;
  }

  /** `tab`, when given, is the tab where it broke: its last log entries are printed with the first violation. */
  fail(invariant, detail, tab = null) {
    const v = { invariant, at: this.clock(), detail, fault: this.currentFault };
    this.violations.push(v);
    const first = this.violations.filter((x) => x.invariant === invariant).length === 1;
    if (this.violations.length === 1) {
      console.log(`soak: INVARIANT BROKEN at ${v.at} (seed ${this.seed}): ${INVARIANTS[invariant]}`);
      console.log(`soak:   first broken event: ${detail}${v.fault ? ` (during or after fault #${v.fault.n} ${v.fault.kind})` : ''}`);
    } else if (first) {
      console.log(`soak: ${invariant} broken too at ${v.at}: ${detail}`);
    }
    if (first && tab) console.log(`soak:   what ${tab.name} saw last (ms before the break, entry):\n${describeTrace(tab.trace)}`);
  }

  get ok() {
    return this.violations.length === 0;
  }

  /** The first violation of each invariant, in order of the invariants. */
  firstOfEach() {
    return Object.keys(INVARIANTS).map((k) => this.violations.find((v) => v.invariant === k)).filter(Boolean);
  }
}

/** How many of a tab's last log entries are kept to explain a violation. */
const TRACE = 40;

function remember(tab, e) {
  const { kind, at, ...rest } = e;
  tab.trace.push({ at, text: `${kind} ${JSON.stringify(rest)}` });
  if (tab.trace.length > TRACE) tab.trace.shift();
}

function describeTrace(trace) {
  const end = trace.at(-1)?.at ?? 0;
  return trace.map((t) => `soak:     -${String(end - t.at).padStart(5)} ${t.text.slice(0, 200)}`).join('\n');
}

/**
 * Judges each drained entry of one tab as it arrives: the numbered stream
 * (strictly increasing; a gap only after a resync in that tab), logouts,
 * page errors; and counts what the report shows.
 */
export function entryJudge(verdicts, figures) {
  return (tab, entries) => {
    for (const e of entries) {
      if (e.kind !== 'seq' || e.seq % 25 === 0 || e.seq !== tab.lastSeq + 1) remember(tab, e);
      switch (e.kind) {
        case 'seq': {
          figures.events += 1;
          const { lastSeq } = tab;
          const explained = tab.resyncs.some((at) => at >= tab.lastSeqAt);
          if (e.seq <= lastSeq) {
            verdicts.fail('stream', `${tab.name}: publication ${e.seq} ${e.seq === lastSeq ? 'again (a duplicate)' : `after ${lastSeq} (out of order)`}`, tab);
          } else if (lastSeq === 0 && tab.joinedSeq !== null && e.seq > tab.joinedSeq + 1 && !explained) {
            verdicts.fail('stream', `${tab.name}: first publication ${e.seq}, but the stream was at ${tab.joinedSeq} when the tab was connected: ${tab.joinedSeq + 1}..${e.seq - 1} missed without a resync`, tab);
          } else if (lastSeq > 0 && e.seq > lastSeq + 1 && !explained) {
            verdicts.fail('stream', `${tab.name}: publication ${e.seq} after ${lastSeq}: ${lastSeq + 1}..${e.seq - 1} missed without a resync`, tab);
          }
          if (e.seq > lastSeq) {
            tab.lastSeq = e.seq;
            tab.lastSeqAt = e.at;
          }
          break;
        }
        case 'msg':
          figures.events += 1;
          tab.seen.set(e.id, (tab.seen.get(e.id) ?? 0) + 1);
          break;
        case 'wmsg':
          figures.widgetEvents += 1;
          tab.widgetSeen.set(e.id, (tab.widgetSeen.get(e.id) ?? 0) + 1);
          break;
        case 'wlife':
          if (e.event === 'disconnected') tab.widgetDrops.push(e.at);
          if (e.event === 'resync') tab.widgetResyncs.push([e.payload?.since ?? 0, e.payload?.at ?? e.at]);
          break;
        case 'life':
          if (e.event === 'resync') {
            figures.resyncs += 1;
            tab.resyncs.push(e.at);
          }
          if (e.event === 'tokenRefreshed') figures.tokenRefreshes += 1;
          if (e.event === 'disconnected' && e.payload?.reconnect === false) {
            verdicts.fail('noLogout', `${tab.name}: disconnected ${JSON.stringify(e.payload)}`, tab);
          }
          break;
        case 'sharing':
          if (e.role === 'leader' && tab.sharing.at(-1) !== 'leader') {
            figures.leaderships += 1;
          }
          tab.sharing.push(e.role);
          break;
        case 'pageError':
        case 'unhandled':
          verdicts.fail('noErrors', `${tab.name}: ${e.kind === 'unhandled' ? 'unhandled rejection' : 'page error'}: ${e.text.split('\n')[0]}`, tab);
          break;
        case 'inboxError':
          figures.inboxErrors += 1;
          break;
        default:
          break;
      }
    }
  };
}

/**
 * The sessions `panel.inbox` holds for operator `me` (src/inbox/reducer.rs,
 * InboxScope), of the sandbox's open sessions: those `me` takes part in,
 * and the queue (no operator, not with the bot).
 */
export function inboxScope(sessions, me) {
  const ids = (s) => (s.operators ?? []).map((o) => String(o.id ?? o.operatorId ?? o));
  return sessions.filter((s) => s.status === 'ACTIVE' && (
    String(s.operatorId) === me || ids(s).includes(me)
    || (s.operatorId == null && ids(s).length === 0 && s.botStatus !== 'ACTIVE')));
}

/**
 * What differs between one tab's inbox rows and the sandbox's sessions in
 * scope ([] when equal). The last message is compared when a client wrote
 * it: the platform does not tell an operator about their own messages, so
 * only the tab that answered refreshes that row.
 */
export function inboxDiff(rows, truth) {
  const diffs = [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const s of truth) {
    const r = byId.get(s.id);
    if (!r) {
      diffs.push(`${s.id} (${s.name}) missing`);
      continue;
    }
    byId.delete(s.id);
    const operators = (s.operators ?? []).map((o) => String(o.id ?? o.operatorId ?? o)).sort();
    const want = {
      status: s.status,
      operatorId: s.operatorId == null ? null : String(s.operatorId),
      operators: operators.join(','),
      unread: s.unreadClientMessageCount,
    };
    const got = { status: r.status, operatorId: r.operatorId, operators: r.operators.join(','), unread: r.unread };
    for (const k of Object.keys(want)) if (want[k] !== got[k]) diffs.push(`${s.id} (${s.name}) ${k}: ${JSON.stringify(got[k])}, sandbox ${JSON.stringify(want[k])}`);
    if (s.lastMessage && s.lastMessage.authorType !== 'OPERATOR' && r.lastMessageId !== s.lastMessage.id) {
      diffs.push(`${s.id} (${s.name}) last message: ${r.lastMessageId}, sandbox ${s.lastMessage.id}`);
    }
  }
  for (const id of byId.keys()) diffs.push(`${id} held but not an open session of the operator in the sandbox`);
  return diffs;
}

/**
 * Conversations, against the messages the sandbox holds (the truth: a send
 * that failed under a fault may or may not have been written): every client
 * message of a soak visitor reached every tab of the session's operator
 * that was connected when it was sent, once (or a resync in that tab came
 * after it); every reply of the operator reached the visitor's widget once,
 * or the widget said it may not: a `resync` (the socket back after a drop)
 * whose window covers the reply (counted apart: Socket.IO keeps no history,
 * and the visitor has no confirmed way to read it).
 *
 * One exception, counted apart: a reply written while the sandbox swallowed
 * every frame (`silences`, the silent-server fault) to a widget whose socket
 * stayed up. The sandbox drops those frames on a live TCP connection, which
 * no network does; Socket.IO has no offsets, so no client can tell.
 */
export async function checkConversations({ groups, truth, verdicts, figures, sentAt, silences }) {
  const tabs = groups.flatMap((g) => g.tabs);
  for (const visitor of tabs.filter((t) => t.session)) {
    const session = await truth.session(visitor.session);
    const messages = await truth.messages(visitor.session);
    const owner = groups.find((g) => String(g.operator.id) === String(session.operatorId));
    for (const m of messages) {
      if (m.authorType === 'CLIENT' && m.body?.startsWith('v:') && owner) {
        figures.visitorMessages += 1;
        const at = sentAt.get(m.body) ?? Date.parse(m.createdAt);
        for (const t of owner.tabs) {
          const n = t.seen.get(m.id) ?? 0;
          if (n > 1) verdicts.fail('conversations', `${t.name}: visitor message ${m.body} (${m.id}) arrived ${n} times`);
          const eligible = t.joinedAt !== null && t.joinedAt < at && !t.closedAt;
          if (n === 0 && eligible && !t.resyncs.some((r) => r >= at)) {
            verdicts.fail('conversations', `${t.name}: visitor message ${m.body} (${m.id}) of session ${visitor.session} never arrived, and no resync`);
          }
        }
      }
      if (m.authorType === 'OPERATOR' && m.body?.startsWith('r:')) {
        figures.replies += 1;
        const n = visitor.widgetSeen.get(m.id) ?? 0;
        if (n > 1) verdicts.fail('conversations', `${visitor.name}: reply ${m.body} (${m.id}) reached the visitor ${n} times`);
        if (n === 0 && !visitor.closedAt) {
          const at = sentAt.get(m.body) ?? Date.parse(m.createdAt);
          const drop = visitor.widgetDrops.find((d) => d >= at - 2_000);
          if (visitor.widgetResyncs.some(([since, until]) => at >= since - WIDGET_SILENCE_MS && at <= until)) {
            figures.repliesMissedWithResync += 1;
            continue;
          }
          const silence = silences.find(([from, to]) => at >= from - 1_000 && at <= to);
          if (silence && !visitor.widgetDrops.some((d) => d >= silence[0] && d <= silence[1] + 5_000)) {
            figures.repliesSwallowed += 1;
            continue;
          }
          verdicts.fail('conversations', `${visitor.name}: reply ${m.body} (${m.id}) never reached the visitor (EIO ${visitor.eio})${drop ? `; the widget's socket dropped ${Math.abs(drop - at)} ms ${drop < at ? 'before' : 'after'} it was sent` : ''}`);
        }
      }
    }
  }
}

/**
 * `panel.conversation(id)` of each tab's visitor session, in the tabs of the
 * session's operator (the one its visitor's messages reach live): the
 * visitor's messages it holds are the sandbox's newest ones, in order, each
 * once, up to the last (it loaded a page of 100, then kept up live).
 * Operators' replies are left out: the soak writes them over REST, and the
 * platform's echo of an operator's own message is unconfirmed.
 */
export async function checkConversationViews({ groups, truth, verdicts }) {
  let checked = 0;
  for (const group of groups) {
    for (const tab of group.reachable) {
      const view = await tab.handle.call('conversation');
      if (view === null) continue;
      const session = await truth.session(view.sessionId);
      if (String(session.operatorId) !== String(group.operator.id)) continue;
      checked += 1;
      const want = (await truth.messages(view.sessionId)).filter((m) => m.authorType === 'CLIENT').map((m) => m.id);
      const got = view.messages.filter((m) => m.authorType === 'CLIENT' && m.id).map((m) => m.id);
      const suffix = want.slice(Math.max(0, want.length - got.length));
      if (JSON.stringify(got) !== JSON.stringify(suffix) || (want.length > 0 && got.at(-1) !== want.at(-1))) {
        verdicts.fail('conversations', `${tab.name}: panel.conversation(${view.sessionId}) holds the visitor's ${got.join(',') || 'none'}; the sandbox's newest are ${want.slice(-Math.max(got.length, 1)).join(',')}`);
      }
    }
  }
  return checked;
}
