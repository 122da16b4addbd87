// A typed use of the package, checked by tsc in `make test-types` (tests/types/types.test.mjs)
// under several compilers and settings. Lines marked @ts-expect-error must
// NOT type-check; tsc fails if they do.
import init, { OperatorPanel, TwinError, DisconnectCode, ConnectingCode, type ConnectionState, type TwinErrorCode, type Message, type Session, type List } from 'twin-panel';
import { ChatWidget, TwinError as WidgetTwinError } from 'twin-panel/widget';

export async function example(): Promise<void> {
  await init();
  const panel = new OperatorPanel({ iamUrl: 'http://127.0.0.1:8080/iam/api/v1', ttl: 3600 });
  const tokens = await panel.login({ email: 'operator@twin.local', password: 'operator' });
  const expires: number = tokens.expiresAt;

  const off = panel.on('chatMessageCreated', (m) => {
    const body: string | null | undefined = m.body;
    console.log(body?.length, expires);
  });
  off();
  panel.on('disconnected', (e) => {
    const code: number = e.code;
    const again: boolean = e.reconnect;
    console.log(code, again);
  });
  panel.on('resync', ({ channels, reason }) => console.log(channels.length, reason));
  panel.on('event', ({ event, data }) => console.log(event, data));
  panel.on('error', (e) => console.log(e.code, e.status, e.retryable));

  // @ts-expect-error: not an event name
  panel.on('chatMesageCreated', () => {});
  // @ts-expect-error: a Message has no `seq`
  panel.on('chatMessageCreated', (m) => m.seq);
  // @ts-expect-error: login needs a password
  await panel.login({ email: 'x' });

  const sessions: List<Session> = await panel.listSessions({ limit: 20, status: 'ACTIVE', from: new Date() });
  const first: Session | undefined = sessions.items[0];
  if (first) {
    const history: List<Message> = await panel.sessionMessages(first.id, { limit: 50 });
    const sent = await panel.sendMessage(first.id, { body: 'Hello' });
    const id: string = sent.id;
    console.log(history.count, id);
    await panel.renameSession(first.id, 'Иван / VIP #1');
    await panel.closeSession(first.id);
  }
  await panel.listOperators();
  await panel.connect();

  try {
    await panel.getSession('missing');
  } catch (e) {
    if (e instanceof TwinError) {
      const status: number = e.status;
      const retry: boolean = e.retryable;
      // `code` is one of the TwinErrorCode names, not any string.
      const code: TwinErrorCode = e.code;
      // @ts-expect-error: not an error code, so the comparison cannot be true
      if (e.code === 'notAnErrorCode') console.log('never');
      console.log(status, retry, code, e.message, e.details);
    }
  }
  panel.free();
}

export function codesAndStates(panel: OperatorPanel): void {
  const state: ConnectionState = panel.state;
  // @ts-expect-error: state is one of three names, not any string
  const wrong: 'open' = panel.state;
  panel.on('disconnected', ({ code, reconnect }) => {
    if (!reconnect && code === DisconnectCode.ForcedLogout) console.log('logged out by the platform');
    if (code === ConnectingCode.NoPing) console.log('silent server');
  });
  const code: TwinErrorCode = 'forbiddenUrl';
  // @ts-expect-error: not an error code
  const bad: TwinErrorCode = 'nope';
  console.log(state, wrong, code, bad);
}

export async function widget(): Promise<void> {
  const widget = new ChatWidget({ chatId: 'chat-web-1', chatUrl: 'http://127.0.0.1:8080/chat/api/v1', eio: 3 });
  widget.on('message', (m) => console.log(m.body, m.authorName));
  widget.on('operatorChanged', (o) => console.log(o.operatorId, o.previousOperatorId));
  // @ts-expect-error: not a widget event
  widget.on('chatMessageCreated', () => {});
  // @ts-expect-error: chatId is required
  new ChatWidget({ chatUrl: 'http://x' });
  const session = await widget.start({ clientName: 'Анна' });
  const sent = await widget.send('Здравствуйте');
  console.log(session.id, sent.id, widget.sessionId, widget.state);
  await widget.markRead(sent.id);
  widget.typing();
  try {
    await widget.close();
  } catch (e) {
    // Either entry's TwinError class answers for either entry's errors.
    if (e instanceof TwinError || e instanceof WidgetTwinError) {
      const code: TwinErrorCode = e.code;
      console.log(code);
    }
  }
}
