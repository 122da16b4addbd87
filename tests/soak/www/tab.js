// One operator tab of the soak, as a CRM page would hold it: an OperatorPanel
// (shared with the operator's other tabs) with `panel.inbox` loaded, and a
// visitor's ChatWidget in the same page talking to that operator.
//
// Everything the page sees goes into one log that Node drains every second
// (`soak.drain()`), so the page holds no growing record of its own: the
// soak measures the package's memory, not the harness's.
//
// The same page runs in Chromium (Playwright) and Firefox (selenium); both
// call the functions of `window.soak` and get plain JSON back.
import initPanel, * as panelEntry from '/pkg/index.js';
import initWidget, * as widgetEntry from '/pkg/widget/index.js';

const origin = location.origin;
const urls = {
  iamUrl: `${origin}/iam/api/v1`,
  chatUrl: `${origin}/chat/api/v1`,
  centrifugoUrl: `${origin.replace(/^http/, 'ws')}/centrifugo/connection/websocket`,
};
// Fast reconnects and a short ping timeout keep each fault's recovery within
// seconds, so a 10-minute run meets many faults.
const PANEL_OPTIONS = { pingTimeout: 2_000, minReconnectDelay: 100, maxReconnectDelay: 2_000, connectTimeout: 5_000, timeout: 5_000 };
const WIDGET_OPTIONS = { minReconnectDelay: 100, maxReconnectDelay: 2_000, connectTimeout: 5_000, timeout: 5_000 };
/** Where a tab keeps the newest token pair, as a CRM keeps its session: a tab opened later starts from it. */
const TOKENS_KEY = 'soak/tokens';
/** The numbered stream's event name: no inbox event, so only the checks see it. */
const SEQ_EVENT = 'soakSeq';
const LIFECYCLE = ['connecting', 'connected', 'disconnected', 'resync', 'tokenRefreshed', 'error'];
const WIDGET_LIFECYCLE = ['connecting', 'connected', 'disconnected', 'resync', 'error'];

const wasmMemory = (exports) => Object.values(exports).find((v) => v instanceof WebAssembly.Memory) ?? null;
const plain = (v) => JSON.parse(JSON.stringify(v ?? null));
const describeError = (e) => ({ name: e?.name, code: e?.code, status: e?.status, message: String(e?.message ?? e) });

let log = [];
const note = (kind, fields = {}) => log.push({ kind, at: Date.now(), ...fields });

window.addEventListener('unhandledrejection', (e) => note('unhandled', { text: String(e.reason?.stack ?? e.reason) }));
window.addEventListener('error', (e) => note('pageError', { text: String(e.error?.stack ?? e.message) }));

const panelMemory = wasmMemory(await initPanel());
const widgetMemory = wasmMemory(await initWidget());

let panel = null;
let widget = null;
let session = null; // the visitor's session: { id, clientId }
/**
 * `panel.conversation(id)` of this tab's visitor session, open beside the
 * inbox as a CRM's chat view would be; `soak.conversation()` hands its
 * snapshot to the soak's check (tests/soak/invariants.mjs,
 * `checkConversationViews`).
 */
let conversation = null;

/** Runs `fn` up to `times` times, waiting between tries (REST faults may be under way). */
async function retry(times, fn) {
  let last;
  for (let i = 0; i < times; i++) {
    try {
      return await fn();
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 500 * (i + 1)));
    }
  }
  throw last;
}

function recordPanel(p) {
  for (const event of LIFECYCLE) {
    p.on(event, (payload) => {
      if (event === 'tokenRefreshed' && payload?.token) localStorage.setItem(TOKENS_KEY, JSON.stringify(payload));
      note('life', { event, payload: event === 'error' ? describeError(payload) : plain(payload) });
    });
  }
  p.on('sharing', (s) => note('sharing', { role: s?.role, tabs: s?.tabs }));
  p.on('event', (envelope) => {
    const data = envelope?.data;
    if (envelope?.event === SEQ_EVENT) note('seq', { seq: data?.seq, stream: data?.sessionId });
    else if (envelope?.event === 'chatMessageCreated') {
      note('msg', { sid: data?.sessionId, id: data?.id, authorType: data?.authorType, body: data?.body });
    }
  });
}

