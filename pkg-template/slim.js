// twin-panel/slim: the wasm stays a separate file (smaller download,
// streaming compilation). Call `await init()` before using a class; bundlers
// that understand `new URL(..., import.meta.url)` ship the .wasm for you.
import load from './twin_panel.js';

export * from './twin_panel.js';
export { TwinError } from '__GLUE__';

/**
 * Loads the module. Without an argument it fetches the twin_panel_bg.wasm
 * that sits beside this file; pass `{ module_or_path }` to load it from
 * elsewhere (a URL, a Response, bytes or a WebAssembly.Module).
 */
export default function init(input) {
  return load(input ?? { module_or_path: new URL('./twin_panel_bg.wasm', import.meta.url) });
}
