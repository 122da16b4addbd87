// Shared by bench/size.mjs and bench/baseline.mjs: file sizes (raw, gzip -9),
// and what a wasm module spends its bytes on: twiggy over a names-kept build
// of a release wasm, its top 20, and its items grouped per crate and per
// module of twin_panel.
//
// The names-kept build repeats the shipped one with the names kept:
// wasm-bindgen --keep-debug keeps the name section, and wasm-opt with the
// flags of the shipped build plus -g optimises while keeping the names, so the
// items are the shipped code, named.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WASM_FEATURES = [
  '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue',
];
/** The wasm-opt flags of the shipped build (scripts/build-pkg.sh), features apart. */
export const WASM_OPT_FLAGS = ['-Oz', '--converge', '--low-memory-unused', '--one-caller-inline-max-function-size=25'];

/** Bytes of `buffer` after `gzip -9 -n` (the real gzip, no file name in the header). */
export function gzipSize(buffer) {
  return execFileSync('gzip', ['-9', '-n', '-c'], { input: buffer, maxBuffer: 64 << 20 }).length;
}

/** Raw and gzip sizes of `files` concatenated; `names` say what they are. */
export function measure(files, names = files) {
  const buffer = Buffer.concat(files.map((f) => readFileSync(f)));
  return { files: names, raw: buffer.length, gzip: gzipSize(buffer) };
}

// Self types that belong to no crate: the trait names the crate instead.
const PRIMITIVES = new Set(['bool', 'char', 'str', 'f32', 'f64', 'u8', 'u16', 'u32', 'u64', 'u128', 'usize',
  'i8', 'i16', 'i32', 'i64', 'i128', 'isize', '()', '!']);

/**
 * twiggy over `releaseWasm` (cargo's output, before wasm-bindgen) built like
 * the shipped file with the names kept: the top 20 as twiggy prints it, and
 * the items grouped per crate and per part (crates, twin_panel split into
 * modules), after wasm-opt and before it.
 */
export function analyse(releaseWasm, outName, wasmOptFlags = WASM_OPT_FLAGS) {
  const tmp = mkdtempSync(join(tmpdir(), 'twin-bench-size-'));
  try {
    execFileSync('wasm-bindgen', ['--keep-debug', '--target', 'web', '--out-name', outName, '--out-dir', tmp, releaseWasm], { stdio: 'inherit' });
    const named = join(tmp, `${outName}_bg.wasm`);
    const namedOpt = join(tmp, `${outName}_bg.named-opt.wasm`);
    execFileSync('node_modules/.bin/wasm-opt', [...wasmOptFlags, '-g', ...WASM_FEATURES, named, '-o', namedOpt], { stdio: 'inherit' });
    const items = twiggyItems(namedOpt);
    return {
      input: `${outName}: release wasm -> wasm-bindgen --keep-debug -> wasm-opt ${wasmOptFlags.join(' ')} -g`,
      wasmOptFlags,
      namedBytes: statSync(named).size,
      namedOptimizedBytes: statSync(namedOpt).size,
      top20: execFileSync('twiggy', ['top', '-n', '20', namedOpt], { encoding: 'utf8' }),
      byCrate: group(items, crateOf),
      byPart: group(items, partOf),
      byCrateBeforeWasmOpt: group(twiggyItems(named), crateOf),
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function twiggyItems(wasm) {
  return JSON.parse(execFileSync('twiggy', ['top', '--format', 'json', '-n', '1000000', wasm], {
    encoding: 'utf8', maxBuffer: 64 << 20,
  }));
}

/** The crate (or kind of wasm item) an item of twiggy's list belongs to. */
export function crateOf(name) {
  return kindOf(name) ?? ownerPath(name)?.[0] ?? '(other)';
}

/**
 * The crate, or for twin_panel its module (`twin_panel::protocol`), and for
 * `twin_panel::api` its submodule (`twin_panel::api::panel`): the api is
 * where each entry's classes live, so that is where the entries differ.
 */
export function partOf(name) {
  const kind = kindOf(name);
  if (kind) return kind;
  const path = ownerPath(name);
  if (!path) return '(other)';
  if (path[0] !== 'twin_panel') return path[0];
  const isModule = (segment) => segment !== undefined && /^[a-z_][a-z0-9_]*$/.test(segment);
  // The last segment is the item itself (a function, a type): a module has more after it.
  if (path.length < 3 || !isModule(path[1])) return 'twin_panel (crate root)';
  if (path[1] === 'api' && path.length >= 4 && isModule(path[2])) return `twin_panel::api::${path[2]}`;
  return `twin_panel::${path[1]}`;
}

/** Items that are not code of a crate's path, or whose crate the name says otherwise. */
function kindOf(name) {
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
  return null;
}

/**
 * The path segments an item belongs to, crate first, without crate hashes
 * and symbol hashes: for `<T as Trait>::f` the path of `T`, or of the trait
 * when `T` is a primitive or a generic parameter. Null when no crate is named.
 */
function ownerPath(name) {
  let s = name;
  let trait = null;
  if (s.startsWith('<')) {
    const as = s.indexOf(' as ');
    if (as > 0) trait = s.slice(as + 4);
    s = s.slice(1);
  }
  s = s.replace(/^(&mut |&|\*const |\*mut |dyn |\(|\[)+/, '');
  const m = /^[A-Za-z_][A-Za-z0-9_]*(\[[0-9a-f]+\])?(::(\{\{[a-z]+\}\}|[A-Za-z_][A-Za-z0-9_]*)(\[[0-9a-f]+\])?)*/.exec(s);
  const path = m ? m[0].replace(/\[[0-9a-f]+\]/g, '').split('::').filter((x) => !/^h[0-9a-f]{16}$/.test(x)) : [];
  const isCrate = path.length > 1 && /^[a-z_][a-z0-9_]*$/.test(path[0]) && !PRIMITIVES.has(path[0]);
  if (isCrate) return path;
  if (trait) return ownerPath(trait.replace(/^(&mut |&)/, ''));
  return null;
}

/** Shallow bytes per key, largest first. */
function group(items, keyOf) {
  const sums = new Map();
  let total = 0;
  for (const item of items) {
    const key = keyOf(item.name);
    sums.set(key, (sums.get(key) ?? 0) + item.shallow_size);
    total += item.shallow_size;
  }
  return {
    total,
    parts: [...sums.entries()].sort((a, b) => b[1] - a[1]).map(([part, bytes]) => ({ part, bytes })),
  };
}
