// Until the wasm module is instantiated, the wasm-bindgen glue holds this
// stand-in in place of the wasm exports. Its first property read loads the
// module synchronously with the loader an entry registered (index.js: the
// inlined bytes; node.js: the file on disk), so no `await init()` is needed.
// The slim entry registers none: calling in before init() says so plainly.

let loadNow = null;

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
      return loadNow()[name];
    },
  },
);

export function wasmSourceMissing() {
  throw new Error('twin-panel: init() needs the wasm module: pass { module_or_path }');
}
