// Counts the calls across the wasm boundary of twin-panel, in the page: each
// call from the wasm into JavaScript (an import) and each call from
// JavaScript into the wasm (an export, closures included). Installed before
// the package instantiates its module: `WebAssembly.Instance` is wrapped, so
// both the default entry (`new WebAssembly.Instance`) and `init()` go through
// it. Counting costs time: a page that counts is not a page that measures speed.

export const counter = {
  on: false,
  imports: new Map(),
  exports: new Map(),
  // What each import does: the start of its source (the names are minified).
  sources: new Map(),
};

function bump(map, name) {
  map.set(name, (map.get(name) ?? 0) + 1);
}

/** Wraps `WebAssembly.Instance` so every later instance counts its crossings. */
export function installCounter() {
  const Real = WebAssembly.Instance;
  if (Real.counted) return;
  function Counted(module, imports) {
    const wrapped = {};
    for (const [space, members] of Object.entries(imports ?? {})) {
      wrapped[space] = {};
      for (const [name, member] of Object.entries(members)) {
        if (typeof member === 'function') {
          counter.sources.set(name, String(member).replace(/\s+/g, ' ').slice(0, 90));
        }
        wrapped[space][name] = typeof member !== 'function'
          ? member
          : function (...args) {
            if (counter.on) bump(counter.imports, name);
            return member.apply(this, args);
          };
      }
    }
    const instance = new Real(module, wrapped);
    const exports = {};
    for (const [name, member] of Object.entries(instance.exports)) {
      exports[name] = typeof member !== 'function'
        ? member
        : (...args) => {
          if (counter.on) bump(counter.exports, name);
          return member(...args);
        };
    }
    return { exports };
  }
  Counted.counted = true;
  WebAssembly.Instance = Counted;
}

/** Starts counting from zero. */
export function startCounting() {
  counter.imports.clear();
  counter.exports.clear();
  counter.on = true;
}

/** Stops counting: `{ total, imports, exports, top }` (top: the 12 most called). */
export function stopCounting() {
  counter.on = false;
  const sum = (map) => [...map.values()].reduce((a, b) => a + b, 0);
  const top = [
    ...[...counter.imports].map(([name, n]) => ({ name: `import ${name}`, n, source: counter.sources.get(name) })),
    ...[...counter.exports].map(([name, n]) => ({ name: `export ${name}`, n })),
  ].sort((a, b) => b.n - a.n).slice(0, 12);
  const imports = sum(counter.imports);
  const exports = sum(counter.exports);
  return { total: imports + exports, imports, exports, top };
}
