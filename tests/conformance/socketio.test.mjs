// Conformance of the sandbox's chat-widget Socket.IO endpoint, checked with
// the official socket.io-client (Engine.IO 4), with the operator's side
// watched through the official centrifuge client. Needs a running sandbox:
//
//   TWIN_SANDBOX_URL=http://127.0.0.1:PORT node --test tests/conformance/
//
// The contract (sandbox/README.md, "Chat widget socket"): connect to
// /socket.io/ with query {sessionId} (or, EIO 4 only, auth {sessionId}); the
// server emits the widget seed's events; the client emits clientTyping,
// clientRead and clientClose, each with an optional ack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { Centrifuge } from 'centrifuge';
import WebSocket from 'ws';

const baseUrl = (process.env.TWIN_SANDBOX_URL ?? '').replace(/\/+$/, '');
const skip = baseUrl ? false : 'TWIN_SANDBOX_URL is not set';
const centrifugeUrl = baseUrl.replace(/^http/, 'ws') + '/centrifugo/connection/websocket';

const PASSWORD = 'operator';
const STEP_TIMEOUT_MS = 10_000;
const SEED_BOT = { id: 'b0700000-0000-4000-8000-000000000001', name: 'Бот магазина' };
const CLOSED_SESSION = '5e550000-0000-4000-8000-000000000003';

/** Sends JSON to a sandbox path and returns the parsed answer; throws on non-2xx. */
async function request(method, path, body, token) {
  // X-Sandbox-Control: the sandbox's control endpoints require it.
  const headers = { 'Content-Type': 'application/json', 'X-Sandbox-Control': '1' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const post = (path, body = {}, token) => request('POST', path, body, token);
const chat = (method, path, token, body) => request(method, '/chat/api/v1' + path, body, token);

/** Logs in over REST and returns the access token. */
async function login(email) {
  const { token } = await post('/iam/api/v1/auth/login', { email, password: PASSWORD });
  return token;
}

/** Starts a session as a visitor through the test API: {operatorId?, bot?, ...} → Session. */
function startSession(options) {
  return post('/__sandbox/visitor/session', { clientName: 'Socket.IO visitor', ...options });
}

/** A widget socket for a session; nothing is sent until connect(). */
function widget(sessionId, options = {}) {
  return io(baseUrl, {
    transports: ['websocket'],
    query: sessionId === undefined ? {} : { sessionId },
    reconnection: false,
    timeout: STEP_TIMEOUT_MS,
    autoConnect: false,
    ...options,
  });
}

/** Rejects unless `promise` settles within the step timeout; the timer never outlives it. */
async function within(promise, what) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Connects a socket; resolves on 'connect', rejects with the connect_error. */
function connect(socket) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no connect within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.connect();
  });
}

/** Resolves with the connect_error of a socket that must be refused. */
function refusal(socket) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no connect_error within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      reject(new Error('connected, but the server should have refused'));
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      resolve(err);
    });
    socket.connect();
  });
}

/** Resolves with the payload of the next server event `name` that satisfies `accept`. */
function nextEmit(socket, name, accept = () => true) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(name, onEvent);
      reject(new Error(`no '${name}' within ${STEP_TIMEOUT_MS} ms`));
    }, STEP_TIMEOUT_MS);
    function onEvent(data) {
      if (!accept(data)) return;
      clearTimeout(timer);
      socket.off(name, onEvent);
      resolve(data);
    }
    socket.on(name, onEvent);
  });
}

/** The ack of a client event, bounded in time. */
function ackOf(socket, event, payload = {}) {
  return socket.timeout(STEP_TIMEOUT_MS).emitWithAck(event, payload);
}

/** An operator's Centrifuge client, connected as the platform's page shows. */
async function operatorConnection(token, userId) {
  const client = new Centrifuge(centrifugeUrl, {
    websocket: WebSocket,
    data: { application: 'notifications', settings: { token } },
    minReconnectDelay: 100,
    maxReconnectDelay: 500,
    timeout: 5000,
  });
  const subscribed = new Promise((resolve) => {
    client.on('subscribed', (ctx) => ctx.channel === `operator:${userId}` && resolve());
  });
  client.connect();
  await within(subscribed, 'the operator did not connect');
  return client;
}

