// Vitest (on Node): twin-panel/widget's `node` entry loads its own wasm
// (widget/twin_widget_bg.wasm) from disk, so a test imports ChatWidget and
// uses it with no init() and no wasm handling. The session's socket needs a
// global WebSocket (Node 22, or Node 20 with --experimental-websocket, which
// the consumer test passes through NODE_OPTIONS).
import { expect, test } from 'vitest';
import { ChatWidget, TwinError } from 'twin-panel/widget';
import { TwinError as PanelTwinError } from 'twin-panel';

const base = process.env.TWIN_SANDBOX_URL;

test('a start on an unknown chat is a TwinError 404, whichever entry the class came from', async () => {
  const widget = new ChatWidget({ chatId: 'no-such-chat', chatUrl: `${base}/chat/api/v1` });
  try {
    const error = await widget.start({ clientName: 'Nobody' }).catch((e) => e);
    expect(error).toBeInstanceOf(TwinError);
    expect(error).toBeInstanceOf(PanelTwinError);
    expect(error.status).toBe(404);
  } finally {
    widget.free();
  }
});

test('starts a session on the seeded web chat and connects', async () => {
  const widget = new ChatWidget({ chatId: 'chat-web-1', chatUrl: `${base}/chat/api/v1` });
  try {
    const session = await widget.start({ clientName: 'Vitest' });
    expect(typeof session.id).toBe('string');
    expect(widget.sessionId).toBe(session.id);
    expect(widget.state).toBe('connected');
  } finally {
    widget.free();
  }
});
