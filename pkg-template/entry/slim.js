// The `/slim` entry: the wasm stays a separate file (streaming compilation,
// and the browser's cache of compiled code). Call `await init()` before using
// a class; bundlers that understand `new URL(..., import.meta.url)` ship the
// .wasm for you.
import load from './__NAME__.js';
import { explainLoadError } from './first-use.js';

export * from './__NAME__.js';
export { TwinError, Conversation } from '__GLUE__';

/**
 * Loads the module. Without an argument it fetches the __NAME___bg.wasm
 * that sits beside this file; pass `{ module_or_path }` to load it from
 * elsewhere (a URL, a Response, bytes or a WebAssembly.Module).
 */
export default function init(input) {
  return load(input ?? { module_or_path: new URL('./__NAME___bg.wasm', import.meta.url) }).catch((error) => {
    throw explainLoadError(error);
  });
}