/** Resolves with the data of the next operator event `event` that satisfies `accept`. */
function nextPublication(client, event, accept = () => true) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.removeListener('publication', onPublication);
      reject(new Error(`no operator event '${event}' within ${STEP_TIMEOUT_MS} ms`));
    }, STEP_TIMEOUT_MS);
    function onPublication(ctx) {
      if (ctx.data?.event !== event || !accept(ctx.data.data)) return;
      clearTimeout(timer);
      client.removeListener('publication', onPublication);
      resolve(ctx.data.data);
    }
    client.on('publication', onPublication);
  });
}

/** Runs `body(use)`; every socket or client passed to `use` is disconnected afterwards. */
async function withConnections(body) {
  const opened = [];
  try {
    await body((connection) => {
      opened.push(connection);
      return connection;
    });
  } finally {
    for (const connection of opened) connection.disconnect();
  }
}

const socketioStats = async () => (await request('GET', '/__sandbox/stats')).socketio;

test('an operator reply reaches the visitor as chatMessageCreatedEmit, without an echo of the visitor', { skip, timeout: 40_000 }, async () => {
  const tokens = { 389: await login('operator@twin.local'), 472: await login('dev@twin.local') };
  const before = await socketioStats();
  // The public start: whoever the sandbox assigns, the test moves the session
  // to an operator of its choice and watches the widget hear about it.
  const started = await chat('POST', '/chats/chat-web-1/sessions', undefined, { clientName: 'Socket.IO visitor' });
  await withConnections(async (use) => {
    const socket = use(widget(started.id));
    const emitted = [];
    socket.onAny((event, data) => emitted.push({ event, data }));
    await connect(socket);

    const assigned = (await chat('GET', `/sessions/${started.id}`, tokens[389])).operatorId;
    const target = assigned === '389' ? '472' : '389';
    const changed = nextEmit(socket, 'operatorChangedEmit');
    await chat('PATCH', `/sessions/${started.id}/operators/${target}`, tokens[389]);
    const change = await changed;
    assert.equal(change.operatorId, target);
    assert.equal(change.previousOperatorId, assigned);
    assert.equal(change.operatorName, target === '389' ? 'Первый Оператор V' : 'II Dev');
    assert.ok('avatar' in change && 'previousOperatorName' in change && 'previousOperatorAvatar' in change);

    await chat('POST', `/sessions/${started.id}/clients/messages`, undefined, { body: 'Hello from the widget' });
    const body = 'Здравствуйте! <b>&amp;</b>';
    const reply = nextEmit(socket, 'chatMessageCreatedEmit');
    const sent = await chat('POST', `/sessions/${started.id}/operators/messages`, tokens[target], { body });
    const message = await reply;
    assert.deepEqual(Object.keys(message).sort(), [
      'actions', 'answers', 'attachments', 'authorId', 'authorName', 'authorType', 'avatar',
      'body', 'createdAt', 'id', 'sessionId', 'type',
    ]);
    assert.equal(message.id, sent.id);
    assert.equal(message.createdAt, sent.createdAt);
    assert.equal(message.authorId, target);
    assert.equal(message.authorType, 'OPERATOR');
    assert.equal(message.type, 'REGULAR');
    assert.equal(message.body, body);
    assert.equal(message.sessionId, started.id);
    assert.deepEqual([message.answers, message.attachments, message.actions], [[], [], []]);
    assert.equal(message.avatar, null);

    await new Promise((r) => setTimeout(r, 100)); // a late echo would arrive now
    const messages = emitted.filter((e) => e.event === 'chatMessageCreatedEmit');
    assert.deepEqual(messages.map((e) => e.data.authorType), ['OPERATOR'], 'the visitor\'s own message is not echoed');
  });
  const after = await socketioStats();
  assert.ok(after.eio4 > before.eio4, 'stats.socketio.eio4 counts the socket');
});

