// The sandbox from Node: its control API (/__sandbox/, never hit by HTTP
// faults) and a reader of the platform's truth over the chats API.
import { sleep } from '../faults/support.mjs';

export { sleep };

export function controller(base) {
  async function call(method, path, body) {
    const response = await fetch(`${base}/__sandbox/${path}`, {
      method,
      // The control endpoints refuse state changes without both headers.
      headers: { 'Content-Type': 'application/json', 'X-Sandbox-Control': '1' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} /__sandbox/${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  }
  return {
    post: (path, body = {}) => call('POST', path, body),
    get: (path) => call('GET', path),
    del: (path) => call('DELETE', path),
    stats: () => call('GET', 'stats'),
  };
}

/**
 * Logs in over IAM; retried, since a REST fault burst may be under way.
 * Logging in as an operator who holds a live connection forces it out
 * (chatUserExists), so the soak logs each of its operators in once only.
 */
export async function login(base, email) {
  return retried(`login of ${email}`, async () => {
    const response = await fetch(`${base}/iam/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password: 'operator' }),
      signal: AbortSignal.timeout(15_000),
    });
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    return response.json();
  });
}

/** Runs `fn` until it succeeds, at most `times` times, 500 ms apart. */
export async function retried(what, fn, times = 40) {
  let last;
  for (let i = 0; i < times; i++) {
    try {
      return await fn();
    } catch (e) {
      last = e;
      await sleep(500);
    }
  }
  throw new Error(`${what}: gave up after ${times} tries: ${last?.message ?? last}`);
}

/**
 * The platform's state as an operator who takes part in nothing sees it
 * (the seeded 494, never connected: logging it in forces nobody out). It
 * logs in again whenever its token was expired by a fault.
 */
export function truthReader(base, email = 'third@twin.local') {
  let token = null;
  async function get(path) {
    return retried(`GET ${path}`, async () => {
      token ??= (await login(base, email)).token;
      const response = await fetch(`${base}/chat/api/v1${path}`, {
        headers: { Authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(15_000),
      });
      if (response.status === 401) token = null;
      if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
      return response.json();
    });
  }
  return {
    /** Open sessions of company 1. */
    activeSessions: async () => (await get('/sessions?status=ACTIVE&limit=1000')).items,
    messages: async (sid) => (await get(`/sessions/${encodeURIComponent(sid)}/messages?limit=1000`)).items,
    session: (sid) => get(`/sessions/${encodeURIComponent(sid)}`),
    /** Pauses or activates an operator (its own call, so it logs in as that operator). */
    async setStatus(operatorEmail, status) {
      const { token: t } = await login(base, operatorEmail);
      const path = status === 'ACTIVE' ? 'activate' : 'pause';
      await retried(`${path} ${operatorEmail}`, async () => {
        const response = await fetch(`${base}/chat/api/v1/users/me/${path}`, {
          method: 'POST', headers: { Authorization: `Bearer ${t}` }, signal: AbortSignal.timeout(15_000),
        });
        if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
      });
    },
  };
}
