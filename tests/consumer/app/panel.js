// What a CRM developer writes after `npm install twin-panel`: log in, connect,
// listen. `twin` is the package's module (the default entry or twin-panel/slim);
// `report(kind, value)` shows progress to the test (the page, or a worker's
// postMessage).

// The panel lives as long as the page, so the page keeps it, as the README
// asks: the garbage collector may free a panel nothing refers to, and that
// closes its connection (the callers drop runPanel's result). It is kept on
// the global object: a bundler may drop a module's array that nothing reads.
export async function runPanel(twin, base, report) {
  const panel = new twin.OperatorPanel({
    iamUrl: `${base}/iam/api/v1`,
    chatUrl: `${base}/chat/api/v1`,
    centrifugoUrl: `${base.replace(/^http/, 'ws')}/centrifugo/connection/websocket`,
  });
  (globalThis.keptByTheApp ??= []).push(panel);
  panel.on('chatMessageCreated', (message) => report('event', message.body));
  try {
    await panel.login({ email: 'operator@twin.local', password: 'wrong' });
    report('loginError', 'no error');
  } catch (error) {
    report('loginError', error instanceof twin.TwinError ? error.status : `not a TwinError: ${error}`);
  }
  await panel.login({ email: 'operator@twin.local', password: 'operator' });
  await panel.connect();
  report('state', panel.state);
  return panel;
}

/** Shows a report in the page (main thread). */
export function show(kind, value) {
  if (kind === 'event') {
    const li = document.createElement('li');
    li.textContent = value;
    document.getElementById('events').append(li);
  } else {
    document.getElementById(kind).textContent = String(value);
  }
}

/** Where the sandbox is: `?sandbox=URL` (a dev server elsewhere) or this page's origin. */
export function sandboxUrl() {
  return new URLSearchParams(location.search).get('sandbox') ?? location.origin;
}
