// panel.conversation(id) in the tabs of one browser that share one
// connection: every tab, followers included, holds the conversation live;
// a message sent from a follower tab shows once in every tab (the sandbox
// echoes authors' own messages for this test, so the other tabs hear of it
// at all), and a visitor's message once too.
//
// Run: scripts/with-sandbox.sh -single-use-refresh -- node --test tests/tabs/conversation-tabs.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  skip, OPERATOR, Browser, bounded, launch, post, freshPair, until, sleep, settled, assertNoCrash,
} from './support.mjs';

let chromium = null;
before(async () => {
  if (!skip) chromium = await launch();
});
after(async () => {
  await chromium?.close().catch(() => {});
});

/** In the tab: `panel.conversation(id)`, loaded, kept as `window.conv`. */
const openConversation = (tab, id) => tab.page.evaluate(async (sessionId) => {
  window.conv = window.tab.panel.conversation(sessionId);
  await window.conv.load();
  return window.conv.getSnapshot().messages.length;
}, id);

/** The tab's messages with `body`, as { status, id, localId }. */
const copies = (tab, body) => tab.page.evaluate((text) => window.conv.getSnapshot().messages
  .filter((m) => m.body === text)
  .map(({ status, id, localId }) => ({ status, id: id ?? null, localId: localId ?? null })), body);

/** Waits until every tab shows the message with `body` once, sent; returns the copies. */
async function seenOnceEverywhere(tabs, body) {
  let all = [];
  await until(`"${body}" once in every tab`, async () => {
    all = await Promise.all(tabs.map((t) => copies(t, body)));
    return all.every((c) => c.length === 1 && c[0].status === 'sent');
  });
  await sleep(300); // a second copy right behind the first would show
  all = await Promise.all(tabs.map((t) => copies(t, body)));
  all.forEach((c, i) => assert.equal(c.length, 1, `${tabs[i].name}: "${body}" once`));
  return all;
}

test('a follower tab\'s conversation is live, and one send shows once in every tab', { skip, timeout: 90_000 }, async () => {
  await post('faults/reset');
  await post('chats/reset');
  const session = await post('visitor/session', { operatorId: String(OPERATOR.id), clientName: 'Tabs reader', message: 'hello, tabs' });
  const pair = await freshPair(OPERATOR.email, OPERATOR.id);
  const b = await Browser.start(chromium);
  await bounded(80_000, b, (x) => x.close(), async () => {
    const tabs = [];
    for (let i = 1; i <= 3; i++) {
      const tab = await b.open(`tab${i}`);
      await tab.create();
      await tab.useTokens(pair);
      tabs.push(tab);
    }
    const connected = await Promise.all(tabs.map((t) => t.connect()));
    connected.forEach((r, i) => assert.equal(r.ok, true, `${tabs[i].name}: connect() ${JSON.stringify(r.error)}`));
    const leader = await settled(tabs);
    const followers = tabs.filter((t) => t !== leader);
    for (const t of tabs) assert.equal(await openConversation(t, session.id), 1, `${t.name} loaded the first message`);

    // The visitor writes: every tab, the followers through the leader's socket.
    await post('visitor/message', { sessionId: session.id, body: 'from the visitor' });
    await seenOnceEverywhere(tabs, 'from the visitor');

    // A follower sends: shown there at once, then once in every tab.
    await post('chats/echo', { on: true });
    const sender = followers[0];
    const sent = await sender.page.evaluate(async () => {
      const sending = window.conv.send('from a follower tab');
      const shown = window.conv.getSnapshot().messages.at(-1);
      const answer = await sending;
      return { shown: { status: shown.status, localId: shown.localId ?? null }, id: answer.id };
    });
    assert.equal(sent.shown.status, 'pending', 'shown at once in the sending tab');
    assert.ok(sent.shown.localId, 'with a localId');
    const all = await seenOnceEverywhere(tabs, 'from a follower tab');
    for (const [i, c] of all.entries()) {
      assert.equal(c[0].id, sent.id, `${tabs[i].name}: the server's id`);
      assert.equal(c[0].localId, tabs[i] === sender ? sent.shown.localId : null, `${tabs[i].name}: localId only where it was sent`);
    }
    await post('chats/echo', { on: false });
    await assertNoCrash(b);
  });
});
