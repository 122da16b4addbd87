// The default entry (browsers, workers, every bundler): the wasm is inlined,
// deflated and base64-encoded, so there is no asset to copy or serve. The
// module is instantiated on first use; `await init()` beforehand is optional
// and compiles it off the main thread. For the separate .wasm file (streaming
// compilation, the browser's compiled-code cache), import the `/slim` entry.
import load, { initSync } from './__NAME__.js';
import { data, size } from './wasm-inline.js';
import { loadOnFirstUse, explainLoadError } from './first-use.js';
import { inflate } from './inflate.js';

export * from './__NAME__.js';
export { TwinError, Conversation } from '__GLUE__';

let bytes = null;
function wasmBytes() {
  if (bytes === null) {
    let deflated;
    if (typeof Uint8Array.fromBase64 === 'function') {
      deflated = Uint8Array.fromBase64(data);
    } else {
      const text = atob(data);
      deflated = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) deflated[i] = text.charCodeAt(i);
    }
    bytes = inflate(deflated, size);
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
  try {
    if (input !== undefined) return await load(input);
    const module = await WebAssembly.compile(wasmBytes());
    return initSync({ module });
  } catch (error) {
    throw explainLoadError(error);
  }
}
