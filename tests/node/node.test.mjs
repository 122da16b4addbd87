// The package on Node.js, imported by name from the installed tarball
// (target/consumer) through its `node` export conditions (twin-panel and
// twin-panel/widget): login and REST with fetch; the Centrifugo socket and the
// widget's Socket.IO with Node's WebSocket (global from Node 22; behind
// --experimental-websocket on Node 20); both entries in one process; then
// free(), and no crash and no timer left 30 s later. Each case runs in a
// child process so a crash or a timer that keeps the process alive shows.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const consumer = join(here, '..', '..', 'target', 'consumer');
const work = join(consumer, 'node-tests');
cpSync(join(here, 'scripts'), work, { recursive: true });
const base = process.env.TWIN_SANDBOX_URL;

// The flags that give this Node a global WebSocket, or null when none do.
function websocketFlags() {
  for (const flags of [[], ['--experimental-websocket']]) {
    try {
      const type = execFileSync(process.execPath, [...flags, '-p', 'typeof WebSocket'], { encoding: 'utf8' }).trim();
      if (type === 'function') return flags;
    } catch {
      // an unknown flag: try the next
    }
  }
  return null;
}

// Runs a script; resolves with its exit code, its last output line parsed as
// JSON, and all its output. Kills it after 90 s (then the code is null).
function runScript(script, flags = []) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...flags, join(work, script)], { cwd: work, env: process.env });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      const last = output.trim().split('\n').at(-1) ?? '';
      let result = null;
      try {
        result = JSON.parse(last);
      } catch {
        // no result line: the output says why
      }
      resolve({ code, result, output });
    });
  });
}

function assertCleanExit({ code, result, output }) {
  assert.ok(result, `no result line; output:\n${output}`);
  assert.deepEqual(result.crashes, [], 'uncaught errors after free()');
  assert.ok(!result.afterFree.includes('Timeout'), `a timer is still armed after free(): ${result.afterFree}`);
  assert.ok(!result.afterSoak.includes('Timeout'), `a timer is still armed 30 s after free(): ${result.afterSoak}`);
  assert.equal(code, 0, `the process did not exit cleanly by itself; output:\n${output}`);
}

const flags = websocketFlags();
const options = { skip: !base && 'needs TWIN_SANDBOX_URL (make test-node)', timeout: 120_000 };

// The three cases that soak 30 s each: run them side by side.
describe('twin-panel on Node.js', { concurrency: true }, () => {
  test('login and REST with fetch, no init(), then free(): no crash, no timer 30 s later', options, async () => {
    const run = await runScript('rest.mjs');
    assertCleanExit(run);
    assert.equal(run.result.wrongPassword, 401, 'a wrong password is a TwinError 401');
    assert.equal(run.result.hasToken, true);
    assert.equal(run.result.email, 'dev@twin.local');
    assert.equal(run.result.sessions, true);
  });

  test(
    `the Centrifugo socket with Node's WebSocket${flags?.length ? ` (${flags.join(' ')})` : ''}, then free(): no crash, no timer 30 s later`,
    { ...options, skip: options.skip || (flags === null && `Node ${process.version} has no WebSocket`) },
    async () => {
      const run = await runScript('socket.mjs', flags);
      assertCleanExit(run);
      assert.equal(run.result.state, 'connected');
      assert.equal(run.result.published, 200);
      assert.equal(run.result.event, run.result.expected, 'the publication reached the listener');
    },
  );

  test('options: plain text to another machine and out-of-range numbers are refused by name', async () => {
    const { code, result, output } = await runScript('options.mjs');
    assert.equal(code, 0, output);
    assert.match(result.plainRemote, /^TwinError invalidArgument: option iamUrl is plain http/);
    assert.equal(result.plainRemoteAllowed, 'ok');
    assert.equal(result.plainLoopback, 'ok');
    assert.match(result.widgetPlainRemote, /^TwinError invalidArgument: option chatUrl is plain http/);
    assert.match(result.ttlTooLong, /invalidArgument: option ttl must be a whole number from 1 to 31536000/);
    assert.match(result.zeroTimeout, /invalidArgument: option timeout must be/);
    assert.match(result.nanPing, /invalidArgument: option pingTimeout must be/);
    assert.match(result.negativeDelay, /invalidArgument: option minReconnectDelay must be/);
    assert.match(result.hugeDelay, /invalidArgument: option maxReconnectDelay must be/);
    assert.match(result.maxBelowMin, /invalidArgument: option maxReconnectDelay must not be below minReconnectDelay/);
    assert.match(result.wrongType, /invalidArgument: option ttl must be a number/);
    assert.equal(result.defaults, 'ok');
  });

  test(
    'both entries in one process: ChatWidget from twin-panel/widget works, either entry\'s TwinError is an instance of both classes, then free(): no crash, no timer 30 s later',
    options,
    async () => {
      const run = await runScript('entries.mjs', flags ?? []);
      assertCleanExit(run);
      const { exports } = run.result;
      for (const name of ['OperatorPanel', 'Inbox', 'TwinError', 'DisconnectCode', 'ConnectingCode', 'default']) {
        assert.ok(exports.panel.includes(name), `twin-panel exports ${name}`);
      }
      for (const name of ['ChatWidget', 'TwinError', 'DisconnectCode', 'ConnectingCode', 'default']) {
        assert.ok(exports.widget.includes(name), `twin-panel/widget exports ${name}`);
      }
      assert.ok(!exports.panel.includes('ChatWidget'), 'twin-panel does not export ChatWidget');
      assert.ok(!exports.widget.includes('OperatorPanel') && !exports.widget.includes('Inbox'), 'twin-panel/widget exports no panel class');
      const both = { panel: true, widget: true, error: true, name: 'TwinError' };
      assert.deepEqual(run.result.widgetThrows, { ...both, code: 'invalidArgument', status: 0 }, 'the widget entry\'s thrown TwinError');
      assert.deepEqual(run.result.panelThrows, { ...both, code: 'invalidArgument', status: 0 }, 'the panel entry\'s thrown TwinError');
      assert.deepEqual(run.result.widgetRejects, { ...both, code: 'notFound', status: 404 }, 'the widget\'s start on an unknown chat');
      assert.deepEqual(run.result.panelRejects, { ...both, code: 'unauthorized', status: 401 }, 'the panel\'s wrong password');
      assert.equal(run.result.panelState, 'disconnected');
      assert.equal(run.result.widgetState, 'disconnected');
      if (flags !== null) assert.deepEqual(run.result.session, { id: true, state: 'connected' }, 'the widget started a session and connected');
    },
  );

  test('twin-panel/slim and twin-panel/widget/slim before init() say to call `await init()` first', async () => {
    const { code, result, output } = await runScript('slim.mjs');
    assert.equal(code, 0, output);
    assert.match(result.before, /call `await init\(\)` first \(see README\)/);
    assert.match(result.widgetBefore, /call `await init\(\)` first \(see README\)/);
    assert.equal(result.state, 'disconnected', 'after init() the panel works');
    assert.equal(result.widgetState, 'disconnected', 'after init() the widget works');
  });
});
