export * from './__NAME__.js';
export { default } from './__NAME__.js';
export { TwinError, type TwinErrorCode } from '__ROOT__/twin-error.js';

declare global {
  /**
   * Empty here; merged with the lib's `Disposable` where the lib has one
   * (`esnext.disposable`), so the package's classes get `[Symbol.dispose]()`
   * (and `using`) exactly where the compiler knows `Symbol.dispose`.
   */
  interface Disposable {}
}
