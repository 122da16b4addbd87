// The raw `wasm-pack build --target web` output, served at /pkg/, used as a
// page would use it: instantiate, construct a panel, log in, connect. The
// crate's default features build both classes into this one module, so the
// same module's ChatWidget starts a session on the seeded web chat too.
import init, { OperatorPanel, ChatWidget } from '/pkg/twin_panel.js';

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
try {
  const widget = new ChatWidget({ chatId: 'chat-web-1', chatUrl: `${location.origin}/chat/api/v1` });
  const session = await widget.start({ clientName: 'wasm-pack build' });
  $('widget').textContent = session.id && session.id === widget.sessionId ? widget.state : 'no session id';
  widget.free();
} catch (error) {
  $('widget').textContent = `failed: ${error && error.message}`;
}
