# Shared helpers for the scripts in this folder. Source it; do not run it.

# wasm features rustc 1.95 emits by default for wasm32-unknown-unknown.
WASM_FEATURES="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue"

step() { printf '\n== %s\n' "$*"; }

die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# need CMD HINT: fail with a clear message when CMD is missing.
need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 not found ($2)"
}

gz_size() { gzip -9 -c "$1" | wc -c | tr -d ' '; }
raw_size() { wc -c < "$1" | tr -d ' '; }

# size_report DIR: wasm and JS glue sizes of a built package. The glue is
# slim.js: every entry is one bundled module, and slim.js is the glue without
# the inlined wasm (index.js is the same glue plus the wasm as base64).
size_report() {
  local dir=$1 wasm="$1/twin_panel_bg.wasm" js="$1/slim.js"
  printf '\n%-10s %10s %10s\n' "" "raw" "gzip -9"
  printf '%-10s %10s %10s\n' "wasm" "$(raw_size "$wasm")" "$(gz_size "$wasm")"
  printf '%-10s %10s %10s\n' "js glue" "$(raw_size "$js")" "$(gz_size "$js")"
  printf '%-10s %10s %10s\n' "total" "$(($(raw_size "$wasm") + $(raw_size "$js")))" "$(($(gz_size "$wasm") + $(gz_size "$js")))"
}
