// The entry for Node.js (and test runners on it: Vitest, node --test): the
// wasm is read from disk on first use; `await init()` is optional.
import { readFileSync } from 'node:fs';
import load, { initSync } from './__NAME__.js';
import { loadOnFirstUse } from './first-use.js';

export * from './__NAME__.js';
export { TwinError, Conversation } from '__GLUE__';

const wasmFile = new URL('./__NAME___bg.wasm', import.meta.url);

loadOnFirstUse(() => initSync({ module: readFileSync(wasmFile) }));

/** Instantiates the module ahead of first use (optional with this entry). */
export default async function init(input) {
  if (input !== undefined) return load(input);
  return initSync({ module: readFileSync(wasmFile) });
}