async function openViews(p) {
  const inbox = p.inbox;
  inbox.on('resync', (r) => note('inboxResync', { reason: r?.reason }));
  inbox.on('error', (e) => note('inboxError', { error: describeError(e) }));
  inbox.subscribe(() => {}); // a UI would render here: keeps the store's change path in use
  await retry(5, () => inbox.load({ status: 'ACTIVE' }));
  if (session) {
    conversation = p.conversation(session.id);
    conversation.on('error', (e) => note('conversationError', { error: describeError(e) }));
    conversation.subscribe(() => {}); // a UI would render here
    await retry(5, () => conversation.load({ limit: 100 }));
  }
}

function recordWidget(w) {
  for (const event of WIDGET_LIFECYCLE) {
    w.on(event, (payload) => note('wlife', { event, payload: event === 'error' ? describeError(payload) : plain(payload) }));
  }
  w.on('message', (m) => note('wmsg', { id: m?.id, authorType: m?.authorType, body: m?.body, sid: m?.sessionId }));
}

async function settle(promise) {
  try {
    return { ok: true, value: plain(await promise) };
  } catch (e) {
    return { ok: false, error: describeError(e) };
  }
}

window.soak = {
  /**
   * Creates the panel with `pair` (or, without one, the pair the other
   * tabs stored), connects, loads the inbox; then starts the visitor.
   */
  async start({ pair, visitorName, eio }) {
    const tokens = pair ?? JSON.parse(localStorage.getItem(TOKENS_KEY) ?? 'null');
    if (!tokens) throw new Error('no token pair given and none stored');
    if (pair) localStorage.setItem(TOKENS_KEY, JSON.stringify(pair));
    panel = new panelEntry.OperatorPanel({ ...urls, ...PANEL_OPTIONS });
    recordPanel(panel);
    panel.useTokens(tokens);
    await retry(5, () => panel.connect({ timeout: 10_000 }));
    widget = new widgetEntry.ChatWidget({ chatId: 'chat-web-1', chatUrl: urls.chatUrl, eio, ...WIDGET_OPTIONS });
    recordWidget(widget);
    const started = await retry(5, () => widget.start({ clientName: visitorName }));
    session = { id: started.id, clientId: started.clientId };
    await openViews(panel);
    return { session, eio };
  },
  /** The visitor writes; resolves to { ok, value: { id } } or { ok: false, error }. */
  say(body) {
    return settle(widget.send(body));
  },
  /** This tab's operator answers in session `sid`, then files the session again (no echo of one's own message). */
  async reply(sid, body) {
    const sent = await settle(panel.sendMessage(sid, { body }));
    if (sent.ok) {
      const refreshed = await settle(panel.inbox.refreshSession(sid));
      const row = panel.inbox.getSnapshot().sessions.find((s) => s.id === sid);
      note('refreshed', { sid, ok: refreshed.ok, unread: row?.unread, last: row?.lastMessage?.id });
    }
    return sent;
  },
  /** The visitor leaves: the session closes (bounded by the widget's timeout). */
  leave() {
    return settle(widget.close());
  },
  status() {
    return {
      role: panel?.sharing?.role ?? null,
      tabs: panel?.sharing?.tabs ?? null,
      state: panel?.state ?? null,
      widget: widget?.state ?? null,
      session: session?.id ?? null,
      online: navigator.onLine,
    };
  },
  /** The inbox rows, reduced to what the sandbox can be compared on. */
  inbox() {
    const snap = panel.inbox.getSnapshot();
    return {
      loading: snap.loading,
      version: snap.version,
      sessions: snap.sessions.map((s) => ({
        id: s.id,
        status: s.status,
        operatorId: s.operatorId == null ? null : String(s.operatorId),
        operators: (s.operators ?? []).map((o) => String(o.id ?? o.operatorId ?? o)).sort(),
        unread: s.unread,
        lastMessageId: s.lastMessage?.id ?? null,
      })),
    };
  },
  /** The conversation view's messages (null before the view opened). */
  conversation() {
    if (!conversation) return null;
    const snap = conversation.getSnapshot();
    return {
      sessionId: session.id,
      messages: (snap.messages ?? []).map((m) => ({ id: m.id ?? null, authorType: m.authorType ?? null, status: m.status })),
    };
  },
  memory() {
    return {
      wasm: (panelMemory?.buffer.byteLength ?? 0) + (widgetMemory?.buffer.byteLength ?? 0),
      heap: performance.memory?.usedJSHeapSize ?? null,
    };
  },
  /** What happened since the last drain, oldest first. */
  drain() {
    const out = log;
    log = [];
    return out;
  },
};
note('ready');
