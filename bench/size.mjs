// Size half of `make bench`, per entry (twin-panel: OperatorPanel and Inbox;
// twin-panel/widget: ChatWidget): each entry's wasm and JS glue, raw and
// gzip -9; what an importer ships per entry as size-limit measures it
// (.size-limit.json, the limits test-size enforces); the JS stack it replaces
// (centrifuge-js dist bundle, socket.io-client min) and the budgets of the
// size issue; and, per entry, what costs the most: twiggy over a names-kept
// build of the entry's release wasm, and its bytes per crate and per module.
//
//   node bench/size.mjs --out target/bench/size.json
//
// Needs pkg/ (make pkg), the release wasm of each entry that make pkg keeps in
// target/entries/ (the input of the entry's shipped .wasm), wasm-bindgen,
// twiggy, node_modules/.bin/wasm-opt and size-limit. PKG_DIR points at
// another build of the package.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { analyse, measure } from './size-lib.mjs';

const out = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : 'target/bench/size.json';
const pkg = process.env.PKG_DIR || 'pkg';

// The budgets of the size issue, in kB (1000 bytes) gzip, per entry: the
// budget to meet, and the goal it stands for (the JS stack it replaces:
// centrifuge-js + socket.io-client for the panel, socket.io-client for the
// widget, which talks socket.io only). .size-limit.json enforces limits of
// its own, set above the budgets until they are met.
const ENTRIES = [
  {
    entry: 'twin-panel', dir: '.', name: 'twin_panel', release: 'target/entries/twin_panel.wasm',
    budgetKB: 100, goalKB: 37.9, goalOf: 'centrifuge-js + socket.io-client',
  },
  {
    entry: 'twin-panel/widget', dir: 'widget', name: 'twin_widget', release: 'target/entries/twin_widget.wasm',
    budgetKB: 35, goalKB: 14.7, goalOf: 'socket.io-client',
  },
];

/** One entry's files: its wasm, its glue (slim.js) and its default entry (index.js, the wasm inlined). */
function entryFiles({ dir, name }) {
  const at = (file) => join(pkg, dir, file);
  const shown = (file) => join('pkg', dir, file);
  const wasm = measure([at(`${name}_bg.wasm`)], [shown(`${name}_bg.wasm`)]);
  const glue = measure([at('slim.js')], [shown('slim.js')]);
  return {
    wasm,
    glue,
    slim: { raw: wasm.raw + glue.raw, gzip: wasm.gzip + glue.gzip },
    inline: measure([at('index.js')], [shown('index.js')]),
  };
}

/**
 * size-limit's four figures, as test-size measures them (an importer's
 * bundle of each default entry, each slim entry's glue and .wasm), with the
 * limits of .size-limit.json. size-limit exits non-zero when a limit is
 * exceeded; its JSON is on stdout either way.
 */
function sizeLimit() {
  let text;
  try {
    text = execFileSync('npx', ['size-limit', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  } catch (error) {
    text = error.stdout;
  }
  const start = text.indexOf('[');
  const figures = JSON.parse(text.slice(start));
  const config = JSON.parse(readFileSync('.size-limit.json', 'utf8'));
  return figures.map((f) => {
    const entry = config.find((c) => c.name === f.name) ?? {};
    return { name: f.name, path: entry.path, bytes: f.size, limitBytes: f.sizeLimit, passed: f.passed };
  });
}

const centrifuge = measure(['node_modules/centrifuge/dist/centrifuge.js']);
const socketio = measure(['node_modules/socket.io-client/dist/socket.io.min.js']);
const versions = {
  centrifuge: JSON.parse(readFileSync('node_modules/centrifuge/package.json', 'utf8')).version,
  socketio: JSON.parse(readFileSync('node_modules/socket.io-client/package.json', 'utf8')).version,
};

const entries = ENTRIES.map((e) => ({
  entry: e.entry,
  budget: { budgetBytes: e.budgetKB * 1000, goalBytes: e.goalKB * 1000, goalOf: e.goalOf },
  ...entryFiles(e),
  twiggy: analyse(e.release, e.name),
}));

const result = {
  entries,
  sizeLimit: sizeLimit(),
  replaces: {
    centrifuge: { version: versions.centrifuge, ...centrifuge },
    socketio: { version: versions.socketio, ...socketio },
    total: { raw: centrifuge.raw + socketio.raw, gzip: centrifuge.gzip + socketio.gzip },
  },
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(result, null, 2));
for (const e of entries) console.log(`size: ${e.entry} wasm + glue ${e.slim.gzip} B gz, index.js ${e.inline.gzip} B gz`);
for (const s of result.sizeLimit) console.log(`size-limit: ${s.name} ${s.bytes} B (limit ${s.limitBytes})`);
console.log(`size -> ${out}`);
