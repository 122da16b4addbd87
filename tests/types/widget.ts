// A visitor-side app that needs only the widget: everything from
// 'twin-panel/widget', nothing from 'twin-panel'.
import init, {
  ChatWidget, TwinError, DisconnectCode, ConnectingCode,
  type ChatWidgetOptions, type ConnectionState, type StartedSession, type TwinErrorCode, type Visitor, type WidgetEvents,
} from 'twin-panel/widget';

export async function visitor(): Promise<void> {
  await init();
  const options: ChatWidgetOptions = { chatId: 'chat-web-1', chatUrl: 'http://127.0.0.1:8080/chat/api/v1' };
  const widget = new ChatWidget(options);
  widget.on('connecting', ({ code }) => {
    if (code === ConnectingCode.NoPing) console.log('silent server');
  });
  widget.on('disconnected', ({ code, reconnect }) => {
    if (!reconnect && code === DisconnectCode.DisconnectCalled) console.log('closed here');
  });
  widget.on('typing', (t: WidgetEvents['typing']) => console.log(t.authorType));
  widget.on('error', (e) => {
    const code: TwinErrorCode = e.code;
    console.log(code, e.status, e.retryable);
  });
  const me: Visitor = { clientName: 'Анна', messageBody: 'Здравствуйте' };
  try {
    const session: StartedSession = await widget.start(me);
    const state: ConnectionState = widget.state;
    console.log(session.id, state, widget.clientId);
  } catch (e) {
    if (e instanceof TwinError) {
      const code: TwinErrorCode = e.code;
      // @ts-expect-error: `code` is a TwinErrorCode, not any string
      const wrong: 'nope' = e.code;
      console.log(code, wrong, e.status, e.details);
    }
  }
  widget.free();
}
