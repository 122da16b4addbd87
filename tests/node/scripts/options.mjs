// Option checks with no page around (Node has no `location`): plain-text URLs
// to another machine and out-of-range numbers are TwinErrors naming the option.
import { OperatorPanel } from 'twin-panel';
import { ChatWidget } from 'twin-panel/widget';

function attempt(make) {
  try {
    make().free();
    return 'ok';
  } catch (error) {
    return `${error.name} ${error.code}: ${error.message}`;
  }
}

const remote = { iamUrl: 'http://iam.example/api/v1', chatUrl: 'https://chat.example/api/v1' };
console.log(JSON.stringify({
  plainRemote: attempt(() => new OperatorPanel(remote)),
  plainRemoteAllowed: attempt(() => new OperatorPanel({ ...remote, allowInsecure: true })),
  plainLoopback: attempt(() => new OperatorPanel({
    iamUrl: 'http://127.0.0.1:8080/iam/api/v1',
    chatUrl: 'http://localhost:8080/chat/api/v1',
    centrifugoUrl: 'ws://[::1]:8080/centrifugo/connection/websocket',
  })),
  widgetPlainRemote: attempt(() => new ChatWidget({ chatId: 'c', chatUrl: 'http://chat.example/api/v1' })),
  ttlTooLong: attempt(() => new OperatorPanel({ ttl: 400 * 24 * 3600 })),
  zeroTimeout: attempt(() => new OperatorPanel({ timeout: 0 })),
  nanPing: attempt(() => new OperatorPanel({ pingTimeout: Number.NaN })),
  negativeDelay: attempt(() => new OperatorPanel({ minReconnectDelay: -1 })),
  hugeDelay: attempt(() => new OperatorPanel({ maxReconnectDelay: 2 ** 40 })),
  maxBelowMin: attempt(() => new OperatorPanel({ minReconnectDelay: 5000, maxReconnectDelay: 1000 })),
  wrongType: attempt(() => new OperatorPanel({ ttl: '3600' })),
  defaults: attempt(() => new OperatorPanel()),
}));
