// The package's types, installed from the tarball (target/consumer, see
// scripts/install-consumer.sh), compiled by the oldest TypeScript we claim
// (5.0) and the newest (7.0) under strict settings a CRM project uses. No
// skipLibCheck: the package's own .d.ts files are checked too. Both entries:
// twin-panel (example.ts, inbox.ts, slim.ts; conversation.ts, with the widget's) and twin-panel/widget
// (widget.ts, widget-slim.ts, which import nothing else; the README's widget
// quick start, word for word), and which classes each one exports (entries.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { widgetQuickStart } from '../readme/blocks.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const consumer = join(here, '..', '..', 'target', 'consumer');
const work = join(consumer, 'types');
mkdirSync(work, { recursive: true });
const FILES = ['example.ts', 'dispose.ts', 'slim.ts', 'inbox.ts', 'conversation.ts', 'widget.ts', 'widget-slim.ts', 'entries.ts'];
for (const file of FILES) cpSync(join(here, file), join(work, file));
// The README's widget quick start, word for word (a module: it awaits at the top level).
writeFileSync(join(work, 'readme-widget.ts'), widgetQuickStart());

// Runs `tsc -p config`; resolves to { status, output } (never rejects).
function tsc(compiler, config) {
  return new Promise((resolve) => {
    execFile(process.execPath, [compiler, '-p', config], { cwd: work }, (error, stdout, stderr) => {
      resolve({ status: error ? (error.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

const compilers = {
  'TypeScript 5.0': join(consumer, 'node_modules', 'typescript-5.0', 'bin', 'tsc'),
  'TypeScript 7.0': join(consumer, 'node_modules', 'typescript', 'bin', 'tsc'),
};

// `types: []` keeps the @types/* the toolchains brought (node among them,
// which declares Symbol.dispose itself) out, as in a browser-only project.
const strict = { strict: true, noEmit: true, skipLibCheck: false, types: [] };
const settings = {
  'es2022 target, esnext modules, bundler resolution, default lib': {
    compilerOptions: { ...strict, target: 'es2022', module: 'esnext', moduleResolution: 'bundler' },
    files: ['example.ts', 'slim.ts', 'inbox.ts', 'conversation.ts', 'widget.ts', 'widget-slim.ts', 'entries.ts', 'readme-widget.ts'],
  },
  'es2020 target, default lib': {
    compilerOptions: { ...strict, target: 'es2020', module: 'es2020', moduleResolution: 'bundler' },
    files: ['example.ts', 'slim.ts', 'widget.ts', 'widget-slim.ts'],
  },
  'nodenext resolution (the package exports map)': {
    compilerOptions: { ...strict, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext' },
    files: ['example.ts', 'slim.ts', 'widget.ts', 'widget-slim.ts', 'entries.ts'],
  },
  'lib esnext: the classes are Disposable (`using`)': {
    compilerOptions: { ...strict, target: 'es2022', module: 'esnext', moduleResolution: 'bundler', lib: ['esnext', 'dom'] },
    files: ['example.ts', 'dispose.ts'],
  },
};
// @types/node declares Symbol.dispose and Disposable itself; its current
// release needs TypeScript 5.6 or newer, so only the newest compiler runs this.
const withNode = {
  'with @types/node (a Vite or Vitest project)': {
    compilerOptions: { ...strict, target: 'es2022', module: 'esnext', moduleResolution: 'bundler', types: ['node'] },
    files: ['example.ts', 'dispose.ts'],
  },
};

// TypeScript 5.0 predates `using` (5.2): it checks the esnext lib without it.
const forOldest = {
  ...settings,
  'lib esnext': { ...settings['lib esnext: the classes are Disposable (`using`)'], files: ['example.ts', 'slim.ts', 'widget.ts'] },
};
delete forOldest['lib esnext: the classes are Disposable (`using`)'];

describe('tsc over the installed package', { concurrency: 2 }, () => {
  for (const [compiler, compilerPath] of Object.entries(compilers)) {
    const all = compiler === 'TypeScript 7.0' ? { ...settings, ...withNode } : forOldest;
    for (const [name, config] of Object.entries(all)) {
      test(`${compiler}: ${name}`, async () => {
        const file = join(work, `tsconfig.${compiler.replace(/\W+/g, '')}.${Object.keys(all).indexOf(name)}.json`);
        writeFileSync(file, JSON.stringify(config, null, 2));
        const run = await tsc(compilerPath, file);
        assert.equal(run.status, 0, `tsc -p ${file} failed:\n${run.output}`);
      });
    }
  }
});

test('`using` does not compile where the lib lacks Symbol.dispose', async () => {
  // Proves the settings above differ where they should: `using` needs the lib.
  const config = {
    compilerOptions: { ...strict, target: 'es2022', module: 'esnext', moduleResolution: 'bundler' },
    files: ['dispose.ts'],
  };
  const file = join(work, 'tsconfig.no-dispose.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  const run = await tsc(compilers['TypeScript 7.0'], file);
  assert.notEqual(run.status, 0, 'dispose.ts compiled without esnext.disposable in the lib');
  assert.match(run.output, /dispose/);
});
