// The widget in a dedicated worker: the page sends the sandbox URL, the
// worker posts back what happens.
import * as twin from 'twin-panel/widget';
import { runWidget } from './visitor.js';

self.onmessage = ({ data: base }) => {
  const report = (kind, value) => self.postMessage({ kind, value });
  runWidget(twin, base, report).catch((error) => report('state', `failed: ${error}`));
};
