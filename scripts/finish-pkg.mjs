#!/usr/bin/env node
// finish-pkg.mjs STAGE_DIR PKG_DIR VERSION
// Turns wasm-bindgen's `--target web` output for each entry (STAGE_DIR/panel:
// twin_panel.js, .d.ts, _bg.wasm; STAGE_DIR/widget: the same for twin_widget)
// into the npm package: `twin-panel` at the package root and
// `twin-panel/widget` in widget/, each with a default entry (the wasm inlined,
// deflated), a slim entry (the wasm as a file) and a Node entry, its own types,
// and the shared twin-error.d.ts. Every edit of generated text checks that the
// text it expects is there, so a wasm-bindgen release that changes its output
// stops the build instead of shipping a broken package. Each entry is bundled
// into one flat ES module (esbuild, whitespace and syntax minified, names
// kept), so a page that imports the package without a bundler makes one
// request, not a waterfall of modules.
import { readFileSync, writeFileSync, copyFileSync, readdirSync, rmSync, mkdtempSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { deflateRawSync, constants } from 'node:zlib';
import { buildSync } from 'esbuild';
import { join, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { minifyNames } from './wasm-names.mjs';

const [stage, out, version] = process.argv.slice(2);
if (!stage || !out || !version) fail('usage: finish-pkg.mjs STAGE_DIR PKG_DIR VERSION');
const template = join(dirname(fileURLToPath(import.meta.url)), '..', 'pkg-template');

// Each entry: its cargo feature (the folder in STAGE_DIR), its wasm-bindgen
// name, and where it goes in the package.
const ENTRIES = [
  { feature: 'panel', name: 'twin_panel', dir: '.', root: '.' },
  { feature: 'widget', name: 'twin_widget', dir: 'widget', root: '..' },
];

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

/** `text` as a regular expression that matches it literally. */
function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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

// The glue keeps the wasm exports in `wasm`, undefined until init. It starts
// as `notLoaded` (first-use.js) instead: a stand-in whose first property read
// instantiates the module synchronously (default and node entries) or throws
// "call `await init()` first" (slim entry).
function editGlue(glue, name) {
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
    new RegExp(`new URL\\('${name}_bg\\.wasm', import\\.meta\\.url\\)`, 'g'),
    'wasmSourceMissing()',
    'the default wasm URL',
    1,
  );
  const header = new RegExp(`^(\\/\\* @ts-self-types="\\.\\/${name}\\.d\\.ts" \\*\\/\\n)?`);
  glue = replace(
    glue,
    header,
    (head) => `${head}import { notLoaded, wasmSourceMissing } from './first-use.js';\n`,
    'the glue header',
    1,
  );
  // `free()` of a class that exports `__twinFree` (api/class.rs) ends the
  // object but leaves it allocated: a listener, a pending promise or a later
  // call then meets a freed object, never a dangling pointer, and a second
  // free() is a no-op. The memory goes when the object is garbage collected
  // (the glue's FinalizationRegistry stays registered).
  for (const [, className] of glue.matchAll(/^export class (\w+) \{$/gm)) {
    if (!new RegExp(`^ +__twinFree\\(\\) \\{$`, 'm').test(classBody(glue, className))) continue;
    glue = replace(
      glue,
      new RegExp(`(^export class ${className} \\{\\n(?:.*\\n)*?^ {4}free\\(\\) \\{\\n)(?: {8}.*\\n)+?(^ {4}\\})`, 'm'),
      '$1        this.__twinFree();\n$2',
      `${className}.free()`,
      1,
    );
  }
  // The doc comments are in the .d.ts as well; in the shipped glue they are
  // about a quarter of its gzip size (the rest of its comments go too, below).
  glue = replace(glue, /^ *\/\*\*\n(?: *\*.*\n)*? *\*\/\n/gm, '', 'the glue doc comments');
  return stripDocComments(glue);
}

// The text of class `name` in the glue, from `export class` to its closing brace.
function classBody(glue, name) {
  const start = glue.search(new RegExp(`^export class ${name} \\{$`, 'm'));
  const end = glue.indexOf('\n}\n', start);
  return start < 0 || end < 0 ? '' : glue.slice(start, end);
}

// wasm-bindgen writes `[Symbol.dispose](): void;` into each class; that fails
// to compile where the lib lacks `Symbol.dispose` (es2020-es2024 without
// esnext.disposable). Each such class instead extends the global `Disposable`
// interface, which index.d.ts declares empty: with a lib that has it, the
// declarations merge and the class keeps `[Symbol.dispose]()`; without, the
// class simply has no such member.
function editTypes(types, file) {
  const disposable = [];
  types = types.replace(/^export class (\w+) \{\n((?:.*\n)*?)^\}$/gm, (whole, name, body) => {
    const stripped = body.replace(/^ {4}\[Symbol\.dispose\]\(\): void;\n/m, '');
    if (stripped === body) return whole;
    disposable.push(name);
    return `export class ${name} {\n${stripped}}`;
  });
  if (/Symbol\.dispose/.test(types)) fail(`${file}: a Symbol.dispose is left outside a class body`);
  types += `\n${disposable.map((name) => `export interface ${name} extends Disposable {}\n`).join('')}`;
  return { types, disposable };
}

const ENTRY_FILES = ['index.js', 'slim.js', 'node.js'];

function buildEntry({ feature, name, dir, root }) {
  const source = join(stage, feature);
  const target = join(out, dir);
  mkdirSync(target, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), `twin-panel-${feature}-`));
  try {
    cpSync(source, work, { recursive: true });
    // Short import and export names (scripts/wasm-names.mjs), in the wasm and the glue.
    const { wasm, imports, exports } = minifyNames(readFileSync(join(source, `${name}_bg.wasm`)), `./${name}_bg.js`, 'a');
    let glue = readFileSync(join(source, `${name}.js`), 'utf8');
    for (const [from, to] of imports) glue = replace(glue, new RegExp(`^( +)${from}:`, 'm'), `$1${to}:`, `import ${from}`, 1);
    // The glue reaches exports as `wasm.<name>` (some, none at all); a name
    // in quotes (`wasm["..."]`, a string) would be a way this edit misses.
    for (const [from, to] of exports) {
      glue = glue.replace(new RegExp(`\\bwasm\\.${from}\\b`, 'g'), `wasm.${to}`);
      if (new RegExp(`['"\`]${from}['"\`]`).test(glue)) fail(`${name}.js: export ${from} is named in a string`);
    }
    glue = replace(glue, new RegExp(`^( +)"\\./${name}_bg\\.js": import0,$`, 'm'), '$1a: import0,', 'the imports object', 1);
    // wasm-bindgen writes one `import * as importN` per function the wasm
    // imports straight from a snippet, and one key per import in the imports
    // object: the same key twice, which bundlers warn about. One of each.
    const seen = new Map();
    for (const [line, local, module] of glue.matchAll(/^import \* as (import\d+) from "([^"]+)"\n/gm)) {
      if (!seen.has(module)) {
        seen.set(module, local);
        continue;
      }
      glue = replace(glue, new RegExp(`^${escape(line)}`, 'm'), '', `the second import of ${module}`, 1);
      glue = replace(glue, new RegExp(`^ +"${escape(module)}": ${local},\n`, 'm'), '', `the second key of ${module}`, 1);
    }
    writeFileSync(join(work, `${name}.js`), editGlue(glue, name));
    const { types, disposable } = editTypes(readFileSync(join(source, `${name}.d.ts`), 'utf8'), `${name}.d.ts`);
    writeFileSync(join(target, `${name}.d.ts`), types);

    // The wasm for the default entry: deflated, then base64 (see inflate.js).
    const deflated = deflateRawSync(wasm, { level: 9, memLevel: 9, strategy: constants.Z_DEFAULT_STRATEGY });
    writeFileSync(
      join(work, 'wasm-inline.js'),
      `export const data = ${JSON.stringify(deflated.toString('base64'))};\nexport const size = ${wasm.length};\n`,
    );
    writeFileSync(join(target, `${name}_bg.wasm`), wasm);

    // The JS snippet that defines TwinError (the crate's js/glue.js).
    const snippets = readdirSync(join(work, 'snippets'), { recursive: true })
      .filter((file) => file.endsWith('.js'))
      .filter((file) => /^export class TwinError\b/m.test(readFileSync(join(work, 'snippets', file), 'utf8')));
    if (snippets.length !== 1) fail(`${feature}: expected one snippet that exports TwinError, found ${snippets.length}`);
    const gluePath = `./snippets/${snippets[0].split(sep).join('/')}`;
    const fill = (text) => text.replaceAll('__NAME__', name).replaceAll('__GLUE__', gluePath).replaceAll('__ROOT__', root);
    for (const file of [...ENTRY_FILES, 'first-use.js', 'inflate.js']) {
      writeFileSync(join(work, file), stripDocComments(fill(readFileSync(join(template, 'entry', file), 'utf8'))));
    }
    writeFileSync(join(target, 'index.d.ts'), fill(readFileSync(join(template, 'entry', 'index.d.ts'), 'utf8')));

    const built = buildSync({
      entryPoints: ENTRY_FILES.map((file) => join(work, file)),
      outdir: target,
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      external: ['node:*'],
      minifyWhitespace: true,
      minifySyntax: true,
      legalComments: 'none',
      logLevel: 'warning',
    });
    if (built.errors.length > 0 || built.warnings.length > 0) fail(`${feature}: esbuild reported problems bundling the entries`);
    for (const file of ENTRY_FILES) {
      const text = readFileSync(join(target, file), 'utf8');
      if (/^\s*import\s[^;]*from\s*['"]\.|\bimport\(\s*['"]\./m.test(text)) fail(`${dir}/${file}: a relative import survived bundling`);
    }
    console.log(`finish-pkg: ${dir === '.' ? 'twin-panel' : `twin-panel/${dir}`}: ${disposable.join(', ')} extend Disposable`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

for (const entry of ENTRIES) buildEntry(entry);
copyFileSync(join(template, 'twin-error.d.ts'), join(out, 'twin-error.d.ts'));
copyFileSync(join(template, 'README.md'), join(out, 'README.md'));
copyFileSync(join(template, 'LICENSE'), join(out, 'LICENSE'));
writeFileSync(join(out, 'package.json'), readFileSync(join(template, 'package.json'), 'utf8').replace('__VERSION__', version));
