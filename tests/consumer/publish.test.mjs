// The tarball `make pkg` packed is publishable as it is: `npm publish
// --dry-run` has nothing to correct, the metadata a registry page shows is
// there, and the tarball holds what a user needs and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const version = readFileSync(join(root, 'Cargo.toml'), 'utf8').match(/^version = "(.+)"$/m)[1];
const tarball = join(root, 'target', 'npm', `twin-panel-${version}.tgz`);

test('npm publish --dry-run is clean', () => {
  const run = spawnSync('npm', ['publish', '--dry-run', '--json', tarball], { encoding: 'utf8', cwd: root });
  assert.equal(run.status, 0, run.stderr);
  // Without registry credentials npm says so; anything else it warns about is a defect.
  const warnings = run.stderr.split('\n').filter((line) => /warn/i.test(line) && !/requires you to be logged in/.test(line));
  assert.deepEqual(warnings, []);
  const report = JSON.parse(run.stdout)['twin-panel'];
  assert.equal(report.version, version);
});

function tarballFiles() {
  return execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((p) => p.replace(/^package\//, ''));
}

test('the tarball holds only what a user needs', () => {
  // Each entry's code is bundled into its index.js, slim.js and node.js:
  // no snippets/ and no module beside them.
  assert.deepEqual(tarballFiles().sort(), [
    'LICENSE',
    'README.md',
    'index.d.ts',
    'index.js',
    'node.js',
    'package.json',
    'slim.js',
    'twin-error.d.ts',
    'twin_panel.d.ts',
    'twin_panel_bg.wasm',
    'widget/index.d.ts',
    'widget/index.js',
    'widget/node.js',
    'widget/slim.js',
    'widget/twin_widget.d.ts',
    'widget/twin_widget_bg.wasm',
  ]);
});

test('every relative import of the shipped JS and types resolves inside the tarball', () => {
  const files = new Set(tarballFiles());
  for (const file of files) {
    if (!/\.(js|d\.ts)$/.test(file)) continue;
    const text = execFileSync('tar', ['xzOf', tarball, `package/${file}`], { encoding: 'utf8' });
    for (const [, spec] of text.matchAll(/(?:from|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = new URL(spec, `file:///${file}`).pathname.slice(1);
      const candidates = file.endsWith('.d.ts') ? [target, target.replace(/\.js$/, '.d.ts')] : [target];
      assert.ok(candidates.some((c) => files.has(c)), `${file} imports ${spec}, which is not in the tarball`);
    }
  }
});

test('package.json: registry metadata, and every export points into the tarball', () => {
  const manifest = JSON.parse(execFileSync('tar', ['xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
  const inside = new Set(tarballFiles().map((p) => `./${p}`));
  assert.equal(manifest.license, 'MIT');
  assert.match(manifest.repository.url, /^git\+https:\/\/github\.com\/.+\.git$/);
  assert.ok(manifest.keywords.length >= 5, 'keywords');
  assert.ok(manifest.description.length > 20, 'description');
  const targets = [];
  const walk = (value) => (typeof value === 'string' ? targets.push(value) : Object.values(value).forEach(walk));
  walk(manifest.exports);
  targets.push(manifest.main, manifest.types, ...manifest.sideEffects);
  for (const target of targets) assert.ok(inside.has(target), `${target} is not in the tarball`);
  assert.equal(manifest.exports['.'].types, './index.d.ts');
  assert.ok(manifest.exports['.'].node && manifest.exports['.'].default, 'a node condition and a default');
  assert.equal(manifest.exports['./widget'].types, './widget/index.d.ts');
  assert.ok(manifest.exports['./widget'].node && manifest.exports['./widget'].default, 'twin-panel/widget: a node condition and a default');
  for (const slim of ['./slim', './widget/slim']) assert.ok(manifest.exports[slim]?.default, `${slim} is exported`);
});
