// Entry point of the twin-panel package: the wasm-bindgen classes plus TwinError.
export * from './twin_panel.js';
export { default } from './twin_panel.js';
export { TwinError } from '__GLUE__';
