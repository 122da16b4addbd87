export * from './twin_panel.js';
export { default } from './twin_panel.js';
export { TwinError } from '__GLUE__';

declare global {
  /**
   * Empty here; merged with the lib's `Disposable` where the lib has one
   * (`esnext.disposable`), so the package's classes get `[Symbol.dispose]()`
   * (and `using`) exactly where the compiler knows `Symbol.dispose`.
   */
  interface Disposable {}
}
