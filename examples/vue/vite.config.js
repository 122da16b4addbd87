import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// Nothing for twin-panel here: its default entry needs no wasm plugin.
export default defineConfig({ plugins: [vue()] });
