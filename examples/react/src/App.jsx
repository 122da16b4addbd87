import { useMemo, useState } from 'react';
import { usePanel } from './usePanel.js';
import { Conversation } from './Conversation.jsx';

// The sandbox of `make demo` by default; `?sandbox=URL` points elsewhere.
const base = new URLSearchParams(location.search).get('sandbox') ?? 'http://127.0.0.1:8080';

export function App() {
  const options = useMemo(
    () => ({
      iamUrl: `${base}/iam/api/v1`,
      chatUrl: `${base}/chat/api/v1`,
      centrifugoUrl: `${base.replace(/^http/, 'ws')}/centrifugo/connection/websocket`,
    }),
    [],
  );
  const [credentials, setCredentials] = useState(null);
  const { state, events, error, panel } = usePanel(options, credentials);
  const [open, setOpen] = useState(null); // the session whose conversation shows

  if (credentials === null) {
    return (
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const form = new FormData(e.currentTarget);
          setCredentials({ email: form.get('email'), password: form.get('password') });
        }}
      >
        <input name="email" defaultValue="operator@twin.local" aria-label="email" />
        <input name="password" type="password" defaultValue="operator" aria-label="password" />
        <button type="submit">Log in</button>
      </form>
    );
  }
  return (
    <main>
      <p>
        <span>{state}</span> <button onClick={() => setCredentials(null)}>Log out</button>
      </p>
      {error && <p role="alert">{error}</p>}
      <ul>
        {events.map((m) => (
          <li key={m.id}>
            {m.body} {m.sessionId && <button onClick={() => setOpen(m.sessionId)}>Open</button>}
          </li>
        ))}
      </ul>
      {panel && open && <Conversation key={open} panel={panel} sessionId={open} />}
    </main>
  );
}
