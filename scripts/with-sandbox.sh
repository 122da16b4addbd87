#!/usr/bin/env bash
# with-sandbox.sh [SANDBOX FLAGS --] CMD ARGS...
# Builds and starts the sandbox on a free loopback port, exports
# TWIN_SANDBOX_URL, runs CMD, then stops the sandbox. Fails loudly when the
# sandbox does not come up.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

flags=()
if [[ " $* " == *" -- "* ]]; then
  while [ "$1" != "--" ]; do flags+=("$1"); shift; done
  shift
fi

# SANDBOX_BIN runs a prebuilt sandbox instead of building the one in sandbox/.
bin=${SANDBOX_BIN:-target/sandbox/twin-sandbox}
if [ -z "${SANDBOX_BIN:-}" ]; then
  (cd sandbox && go build -o "../$bin" ./cmd/twin-sandbox) || die "the sandbox does not build"
fi

dir=$(mktemp -d)
log="$dir/sandbox.log"
"$bin" -addr 127.0.0.1:0 -port-file "$dir/port" -www www-demo -pkg pkg "${flags[@]}" >"$log" 2>&1 &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

for _ in $(seq 1 150); do
  [ -s "$dir/port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "the sandbox exited during start-up"; }
  sleep 0.1
done
[ -s "$dir/port" ] || { cat "$log" >&2; die "the sandbox did not start within 15 s"; }
url="http://127.0.0.1:$(cat "$dir/port")"
curl -fsS "$url/__sandbox/stats" >/dev/null || { cat "$log" >&2; die "the sandbox does not answer at $url"; }

export TWIN_SANDBOX_URL="$url"
echo "sandbox at $url"
status=0
"$@" || status=$?
if [ "$status" != 0 ]; then
  echo "--- sandbox log (last 40 lines) ---" >&2
  tail -n 40 "$log" >&2
fi
exit "$status"
