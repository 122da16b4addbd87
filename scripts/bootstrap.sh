#!/usr/bin/env bash
# Installs what the build and the tests need, only what is missing. Safe to
# run again: each step checks first. Nothing here downloads a browser or a
# prebuilt binary: Chromium and Firefox ESR come from Debian; wasm-bindgen,
# wasm-pack and geckodriver are built by cargo from crates.io.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

# Pinned test tools, built from crates.io.
WASM_PACK_VERSION=0.15.1
GECKODRIVER_VERSION=0.37.1

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    as_root apt-get update -qq -o DPkg::Lock::Timeout=600 || die "apt-get update failed"
    apt_updated=1
  fi
  # Wait for a dpkg lock held by another install instead of failing at once.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    -o DPkg::Lock::Timeout=600 "$@" >/dev/null ||
    die "apt-get install $* failed"
}

need cargo "install Rust with rustup"
need go "install Go 1.25 or newer"
need node "install Node.js 20 or newer"
need npm "install npm"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown ||
    die "the wasm32-unknown-unknown target could not be installed"
fi

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$want" ] || die "no wasm-bindgen version in Cargo.lock"
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  step "cargo install wasm-bindgen-cli $want (a few minutes)"
  # --locked first; if a locked dependency is no longer served, let cargo resolve.
  cargo install wasm-bindgen-cli --version "$want" --locked ||
    cargo install wasm-bindgen-cli --version "$want" ||
    die "wasm-bindgen-cli $want could not be installed"
fi

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  step "apt-get install chromium chromium-driver"
  apt_install chromium chromium-driver
fi

if ! command -v firefox-esr >/dev/null 2>&1; then
  step "apt-get install firefox-esr"
  apt_install firefox-esr
fi

# cargo_tool NAME VERSION: `cargo install NAME --version VERSION` unless
# `NAME --version` already reports VERSION.
cargo_tool() {
  local name=$1 version=$2 have
  have=$("$name" --version 2>/dev/null | head -n 1 | awk '{ print $2 }' || true)
  [ "$have" = "$version" ] && return 0
  step "cargo install $name $version (a few minutes)"
  cargo install "$name" --version "$version" --locked ||
    cargo install "$name" --version "$version" ||
    die "$name $version could not be installed"
}

# wasm-pack runs the browser suites (`wasm-pack test`); it finds the
# wasm-bindgen above on PATH and never downloads one (--mode no-install).
cargo_tool wasm-pack "$WASM_PACK_VERSION"
# geckodriver drives Debian's Firefox ESR for the browser suites.
cargo_tool geckodriver "$GECKODRIVER_VERSION"

# npm ci when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund || die "npm ci failed"
fi

# wasm-opt comes from the npm binaryen package; check it knows every feature rustc emits.
wasm_opt_help=$(node_modules/.bin/wasm-opt --help)
for feature in $WASM_FEATURES; do
  grep -q -- "$feature" <<<"$wasm_opt_help" || die "wasm-opt does not support $feature"
done

# python-socketio 4.6.1 (the platform's own widget example client) in a venv.
scripts/bootstrap-python.sh || die "the Python test client could not be installed"

step "go mod download (sandbox)"
(cd sandbox && go mod download) || die "go mod download failed"

printf 'bootstrap: ok (wasm-bindgen %s, wasm-pack %s, %s, %s, %s, geckodriver %s)\n' \
  "$want" "$WASM_PACK_VERSION" "$(node_modules/.bin/wasm-opt --version)" \
  "$(chromium --version 2>/dev/null)" "$(firefox-esr --version 2>/dev/null)" "$GECKODRIVER_VERSION"
