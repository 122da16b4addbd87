import { useEffect, useState } from 'react';
import { OperatorPanel } from 'twin-panel';

// One OperatorPanel per logged-in operator. The effect's cleanup frees it:
// free() closes the socket, stops every timer and releases the wasm memory.
// (StrictMode runs effects twice in development: the first panel is freed
// before the second starts.)
export function usePanel(options, credentials) {
  const [state, setState] = useState('disconnected');
  const [events, setEvents] = useState([]);
  const [error, setError] = useState(null);
  const [panel, setPanel] = useState(null); // once connected, for its conversations

  useEffect(() => {
    if (credentials === null) return undefined;
    const panel = new OperatorPanel(options);
    let live = true;
    panel.on('connecting', () => setState('connecting'));
    panel.on('connected', () => setState('connected'));
    panel.on('disconnected', () => setState('disconnected'));
    panel.on('chatMessageCreated', (message) => setEvents((list) => [message, ...list].slice(0, 50)));
    panel
      .login(credentials)
      .then(() => live && panel.connect())
      .then(() => live && setPanel(panel))
      .catch((e) => live && setError(e.message));
    return () => {
      live = false;
      setPanel(null);
      panel.free();
    };
  }, [options, credentials]);

  return { state, events, error, panel };
}
