#!/usr/bin/env node
// finish-pkg.mjs PKG_DIR VERSION
// Turns wasm-bindgen's `--target web` output (twin_panel.js, twin_panel.d.ts,
// twin_panel_bg.wasm) into the npm package: the entry files of pkg-template/,
// the wasm inlined for the default entry, and two edits of the generated glue
// and types. Every edit checks that the text it expects is there, so a
// wasm-bindgen release that changes its output stops the build instead of
// shipping a broken package. Last, each entry is bundled into one flat ES
// module (esbuild, whitespace and syntax minified, names kept), so a page that
// imports the package without a bundler makes one request, not a waterfall of
// five modules in two rounds.
import { readFileSync, writeFileSync, copyFileSync, readdirSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { buildSync } from 'esbuild';
import { join, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const [dir, version] = process.argv.slice(2);
if (!dir || !version) fail('usage: finish-pkg.mjs PKG_DIR VERSION');
const template = join(dirname(fileURLToPath(import.meta.url)), '..', 'pkg-template');

function fail(message) {
  console.error(`finish-pkg: ${message}`);
  process.exit(1);
}

// Replaces `pattern` (every match when it is global) and fails unless there
// were exactly `count` of them (or at least one when count is omitted).
function replace(text, pattern, replacement, what, count) {
  const found = [...text.matchAll(new RegExp(pattern.source, pattern.flags.replace('g', '') + 'g'))].length;
  if (count === undefined ? found === 0 : found !== count) {
    fail(`${what}: expected ${count ?? 'at least 1'} match(es) of ${pattern}, found ${found}`);
  }
  return text.replace(pattern, replacement);
}

// Drops whole-line `//` comments and `/** ... */` blocks from shipped JS: the
// docs reach users through the .d.ts files and the README; in the package's
// JS they only add bytes. Code lines (and comments after code) stay as they are.
function stripDocComments(text) {
  return text
    .replace(/^ *\/\*\*[^\n]*?\*\/\n/gm, '')
    .replace(/^ *\/\*\*\n(?: *\*.*\n)*? *\*\/\n/gm, '')
    .replace(/^ *\/\/.*\n/gm, '');
}

// --- twin_panel.js: instantiate on first use -------------------------------
// The glue keeps the wasm exports in `wasm`, undefined until init. It starts
// as `notLoaded` (first-use.js) instead: a stand-in whose first property read
// instantiates the module synchronously (default and node entries) or throws
// "call `await init()` first" (slim entry).
let glue = readFileSync(join(dir, 'twin_panel.js'), 'utf8');
glue = replace(glue, /^(let [^;=]*\bwasm)(;)$/m, '$1 = notLoaded$2', 'the `wasm` declaration', 1);
glue = replace(glue, /\bwasm ([!=])== undefined\b/g, 'wasm $1== notLoaded', 'the `wasm` checks');
// A late async init must not replace an instance made synchronously meanwhile.
glue = replace(
  glue,
  /^(function __wbg_finalize_init\(instance, module\) \{)$/m,
  '$1\n    if (wasm !== notLoaded) return wasm;',
  '__wbg_finalize_init',
  1,
);
// The entries always say where the wasm is; the glue's own default URL would
// only make bundlers copy a file the default entry never fetches.
glue = replace(
  glue,
  /new URL\('twin_panel_bg\.wasm', import\.meta\.url\)/g,
  'wasmSourceMissing()',
  'the default wasm URL',
  1,
);
glue = replace(
  glue,
  /^(\/\* @ts-self-types="\.\/twin_panel\.d\.ts" \*\/\n)?/,
  (head) => `${head}import { notLoaded, wasmSourceMissing } from './first-use.js';\n`,
  'the glue header',
  1,
);
// The doc comments are in twin_panel.d.ts as well; in the shipped glue they are
// about a quarter of its gzip size (the rest of its comments go too, below).
glue = replace(glue, /^ *\/\*\*\n(?: *\*.*\n)*? *\*\/\n/gm, '', 'the glue doc comments');
glue = stripDocComments(glue);
writeFileSync(join(dir, 'twin_panel.js'), glue);

// --- twin_panel.d.ts: Symbol.dispose only where the lib has it ---------------
// wasm-bindgen writes `[Symbol.dispose](): void;` into each class; that fails
// to compile where the lib lacks `Symbol.dispose` (es2020-es2024 without
// esnext.disposable). Each such class instead extends the global `Disposable`
// interface, which index.d.ts declares empty: with a lib that has it, the
// declarations merge and the class keeps `[Symbol.dispose]()`; without, the
// class simply has no such member.
let types = readFileSync(join(dir, 'twin_panel.d.ts'), 'utf8');
const disposable = [];
types = types.replace(/^export class (\w+) \{\n((?:.*\n)*?)^\}$/gm, (whole, name, body) => {
  const stripped = body.replace(/^ {4}\[Symbol\.dispose\]\(\): void;\n/m, '');
  if (stripped === body) return whole;
  disposable.push(name);
  return `export class ${name} {\n${stripped}}`;
});
if (/Symbol\.dispose/.test(types)) fail('twin_panel.d.ts: a Symbol.dispose is left outside a class body');
types += `\n${disposable.map((name) => `export interface ${name} extends Disposable {}\n`).join('')}`;
writeFileSync(join(dir, 'twin_panel.d.ts'), types);

// --- the wasm, base64, for the default entry ---------------------------------
const wasmBase64 = readFileSync(join(dir, 'twin_panel_bg.wasm')).toString('base64');
writeFileSync(
  join(dir, 'wasm-inline.js'),
  `// twin_panel_bg.wasm, base64: the default entry needs no asset handling.\nexport default ${JSON.stringify(wasmBase64)};\n`,
);

// --- entry files and package metadata ----------------------------------------
// The JS snippet that defines TwinError (js/glue.js in the crate).
const glueFiles = readdirSync(join(dir, 'snippets'), { recursive: true })
  .filter((file) => file.endsWith('.js'))
  .filter((file) => /^export class TwinError\b/m.test(readFileSync(join(dir, 'snippets', file), 'utf8')));
if (glueFiles.length !== 1) fail(`expected one snippet that exports TwinError, found ${glueFiles.length}`);
const gluePath = `./snippets/${glueFiles[0].split(sep).join('/')}`;
for (const file of ['index.js', 'index.d.ts', 'slim.js', 'node.js', 'first-use.js']) {
  const text = readFileSync(join(template, file), 'utf8').replaceAll('__GLUE__', gluePath);
  writeFileSync(join(dir, file), file.endsWith('.js') ? stripDocComments(text) : text);
}
const glueSnippet = join(dir, 'snippets', glueFiles[0]);
writeFileSync(glueSnippet, stripDocComments(readFileSync(glueSnippet, 'utf8')));
copyFileSync(join(template, 'glue.d.ts'), join(dir, gluePath.replace(/\.js$/, '.d.ts')));

// --- one module per entry ----------------------------------------------------
// index.js (glue + inlined wasm), slim.js and node.js each become a single file;
// the modules they were made of stay out of the package (their types stay:
// index.d.ts re-exports twin_panel.d.ts and the snippet's glue.d.ts).
const staging = mkdtempSync(join(tmpdir(), 'twin-panel-entries-'));
try {
  const built = buildSync({
    entryPoints: ['index.js', 'slim.js', 'node.js'].map((file) => join(dir, file)),
    outdir: staging,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    external: ['node:*'],
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
    // wasm-bindgen may list the glue snippet twice, under one key, in the
    // imports object it hands to WebAssembly (two `import * as` of the same
    // module: one namespace object, so either entry is the same value).
    logOverride: { 'duplicate-object-key': 'silent' },
  });
  if (built.errors.length > 0 || built.warnings.length > 0) fail('esbuild reported problems bundling the entries');
  for (const file of ['index.js', 'slim.js', 'node.js']) {
    const text = readFileSync(join(staging, file), 'utf8');
    if (/^\s*import\s[^;]*from\s*['"]\.|\bimport\(\s*['"]\./m.test(text)) fail(`${file}: a relative import survived bundling`);
    writeFileSync(join(dir, file), text);
  }
} finally {
  rmSync(staging, { recursive: true, force: true });
}
for (const file of ['twin_panel.js', 'first-use.js', 'wasm-inline.js']) rmSync(join(dir, file));
rmSync(glueSnippet);

copyFileSync(join(template, 'README.md'), join(dir, 'README.md'));
copyFileSync(join(template, 'LICENSE'), join(dir, 'LICENSE'));
writeFileSync(
  join(dir, 'package.json'),
  readFileSync(join(template, 'package.json'), 'utf8').replace('__VERSION__', version),
);
console.log(`finish-pkg: entries written; ${disposable.join(', ')} extend Disposable`);
