// The app of tests/consumer/ (the packed npm tarball installed into a scratch
// app and bundled with esbuild, in target/consumer/www/esbuild), in headless
// Firefox ESR driven through geckodriver with selenium-webdriver, against the
// sandbox that serves the app: the panel page (twin-panel) and the widget
// page (twin-panel/widget). Debian's Firefox and the geckodriver that
// scripts/bootstrap.sh installs are used as they are: nothing is downloaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Builder, By, until } from 'selenium-webdriver';
import firefox from 'selenium-webdriver/firefox.js';
import LogInspector from 'selenium-webdriver/bidi/logInspector.js';
import { listenToFirefoxConsole } from '../support/firefox-console.mjs';

const base = process.env.TWIN_SANDBOX_URL;

function geckodriverPath() {
  if (process.env.GECKODRIVER) return process.env.GECKODRIVER;
  return execFileSync('sh', ['-c', 'command -v geckodriver'], { encoding: 'utf8' }).trim();
}

async function startFirefox() {
  const options = new firefox.Options()
    .setBinary(process.env.FIREFOX_BIN || '/usr/bin/firefox-esr')
    .addArguments('-headless')
    .setPreference('app.update.enabled', false)
    .setPreference('browser.shell.checkDefaultBrowser', false)
    .setPreference('datareporting.policy.dataSubmissionEnabled', false)
    .setPreference('network.captive-portal-service.enabled', false)
    .setPreference('network.connectivity-service.enabled', false)
    .setPreference('toolkit.telemetry.enabled', false)
    // WebDriver BiDi, to hear about uncaught exceptions in the page.
    .enableBidi();
  return new Builder()
    .forBrowser('firefox')
    .setFirefoxOptions(options)
    .setFirefoxService(new firefox.ServiceBuilder(geckodriverPath()))
    .build();
}

test('in Firefox, the panel page bundled from the tarball logs in and receives a live event', { skip: !base, timeout: 90_000 }, async () => {
  const driver = await startFirefox();
  try {
    const errors = [];
    const inspector = await LogInspector(driver);
    await inspector.onJavascriptException((entry) => errors.push(entry.text));

    // The app test-consumer bundled with esbuild from the installed tarball.
    await driver.get(`${base}/esbuild/`);
    const state = await driver.findElement(By.id('state'));
    await driver.wait(until.elementTextIs(state, 'connected'), 20_000, 'the panel connects');
    assert.equal(await driver.findElement(By.id('loginError')).getText(), '401',
      'a wrong password is a TwinError with status 401');

    const body = `from the bundle in Firefox ${Date.now()}`;
    const response = await fetch(`${base}/__sandbox/publish`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Sandbox-Control': '1' },
      body: JSON.stringify({ userId: '389', event: 'chatMessageCreated', data: { id: 'c-1', body } }),
    });
    assert.equal(response.status, 200);
    const events = await driver.findElement(By.id('events'));
    await driver.wait(async () => (await events.getText()).includes(body), 10_000, 'the live event is shown');

    assert.equal(await driver.executeScript('return navigator.userAgent.includes("Firefox/")'), true);
    assert.deepEqual(errors, []);
  } finally {
    await driver.quit();
  }
});

test('in Firefox, the widget page bundled from the tarball starts a session and connects', { skip: !base, timeout: 90_000 }, async () => {
  const driver = await startFirefox();
  try {
    const errors = [];
    const inspector = await LogInspector(driver);
    await inspector.onJavascriptException((entry) => errors.push(entry.text));

    // twin-panel/widget, bundled by test-consumer with esbuild.
    await driver.get(`${base}/esbuild/widget.html`);
    const state = await driver.findElement(By.id('state'));
    await driver.wait(until.elementTextIs(state, 'connected'), 20_000, 'the widget connects');
    assert.equal(await driver.findElement(By.id('startError')).getText(), '404',
      'a start on an unknown chat is a TwinError with status 404');
    const id = await driver.findElement(By.id('session')).getText();
    assert.ok(id, 'the started session id is shown');

    // The sandbox holds that session, on the seeded web chat.
    const login = await fetch(`${base}/iam/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'dev@twin.local', password: 'operator' }),
    });
    assert.equal(login.status, 200);
    const { token } = await login.json();
    const response = await fetch(`${base}/chat/api/v1/sessions/${encodeURIComponent(id)}`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    assert.equal((await response.json()).chatId, 'chat-web-1');

    assert.equal(await driver.executeScript('return navigator.userAgent.includes("Firefox/")'), true);
    assert.deepEqual(errors, []);
  } finally {
    await driver.quit();
  }
});

// Soak finding 4 (seed 1474681241, 25 min): at the end of the run the judge
// counted, as a page error, Firefox's line "The connection to ws://…/socket.io/…
// was interrupted while the page was loading." A widget socket the sandbox
// dropped had ended with a TCP reset (a close with unread bytes). Here the
// reset is forced: the widget must reconnect with no page error, and the
// browser's line must be what the soak now counts as a network notice.
test('in Firefox, a widget socket ended by a TCP reset reconnects with no page error', { skip: !base, timeout: 90_000 }, async () => {
  const driver = await startFirefox();
  try {
    const pageErrors = [];
    const notices = [];
    await listenToFirefoxConsole(await LogInspector(driver), {
      onPageError: (text) => pageErrors.push(text),
      onNetworkNotice: (text) => notices.push(text),
    });
    await driver.get(`${base}/esbuild/widget.html`);
    const state = await driver.findElement(By.id('state'));
    await driver.wait(until.elementTextIs(state, 'connected'), 20_000, 'the widget connects');
    await driver.executeScript(`
      const widget = globalThis.keptByTheApp[0];
      window.seenStates = [];
      for (const event of ['disconnected', 'connected']) widget.on(event, () => window.seenStates.push(event));`);

    const response = await fetch(`${base}/__sandbox/faults/drop`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Sandbox-Control': '1' },
      body: JSON.stringify({ only: 'socketio', reset: true }),
    });
    assert.deepEqual(await response.json(), { dropped: 1 });

    await driver.wait(async () => {
      const seen = await driver.executeScript('return window.seenStates');
      return seen.includes('disconnected') && seen.lastIndexOf('connected') > seen.indexOf('disconnected');
    }, 20_000, 'the widget is disconnected, then connected again');
    assert.equal(await driver.executeScript('return globalThis.keptByTheApp[0].state'), 'connected');
    await driver.wait(async () => notices.length > 0, 10_000, "Firefox logs its line for the reset socket");
    assert.match(notices[0], /^The connection to ws:\/\/\S+\/socket\.io\/\S+ was interrupted while the page was loading\.$/);
    assert.deepEqual(pageErrors, []);
  } finally {
    await driver.quit();
  }
});
