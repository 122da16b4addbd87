// Writes the "before" of BENCH.md: the size and crossings of an earlier
// build of the package, measured the way bench/size.mjs and
// bench/crossings.mjs measure the current one, into one small JSON that is
// committed (bench/baseline.json) and that bench/report.mjs sets beside
// today's figures.
//
//   node bench/baseline.mjs --pkg OLD/pkg --release OLD/target/.../twin_panel.wasm \
//       --commit SHA --date YYYY-MM-DD --crossings crossings.json \
//       [--wasm-opt-flags "-Oz --converge --low-memory-unused"] [--about TEXT] \
//       [--out bench/baseline.json]
//
// OLD is a worktree of the earlier commit with its package built (its own
// scripts/build-pkg.sh); --wasm-opt-flags are the flags of that build, so the
// names-kept build twiggy reads matches what it shipped; --crossings is
// bench/crossings.mjs run against OLD/pkg (scripts/with-sandbox.sh -pkg).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { option } from './cli.mjs';
import { analyse, measure } from './size-lib.mjs';

const pkg = option('pkg', null);
const release = option('release', null);
const commit = option('commit', null);
const date = option('date', null);
if (!pkg || !release || !commit || !date) {
  console.error('usage: baseline.mjs --pkg DIR --release WASM --commit SHA --date YYYY-MM-DD [--crossings FILE] [--out FILE]');
  process.exit(2);
}
const flags = option('wasm-opt-flags', '-Oz --converge --low-memory-unused').split(' ').filter(Boolean);
const crossingsFile = option('crossings', null);
const out = option('out', 'bench/baseline.json');

const wasm = measure([join(pkg, 'twin_panel_bg.wasm')], ['pkg/twin_panel_bg.wasm']);
const glue = measure([join(pkg, 'slim.js')], ['pkg/slim.js']);
const baseline = {
  commit,
  date,
  about: option('about', 'the package as built at this commit'),
  // One wasm for every class: what an importer of either class shipped.
  package: {
    wasm,
    glue,
    slim: { raw: wasm.raw + glue.raw, gzip: wasm.gzip + glue.gzip },
    inline: measure([join(pkg, 'index.js')], ['pkg/index.js']),
  },
  twiggy: analyse(release, 'twin_panel', flags),
  crossings: crossingsFile && existsSync(crossingsFile) ? JSON.parse(readFileSync(crossingsFile, 'utf8')) : null,
};
writeFileSync(out, `${JSON.stringify(baseline, null, 2)}\n`);
console.log(`baseline ${commit} (${date}): wasm + glue ${baseline.package.slim.gzip} B gz -> ${out}`);
