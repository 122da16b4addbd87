#!/usr/bin/env bash
# The wasm-bindgen-test suites (tests/browser_*.rs) through `wasm-pack test`,
# headless, in Chromium (Debian's chromedriver) and then in Firefox ESR
# (geckodriver from crates.io), against a sandbox. The browser binaries and
# their options are in webdriver.json. `--mode no-install` keeps wasm-pack
# from downloading anything: it uses the wasm-bindgen on PATH, which must
# match Cargo.lock.
#
# Without TWIN_SANDBOX_URL it starts its own sandbox with the fast ping the
# fault suite needs (ping every 2 s, pong timeout 1 s). With the sandbox's
# default 25 s ping, the silent-server test cannot see a missing ping within
# its 8 s and fails in every browser.
#
# BROWSERS="--chrome" (or "--firefox") runs one browser only.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
if [ -z "${TWIN_SANDBOX_URL:-}" ]; then
  exec scripts/with-sandbox.sh -ping-interval 2s -pong-timeout 1s -- scripts/test-browser.sh
fi
need wasm-pack "run scripts/bootstrap.sh"
need wasm-bindgen-test-runner "run scripts/bootstrap.sh"

export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-300}
read -r -a browsers <<<"${BROWSERS:---chrome --firefox}"
drivers=()
for browser in "${browsers[@]}"; do
  case $browser in
    --chrome) drivers+=(--chromedriver /usr/bin/chromedriver) ;;
    --firefox)
      need geckodriver "run scripts/bootstrap.sh"
      drivers+=(--geckodriver "$(command -v geckodriver)")
      ;;
    *) die "BROWSERS takes --chrome and --firefox, not $browser" ;;
  esac
done

started=$SECONDS
wasm-pack --log-level error test --mode no-install --headless "${browsers[@]}" "${drivers[@]}" \
  . --test "${BROWSER_TESTS:-browser_*}"
echo "browser suites (${browsers[*]}): $((SECONDS - started)) s"
