export * from './twin_panel.js';
export { default } from './twin_panel.js';
export { TwinError } from '__GLUE__';
