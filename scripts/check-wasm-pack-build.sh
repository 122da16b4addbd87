#!/usr/bin/env bash
# `wasm-pack build --target web` into target/wasm-pack/pkg, then that raw
# output in headless Chromium against the sandbox: instantiate, log in,
# connect (tests/wasm-pack-build/). `make pkg` stays the way the npm package
# is built; see the README for how the two outputs differ.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need wasm-pack "run scripts/bootstrap.sh"

out=target/wasm-pack/pkg
step "wasm-pack build --target web (into $out)"
# --mode no-install: use the wasm-bindgen on PATH, download nothing.
wasm-pack --log-level error build --mode no-install --target web --release --out-dir "$out" .
for file in twin_panel.js twin_panel.d.ts twin_panel_bg.wasm package.json; do
  [ -s "$out/$file" ] || die "wasm-pack build wrote no $out/$file"
done
echo "wasm-pack build: $out ($(raw_size "$out/twin_panel_bg.wasm") B of wasm, no wasm-opt)"

scripts/with-sandbox.sh -www tests/wasm-pack-build/page -pkg "$out" -- \
  node --test --test-concurrency=1 tests/wasm-pack-build/
