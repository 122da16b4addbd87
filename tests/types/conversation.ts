// The conversation types of both entries, checked by `tsc --noEmit`.
import init, {
  OperatorPanel, type Conversation, type ConversationMessage, type ConversationSnapshot, type ConversationResync,
  type MessageStatus,
} from 'twin-panel';
import { ChatWidget, type WidgetConversationSnapshot } from 'twin-panel/widget';

export async function operator(): Promise<void> {
  await init();
  const panel = new OperatorPanel();
  const conversation: Conversation = panel.conversation('session-id');
  await conversation.load({ limit: 20 });
  const more: boolean = await conversation.loadOlder();
  const unsubscribe: () => void = conversation.subscribe(() => {});
  unsubscribe();
  const snap: ConversationSnapshot = conversation.getSnapshot();
  const last: ConversationMessage | undefined = snap.messages.at(-1);
  const status: MessageStatus | undefined = last?.status;
  const id: string | undefined = last?.id;
  if (last?.status === 'failed' && last.localId) {
    console.log(last.error?.code, last.error?.retryable);
    await conversation.retry(last.localId);
    const dropped: boolean = conversation.discard(last.localId);
    console.log(dropped);
  }
  const sent = await conversation.send('Hello');
  await conversation.send({ body: 'With a file', attachments: ['file-id'] });
  await conversation.edit(sent.id, { body: 'Hello!' });
  await conversation.remove(sent.id);
  await conversation.markRead();
  await conversation.typing();
  conversation.on('resync', (r: ConversationResync) => console.log(r.added.length, r.removed, r.changed));
  conversation.on('error', (e) => console.log(e.code));
  const typing: boolean = snap.clientTyping;
  const loading: 'idle' | 'newest' | 'older' = snap.loading;
  // @ts-expect-error: not a conversation event
  conversation.on('change', () => {});
  // @ts-expect-error: snapshots are read-only
  snap.messages.push(last!);
  console.log(more, status, id, typing, loading, snap.unread, snap.hasOlder, snap.error, conversation.badPayloads);
  conversation.free();
}

export function visitor(widget: ChatWidget): void {
  const snap: WidgetConversationSnapshot = widget.conversation.getSnapshot();
  const name: string | null | undefined = snap.operator?.name;
  const typing: boolean = snap.operatorTyping;
  const sessionId: string | null = snap.sessionId;
  console.log(name, typing, sessionId, snap.messages[0]?.actions);
}
