// The raw `wasm-pack build --target web` output, served at /pkg/, used as a
// page would use it: instantiate, construct a panel, log in, connect.
import init, { OperatorPanel } from '/pkg/twin_panel.js';

const $ = (id) => document.getElementById(id);
try {
  await init();
  const base = location.origin;
  const panel = new OperatorPanel({
    iamUrl: `${base}/iam/api/v1`,
    chatUrl: `${base}/chat/api/v1`,
    centrifugoUrl: `${base.replace(/^http/, 'ws')}/centrifugo/connection/websocket`,
  });
  await panel.login({ email: 'operator@twin.local', password: 'operator' });
  await panel.connect();
  $('state').textContent = panel.state;
  panel.free();
} catch (error) {
  $('state').textContent = `failed: ${error && error.message}`;
}
