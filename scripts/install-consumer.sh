#!/usr/bin/env bash
# Installs the consumer toolchains (tests/consumer/toolchains: Vite 8 and 6,
# webpack 5, esbuild, Rollup, Vitest, TypeScript 5.0 and 7, React, Vue) into
# target/consumer with `npm ci`, once per lock file, from one npm cache; then
# installs the tarball `make pkg` packed, as an app would (npm install).
# The test-consumer, test-types and test-node layers share the result.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
tarball=target/npm/twin-panel-$version.tgz
[ -f "$tarball" ] || die "$tarball is missing (run make pkg)"

dir=target/consumer
cache=$PWD/target/npm-cache
mkdir -p "$dir"
if ! cmp -s tests/consumer/toolchains/package-lock.json "$dir/.installed-lock.json"; then
  step "npm ci: consumer toolchains into $dir"
  rm -rf "$dir/node_modules"
  cp tests/consumer/toolchains/package.json tests/consumer/toolchains/package-lock.json "$dir/"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error --cache "$cache") || die "npm ci of the consumer toolchains failed"
  cp tests/consumer/toolchains/package-lock.json "$dir/.installed-lock.json"
fi

step "npm install $tarball into $dir"
# --no-save: the toolchains' lock file stays as committed.
(cd "$dir" && npm install --no-save --no-audit --no-fund --loglevel=error --offline --cache "$cache" "../npm/$(basename "$tarball")") ||
  die "installing $tarball failed"
[ -f "$dir/node_modules/twin-panel/package.json" ] || die "twin-panel is not in $dir/node_modules"
