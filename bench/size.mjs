// Size half of `make bench`: the shipped package (wasm + JS glue) against the
// JS stack it replaces (centrifuge-js dist bundle + socket.io-client min),
// raw and gzip -9, plus "what costs the most" from twiggy over a names-kept
// build of the same release wasm.
//
//   node bench/size.mjs --out target/bench/size.json
//
// Needs pkg/ (make pkg), target/entries/twin_panel.wasm (the panel's release
// wasm that make pkg keeps, the input of pkg/twin_panel_bg.wasm; cargo's own
// target/wasm32-unknown-unknown/release/twin_panel.wasm holds whichever
// entry's features were built last), wasm-bindgen, twiggy and
// node_modules/.bin/wasm-opt. PKG_DIR and RELEASE_WASM point elsewhere (a copy
// of a build, say).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

const out = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : 'target/bench/size.json';
const WASM_FEATURES = [
  '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue',
];
// Self types that belong to no crate: the trait names the crate instead.
const PRIMITIVES = new Set(['bool', 'char', 'str', 'f32', 'f64', 'u8', 'u16', 'u32', 'u64', 'u128', 'usize',
  'i8', 'i16', 'i32', 'i64', 'i128', 'isize', '()', '!']);

/** Bytes of `buffer` after `gzip -9 -n` (the real gzip, no file name in the header). */
function gzipSize(buffer) {
  return execFileSync('gzip', ['-9', '-n', '-c'], { input: buffer, maxBuffer: 64 << 20 }).length;
}

/** Raw and gzip sizes of `files` concatenated; `names` say what they are. */
function measure(files, names = files) {
  const buffer = Buffer.concat(files.map((f) => readFileSync(f)));
  return { files: names, raw: buffer.length, gzip: gzipSize(buffer) };
}

// --- the package and the JS stack it replaces --------------------------------
const pkg = process.env.PKG_DIR || 'pkg';
// Recorded as package paths (pkg/...) whichever directory was measured.
const inPkg = (files) => files.map((f) => join('pkg', relative(pkg, f)));
const wasm = measure([join(pkg, 'twin_panel_bg.wasm')], ['pkg/twin_panel_bg.wasm']);
// The glue is slim.js, as scripts/build-pkg.sh reports it: each entry ships as
// one bundled module, and slim.js is the glue without the inlined wasm.
const glueFiles = [join(pkg, 'slim.js')];
const glue = measure(glueFiles, inPkg(glueFiles));
const ours = { raw: wasm.raw + glue.raw, gzip: wasm.gzip + glue.gzip };
const centrifuge = measure(['node_modules/centrifuge/dist/centrifuge.js']);
const socketio = measure(['node_modules/socket.io-client/dist/socket.io.min.js']);
const theirs = { raw: centrifuge.raw + socketio.raw, gzip: centrifuge.gzip + socketio.gzip };
const versions = {
  centrifuge: JSON.parse(readFileSync('node_modules/centrifuge/package.json', 'utf8')).version,
  socketio: JSON.parse(readFileSync('node_modules/socket.io-client/package.json', 'utf8')).version,
};

