// twin-panel/slim before init(): a plain instruction, not a TypeError.
import init, { OperatorPanel } from 'twin-panel/slim';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

let before = null;
try {
  new OperatorPanel().free();
  before = 'no error';
} catch (error) {
  before = error.message;
}
const wasm = readFileSync(createRequire(import.meta.url).resolve('twin-panel/twin_panel_bg.wasm'));
await init({ module_or_path: wasm });
const panel = new OperatorPanel();
const state = panel.state;
panel.free();
console.log(JSON.stringify({ before, state }));
