// What a site developer writes after `npm install twin-panel`, for the
// visitor's side: start a session on the sandbox's seeded web chat and stay
// connected. `twin` is the widget entry's module (twin-panel/widget or
// twin-panel/widget/slim); `report(kind, value)` shows progress to the test
// (the page, or a worker's postMessage).

// The widget lives as long as the page, so the page keeps it, as the README
// asks: the garbage collector may free a widget nothing refers to, and that
// closes its socket (the callers drop runWidget's result). It is kept on
// the global object: a bundler may drop a module's array that nothing reads.
export async function runWidget(twin, base, report) {
  const chatUrl = `${base}/chat/api/v1`;
  // A chat the sandbox does not know: the start is refused with a TwinError.
  const unknown = new twin.ChatWidget({ chatId: 'no-such-chat', chatUrl });
  try {
    await unknown.start({ clientName: 'Nobody' });
    report('startError', 'no error');
  } catch (error) {
    report('startError', error instanceof twin.TwinError ? error.status : `not a TwinError: ${error}`);
  } finally {
    unknown.free();
  }
  const widget = new twin.ChatWidget({ chatId: 'chat-web-1', chatUrl });
  (globalThis.keptByTheApp ??= []).push(widget);
  const session = await widget.start({ clientName: 'Consumer app' });
  report('session', session.id);
  report('state', widget.state);
  return widget;
}