test('typing, reads and closing travel both ways between widget and operator', { skip, timeout: 60_000 }, async () => {
  const token = await login('operator@twin.local');
  await withConnections(async (use) => {
    const operator = use(await operatorConnection(token, '389'));
    const session = await startSession({ operatorId: 389 });
    assert.equal(session.operatorId, '389');
    const { id, clientId } = session;
    const mine = (data) => data.sessionId === id;

    // EIO 4 clients may name the session in the handshake's auth object.
    const online = nextPublication(operator, 'clientOnline', mine);
    const socket = use(widget(undefined, { auth: { sessionId: id } }));
    await connect(socket);
    assert.equal((await online).clientId, clientId);

    const typingShown = nextEmit(socket, 'showTypingIndicatorEmit');
    assert.deepEqual(await chat('POST', `/sessions/${id}/operators/typing`, token, {}), {});
    assert.deepEqual(await typingShown, { authorType: 'OPERATOR', authorId: '389', sessionId: id });

    const typingHeard = nextPublication(operator, 'typing', mine);
    assert.deepEqual(await ackOf(socket, 'clientTyping'), { ok: true });
    assert.deepEqual(await typingHeard, { sessionId: id, authorType: 'CLIENT', authorId: clientId });

    const reply = nextEmit(socket, 'chatMessageCreatedEmit');
    const sent = await chat('POST', `/sessions/${id}/operators/messages`, token, { body: 'Read me' });
    assert.equal((await reply).id, sent.id);
    const readHeard = nextPublication(operator, 'chatMessageRead', mine);
    assert.deepEqual(await ackOf(socket, 'clientRead', { messageId: sent.id }), { ok: true });
    const read = await readHeard;
    assert.equal(read.messageId, sent.id);
    assert.match(read.readAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    assert.deepEqual(await ackOf(socket, 'clientRead', { messageId: 'no-such-message' }), {
      error: 'Message not found.',
      details: null,
    });

    const visitorMessage = await chat('POST', `/sessions/${id}/clients/messages`, undefined, { body: 'Did you read this?' });
    const readShown = nextEmit(socket, 'chatMessageReadEmit');
    await chat('PATCH', `/messages/${visitorMessage.id}/read`, token);
    assert.deepEqual(await readShown, { messageId: visitorMessage.id });

    const closedHeard = nextPublication(operator, 'sessionClosedByClient', (data) => data.id === id);
    assert.deepEqual(await ackOf(socket, 'clientClose'), { ok: true });
    assert.equal((await closedHeard).status, 'CLOSED');
    assert.deepEqual(await ackOf(socket, 'clientTyping'), { error: 'Session is closed.', details: null });

    const offline = nextPublication(operator, 'clientOffline', mine);
    socket.disconnect();
    assert.equal((await offline).clientId, clientId);
  });
});

test('operatorChangedEmit follows transfers, group transfers and the bot handover', { skip, timeout: 40_000 }, async () => {
  const token = await login('operator@twin.local');
  await chat('POST', '/users/me/activate', token, {}); // the group transfer needs 389 ACTIVE
  await withConnections(async (use) => {
    const session = await startSession({ operatorId: 389 });
    const socket = use(widget(session.id));
    await connect(socket);

    let changed = nextEmit(socket, 'operatorChangedEmit');
    await chat('PATCH', `/sessions/${session.id}/operators/472`, token);
    assert.deepEqual(await changed, {
      operatorId: '472',
      operatorName: 'II Dev',
      avatar: null,
      previousOperatorId: '389',
      previousOperatorName: 'Первый Оператор V',
      previousOperatorAvatar: null,
    });

    changed = nextEmit(socket, 'operatorChangedEmit');
    await chat('PATCH', `/sessions/${session.id}/groupoperators/1`, token); // Support: 389, 472
    const group = await changed;
    assert.equal(group.operatorId, '389');
    assert.equal(group.previousOperatorId, '472');

    const botSession = await startSession({ bot: true });
    const botSocket = use(widget(botSession.id));
    await connect(botSocket);
    changed = nextEmit(botSocket, 'operatorChangedEmit');
    await post('/__sandbox/visitor/handover', { sessionId: botSession.id, operatorId: 494 });
    assert.deepEqual(await changed, {
      operatorId: '494',
      operatorName: 'III Operator',
      avatar: null,
      previousOperatorId: SEED_BOT.id,
      previousOperatorName: SEED_BOT.name,
      previousOperatorAvatar: null,
    });
  });
});

test('the operator pausing, coming back and logging out reaches their visitors', { skip, timeout: 40_000 }, async () => {
  const token = await login('operator@twin.local');
  await chat('POST', '/users/me/activate', token, {});
  try {
    await withConnections(async (use) => {
      const session = await startSession({ operatorId: 389 });
      const socket = use(widget(session.id));
      await connect(socket);

      let status = nextEmit(socket, 'operatorStatusChangedEmit');
      await chat('POST', '/users/me/pause', token, {});
      assert.deepEqual(await status, { operatorId: '389', previousStatus: 'ACTIVE', currentStatus: 'PAUSED' });
      status = nextEmit(socket, 'operatorStatusChangedEmit');
      await chat('POST', '/users/me/activate', token, {});
      assert.deepEqual(await status, { operatorId: '389', previousStatus: 'PAUSED', currentStatus: 'ACTIVE' });

      const loggedOut = nextEmit(socket, 'operatorLoggedOutEmit');
      await post('/__sandbox/operators/logout', { userId: 389 });
      assert.deepEqual(await loggedOut, { operatorId: '389' });
    });
  } finally {
    await chat('POST', '/users/me/activate', token, {}); // logout left 389 OFFLINE
  }
});

test('unknown, missing and closed sessions are refused; polling and the upgrade work', { skip, timeout: 40_000 }, async () => {
  await withConnections(async (use) => {
    for (const sessionId of ['no-such-session', undefined]) {
      const err = await refusal(use(widget(sessionId)));
      assert.equal(err.message, 'Session not found.', `sessionId ${sessionId}`);
    }
    assert.equal((await refusal(use(widget(CLOSED_SESSION)))).message, 'Session is closed.');

    const session = await startSession({ operatorId: 389 });
    const polling = use(widget(session.id, { transports: ['polling'] }));
    await connect(polling);
    assert.equal(polling.io.engine.transport.name, 'polling');

    const upgrading = use(widget(session.id, { transports: ['polling', 'websocket'] }));
    const upgraded = new Promise((resolve) => upgrading.io.on('open', () => upgrading.io.engine.once('upgrade', resolve)));
    await connect(upgrading);
    await within(upgraded, 'no upgrade to websocket');
    assert.equal(upgrading.io.engine.transport.name, 'websocket');

    // Both sockets of the session hear the same event.
    const token = await login('operator@twin.local');
    const heard = Promise.all([polling, upgrading].map((s) => nextEmit(s, 'showTypingIndicatorEmit')));
    await chat('POST', `/sessions/${session.id}/operators/typing`, token, {});
    assert.equal((await heard).length, 2);
  });

  const handshake = (origin) =>
    fetch(`${baseUrl}/socket.io/?EIO=4&transport=polling`, {
      headers: origin ? { Origin: origin } : {},
      signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
    });
  const foreign = await handshake('http://example.com');
  assert.equal(foreign.status, 403);
  assert.equal((await foreign.json()).error, 'Origin not allowed.');
  const local = await handshake('http://localhost:5173');
  assert.equal(local.status, 200);
  assert.equal(local.headers.get('access-control-allow-origin'), 'http://localhost:5173');
  assert.match(await local.text(), /^0\{/);
});
