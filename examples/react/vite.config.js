import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Nothing for twin-panel here: its default entry needs no wasm plugin.
export default defineConfig({ plugins: [react()] });
