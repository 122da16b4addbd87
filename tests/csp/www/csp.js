// Loads one entry of the package (`?entry=panel|widget|panel-slim|widget-slim`),
// uses it against the sandbox this page comes from, and writes what happened
// into #result as JSON: { ok, state, ... } or { ok: false, code, name, message }.
const entry = new URLSearchParams(location.search).get('entry') ?? 'panel';
const modules = {
  panel: '/pkg/index.js',
  widget: '/pkg/widget/index.js',
  'panel-slim': '/pkg/slim.js',
  'widget-slim': '/pkg/widget/slim.js',
};
const base = location.origin;

async function run() {
  const twin = await import(modules[entry]);
  if (entry.endsWith('-slim')) await twin.default();
  if (entry.startsWith('panel')) {
    const panel = new twin.OperatorPanel({
      iamUrl: `${base}/iam/api/v1`,
      chatUrl: `${base}/chat/api/v1`,
      centrifugoUrl: `${base.replace(/^http/, 'ws')}/centrifugo/connection/websocket`,
      shareAcrossTabs: false,
    });
    await panel.login({ email: 'operator@twin.local', password: 'operator' });
    await panel.connect({ timeout: 10_000 });
    const state = panel.state;
    panel.free();
    return { ok: true, state };
  }
  const widget = new twin.ChatWidget({ chatId: 'chat-web-1', chatUrl: `${base}/chat/api/v1`, timeout: 10_000 });
  const session = await widget.start({ clientName: 'CSP' });
  const state = widget.state;
  widget.free();
  return { ok: true, state, session: typeof session.id };
}

run().then(
  (result) => {
    document.getElementById('result').textContent = JSON.stringify(result);
  },
  (error) => {
    document.getElementById('result').textContent = JSON.stringify({
      ok: false,
      name: error?.name,
      code: error?.code,
      message: String(error?.message ?? error),
    });
  },
);
