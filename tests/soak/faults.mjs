// The faults of a shift (#25), each injected the way it happens: the sandbox
// misbehaves (drops, silence, REST bursts, token expiry, restart), or the
// browser does (a tab closes, the network goes, a tab freezes). Each `run`
// injects, holds for a drawn while, and heals; the soak then waits for the
// tabs to settle before the next one.
//
// Every number that shapes a fault comes from `rng` (the run's seed), so the
// same seed replays the same faults against the same targets.
import { sleep } from './sandbox.mjs';

const REST_PREFIXES = ['/chat/api/v1', '/iam/api/v1'];

/**
 * Ends a burst that traffic has not used up: the sandbox keeps one rule per
 * prefix, so a rule delaying one request by 0 ms replaces it.
 */
export const clearRule = (control, pathPrefix) => control.post('faults/http', { delayNext: 1, delayMs: 0, pathPrefix });

export const REST_PREFIX_LIST = REST_PREFIXES;

/**
 * Drops the sockets of one service (`only`: centrifugo or socketio), half
 * the time with a TCP reset instead of a FIN; says what it did.
 */
async function dropSockets(control, rng, only, whose) {
  const reset = rng.int(0, 1) === 1;
  const { dropped } = await control.post('faults/drop', { only, reset });
  return `${dropped} ${whose} socket(s) closed without a close frame${reset ? ', by a TCP reset' : ''}`;
}

export const FAULTS = {
  socketDrop: {
    label: 'dropped sockets',
    run: ({ control, rng }) => dropSockets(control, rng, 'centrifugo', 'Centrifugo'),
  },
  silentServer: {
    label: 'silent server',
    async run({ control, rng }) {
      const ms = rng.int(5, 10) * 1000;
      await control.post('faults/silence', { on: true });
      try {
        await sleep(ms);
      } finally {
        await control.post('faults/silence', { on: false });
      }
      return `every WebSocket silent for ${ms / 1000} s`;
    },
  },
  restErrors: {
    label: '5xx burst on REST',
    async run({ control, rng }) {
      const pathPrefix = rng.pick(REST_PREFIXES);
      const failNext = rng.int(3, 15);
      const status = rng.pick([500, 502, 503]);
      await control.post('faults/http', { failNext, status, pathPrefix });
      await sleep(rng.int(3, 8) * 1000);
      await clearRule(control, pathPrefix);
      return `the next ${failNext} requests under ${pathPrefix} answer ${status}`;
    },
  },
  restTimeouts: {
    label: 'timeout burst on REST',
    async run({ control, rng }) {
      const pathPrefix = rng.pick(REST_PREFIXES);
      const delayNext = rng.int(2, 6);
      // Longer than the tabs' `timeout` option (5 s): the call gives up while the sandbox still answers.
      await control.post('faults/http', { delayNext, delayMs: 7_000, pathPrefix });
      await sleep(rng.int(4, 9) * 1000);
      await clearRule(control, pathPrefix);
      return `the next ${delayNext} requests under ${pathPrefix} answer after 7 s`;
    },
  },
  tokenExpiry: {
    label: 'token expiry (single-use refresh tokens)',
    async run({ control, rng }) {
      await control.post('tokens/expire');
      // Half the time the socket drops too: the token expires during a reconnect.
      const alsoDrop = rng.chance(0.5);
      if (alsoDrop) await control.post('faults/drop', { only: 'centrifugo' });
      return `every access token expired${alsoDrop ? ', and the sockets dropped' : ''}`;
    },
  },
  leaderClosed: {
    label: 'leader tab closed, a new tab opened',
    async run({ groups, rng }) {
      const group = rng.pick(groups);
      const leader = await group.leader();
      if (!leader) return `${group.name}: no leader to close`;
      await group.close(leader);
      // A moment without the leader before the operator opens a tab again.
      await sleep(rng.int(0, 3) * 1000);
      const fresh = await group.open();
      return `${leader.name} (the leader) closed; ${fresh.name} opened from the stored tokens`;
    },
  },
  offline: {
    label: 'offline/online',
    only: 'canGoOffline',
    async run({ groups, rng }) {
      const group = rng.pick(groups.filter((g) => g.browser.canGoOffline));
      const ms = rng.int(2, 8) * 1000;
      await group.browser.setOffline(true);
      try {
        await sleep(ms);
      } finally {
        await group.browser.setOffline(false);
      }
      return `${group.browser.name} offline for ${ms / 1000} s`;
    },
  },
  restart: {
    label: 'sandbox restart (new epoch)',
    async run({ control }) {
      const { epochChanged } = await control.post('faults/restart');
      return `Centrifuge node replaced, epoch changed: ${epochChanged}`;
    },
  },
  frozenTab: {
    label: 'frozen tab (debugger pause)',
    only: 'canFreeze',
    async run({ groups, rng }) {
      const group = rng.pick(groups.filter((g) => g.browser.canFreeze));
      const leader = await group.leader();
      const pickLeader = rng.chance(0.5);
      const others = group.reachable.filter((t) => t !== leader);
      const tab = pickLeader || others.length === 0 ? leader : others[rng.int(0, others.length - 1)];
      const ms = rng.int(3, 10) * 1000;
      if (!tab) return `${group.name}: no tab to freeze`;
      await group.drain();
      tab.frozen = true;
      await tab.handle.freeze();
      try {
        await sleep(ms);
      } finally {
        await tab.handle.thaw();
        tab.frozen = false;
      }
      return `${tab.name} (${tab === leader ? 'the leader' : 'a follower'}) paused in the debugger for ${ms / 1000} s`;
    },
  },
  widgetDrop: {
    label: 'widget socket drop (EIO 3 and 4)',
    run: ({ control, rng }) => dropSockets(control, rng, 'socketio', 'widget'),
  },
};

/** The fault kinds the browsers of this run can take, of `only` (all when empty). */
export function applicable(groups, only = []) {
  for (const kind of only) if (!FAULTS[kind]) throw new Error(`SOAK_FAULTS: unknown fault ${kind} (known: ${Object.keys(FAULTS).join(', ')})`);
  return Object.keys(FAULTS).filter((kind) => {
    const need = FAULTS[kind].only;
    return (only.length === 0 || only.includes(kind)) && (!need || groups.some((g) => g.browser[need]));
  });
}
