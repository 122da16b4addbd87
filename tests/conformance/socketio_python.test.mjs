// Runs the Engine.IO 3 conformance script (python-socketio 4.6.1, the chat
// widget seed's own client) under node's test runner. Needs a running
// sandbox and the venv of scripts/bootstrap-python.sh:
//
//   scripts/bootstrap-python.sh
//   TWIN_SANDBOX_URL=http://127.0.0.1:PORT node --test tests/conformance/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const python = root + 'target/pyenv/bin/python';
const script = root + 'tests/conformance/python/widget_eio3.py';
const baseUrl = process.env.TWIN_SANDBOX_URL ?? '';

let skip = false;
if (!baseUrl) skip = 'TWIN_SANDBOX_URL is not set';
else if (!existsSync(python)) skip = 'target/pyenv is missing: run scripts/bootstrap-python.sh';

test('python-socketio 4.6.1 (EIO 3) gets the operator reply over polling and WebSocket', { skip, timeout: 90_000 }, async () => {
  const { code, stdout, stderr } = await new Promise((resolve) => {
    execFile(python, [script, baseUrl], { timeout: 80_000, env: { ...process.env, PYTHONUNBUFFERED: '1' } }, (err, out, errOut) =>
      resolve({ code: err ? (err.code ?? err.signal) : 0, stdout: out, stderr: errOut }),
    );
  });
  assert.equal(code, 0, `widget_eio3.py exited with ${code}\n${stdout}${stderr}`);
  assert.match(stdout, /ok: python-socketio 4\.6\.1 over Engine\.IO 3/);
});
