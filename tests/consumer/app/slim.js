// twin-panel/slim: the .wasm stays a separate file; init() first (no
// top-level await: the app starts in the promise's callback).
import init, * as twin from 'twin-panel/slim';
import { runPanel, show, sandboxUrl } from './panel.js';

const wasm = new URLSearchParams(location.search).get('wasm'); // esbuild: copied beside the bundle
init(wasm ? { module_or_path: wasm } : undefined)
  .then(() => runPanel(twin, sandboxUrl(), show))
  .catch((error) => show('state', `failed: ${error}`));
