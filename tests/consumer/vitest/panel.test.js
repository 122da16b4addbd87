// Vitest (on Node): the package's `node` entry loads the wasm from disk, so a
// test imports the classes and uses them with no init() and no wasm handling.
import { expect, test } from 'vitest';
import { OperatorPanel, TwinError } from 'twin-panel';

const base = process.env.TWIN_SANDBOX_URL;

test('logs in and calls REST against the sandbox', async () => {
  const panel = new OperatorPanel({ iamUrl: `${base}/iam/api/v1`, chatUrl: `${base}/chat/api/v1` });
  try {
    await expect(panel.login({ email: 'operator@twin.local', password: 'wrong' })).rejects.toBeInstanceOf(TwinError);
    const tokens = await panel.login({ email: 'operator@twin.local', password: 'operator' });
    expect(typeof tokens.token).toBe('string');
    const me = await panel.me();
    expect(me.email).toBe('operator@twin.local');
  } finally {
    panel.free();
  }
});
