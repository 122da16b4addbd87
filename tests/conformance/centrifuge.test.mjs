// Conformance of the sandbox's Centrifuge endpoint, checked with the official
// centrifuge-js client. Needs a running sandbox:
//
//   TWIN_SANDBOX_URL=http://127.0.0.1:PORT node --test tests/conformance/
//
// Short server pings (e.g. -ping-interval 2s -pong-timeout 1s) keep it fast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Centrifuge } from 'centrifuge';
import WebSocket from 'ws';

const baseUrl = (process.env.TWIN_SANDBOX_URL ?? '').replace(/\/+$/, '');
const skip = baseUrl ? false : 'TWIN_SANDBOX_URL is not set';
const wsUrl = baseUrl.replace(/^http/, 'ws') + '/centrifugo/connection/websocket';

const PASSWORD = 'operator';
const STEP_TIMEOUT_MS = 10_000;

/** POSTs JSON to a sandbox path and returns the parsed answer; throws on non-2xx. */
async function post(path, body = {}) {
  const res = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Sandbox-Control': '1' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** Logs in over REST and returns the access token. */
async function login(email, ttl) {
  const { token, refreshToken } = await post('/iam/api/v1/auth/login', { email, password: PASSWORD, ttl });
  assert.equal(typeof token, 'string');
  assert.equal(typeof refreshToken, 'string');
  return token;
}

/** A client configured as the platform's integration page shows. */
function newClient(token) {
  return new Centrifuge(wsUrl, {
    websocket: WebSocket,
    data: { application: 'notifications', settings: { token } },
    minReconnectDelay: 100,
    maxReconnectDelay: 500,
    timeout: 5000,
  });
}

/** Resolves with the first event `name` whose context satisfies `accept`. */
function nextEvent(client, name, accept = () => true, timeoutMs = STEP_TIMEOUT_MS) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.removeListener(name, onEvent);
      reject(new Error(`no '${name}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    function onEvent(ctx) {
      if (!accept(ctx)) return;
      clearTimeout(timer);
      client.removeListener(name, onEvent);
      resolve(ctx);
    }
    client.on(name, onEvent);
  });
}

/** Waits until `predicate()` holds, polling. */
async function waitFor(predicate, what, timeoutMs = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs `body(use)`; every client passed to `use` is disconnected afterwards. */
async function withClients(body) {
  const clients = [];
  try {
    await body((client) => {
      clients.push(client);
      return client;
    });
  } finally {
    for (const client of clients) client.disconnect();
  }
}

test('a published event reaches the operator as {event, data}', { skip, timeout: 30_000 }, async () => {
  await post('/__sandbox/faults/reset');
  const token = await login('operator@twin.local');
  await withClients(async (use) => {
    const client = use(newClient(token));
    const subscribed = nextEvent(client, 'subscribed', (ctx) => ctx.channel === 'operator:389');
    const connected = nextEvent(client, 'connected');
    client.connect();
    await connected;
    const sub = await subscribed;
    assert.equal(sub.recoverable, true);
    assert.equal(sub.positioned, true);

    const sent = {
      event: 'chatMessageCreated',
      data: {
        id: 'm-1',
        sessionId: 's-1',
        authorType: 'CLIENT',
        type: 'REGULAR',
        body: 'Здравствуйте! <b>&amp;</b>',
        attachments: [],
        nested: { list: [1, 2.5, null, true], empty: {} },
      },
    };
    const received = nextEvent(client, 'publication', (ctx) => ctx.channel === 'operator:389');
    const { offset, epoch } = await post('/__sandbox/publish', { userId: '389', ...sent });
    assert.ok(offset >= 1, 'offset is positive');
    assert.equal(typeof epoch, 'string');
    const pub = await received;
    assert.deepEqual(pub.data, sent);
    assert.equal(pub.offset, offset);
  });
});

test('publications missed during a dropped connection are recovered once, in order', { skip, timeout: 40_000 }, async () => {
  await post('/__sandbox/faults/reset');
  const token = await login('dev@twin.local');
  const channel = 'operator:472';
  const run = `run-${Date.now()}`;
  await withClients(async (use) => {
    const client = use(newClient(token));
    const seqs = [];
    client.on('publication', (ctx) => {
      if (ctx.channel === channel && ctx.data.data?.run === run) seqs.push(ctx.data.data.seq);
    });
    const publish = (seq) => post('/__sandbox/publish', { userId: '472', event: 'chatMessageCreated', data: { run, seq } });

    const firstSubscribe = nextEvent(client, 'subscribed', (ctx) => ctx.channel === channel);
    client.connect();
    const first = await firstSubscribe;
    assert.equal(first.wasRecovering, false);

    for (let seq = 1; seq <= 3; seq++) await publish(seq);
    await waitFor(() => seqs.length === 3, 'the first 3 publications');

    const lost = nextEvent(client, 'connecting', (ctx) => ctx.code !== 0);
    const resubscribed = nextEvent(client, 'subscribed', (ctx) => ctx.channel === channel);
    const { dropped } = await post('/__sandbox/faults/drop');
    assert.ok(dropped >= 1, `dropped ${dropped} connections`);
    // Published while the client is away: only recovery can bring these.
    for (let seq = 4; seq <= 8; seq++) await publish(seq);

    const connecting = await lost;
    assert.equal(connecting.code, 1, 'transport closed');
    const recovery = await resubscribed;
    assert.equal(recovery.wasRecovering, true);
    assert.equal(recovery.recovered, true);
    assert.equal(recovery.hasRecoveredPublications, true);

    for (let seq = 9; seq <= 10; seq++) await publish(seq);
    await waitFor(() => seqs.length >= 10, 'all 10 publications');
    await new Promise((r) => setTimeout(r, 200)); // a duplicate would arrive now
    assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

test('after a node restart the client reconnects and is told recovery failed', { skip, timeout: 30_000 }, async () => {
  await post('/__sandbox/faults/reset');
  const token = await login('operator@twin.local');
  const channel = 'operator:389';
  await withClients(async (use) => {
    const client = use(newClient(token));
    const firstSubscribe = nextEvent(client, 'subscribed', (ctx) => ctx.channel === channel);
    client.connect();
    await firstSubscribe;
    const received = nextEvent(client, 'publication', (ctx) => ctx.channel === channel);
    await post('/__sandbox/publish', { userId: '389', event: 'typing', data: { before: true } });
    await received;

    const lost = nextEvent(client, 'connecting', (ctx) => ctx.code !== 0);
    const resubscribed = nextEvent(client, 'subscribed', (ctx) => ctx.channel === channel);
    assert.deepEqual(await post('/__sandbox/faults/restart'), { epochChanged: true });
    assert.equal((await lost).code, 3001, 'shutdown is a reconnect code');
    const recovery = await resubscribed;
    assert.equal(recovery.wasRecovering, true);
    assert.equal(recovery.recovered, false, 'a new epoch cannot be recovered from');
  });
});

test('a custom close code below 4500 makes the client reconnect', { skip, timeout: 30_000 }, async () => {
  await post('/__sandbox/faults/reset');
  const token = await login('dev@twin.local');
  await withClients(async (use) => {
    const client = use(newClient(token));
    const connected = nextEvent(client, 'connected');
    client.connect();
    await connected;
    const connecting = nextEvent(client, 'connecting', (ctx) => ctx.code !== 0);
    const reconnected = nextEvent(client, 'connected');
    assert.deepEqual(await post('/__sandbox/faults/close', { userId: '472', code: 4001, reason: 'go away for now' }), { ok: true });
    const ctx = await connecting;
    assert.equal(ctx.code, 4001);
    assert.equal(ctx.reason, 'go away for now');
    await reconnected;
  });
});

test('an expired token is refused with error 109', { skip, timeout: 30_000 }, async () => {
  await post('/__sandbox/faults/reset');
  const token = await login('third@twin.local', 1);
  await new Promise((r) => setTimeout(r, 2200));
  await withClients(async (use) => {
    const client = use(newClient(token));
    const refused = nextEvent(client, 'error', (ctx) => ctx.type === 'connect');
    client.connect();
    const { error } = await refused;
    assert.equal(error.code, 109);
    assert.equal(error.message, 'token expired');
  });
});

test('a bad token ends the connection with close code 3500', { skip, timeout: 30_000 }, async () => {
  await withClients(async (use) => {
    const client = use(newClient('not.a.jwt'));
    const disconnected = nextEvent(client, 'disconnected');
    client.connect();
    const ctx = await disconnected;
    assert.equal(ctx.code, 3500);
    assert.equal(ctx.reason, 'invalid token');
    assert.equal(client.state, 'disconnected');
  });
});

test('connect data without application "notifications" is a bad request (3501)', { skip, timeout: 30_000 }, async () => {
  const token = await login('operator@twin.local');
  await withClients(async (use) => {
    const client = use(new Centrifuge(wsUrl, { websocket: WebSocket, data: { settings: { token } } }));
    const disconnected = nextEvent(client, 'disconnected');
    client.connect();
    assert.equal((await disconnected).code, 3501);
  });
});

test('a blocked operator is closed with terminal code 4503', { skip, timeout: 30_000 }, async () => {
  const token = await login('third@twin.local');
  await post('/__sandbox/operators/block', { userId: 494, blocked: true });
  try {
    await withClients(async (use) => {
      const client = use(newClient(token));
      const disconnected = nextEvent(client, 'disconnected');
      client.connect();
      const ctx = await disconnected;
      assert.equal(ctx.code, 4503);
      assert.equal(ctx.reason, 'operator blocked');
    });
  } finally {
    await post('/__sandbox/operators/block', { userId: 494, blocked: false });
  }
});
