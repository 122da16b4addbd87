// The inbox types of the package, checked by `tsc --noEmit` with example.ts.
import init, { OperatorPanel, type InboxSnapshot, type InboxSession, type ResyncReport } from 'twin-panel';
export async function f(): Promise<void> {
  await init();
  const panel = new OperatorPanel();
  const inbox = panel.inbox;
  await inbox.load({ status: 'ACTIVE', limit: 50 });
  const unsubscribe: () => void = inbox.subscribe(() => {});
  unsubscribe();
  const snap: InboxSnapshot = inbox.getSnapshot();
  const first: InboxSession | undefined = snap.sessions[0];
  const n: number = (first?.unread ?? 0) + snap.unreadTotal;
  const typing: boolean | undefined = first?.typing;
  const report: ResyncReport | null = snap.lastResync;
  inbox.on('resync', (r) => console.log(r.missedMessages, r.added.length));
  inbox.on('error', (e) => console.log(e.code));
  await inbox.markRead('id');
  // @ts-expect-error: not an inbox event
  inbox.on('change', () => {});
  // @ts-expect-error: snapshots are read-only
  snap.sessions.push(first!);
  console.log(n, typing, report, inbox.badPayloads);
}
