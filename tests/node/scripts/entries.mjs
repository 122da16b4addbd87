// Both entries in one process, by name, each through its `node` condition
// (each reads its own wasm from disk): twin-panel/widget's ChatWidget works
// beside twin-panel's OperatorPanel, and a TwinError of either entry is an
// instance of the TwinError class of both. The widget starts a session and
// connects when Node has a global WebSocket; then free(), and the soak.
import { base, soakAndReport } from './common.mjs';

const panelEntry = await import('twin-panel');
const widgetEntry = await import('twin-panel/widget');

/** How `error` answers instanceof for each entry's TwinError. */
const kinds = (error) => ({
  panel: error instanceof panelEntry.TwinError,
  widget: error instanceof widgetEntry.TwinError,
  error: error instanceof Error,
  name: error?.name,
  code: error?.code,
  status: error?.status,
});

function thrown(make) {
  try {
    make();
    return null;
  } catch (error) {
    return kinds(error);
  }
}

async function rejected(promise) {
  try {
    await promise;
    return null;
  } catch (error) {
    return kinds(error);
  }
}

const chatUrl = `${base}/chat/api/v1`;
const facts = {
  exports: {
    panel: Object.keys(panelEntry).sort(),
    widget: Object.keys(widgetEntry).sort(),
  },
  // Thrown synchronously by each entry's wasm: plain text to another machine.
  widgetThrows: thrown(() => new widgetEntry.ChatWidget({ chatId: 'c', chatUrl: 'http://chat.example/api/v1' })),
  panelThrows: thrown(() => new panelEntry.OperatorPanel({ iamUrl: 'http://iam.example/api/v1' })),
};

// Rejections from the sandbox: the widget's start on an unknown chat, the panel's wrong password.
const unknown = new widgetEntry.ChatWidget({ chatId: 'no-such-chat', chatUrl });
facts.widgetRejects = await rejected(unknown.start({ clientName: 'Nobody' }));
unknown.free();
const panel = new panelEntry.OperatorPanel({ iamUrl: `${base}/iam/api/v1`, chatUrl });
facts.panelRejects = await rejected(panel.login({ email: 'third@twin.local', password: 'wrong' }));
facts.panelState = panel.state;

const widget = new widgetEntry.ChatWidget({ chatId: 'chat-web-1', chatUrl });
facts.widgetState = widget.state;
if (typeof WebSocket === 'function') {
  const session = await widget.start({ clientName: 'Node, both entries' });
  facts.session = { id: typeof session.id === 'string' && session.id === widget.sessionId, state: widget.state };
}
widget.free();
panel.free();
await soakAndReport(facts);
