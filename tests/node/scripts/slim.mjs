// twin-panel/slim and twin-panel/widget/slim before init(): a plain
// instruction, not a TypeError; after init() with each entry's own .wasm
// (resolved through the exports map), the class works.
import init, { OperatorPanel } from 'twin-panel/slim';
import initWidget, { ChatWidget } from 'twin-panel/widget/slim';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function before(make) {
  try {
    make().free();
    return 'no error';
  } catch (error) {
    return error.message;
  }
}

const result = {
  before: before(() => new OperatorPanel()),
  widgetBefore: before(() => new ChatWidget({ chatId: 'chat-web-1' })),
};
await init({ module_or_path: readFileSync(require.resolve('twin-panel/twin_panel_bg.wasm')) });
const panel = new OperatorPanel();
result.state = panel.state;
panel.free();
await initWidget({ module_or_path: readFileSync(require.resolve('twin-panel/widget/twin_widget_bg.wasm')) });
const widget = new ChatWidget({ chatId: 'chat-web-1' });
result.widgetState = widget.state;
widget.free();
console.log(JSON.stringify(result));
