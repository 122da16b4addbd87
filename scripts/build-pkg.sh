#!/usr/bin/env bash
# Builds the npm package into pkg/: release wasm -> wasm-bindgen (web target)
# -> wasm-opt -Oz -> entry files, types and package.json from pkg-template/
# (scripts/finish-pkg.mjs).
# Prints wasm and glue sizes, raw and gzip -9.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

need wasm-bindgen "run scripts/bootstrap.sh"
# wasm-opt from the npm `binaryen` package pinned in package-lock.json: Debian's
# binaryen 108 produces a module whose externref table Chromium rejects.
wasm_opt=node_modules/.bin/wasm-opt
[ -x "$wasm_opt" ] || die "$wasm_opt not found (run scripts/bootstrap.sh)"

step "cargo build --release (wasm32)"
cargo build --release --target wasm32-unknown-unknown --lib
wasm=target/wasm32-unknown-unknown/release/twin_panel.wasm

out=pkg
rm -rf "$out"
step "wasm-bindgen --target web"
wasm-bindgen --target web --out-dir "$out" --remove-producers-section "$wasm"

step "wasm-opt -Oz"
# The features rustc 1.95 enables by default for wasm32-unknown-unknown; wasm-opt
# must accept them or it rejects the module. --converge repeats -Oz while it
# still shrinks the module; the target_features section only matters to
# wasm-bindgen, which has already run. --low-memory-unused lets wasm-opt fold
# constant offsets into loads and stores: the module is linked stack-first (the
# stack grows down from 1 MiB, data and heap lie above it), so the lowest 1 KiB
# is only ever touched by a stack 1023 KiB deep (about 1.2 KB gzip smaller).
"$wasm_opt" -Oz --converge --low-memory-unused --strip-target-features $WASM_FEATURES \
  "$out/twin_panel_bg.wasm" -o "$out/twin_panel_bg.opt.wasm"
mv "$out/twin_panel_bg.opt.wasm" "$out/twin_panel_bg.wasm"

step "package files"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
node scripts/finish-pkg.mjs "$out" "$version"

size_report "$out"
printf '%-10s %10s %10s   (index.js, the default entry: glue + the wasm as base64)\n' "inline" \
  "$(raw_size "$out/index.js")" "$(gz_size "$out/index.js")"

step "npm pack"
mkdir -p target/npm
tarball=$(cd "$out" && npm pack --silent --pack-destination ../target/npm)
echo "installable tarball: target/npm/$tarball"
