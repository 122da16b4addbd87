// One operator's tabs in one browser: open, drain, find the leader, wait
// until they form one connected group again, close one.
import { sleep } from './sandbox.mjs';

/** How long the tabs may take to form one connected group again after a fault. */
export const SETTLE_MS = 60_000;

export class OperatorTabs {
  /**
   * @param browser a driver from chromium.mjs or firefox.mjs
   * @param operator { id, email }
   * @param observe (tab, entries) => void: every drained log entry, in order
   */
  constructor({ browser, operator, control, observe }) {
    this.browser = browser;
    this.operator = operator;
    this.control = control;
    this.observe = observe;
    this.tabs = [];
    this.stream = null; // { id }
    this.opened = 0;
  }

  get name() {
    return `${this.browser.name}/${this.operator.id}`;
  }

  /** Tabs not closed. */
  get live() {
    return this.tabs.filter((t) => !t.closedAt);
  }

  /** Tabs that can answer now (not closed, not frozen). */
  get reachable() {
    return this.live.filter((t) => !t.frozen);
  }

  /**
   * Opens a tab: a panel with `pair` (or the pair the other tabs stored) and
   * a visitor whose widget speaks Engine.IO 4 or 3, alternately.
   */
  async open(pair = null) {
    this.opened += 1;
    const name = `${this.browser.name[0]}${this.operator.id}-tab${this.opened}`;
    const eio = this.opened % 2 ? 4 : 3;
    const handle = await this.browser.openTab(name);
    const tab = {
      name, handle, eio, group: this, openedAt: Date.now(), closedAt: null, frozen: false,
      joinedAt: null, joinedSeq: null, session: null,
      lastSeq: 0, lastSeqAt: 0, resyncs: [], seen: new Map(), widgetSeen: new Map(), widgetDrops: [], widgetResyncs: [], sharing: [], trace: [],
    };
    this.tabs.push(tab);
    const started = await handle.call('start', { pair, visitorName: `Soak ${name}`, eio });
    tab.session = started.session.id;
    return tab;
  }

  /** Moves every reachable tab's log to Node. */
  async drain() {
    await Promise.all(this.reachable.map(async (tab) => {
      try {
        const entries = await tab.handle.call('drain');
        if (entries.length) this.observe(tab, entries);
      } catch (e) {
        if (!tab.closedAt && !tab.frozen) throw e;
      }
    }));
  }

  async statuses() {
    return Promise.all(this.reachable.map(async (tab) => ({ tab, ...(await tab.handle.call('status')) })));
  }

  async leader() {
    return (await this.statuses()).find((s) => s.role === 'leader')?.tab ?? null;
  }

  /**
   * Waits until the reachable tabs form one group: one leader, followers,
   * `tabs` = the live count everywhere, every panel and widget connected, one
   * sandbox connection of the operator. A tab seen connected for the first
   * time notes where the numbered stream was then (`joinedSeq`). Returns
   * null when settled, else what was last seen.
   */
  async settle(timeout = SETTLE_MS) {
    const deadline = Date.now() + timeout;
    let last = null;
    while (Date.now() < deadline) {
      try {
        const all = await this.statuses();
        const leaders = all.filter((s) => s.role === 'leader').length;
        const connections = (await this.control.stats()).connectionsByOperator?.[String(this.operator.id)] ?? 0;
        last = { connections, tabs: all.map((s) => `${s.tab.name}: ${s.role} of ${s.tabs}, ${s.state}, widget ${s.widget}`) };
        for (const s of all) {
          if (s.state === 'connected' && s.tab.joinedAt === null) {
            s.tab.joinedAt = Date.now();
            s.tab.joinedSeq = this.stream ? (await this.control.get(`stream/${this.stream.id}`)).published : 0;
          }
        }
        const ok = leaders === 1 && connections === 1
          && all.every((s) => (s.role === 'leader' || s.role === 'follower') && s.tabs === this.live.length
            && s.state === 'connected' && s.widget === 'connected');
        if (ok) return null;
      } catch (e) {
        last = { error: e.message };
      }
      await sleep(250);
    }
    return last;
  }

  /** The visitor in `tab` leaves (its session closes), then the tab closes without any goodbye from the panel. */
  async close(tab) {
    await tab.handle.call('leave').catch(() => {});
    await this.drain().catch(() => {});
    tab.closedAt = Date.now();
    await tab.handle.close();
  }
}
