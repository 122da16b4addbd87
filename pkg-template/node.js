// twin-panel for Node.js (and test runners on it: Vitest, node --test):
// the wasm is read from disk on first use; `await init()` is optional.
import { readFileSync } from 'node:fs';
import load, { initSync } from './twin_panel.js';
import { loadOnFirstUse } from './first-use.js';

export * from './twin_panel.js';
export { TwinError } from '__GLUE__';

const wasmFile = new URL('./twin_panel_bg.wasm', import.meta.url);

loadOnFirstUse(() => initSync({ module: readFileSync(wasmFile) }));

/** Instantiates the module ahead of first use (optional with this entry). */
export default async function init(input) {
  if (input !== undefined) return load(input);
  return initSync({ module: readFileSync(wasmFile) });
}
