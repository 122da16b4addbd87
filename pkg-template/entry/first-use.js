// Until the wasm module is instantiated, the wasm-bindgen glue holds this
// stand-in in place of the wasm exports. Its first property read loads the
// module synchronously with the loader an entry registered (index.js: the
// inlined bytes; node.js: the file on disk), so no `await init()` is needed.
// The slim entry registers none: calling in before init() says so plainly.

import { TwinError } from '__GLUE__';

let loadNow = null;

/**
 * The error to throw for a failed load: a page whose Content-Security-Policy
 * forbids compiling WebAssembly gets a TwinError that names the source
 * expression to add; anything else is thrown as it came.
 */
export function explainLoadError(error) {
  const message = String(error && error.message);
  if (/Content.Security.Policy|CSP|unsafe-eval|wasm-eval/i.test(message)) {
    return new TwinError(
      0,
      'wasmUnsafeEval',
      "twin-panel: the page's Content-Security-Policy blocks WebAssembly: add 'wasm-unsafe-eval' to its script-src (see the README's CSP section)",
      null,
      false,
    );
  }
  return error;
}

/** Registers how to instantiate the module synchronously on first use. */
export function loadOnFirstUse(load) {
  loadNow = load;
}

export const notLoaded = new Proxy(
  {},
  {
    get(_, name) {
      if (loadNow === null) {
        throw new Error('twin-panel: the WebAssembly module is not loaded: call `await init()` first (see README)');
      }
      let exports;
      try {
        exports = loadNow();
      } catch (error) {
        throw explainLoadError(error);
      }
      return exports[name];
    },
  },
);

export function wasmSourceMissing() {
  throw new Error('twin-panel: init() needs the wasm module: pass { module_or_path }');
}
