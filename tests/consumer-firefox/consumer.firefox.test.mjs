// The app of tests/consumer/ (the packed npm tarball installed into a scratch
// app and bundled with esbuild, in target/consumer-app/dist), in headless
// Firefox ESR driven through geckodriver with selenium-webdriver, against the
// sandbox that serves the app. Debian's Firefox and the geckodriver that
// scripts/bootstrap.sh installs are used as they are: nothing is downloaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Builder, By, until } from 'selenium-webdriver';
import firefox from 'selenium-webdriver/firefox.js';
import LogInspector from 'selenium-webdriver/bidi/logInspector.js';

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

test('in Firefox, an app bundled from the tarball logs in and receives a live event', { skip: !base, timeout: 90_000 }, async () => {
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
