// The soak's own conversations, beside the sandbox's simulated visitors:
// now and then the visitor of a tab writes, and a tab of the operator the
// session belongs to answers. Bodies are numbered ("v:<tab>:<n>",
// "r:<tab>:<n>") so the conversation check can find them in the sandbox.
import { sleep } from './sandbox.mjs';

export function conversations({ groups, truth, rng }) {
  const sentAt = new Map(); // body -> when it was sent (Node's clock)
  const owners = new Map(); // session id -> operator id
  const counts = { said: 0, sayFailed: 0, replied: 0, replyFailed: 0 };
  let running = true;
  let n = 0;

  async function ownerOf(sid) {
    if (!owners.has(sid)) {
      const s = await truth.session(sid);
      if (s.operatorId == null) return null; // in the queue: nobody answers yet
      owners.set(sid, String(s.operatorId));
    }
    return owners.get(sid);
  }

  async function exchange() {
    const visitors = groups.flatMap((g) => g.reachable).filter((t) => t.session);
    if (visitors.length === 0) return;
    const visitor = rng.pick(visitors);
    n += 1;
    const said = `v:${visitor.name}:${n}`;
    sentAt.set(said, Date.now());
    const r = await visitor.handle.call('say', said);
    if (r.ok) counts.said += 1;
    else counts.sayFailed += 1;
    const owner = await ownerOf(visitor.session);
    const group = groups.find((g) => String(g.operator.id) === owner);
    const answerers = group?.reachable ?? [];
    if (answerers.length === 0) return;
    await sleep(rng.int(100, 1500));
    const answerer = rng.pick(answerers);
    const reply = `r:${visitor.name}:${n}`;
    sentAt.set(reply, Date.now());
    const a = await answerer.handle.call('reply', visitor.session, reply);
    if (a.ok) counts.replied += 1;
    else counts.replyFailed += 1;
  }

  const done = (async () => {
    while (running) {
      // A tab closing or freezing under a call makes that call fail: the
      // exchange is dropped, the sandbox's messages remain the truth.
      await exchange().catch(() => {});
      await sleep(rng.int(1000, 3000));
    }
  })();

  return {
    sentAt,
    counts,
    async stop() {
      running = false;
      await done;
    },
  };
}
