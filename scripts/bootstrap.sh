#!/usr/bin/env bash
# Installs what the build and the tests need, only what is missing. Safe to
# run again: each step checks first. Nothing here downloads a browser or a
# prebuilt binary: Chromium comes from Debian, wasm-bindgen is built by cargo.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    as_root apt-get update -qq || die "apt-get update failed"
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null ||
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

printf 'bootstrap: ok (wasm-bindgen %s, %s, %s)\n' "$want" "$(node_modules/.bin/wasm-opt --version)" "$(chromium --version 2>/dev/null)"
