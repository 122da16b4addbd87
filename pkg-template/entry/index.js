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

function deflatedBytes() {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(data);
  const text = atob(data);
  const deflated = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) deflated[i] = text.charCodeAt(i);
  return deflated;
}

/** The wasm, inflated synchronously (first use without `init()`). */
function wasmBytes() {
  if (bytes === null) bytes = inflate(deflatedBytes(), size);
  return bytes;
}

/**
 * The wasm for `init()`: inflated by the browser's own DecompressionStream
 * where there is one (about 1 ms, where inflate.js runs cold for 15 or more
 * on a page's first call), else by inflate.js.
 */
async function wasmBytesNatively() {
  if (bytes !== null || typeof DecompressionStream !== 'function') return wasmBytes();
  try {
    const stream = new Blob([deflatedBytes()]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    const inflated = new Uint8Array(await new Response(stream).arrayBuffer());
    if (inflated.length === size) return (bytes ??= inflated);
  } catch {
    // An engine without 'deflate-raw': inflate.js below says what is wrong, if anything.
  }
  return wasmBytes();
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
    const module = await WebAssembly.compile(await wasmBytesNatively());
    return initSync({ module });
  } catch (error) {
    throw explainLoadError(error);
  }
}
