// What a CRM developer writes after `npm install twin-panel`, bundled by esbuild.
import init, { OperatorPanel, TwinError } from 'twin-panel';

const $ = (id) => document.getElementById(id);
await init({ module_or_path: new URL('twin_panel_bg.wasm', location.href) });

const base = location.origin;
const panel = new OperatorPanel({
  iamUrl: `${base}/iam/api/v1`,
  chatUrl: `${base}/chat/api/v1`,
  centrifugoUrl: `${base.replace(/^http/, 'ws')}/centrifugo/connection/websocket`,
});
panel.on('chatMessageCreated', (message) => {
  const li = document.createElement('li');
  li.textContent = message.body;
  $('events').append(li);
});
try {
  await panel.login({ email: 'operator@twin.local', password: 'wrong' });
} catch (error) {
  window.loginError = error instanceof TwinError ? error.status : 'not a TwinError';
}
await panel.login({ email: 'operator@twin.local', password: 'operator' });
await panel.connect();
$('state').textContent = panel.state;
