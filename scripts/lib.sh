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

# size_report DIR: each entry of a built package: its wasm, its glue (slim.js:
# every entry is one bundled module, and slim.js is the glue without the wasm),
# and index.js, the default entry (the same glue plus the wasm, deflated and
# base64-encoded), which is what an importer of the entry ships.
size_report() {
  local dir=$1 entry wasm js
  printf '\n%-22s %10s %10s\n' "" "raw" "gzip -9"
  for entry in .:twin_panel widget:twin_widget; do
    wasm="$dir/${entry%%:*}/${entry#*:}_bg.wasm" js="$dir/${entry%%:*}/slim.js"
    local label=twin-panel
    [ "${entry%%:*}" = . ] || label="twin-panel/${entry%%:*}"
    printf '%-22s %10s %10s\n' "$label wasm" "$(raw_size "$wasm")" "$(gz_size "$wasm")"
    printf '%-22s %10s %10s\n' "$label glue" "$(raw_size "$js")" "$(gz_size "$js")"
    printf '%-22s %10s %10s   (index.js: the default entry)\n' "$label inline" \
      "$(raw_size "$dir/${entry%%:*}/index.js")" "$(gz_size "$dir/${entry%%:*}/index.js")"
  done
}
