// The slim entry has the same types; its init() takes the wasm's location.
import init, { OperatorPanel } from 'twin-panel/slim';

export async function slim(): Promise<void> {
  await init({ module_or_path: '/twin_panel_bg.wasm' });
  new OperatorPanel().free();
}
