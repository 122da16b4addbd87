// twin-panel/widget/slim has the widget entry's types; its init() takes the wasm's location.
import init, { ChatWidget, TwinError } from 'twin-panel/widget/slim';

export async function slim(): Promise<void> {
  await init({ module_or_path: '/twin_widget_bg.wasm' });
  const widget = new ChatWidget({ chatId: 'chat-web-1' });
  console.log(widget.state, TwinError.name);
  widget.free();
}
