// Chromium through Playwright: one browser context (one profile, so its
// tabs share Web Locks and BroadcastChannel like the tabs of one browser),
// each tab a page of tab.html. It can do what Firefox through WebDriver
// cannot: freeze a tab in the debugger, take the browser offline, and read
// the JS heap after a garbage collection.
import { launch } from '../faults/support.mjs';

/** Every page call ends: past this the call fails (the page may be stuck). */
const CALL_MS = 30_000;

function within(ms, what, promise) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

export async function chromiumBrowser(base) {
  // Hidden or occluded pages are not slowed either (as in tests/tabs).
  const browser = await launch(['--disable-backgrounding-occluded-windows', '--enable-precise-memory-info']);
  const context = await browser.newContext();
  const errors = [];
  return {
    name: 'chromium',
    canFreeze: true,
    canGoOffline: true,
    measuresHeap: true,
    errors,
    async openTab(name) {
      const page = await context.newPage();
      page.setDefaultTimeout(CALL_MS);
      page.on('pageerror', (e) => errors.push({ tab: name, at: Date.now(), text: String(e?.stack ?? e) }));
      await page.goto(`${base}/tab.html`);
      await page.waitForFunction(() => window.soak !== undefined, null, { timeout: CALL_MS });
      const cdp = await context.newCDPSession(page);
      return {
        name,
        call: (fn, ...args) => within(CALL_MS, `${name}: soak.${fn}()`,
          page.evaluate(([f, a]) => window.soak[f](...a), [fn, args])),
        close: () => within(CALL_MS, `${name}: close`, page.close()),
        /** The JS heap in use after a full garbage collection, bytes. */
        async heap() {
          await cdp.send('HeapProfiler.collectGarbage');
          return (await cdp.send('Runtime.getHeapUsage')).usedSize;
        },
        /** Pauses the page's script in the debugger: a tab that holds its lock and socket but runs nothing. */
        async freeze() {
          await cdp.send('Debugger.enable');
          const paused = new Promise((resolve) => cdp.once('Debugger.paused', resolve));
          await cdp.send('Debugger.pause');
          // The page runs a timer every few hundred ms (heartbeats): it pauses there.
          await within(10_000, `${name}: debugger pause`, paused);
        },
        async thaw() {
          await cdp.send('Debugger.resume');
          await cdp.send('Debugger.disable');
        },
      };
    },
    setOffline: (on) => context.setOffline(on),
    close: () => browser.close().catch(() => {}),
  };
}
