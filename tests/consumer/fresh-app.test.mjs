// What a fresh app ships: a minimal app built three times with Vite 8 (the
// newest Vite of the toolchains) and with webpack 5 (production mode): an
// empty baseline page, the same page with `import { OperatorPanel } from
// 'twin-panel'`, and with `import { ChatWidget } from 'twin-panel/widget'`
// (each class used: assigned to globalThis). Every emitted asset (js, wasm,
// css, html, anything else in the output) is compressed with gzip -9; the
// entry's cost is its sum minus the baseline's. One summary line per
// toolchain and entry, for the release notes. The cost must stay within the
// limit .size-limit.json sets for that entry's default entry (the same
// budget `make test-size` checks on the bundled entry alone), and Vite must
// not warn that a chunk is too large. Runs from target/consumer/suite, where
// the toolchains and the tarball are installed; needs no sandbox.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const consumer = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(consumer, '..', '..');
const work = join(consumer, 'fresh');

// The three apps: one small module each, the entries' classes used.
const PAGE = '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>A fresh app</title></head>\n'
  + '<body>\n  <p id="app"></p>\n  <script type="module" src="./main.js"></script>\n</body>\n</html>\n';
const HELLO = "document.getElementById('app').textContent = 'Hello from a fresh app';\n";
const APPS = {
  baseline: HELLO,
  panel: `import { OperatorPanel } from 'twin-panel';\n\nglobalThis.OperatorPanel = OperatorPanel;\n${HELLO}`,
  widget: `import { ChatWidget } from 'twin-panel/widget';\n\nglobalThis.ChatWidget = ChatWidget;\n${HELLO}`,
};

// Each entry: what it imports, and the .size-limit.json check of its default entry.
const ENTRIES = {
  panel: { label: "twin-panel (import { OperatorPanel } from 'twin-panel')", sizeLimitPath: 'pkg/index.js' },
  widget: { label: "twin-panel/widget (import { ChatWidget } from 'twin-panel/widget')", sizeLimitPath: 'pkg/widget/index.js' },
};

/** size-limit's notation ("100 kB", "35 kB", "1.5 MB", "512 B", "40 KiB") in bytes; 1 kB = 1000 B. */
function parseLimit(text) {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(B|kB|KB|MB|KiB|MiB)\s*$/.exec(text);
  assert.ok(match, `.size-limit.json: cannot read the limit "${text}"`);
  const unit = { B: 1, kB: 1000, KB: 1000, MB: 1e6, KiB: 1024, MiB: 1024 * 1024 }[match[2]];
  return Math.round(Number(match[1]) * unit);
}

/** The limit of the .size-limit.json check whose path is `path`, in bytes. */
function limitOf(path) {
  const checks = JSON.parse(readFileSync(join(root, '.size-limit.json'), 'utf8'));
  const check = checks.find((c) => c.path === path);
  assert.ok(check, `.size-limit.json has no check of ${path}`);
  return { bytes: parseLimit(check.limit), text: check.limit, name: check.name };
}

const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

/** Every file under `dir`, gzip -9 each: { total, files: [{ file, raw, gzip }] }. */
function gzipSizes(dir) {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath ?? entry.path, entry.name);
      const bytes = readFileSync(path);
      return { file: relative(dir, path), raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    })
    .sort((a, b) => b.gzip - a.gzip);
  assert.ok(files.length > 0, `nothing was emitted into ${dir}`);
  return { total: files.reduce((sum, f) => sum + f.gzip, 0), files };
}

/** Writes app `name`'s sources into a fresh directory (inside target/consumer, so 'twin-panel' resolves). */
function sources(name) {
  const dir = join(work, 'src', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), PAGE);
  writeFileSync(join(dir, 'main.js'), APPS[name]);
  return dir;
}

