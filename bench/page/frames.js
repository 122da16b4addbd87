// What the client-bound rounds deliver, shared by the page (bench.js) and
// Node (run.mjs): numbered chatMessageCreated publications on operator
// 389's channel, as Centrifuge frames of several lines, and the connect
// reply that comes before them.

const CHANNEL = 'operator:389';

/** A realistic chatMessageCreated Message plus `seq` and `sentAt`. */
export function chatMessage(seq, createdAt, sentAt) {
  return {
    seq,
    id: `3e550000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    sessionId: '5e550000-0000-4000-8000-000000000001',
    clientId: 'c1e00000-0000-4000-8000-000000000001',
    authorType: 'CLIENT',
    type: 'REGULAR',
    body: `Здравствуйте! Сообщение ${seq}`,
    attachments: [],
    createdAt,
    sentAt,
  };
}

/** `count` publications, `message(seq)` each, as frames of `perFrame` lines. */
export function publicationFrames(count, perFrame, message) {
  const frames = [];
  let offset = 0;
  while (offset < count) {
    const lines = [];
    for (let i = 0; i < perFrame && offset < count; i += 1) {
      offset += 1;
      lines.push(JSON.stringify({
        push: { channel: CHANNEL, pub: { data: { event: 'chatMessageCreated', data: message(offset) }, offset } },
      }));
    }
    frames.push(lines.join('\n'));
  }
  return frames;
}

/**
 * The reply to the connect command in `text` (the lines a client sent), or
 * null when it holds none: one recoverable server-side channel at offset 0.
 */
export function connectReply(text, client) {
  const command = String(text).split('\n').map((line) => JSON.parse(line)).find((c) => c.connect !== undefined);
  if (command === undefined) return null;
  return JSON.stringify({
    id: command.id,
    connect: { client, version: 'bench', subs: { [CHANNEL]: { recoverable: true, epoch: client, offset: 0 } } },
  });
}
