import { useEffect, useState, useSyncExternalStore } from 'react';

const idle = { conversation: null, subscribe: () => () => {}, getSnapshot: () => null };

// One `panel.conversation(sessionId)` while the component shows that chat:
// the effect opens it and loads the newest page, its cleanup frees it. The
// snapshot is immutable and the same object until something changes, so
// useSyncExternalStore renders once per batch of changes. `subscribe` and
// `getSnapshot` are read once, at creation: they are plain functions that
// still answer after free() (StrictMode runs the effect twice).
export function useConversation(panel, sessionId, limit = 20) {
  const [live, setLive] = useState(idle);
  useEffect(() => {
    if (!panel || !sessionId) return undefined;
    const conversation = panel.conversation(sessionId);
    setLive({ conversation, subscribe: conversation.subscribe, getSnapshot: conversation.getSnapshot });
    conversation.load({ limit }).catch(() => {}); // a failure shows as the snapshot's `error`
    return () => {
      setLive(idle);
      conversation.free();
    };
  }, [panel, sessionId, limit]);
  return [useSyncExternalStore(live.subscribe, live.getSnapshot), live.conversation];
}
