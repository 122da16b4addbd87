import { useMemo, useState } from 'react';
import { tokens, useInbox, usePanel, useStatus } from './usePanel.js';
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
  const panel = usePanel(options);
  const [loggedIn, setLoggedIn] = useState(() => tokens.load() !== null);
  const [error, setError] = useState(null);
  if (panel === null) return null;
  if (!loggedIn) {
    return (
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const form = new FormData(e.currentTarget);
          panel
            .login({ email: form.get('email'), password: form.get('password') })
            .then((pair) => {
              tokens.save(pair);
              setLoggedIn(true);
              return panel.connect();
            })
            .catch((e) => setError(e.message));
        }}
      >
        <input name="email" defaultValue="operator@twin.local" aria-label="email" />
        <input name="password" type="password" defaultValue="operator" aria-label="password" />
        <button type="submit">Log in</button>
        {error && <p role="alert">{error}</p>}
      </form>
    );
  }
  return (
    <main>
      <Status panel={panel} />
      <button
        onClick={() => {
          panel.logout();
          tokens.clear();
          setLoggedIn(false);
        }}
      >
        Log out
      </button>
      <Inbox panel={panel} />
    </main>
  );
}

function Status({ panel }) {
  const { state, sharing } = useStatus(panel);
  const shared = sharing.role === 'leader' || sharing.role === 'follower';
  return (
    <p>
      <span data-testid="state">{state}</span>
      {shared && sharing.tabs > 1 && <span> (shared by {sharing.tabs} tabs)</span>}
    </p>
  );
}

function Inbox({ panel }) {
  const { sessions, unreadTotal, loading } = useInbox(panel);
  const [open, setOpen] = useState(null);
  return (
    <section>
      <h2>
        Sessions {loading && '…'} <small>{unreadTotal} unread</small>
      </h2>
      <ul>
        {sessions.map((s) => (
          <li key={s.id} data-id={s.id}>
            <button onClick={() => setOpen(s.id)}>
              {s.name ?? s.id} ({s.unread})
            </button>
          </li>
        ))}
      </ul>
      {open && <Conversation key={open} panel={panel} sessionId={open} />}
    </section>
  );
}
