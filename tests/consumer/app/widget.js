// twin-panel/widget, the default entry: no init() call, no top-level await,
// no bundler config. With `?worker` the widget runs in a dedicated worker.
import * as twin from 'twin-panel/widget';
import { runWidget } from './visitor.js';
import { show, sandboxUrl } from './panel.js';

if (new URLSearchParams(location.search).has('worker')) {
  const worker = new Worker(new URL('./widget-worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }) => show(data.kind, data.value);
  worker.onerror = (event) => show('state', `worker failed: ${event.message}`);
  worker.postMessage(sandboxUrl());
} else {
  runWidget(twin, sandboxUrl(), show).catch((error) => show('state', `failed: ${error}`));
}
