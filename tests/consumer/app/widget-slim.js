// twin-panel/widget/slim: the .wasm stays a separate file; init() first (no
// top-level await: the app starts in the promise's callback).
import init, * as twin from 'twin-panel/widget/slim';
import { runWidget } from './visitor.js';
import { show, sandboxUrl } from './panel.js';

const wasm = new URLSearchParams(location.search).get('wasm'); // esbuild: copied beside the bundle
init(wasm ? { module_or_path: wasm } : undefined)
  .then(() => runWidget(twin, sandboxUrl(), show))
  .catch((error) => show('state', `failed: ${error}`));