// --- what costs the most: twiggy over a names-kept build --------------------
// wasm-bindgen --keep-debug keeps the name section; wasm-opt -Oz -g then
// optimises as scripts/build-pkg.sh does while keeping the names, so the items
// are the shipped code, named.
const release = process.env.RELEASE_WASM || 'target/entries/twin_panel.wasm';
const tmp = mkdtempSync(join(tmpdir(), 'twin-bench-size-'));
let twiggy;
try {
  execFileSync('wasm-bindgen', ['--keep-debug', '--target', 'web', '--out-name', 'twin_panel', '--out-dir', tmp, release], { stdio: 'inherit' });
  const named = join(tmp, 'twin_panel_bg.wasm');
  const namedOpt = join(tmp, 'twin_panel_bg.named-opt.wasm');
  execFileSync('node_modules/.bin/wasm-opt', ['-Oz', '--converge', '--low-memory-unused', '-g', ...WASM_FEATURES, named, '-o', namedOpt], { stdio: 'inherit' });
  const topText = execFileSync('twiggy', ['top', '-n', '20', namedOpt], { encoding: 'utf8' });
  const items = JSON.parse(execFileSync('twiggy', ['top', '--format', 'json', '-n', '1000000', namedOpt], {
    encoding: 'utf8', maxBuffer: 64 << 20,
  }));
  const unoptItems = JSON.parse(execFileSync('twiggy', ['top', '--format', 'json', '-n', '1000000', named], {
    encoding: 'utf8', maxBuffer: 64 << 20,
  }));
  twiggy = {
    input: 'the release twin_panel.wasm (feature panel) -> wasm-bindgen --keep-debug -> wasm-opt -Oz --converge --low-memory-unused -g',
    namedBytes: statSync(named).size,
    namedOptimizedBytes: statSync(namedOpt).size,
    top20: topText,
    byCrate: byCrate(items),
    byCrateBeforeWasmOpt: byCrate(unoptItems),
  };
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

/** The crate (or kind of wasm item) an item of twiggy's list belongs to. */
function crateOf(name) {
  if (/^"[^"]*" subsection$/.test(name) || name.startsWith('custom section')) return '(names and custom sections, not shipped)';
  if (name.startsWith('data segment')) return '(data segments)';
  if (/ shim/.test(name) || /^__wbg|^__wbindgen|^__externref|^export "wasm_bindgen/.test(name)) return 'wasm_bindgen';
  if (/^(code|elem|table|global|memory)\[\d+\]$/.test(name)) return '(unnamed code and tables)';
  if (/^(export|import) |^type\[\d+\]|section headers|^wasm magic bytes$|^"/.test(name)) return '(imports, exports, types, headers)';
  if (/^(memcpy|memmove|memset|memcmp|bcmp|fmax|fmin|fmaxf|fminf|__multi3|__[a-z]+ti3)$/.test(name)) return 'compiler_builtins';
  if (/^__r(ust|dl|g)_|^__rustc(\[|::)/.test(name)) return 'alloc';
  // Inherent methods of primitive types: <char>::..., <[u8]>::..., <str>::...
  if (/^<(char|str|bool|[iuf](8|16|32|64|128|size)|\[[^\]]*\])>::/.test(name)) return 'core';
  // The exported class methods wasm-bindgen generates: operatorpanel_connect, ...
  if (/^[a-z]+_[A-Za-z]+$/.test(name)) return 'wasm_bindgen';
  return crateOfPath(name) ?? '(other)';
}

function crateOfPath(name) {
  let s = name;
  let trait = null;
  if (s.startsWith('<')) {
    // <Self as Trait>::item: the Self type's crate, or the trait's when Self is
    // a primitive or a generic parameter.
    const as = s.indexOf(' as ');
    if (as > 0) trait = s.slice(as + 4);
    s = s.slice(1);
  }
  s = s.replace(/^(&mut |&|\*const |\*mut |dyn |\(|\[)+/, '');
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(\[[0-9a-f]+\])?(::|<|>| |$)/.exec(s);
  const head = m?.[1];
  const isCrate = head && m[3] === '::' && /^[a-z_][a-z0-9_]*$/.test(head) && !PRIMITIVES.has(head);
  if (isCrate) return head;
  if (trait) return crateOfPath(trait.replace(/^(&mut |&)/, ''));
  return null;
}

function byCrate(items) {
  const sums = new Map();
  let total = 0;
  for (const item of items) {
    const crate = crateOf(item.name);
    sums.set(crate, (sums.get(crate) ?? 0) + item.shallow_size);
    total += item.shallow_size;
  }
  return {
    total,
    crates: [...sums.entries()].sort((a, b) => b[1] - a[1]).map(([crate, bytes]) => ({ crate, bytes })),
  };
}

const result = {
  package: { wasm, glue, total: ours },
  replaces: { centrifuge: { version: versions.centrifuge, ...centrifuge }, socketio: { version: versions.socketio, ...socketio }, total: theirs },
  ratio: { raw: ours.raw / theirs.raw, gzip: ours.gzip / theirs.gzip },
  twiggy,
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(result, null, 2));
console.log(`size: ours ${ours.gzip} B gz, theirs ${theirs.gzip} B gz, ratio ${result.ratio.gzip.toFixed(2)} -> ${out}`);
