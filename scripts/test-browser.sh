#!/usr/bin/env bash
# The wasm-bindgen-test suites in headless Chromium (Debian's chromedriver),
# against the sandbox whose address is in TWIN_SANDBOX_URL.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
[ -n "${TWIN_SANDBOX_URL:-}" ] || die "TWIN_SANDBOX_URL is not set (run through scripts/with-sandbox.sh)"
export CHROMEDRIVER=/usr/bin/chromedriver
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-300}
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
cargo test --target wasm32-unknown-unknown --test 'browser_*'
