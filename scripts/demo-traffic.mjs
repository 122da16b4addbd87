// Plays a little live traffic into the sandbox for `make demo`: every few
// seconds one of the platform's events for the seeded operators, until the
// sandbox goes away. Usage: node scripts/demo-traffic.mjs http://127.0.0.1:8080
const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const operators = ['389', '472', '494'];
const lines = [
  'Здравствуйте! Подскажите, где мой заказ?',
  'Hello, I cannot log in to my account.',
  'Спасибо, всё работает.',
  'Can I change the delivery address?',
  'А есть скидка для постоянных клиентов?',
];
let seq = 0;

function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

function nextEvent() {
  seq += 1;
  const sessionId = `demo-session-${1 + (seq % 4)}`;
  const now = new Date().toISOString().replace(/\.\d+Z$/, '+00:00');
  switch (seq % 5) {
    case 0:
      return ['typing', { sessionId, authorType: 'CLIENT' }];
    case 1:
      return ['clientOnline', { sessionId, clientId: `client-${seq % 4}`, at: now }];
    default:
      return [
        'chatMessageCreated',
        {
          id: `demo-${seq}`,
          authorId: `client-${seq % 4}`,
          authorType: 'CLIENT',
          authorName: 'Visitor',
          type: 'REGULAR',
          body: pick(lines),
          answers: [],
          attachments: [],
          createdAt: now,
          sessionId,
        },
      ];
  }
}

async function publish(userId, event, data) {
  const response = await fetch(`${base}/__sandbox/publish`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId, event, data }),
  });
  if (!response.ok) throw new Error(`publish answered ${response.status}`);
}

for (;;) {
  await new Promise((resolve) => setTimeout(resolve, 2000 + Math.random() * 2000));
  const [event, data] = nextEvent();
  try {
    await Promise.all(operators.map((id) => publish(id, event, data)));
  } catch {
    process.exit(0); // the sandbox stopped
  }
}
