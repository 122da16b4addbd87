// The README's code blocks that tests run or compile word for word.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The first fenced block of `lang` after the heading `heading` in `file`
 * (relative to the repository); throws when there is none.
 */
export function readmeBlock(file, heading, lang) {
  const text = readFileSync(join(root, file), 'utf8');
  const at = text.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`${file}: no heading "${heading}"`);
  const fence = `\`\`\`${lang}\n`;
  const start = text.indexOf(fence, at);
  const end = text.indexOf('\n```\n', start);
  if (start < 0 || end < 0) throw new Error(`${file}: no \`\`\`${lang} block after "${heading}"`);
  return text.slice(start + fence.length, end + 1);
}

/**
 * The widget's quick start: the same block in the package's README and the
 * repository's (throws when they differ, so the one that is tested is the
 * one both show).
 */
export function widgetQuickStart() {
  const npm = readmeBlock('pkg-template/README.md', '## Chat widget (the visitor)', 'ts');
  const repo = readmeBlock('README.md', '## Quick start, from a clone', 'ts');
  if (npm !== repo) throw new Error('the widget quick start differs between README.md and pkg-template/README.md');
  return npm;
}