// Each toolchain builds app `name` into `out`; resolves to the warnings it gave.
const TOOLCHAINS = {
  'Vite 8': async (name, out, extra = {}) => {
    const { build, createLogger } = await import('vite');
    const logger = createLogger('warn');
    const warnings = [];
    const customLogger = {
      ...logger,
      warn: (message) => warnings.push(message),
      warnOnce: (message) => warnings.push(message),
    };
    await build({
      root: sources(name),
      base: './',
      configFile: false,
      logLevel: 'warn',
      customLogger,
      build: { outDir: out, emptyOutDir: true, ...extra },
    });
    return warnings;
  },
  'webpack 5': async (name, out) => {
    const { default: webpack } = await import('webpack');
    const src = sources(name);
    const stats = await new Promise((resolve, reject) =>
      webpack(
        { mode: 'production', context: src, entry: './main.js', output: { path: out, filename: 'main.js', clean: true } },
        (error, result) => (error ? reject(error) : resolve(result)),
      ),
    );
    if (stats.hasErrors()) throw new Error(stats.toString('errors-only'));
    // webpack emits no page: the app's own goes beside the bundle.
    cpSync(join(src, 'index.html'), join(out, 'index.html'));
    return stats.toJson({ all: false, warnings: true }).warnings.map((w) => w.message);
  },
};

const CHUNK_WARNING = /Some chunks are larger than/;
const summaries = [];

describe('what a fresh app ships', () => {
  after(() => {
    // Together at the end as well, where the release notes' author looks.
    if (summaries.length > 0) console.log(`\nwhat a fresh app ships (gzip -9 of every emitted asset):\n${summaries.join('\n')}`);
  });

  test('Vite 8: the chunk-size warning is heard when a chunk is over the limit', async () => {
    // Proves the check below can fail: the same build with a 1 kB limit warns.
    const warnings = await TOOLCHAINS['Vite 8']('panel', join(work, 'out', 'vite8-probe'), { chunkSizeWarningLimit: 1 });
    assert.ok(warnings.some((w) => CHUNK_WARNING.test(w)), `no chunk-size warning was captured: ${JSON.stringify(warnings)}`);
  });

  for (const [toolchain, buildApp] of Object.entries(TOOLCHAINS)) {
    describe(toolchain, () => {
      const built = {};
      before(async () => {
        for (const name of Object.keys(APPS)) {
          const out = join(work, 'out', `${toolchain.replace(/\W+/g, '')}-${name}`);
          const warnings = await buildApp(name, out);
          built[name] = { ...gzipSizes(out), warnings };
        }
      });

      for (const [entry, { label, sizeLimitPath }] of Object.entries(ENTRIES)) {
        if (toolchain === 'Vite 8') {
          test(`${toolchain}: ${label}: no chunk-size warning`, () => {
            const warnings = built[entry].warnings.filter((w) => CHUNK_WARNING.test(w));
            assert.deepEqual(warnings, [], `${toolchain} warned about the ${entry} app's chunks`);
          });
        }

        test(`${toolchain}: ${label}: what it adds to a fresh app is within its size limit`, (t) => {
          const base = built.baseline.total;
          const app = built[entry];
          const gain = app.total - base;
          const limit = limitOf(sizeLimitPath);
          const name = entry === 'panel' ? 'twin-panel' : 'twin-panel/widget';
          const line = `${toolchain}, ${name}: +${kB(gain)} gzip (+${gain} B) over an empty app: `
            + `${app.total} B in ${app.files.length} assets, the empty app ${base} B in ${built.baseline.files.length}; limit ${limit.text}, `
            + (gain > limit.bytes ? `${kB(gain - limit.bytes)} (${gain - limit.bytes} B) over` : `${kB(limit.bytes - gain)} under`);
          summaries.push(line);
          t.diagnostic(line);
          t.diagnostic(`${toolchain}, ${name}: ${app.files.map((f) => `${f.file} ${f.gzip} B`).join(', ')}`);
          for (const warning of app.warnings) t.diagnostic(`${toolchain} warned: ${warning.split('\n')[0]}`);
          assert.ok(
            gain <= limit.bytes,
            `${label} adds ${gain} B (${kB(gain)}) gzip to a fresh ${toolchain} app: `
              + `${gain - limit.bytes} B (${kB(gain - limit.bytes)}) over the ${limit.text} limit of "${limit.name}" in .size-limit.json`,
          );
        });
      }
    });
  }
});
