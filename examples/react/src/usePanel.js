import { useEffect, useState, useSyncExternalStore } from 'react';
import { OperatorPanel } from 'twin-panel';

// Log in once: the token pair is kept (here in sessionStorage) and handed to
// every new panel with useTokens(). A second login() of an operator who is
// connected elsewhere may log the other tab out; a refreshed pair replaces
// the kept one (tokenRefreshed).
const KEY = 'twin-panel-example-tokens';
export const tokens = {
  load: () => JSON.parse(sessionStorage.getItem(KEY) ?? 'null'),
  save: (pair) => sessionStorage.setItem(KEY, JSON.stringify(pair)),
  clear: () => sessionStorage.removeItem(KEY),
};

// One OperatorPanel while the component is mounted: created in the effect,
// freed in its cleanup. React's StrictMode mounts, unmounts and mounts again
// in development: the first panel is freed (its pending promises reject with
// a TwinError whose code is 'freed') and the second one takes over the kept
// tokens, with no second login.
export function usePanel(options) {
  const [panel, setPanel] = useState(null);
  useEffect(() => {
    const created = new OperatorPanel(options);
    created.on('tokenRefreshed', tokens.save);
    const kept = tokens.load();
    if (kept !== null) {
      created.useTokens(kept);
      created.connect().catch(ignoreFreed);
    }
    setPanel(created);
    return () => {
      setPanel(null);
      created.free();
    };
  }, [options]);
  return panel;
}

/** A promise of a panel that was freed meanwhile rejects with code 'freed': nothing to show. */
export function ignoreFreed(error) {
  if (error?.code !== 'freed') throw error;
}

/** `{ state, sharing: { role, tabs } }`, re-rendered when it changes. */
export function useStatus(panel) {
  return useSyncExternalStore(panel.status.subscribe, panel.status.getSnapshot);
}

/** The inbox's snapshot, loaded once per inbox. */
export function useInbox(panel) {
  const inbox = panel.inbox;
  useEffect(() => {
    inbox.load({ status: 'ACTIVE' }).catch(ignoreFreed);
  }, [inbox]);
  return useSyncExternalStore(inbox.subscribe, inbox.getSnapshot);
}
