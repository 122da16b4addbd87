#!/usr/bin/env bash
# `make bench`: size, fuzzing, and throughput / latency / startup / memory of
# twin-panel against centrifuge-js in one headless Chromium, plus the wasm
# crossings per publication. Writes BENCH.md and bench/results.json and prints
# the summary table. Not part of `make test`.
#
# The browser measurements (throughput, latency, startup) run BENCH_RUNS
# times (default 3; the report gives each run and their median); memory is
# measured in the first run only; size, fuzzing, crossings, the inbox and the
# conversation once. With BENCH_RUNS=3, about 15 minutes on 2 shared cores.
#
# Expects a built package (make pkg) and a bootstrapped machine. Bounded: the
# whole run is killed after BENCH_TIMEOUT seconds (default 900 + 600 per run).
#
# Knobs (environment): BENCH_RUNS (3), BENCH_EVENTS (100000), BENCH_ROUNDS (5),
# BENCH_MEMORY_EVENTS (1000000), BENCH_CYCLES (1000), FUZZ_CASES (100000 per
# property, about 5 million inputs in all), BENCH_CROSSINGS_EVENTS (2000),
# BENCH_INBOX_SESSIONS (1000), BENCH_INBOX_EVENTS (10000),
# BENCH_CONVERSATION_MESSAGES (10000), BENCH_CONVERSATION_EVENTS (1000),
# PKG_DIR (pkg), BENCH_CLIENT_QUEUE (the sandbox's per-client queue in bytes,
# 268435456).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

pkg=${PKG_DIR:-pkg}
[ -f "$pkg/twin_panel_bg.wasm" ] || die "$pkg/ is not built (run make pkg)"
[ -d node_modules/centrifuge ] || die "node_modules is missing (run scripts/bootstrap.sh)"
need wasm-bindgen "run scripts/bootstrap.sh"
need chromium "run scripts/bootstrap.sh"
if ! command -v twiggy >/dev/null 2>&1; then
  step "cargo install twiggy --locked"
  cargo install twiggy --locked || die "twiggy could not be installed"
fi

out=target/bench
rm -rf "$out"
mkdir -p "$out"
started=$(date +%s)
runs=${BENCH_RUNS:-3}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a whole number of runs, at least 1"
# Each browser run takes about 4 minutes (5 with memory) here; the rest
# (size, fuzzing, crossings, inbox, conversation) about 7.
budget=${BENCH_TIMEOUT:-$((900 + 600 * runs))}
# Seconds left of the budget, at least 1 (timeout 0 would mean no limit).
remaining() { local left=$((budget - ($(date +%s) - started))); echo $((left > 0 ? left : 1)); }
events=${BENCH_EVENTS:-100000}
memory_events=${BENCH_MEMORY_EVENTS:-1000000}
# History holds more than one whole stream (the memory test streams 20,000 at
# a time), so a consumer the server drops for falling behind recovers
# everything it missed.
history=$((events + 100000))
# The per-client Centrifuge queue (bytes). The library's 1 MiB default makes
# the node drop a page that falls behind a 100k stream (a reconnect in the
# round); 256 MiB holds a whole stream, so rounds measure delivery only.
queue=${BENCH_CLIENT_QUEUE:-268435456}

step "size"
node bench/size.mjs --out "$out/size.json"

step "fuzzing (FUZZ_CASES=${FUZZ_CASES:-100000} per property, release build)"
cargo test --release --test fuzz_codecs --no-run
fuzz_started=$(date +%s)
fuzz_status=passed
FUZZ_CASES=${FUZZ_CASES:-100000} timeout "$(remaining)" \
  cargo test --release --test fuzz_codecs -- --nocapture 2>&1 | tee "$out/fuzz.log" | grep -E 'fuzz |test result' ||
  true
grep -q '^test result: ok' "$out/fuzz.log" || fuzz_status=failed
printf 'fuzz wall time: %s s\nfuzz status: %s\n' "$(($(date +%s) - fuzz_started))" "$fuzz_status" >>"$out/fuzz.log"

cp node_modules/centrifuge/dist/centrifuge.js bench/page/centrifuge.js
trap 'rm -f bench/page/centrifuge.js' EXIT
# One sandbox per run, so no run inherits another's history or connections.
for run in $(seq 1 "$runs"); do
  parts=throughput,replay,inPage,latency,startup
  [ "$run" = 1 ] && parts="$parts,memory"
  step "browser, run $run of $runs: $parts"
  timeout "$(remaining)" scripts/with-sandbox.sh -www bench/page -pkg "$pkg" -history-size "$history" \
    -client-queue-max-size "$queue" -- \
    node bench/run.mjs --out "$out/run-$run.json" --run "$run" --events "$events" --rounds "${BENCH_ROUNDS:-5}" \
    --memory-events "$memory_events" --cycles "${BENCH_CYCLES:-1000}" --parts "$parts"
done

step "browser: wasm crossings per publication"
timeout "$(remaining)" scripts/with-sandbox.sh -www bench/page -pkg "$pkg" -history-size 20000 \
  -client-queue-max-size "$queue" -- \
  node bench/crossings.mjs --out "$out/crossings.json" --events "${BENCH_CROSSINGS_EVENTS:-2000}"

# The inbox and conversation rows put their events in the channel history and
# replay them on reconnect: it holds them all, and never less than 20,000.
history_for() { local n=$(($1 + 10000)); echo $((n > 20000 ? n : 20000)); }

inbox_sessions=${BENCH_INBOX_SESSIONS:-1000}
inbox_events=${BENCH_INBOX_EVENTS:-10000}
step "browser: panel.inbox applying $inbox_events events to $inbox_sessions sessions"
timeout "$(remaining)" scripts/with-sandbox.sh -www bench/page -pkg "$pkg" -history-size "$(history_for "$inbox_events")" \
  -client-queue-max-size "$queue" -- \
  node bench/inbox.mjs --out "$out/inbox.json" --sessions "$inbox_sessions" --events "$inbox_events"

conversation_messages=${BENCH_CONVERSATION_MESSAGES:-10000}
conversation_events=${BENCH_CONVERSATION_EVENTS:-1000}
step "browser: panel.conversation loading $conversation_messages messages, then $conversation_events live events"
timeout "$(remaining)" scripts/with-sandbox.sh -www bench/page -pkg "$pkg" \
  -history-size "$(history_for "$conversation_events")" -client-queue-max-size "$queue" -- \
  node bench/conversation.mjs --out "$out/conversation.json" --messages "$conversation_messages" \
  --events "$conversation_events"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
cat >"$out/machine.json" <<EOF
{
  "nproc": $(nproc),
  "cpu": "${cpu:-unknown}",
  "memory": "$mem",
  "node": "$(node --version)",
  "rustc": "$(rustc --version)",
  "historySize": $history,
  "clientQueueMaxSize": $queue,
  "fuzzCases": ${FUZZ_CASES:-100000},
  "runs": $runs,
  "totalSeconds": $(($(date +%s) - started))
}
EOF
step "report"
node bench/report.mjs "$out"
[ "$fuzz_status" = passed ] || die "fuzzing failed: see $out/fuzz.log"
