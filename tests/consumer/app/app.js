// The default entry: no init() call, no top-level await, no bundler config.
// With `?worker` the panel runs in a dedicated worker instead.
import * as twin from 'twin-panel';
import { runPanel, show, sandboxUrl } from './panel.js';

if (new URLSearchParams(location.search).has('worker')) {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }) => show(data.kind, data.value);
  worker.onerror = (event) => show('state', `worker failed: ${event.message}`);
  worker.postMessage(sandboxUrl());
} else {
  runPanel(twin, sandboxUrl(), show).catch((error) => show('state', `failed: ${error}`));
}
