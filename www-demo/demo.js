// A minimal operator page over the package: log in, connect, show live events.
import init, { OperatorPanel } from '/pkg/index.js';

await init();

const base = location.origin;
const panel = new OperatorPanel({
  iamUrl: `${base}/iam/api/v1`,
  chatUrl: `${base}/chat/api/v1`,
  centrifugoUrl: `${base.replace(/^http/, 'ws')}/centrifugo/connection/websocket`,
});

const $ = (id) => document.getElementById(id);

for (const state of ['connecting', 'connected', 'disconnected']) {
  panel.on(state, () => {
    $('state').textContent = panel.state;
    $('state').className = `badge ${panel.state}`;
  });
}

panel.on('event', ({ event, data }) => show(event ?? '(no name)', data));
panel.on('resync', ({ reason }) => show('resync', { reason }));
panel.on('disconnected', (e) => {
  if (!e.reconnect) show('disconnected', e);
});

function show(name, data) {
  const li = document.createElement('li');
  const title = document.createElement('span');
  title.className = 'name';
  title.textContent = name;
  const time = document.createElement('span');
  time.className = 'time';
  time.textContent = new Date().toLocaleTimeString();
  const body = document.createElement('pre');
  body.textContent = JSON.stringify(data, null, 2);
  li.append(title, time, body);
  $('events').prepend(li);
  while ($('events').children.length > 100) $('events').lastChild.remove();
}

$('login').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  $('error').textContent = '';
  try {
    await panel.login({ email: form.get('email'), password: form.get('password') });
    const me = await panel.me();
    $('who').textContent = `${me.firstName} ${me.lastName} (#${me.id})`;
    $('login').hidden = true;
    $('live').hidden = false;
    await panel.connect();
  } catch (error) {
    $('error').textContent = `${error.code ?? 'error'}: ${error.message}`;
  }
});

$('logout').addEventListener('click', () => {
  panel.logout();
  $('live').hidden = true;
  $('login').hidden = false;
});
