// login and REST with Node's fetch, by the package name, with no init() and
// no wasm handling: the `node` export condition reads the wasm from disk.
// It logs in as dev@twin.local: the socket test runs beside it as
// operator@twin.local, and a second login of one operator makes the sandbox
// (like the platform) end that operator's live connection with chatUserExists.
import { OperatorPanel, TwinError } from 'twin-panel';
import { base, soakAndReport } from './common.mjs';

const panel = new OperatorPanel({ iamUrl: `${base}/iam/api/v1`, chatUrl: `${base}/chat/api/v1` });
let wrongPassword = null;
try {
  await panel.login({ email: 'dev@twin.local', password: 'wrong' });
} catch (error) {
  wrongPassword = error instanceof TwinError ? error.status : `not a TwinError: ${error}`;
}
const tokens = await panel.login({ email: 'dev@twin.local', password: 'operator' });
const me = await panel.me();
const sessions = await panel.listSessions({ limit: 5 });
panel.free();
await soakAndReport({ wrongPassword, hasToken: typeof tokens.token === 'string', email: me.email, sessions: Array.isArray(sessions.items) });
