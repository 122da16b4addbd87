// twin-panel, default entry (browsers, workers, every bundler): the wasm is
// inlined, so there is no asset to copy or serve. The module is instantiated
// on first use; `await init()` beforehand is optional and compiles it off the
// main thread. For the separate .wasm file, import 'twin-panel/slim'.
import load, { initSync } from './twin_panel.js';
import wasmBase64 from './wasm-inline.js';
import { loadOnFirstUse } from './first-use.js';

export * from './twin_panel.js';
export { TwinError } from '__GLUE__';

let bytes = null;
function wasmBytes() {
  if (bytes === null) {
    if (typeof Uint8Array.fromBase64 === 'function') {
      bytes = Uint8Array.fromBase64(wasmBase64);
    } else {
      const text = atob(wasmBase64);
      bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    }
  }
  return bytes;
}

loadOnFirstUse(() => initSync({ module: wasmBytes() }));

/**
 * Instantiates the module ahead of first use (optional with this entry).
 * Without an argument it compiles the inlined wasm asynchronously; given
 * `{ module_or_path }`, it loads that instead.
 */
export default async function init(input) {
  if (input !== undefined) return load(input);
  const module = await WebAssembly.compile(wasmBytes());
  return initSync({ module });
}
