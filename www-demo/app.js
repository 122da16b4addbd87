// The page's entry point: the lifecycle a CRM developer copies. init() loads
// the wasm once; one OperatorPanel serves the page; login() (or useTokens()
// with tokens kept from an earlier visit) then connect(), which reconnects on
// its own. The session list is `panel.inbox`, which mends itself after lost
// events and says what it found (its `resync` report); the open chat is
// `panel.conversation(id)`, which does the same. `disconnected` with reconnect === false means the
// platform ended the session (e.g. operatorBlocked), or the operator logged
// out in another tab: go back to the login.
//
// Tabs of this origin share one connection per operator (the panel's
// default): the tokens are kept in localStorage, so a second tab starts
// signed in with useTokens() and joins the first one's connection instead of
// logging in again (a second login would force the first one out).
import init, { OperatorPanel, TwinError } from '/pkg/index.js';
import { panelOptions } from './config.js';
import { $, banner, clearBanners, errorText, showError, useTwinError } from './ui.js';
import { Header } from './header.js';
import { SessionList } from './sessions.js';
import { ChatView } from './chat.js';
import { EventLog } from './eventlog.js';

useTwinError(TwinError);
await init();

const panel = new OperatorPanel(panelOptions);
const workspace = $('#workspace');
const loginScreen = $('#login-screen');
const loginForm = $('#login');
const loginError = $('#login-error');

// The event log subscribes first, so it shows events before the UI reacts.
const log = new EventLog(panel);
const header = new Header(panel, { onLogout: () => leave() });
const sessions = new SessionList(panel, { onSelect: (id) => openChat(id) });
const chat = new ChatView(panel, sessions, { onClose: () => workspace.classList.remove('chat-open') });
let signedIn = false;

// Tokens survive a reload and reach new tabs (localStorage), refreshed ones
// too (every tab gets the one refresh's `tokenRefreshed`).
const TOKENS = 'twin-panel-demo.tokens';
const saveTokens = ({ token, refreshToken }) => localStorage.setItem(TOKENS, JSON.stringify({ token, refreshToken }));
panel.on('tokenRefreshed', saveTokens);

// The inbox and the open chat reload themselves after a lost stream; the
// inbox's report goes to the events pane and the banner.
panel.inbox.on('resync', (report) => {
  log.add('inbox resync report', report, 'warn');
  const { added, removed, changed, missedMessages } = report;
  const found = `${added.length} new, ${removed.length} gone, ${changed.length} changed, at least ${missedMessages} missed messages`;
  banner(`Some live events could not be recovered (${report.reason}), so the chats were reloaded: ${found}.`, { id: 'resync-banner', kind: 'warn' });
});

// The platform's forced logouts arrive as their event, then as
// disconnected { code: 4, reason: <event name>, reconnect: false }.
const FORCED = {
  operatorBlocked: 'Your account was blocked, so you were logged out.',
  chatUserExists: 'You logged in from another tab or device, so this one was logged out.',
  operatorLoggedOut: 'You were logged out by the platform (operatorLoggedOut).',
};

// `disconnected` codes this page tells apart. The package is to export them
// as named constants; until then they live here, in this one line.
const DISCONNECT_CODE = { disconnectCalled: 0, unauthorized: 1 };

panel.on('disconnected', ({ code, reason, reconnect }) => {
  if (reconnect || !signedIn) return; // a passing drop, or our own logout()
  if (code === DISCONNECT_CODE.disconnectCalled) return leave('You logged out in another tab.');
  const text = FORCED[reason] ?? (code === DISCONNECT_CODE.unauthorized ? 'Your session expired. Please log in again.' : `The connection was closed: ${reason || 'no reason'} (code ${code}).`);
  leave(text);
});

loginForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData(loginForm);
  const button = loginForm.querySelector('button[type=submit]');
  showError(loginError, null);
  button.disabled = true;
  try {
    saveTokens(await panel.login({ email: String(form.get('email')).trim(), password: String(form.get('password')) }));
    await enter();
  } catch (error) {
    panel.logout();
    showError(loginError, error);
  } finally {
    button.disabled = false;
  }
});

async function enter() {
  const me = await panel.me();
  signedIn = true;
  sessions.me = me;
  chat.me = me;
  clearBanners();
  loginScreen.hidden = true;
  workspace.hidden = false;
  header.show(me);
  // connect() resolves on the first `connected` and keeps reconnecting
  // afterwards; it rejects only when the panel stops for good.
  panel.connect().catch((error) => leave(`Could not connect: ${errorText(error)}`));
  await sessions.reload();
}

function leave(message) {
  if (!signedIn) return;
  signedIn = false;
  panel.logout(); // disconnects and forgets the tokens (in every tab sharing them)
  localStorage.removeItem(TOKENS);
  chat.close();
  sessions.clear();
  header.hide();
  log.show(false);
  workspace.hidden = true;
  loginScreen.hidden = false;
  clearBanners();
  $('#toasts').replaceChildren();
  if (message) banner(message, { kind: 'error', id: 'logout-banner' });
}

function openChat(id) {
  workspace.classList.add('chat-open');
  chat.open(id);
}

// Signed in with tokens kept from an earlier visit or another tab: no password needed.
async function resume(stored) {
  try {
    panel.useTokens(stored);
    await enter();
  } catch {
    localStorage.removeItem(TOKENS);
    panel.logout();
    signedIn = false;
    workspace.hidden = true;
    loginScreen.hidden = false;
  }
}
const stored = JSON.parse(localStorage.getItem(TOKENS) ?? 'null');
if (stored) await resume(stored);

// A tab still on the login screen follows a login in another tab.
window.addEventListener('storage', (e) => {
  if (e.key !== TOKENS || !e.newValue || signedIn) return;
  resume(JSON.parse(e.newValue));
});

// Handy in the browser console: twinDemo.panel.listSessions().
window.twinDemo = { panel, sessions, chat };
