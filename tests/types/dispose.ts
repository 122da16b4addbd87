// Where the lib knows Symbol.dispose (lib esnext), the classes are Disposable:
// `using` frees them at the end of the scope.
import { OperatorPanel } from 'twin-panel';
import { ChatWidget } from 'twin-panel/widget';

export function scoped(): void {
  using panel = new OperatorPanel();
  const dispose: () => void = panel[Symbol.dispose];
  console.log(panel.state, typeof dispose);
  using widget = new ChatWidget({ chatId: 'chat-web-1' });
  const disposeWidget: () => void = widget[Symbol.dispose];
  console.log(widget.state, typeof disposeWidget);
}
