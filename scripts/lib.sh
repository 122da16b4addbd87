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

# size_report DIR: wasm and JS glue sizes of a built package.
size_report() {
  local dir=$1 wasm="$1/twin_panel_bg.wasm" js="$1/twin_panel.js"
  local glue_raw glue_gz
  glue_raw=$(cat "$js" "$dir"/snippets/*/js/glue.js "$dir/index.js" | wc -c | tr -d ' ')
  glue_gz=$(cat "$js" "$dir"/snippets/*/js/glue.js "$dir/index.js" | gzip -9 | wc -c | tr -d ' ')
  printf '\n%-10s %10s %10s\n' "" "raw" "gzip -9"
  printf '%-10s %10s %10s\n' "wasm" "$(raw_size "$wasm")" "$(gz_size "$wasm")"
  printf '%-10s %10s %10s\n' "js glue" "$glue_raw" "$glue_gz"
  printf '%-10s %10s %10s\n' "total" "$(($(raw_size "$wasm") + glue_raw))" "$(($(gz_size "$wasm") + glue_gz))"
}
