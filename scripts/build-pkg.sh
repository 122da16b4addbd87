#!/usr/bin/env bash
# Builds the npm package into pkg/: one wasm per entry from the one crate
# (cargo features `panel` and `widget`), each through wasm-bindgen (web
# target) and wasm-opt -Oz; then scripts/finish-pkg.mjs makes the entry
# files, types and package.json from pkg-template/.
# Prints each entry's wasm and glue sizes, raw and gzip -9.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

need wasm-bindgen "run scripts/bootstrap.sh"
# wasm-opt from the npm `binaryen` package pinned in package-lock.json: Debian's
# binaryen 108 produces a module whose externref table Chromium rejects.
wasm_opt=node_modules/.bin/wasm-opt
[ -x "$wasm_opt" ] || die "$wasm_opt not found (run scripts/bootstrap.sh)"

# Panic locations name source files: without their machine-specific prefixes
# the wasm is smaller and the same on every machine (size-limit's figures too).
remap="--remap-path-prefix=$PWD=."
for registry in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
  remap="$remap --remap-path-prefix=${registry%/}="
done
export RUSTFLAGS="${RUSTFLAGS:-} $remap"

stage=target/entries
rm -rf "$stage"
mkdir -p "$stage"
# entry (cargo feature) and the name of its wasm-bindgen output
for entry in panel:twin_panel widget:twin_widget; do
  feature=${entry%%:*} name=${entry#*:}
  step "cargo build --release (wasm32, feature $feature)"
  cargo build --release --target wasm32-unknown-unknown --lib --no-default-features --features "$feature"
  cp target/wasm32-unknown-unknown/release/twin_panel.wasm "$stage/$name.wasm"

  step "wasm-bindgen --target web ($name)"
  wasm-bindgen --target web --out-dir "$stage/$feature" --out-name "$name" --remove-producers-section "$stage/$name.wasm"

  step "wasm-opt -Oz ($name)"
  # The features rustc 1.95 enables by default for wasm32-unknown-unknown; wasm-opt
  # must accept them or it rejects the module. --converge repeats -Oz while it
  # still shrinks the module; the target_features section only matters to
  # wasm-bindgen, which has already run. --low-memory-unused lets wasm-opt fold
  # constant offsets into loads and stores: the module is linked stack-first (the
  # stack grows down from 1 MiB, data and heap lie above it), so the lowest 1 KiB
  # is only ever touched by a stack 1023 KiB deep (about 1.2 KB gzip smaller).
  # --one-caller-inline-max-function-size=25: by default -Oz inlines a function
  # of any size into its only caller; the giant functions that makes compress
  # worse (their many locals, their less repetitive bodies). Capped at 25, the
  # module is a little larger raw but 2.6 KB (widget) and 5.6 KB (panel)
  # smaller after gzip; 15 to 40 all come within 0.1 KB of that.
  "$wasm_opt" -Oz --converge --low-memory-unused --one-caller-inline-max-function-size=25 \
    --strip-target-features $WASM_FEATURES \
    "$stage/$feature/${name}_bg.wasm" -o "$stage/$feature/${name}_bg.opt.wasm"
  mv "$stage/$feature/${name}_bg.opt.wasm" "$stage/$feature/${name}_bg.wasm"
done

step "package files"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
out=pkg
rm -rf "$out"
node scripts/finish-pkg.mjs "$stage" "$out" "$version"

size_report "$out"

step "npm pack"
mkdir -p target/npm
tarball=$(cd "$out" && npm pack --silent --pack-destination ../target/npm)
echo "installable tarball: target/npm/$tarball"
