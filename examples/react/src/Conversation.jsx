import { useState } from 'react';
import { useConversation } from './useConversation.js';

// One chat: its messages oldest first, own replies shown at once ('pending',
// then '✓' or '✓✓' once read, or 'failed' with Retry and Discard), older
// pages on demand, the client's typing.
export function Conversation({ panel, sessionId }) {
  const [snapshot, conversation] = useConversation(panel, sessionId);
  const [text, setText] = useState('');
  if (!snapshot) return null;
  const send = (e) => {
    e.preventDefault();
    conversation.send(text).catch(() => {}); // a failure shows on the message
    setText('');
  };
  return (
    <section>
      {snapshot.hasOlder && (
        <button disabled={snapshot.loading === 'older'} onClick={() => conversation.loadOlder()}>
          Older messages
        </button>
      )}
      <ol>
        {snapshot.messages.map((m) => (
          <li key={m.localId ?? m.id} data-status={m.status}>
            {m.body} <small>{m.status === 'sent' ? (m.readAt ? '✓✓' : '✓') : m.status}</small>
            {m.status === 'failed' && (
              <>
                <button onClick={() => conversation.retry(m.localId).catch(() => {})}>Retry</button>
                <button onClick={() => conversation.discard(m.localId)}>Discard</button>
              </>
            )}
          </li>
        ))}
      </ol>
      {snapshot.clientTyping && <p>typing…</p>}
      {snapshot.error && <p role="alert">{snapshot.error.message}</p>}
      <form onSubmit={send}>
        <input
          value={text}
          aria-label="reply"
          onChange={(e) => {
            setText(e.target.value);
            conversation.typing().catch(() => {}); // at most one signal every 2 s
          }}
        />
        <button type="submit">Send</button>
      </form>
    </section>
  );
}
