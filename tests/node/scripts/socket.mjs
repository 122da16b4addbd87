// The Centrifugo socket with Node's own WebSocket: connect, receive a
// publication, then free().
import { OperatorPanel } from 'twin-panel';
import { base, soakAndReport } from './common.mjs';

const panel = new OperatorPanel({
  iamUrl: `${base}/iam/api/v1`,
  chatUrl: `${base}/chat/api/v1`,
  centrifugoUrl: `${base.replace(/^http/, 'ws')}/centrifugo/connection/websocket`,
});
const received = new Promise((resolve) => panel.on('chatMessageCreated', (message) => resolve(message.body)));
await panel.login({ email: 'operator@twin.local', password: 'operator' });
await panel.connect();
const state = panel.state;
const body = `node ${process.pid}`;
const response = await fetch(`${base}/__sandbox/publish`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', 'X-Sandbox-Control': '1' },
  body: JSON.stringify({ userId: '389', event: 'chatMessageCreated', data: { id: `n-${process.pid}`, body } }),
});
let giveUp;
const event = await Promise.race([received, new Promise((resolve) => (giveUp = setTimeout(() => resolve(null), 10_000)))]);
clearTimeout(giveUp);
panel.free();
await soakAndReport({ state, published: response.status, event, expected: body });
