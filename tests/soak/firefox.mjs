// Firefox ESR through geckodriver and selenium-webdriver (Playwright cannot
// drive Debian's Firefox). One WebDriver session is one profile, so its tabs
// share Web Locks and BroadcastChannel; each tab is a window handle showing
// tab.html. WebDriver runs one command at a time, so calls are queued.
//
// What it cannot do here: pause a tab in the debugger, emulate offline, or
// read the JS heap (no performance.memory, no CDP). Those faults are drawn
// for Chromium only; Firefox's memory figure is its wasm memory. Faults the
// sandbox injects (drops, silence, REST bursts, token expiry, restart) reach
// Firefox's tabs as they reach Chromium's, and its leader tab is closed and
// replaced like Chromium's.
import { execFileSync } from 'node:child_process';
import { Builder } from 'selenium-webdriver';
import firefox from 'selenium-webdriver/firefox.js';
import LogInspector from 'selenium-webdriver/bidi/logInspector.js';
import { listenToFirefoxConsole } from '../support/firefox-console.mjs';

const CALL_MS = 30_000;

function geckodriverPath() {
  if (process.env.GECKODRIVER) return process.env.GECKODRIVER;
  return execFileSync('sh', ['-c', 'command -v geckodriver'], { encoding: 'utf8' }).trim();
}

export async function firefoxBrowser(base) {
  const options = new firefox.Options()
    .setBinary(process.env.FIREFOX_BIN || '/usr/bin/firefox-esr')
    .addArguments('-headless')
    .setPreference('app.update.enabled', false)
    .setPreference('browser.shell.checkDefaultBrowser', false)
    .setPreference('datareporting.policy.dataSubmissionEnabled', false)
    .setPreference('network.captive-portal-service.enabled', false)
    .setPreference('network.connectivity-service.enabled', false)
    .setPreference('toolkit.telemetry.enabled', false)
    // Background tabs keep their timers on time, as Chromium's do with its flags.
    .setPreference('dom.min_background_timeout_value', 4)
    .setPreference('dom.timeout.enable_budget_timer_throttling', false)
    .enableBidi();
  const driver = await new Builder()
    .forBrowser('firefox')
    .setFirefoxOptions(options)
    .setFirefoxService(new firefox.ServiceBuilder(geckodriverPath()))
    .build();
  await driver.manage().setTimeouts({ script: CALL_MS, pageLoad: CALL_MS });
  const errors = [];
  // Firefox's own lines about reset sockets are counted, not judged: the
  // faults reset sockets on purpose (tests/support/firefox-console.mjs).
  const networkNotices = [];
  await listenToFirefoxConsole(await LogInspector(driver), {
    onPageError: (text) => errors.push({ tab: 'firefox', at: Date.now(), text }),
    onNetworkNotice: (text) => networkNotices.push({ at: Date.now(), text }),
  });

  let queue = Promise.resolve();
  const serial = (fn) => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };
  let blank = await driver.getWindowHandle(); // the first window: kept until a tab replaces it
  const open = new Set();

  return {
    name: 'firefox',
    canFreeze: false,
    canGoOffline: false,
    measuresHeap: false,
    errors,
    networkNotices,
    async openTab(name) {
      const handle = await serial(async () => {
        if (blank) {
          await driver.switchTo().window(blank);
          blank = null;
        } else {
          await driver.switchTo().newWindow('tab');
        }
        await driver.get(`${base}/tab.html`);
        await driver.wait(() => driver.executeScript('return window.soak !== undefined'), CALL_MS, `${name}: tab.js loads`);
        return driver.getWindowHandle();
      });
      open.add(handle);
      return {
        name,
        call: (fn, ...args) => serial(async () => {
          await driver.switchTo().window(handle);
          const r = await driver.executeAsyncScript(`
            const done = arguments[arguments.length - 1];
            Promise.resolve().then(() => window.soak[arguments[0]](...arguments[1]))
              .then((value) => done({ ok: true, value }), (e) => done({ ok: false, error: String(e && e.stack || e) }));`, fn, args);
          if (!r.ok) throw new Error(`${name}: soak.${fn}(): ${r.error}`);
          return r.value;
        }),
        close: () => serial(async () => {
          await driver.switchTo().window(handle);
          await driver.close();
          open.delete(handle);
          const [next] = open;
          if (next) await driver.switchTo().window(next);
        }),
      };
    },
    close: () => driver.quit().catch(() => {}),
  };
}
