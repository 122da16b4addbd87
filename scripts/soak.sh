#!/usr/bin/env bash
# soak.sh: `make soak` (#25). Starts the sandbox as the soak needs it and runs
# tests/soak/run.mjs, which writes SOAK.md.
#   SOAK_MINUTES  how long the faults go on (default 10)
#   SOAK_SEED     replay the faults of an earlier run (printed by every run)
#   SOAK_BROWSERS chromium (default) or chromium,firefox
# Sandbox: the soak's page (tests/soak/www) beside the package; single-use
# refresh tokens (two tabs refreshing at once would be a forced logout);
# simulated visitors; a ping every 3 s so a silent server is noticed within
# seconds; a 16 MiB client queue so recovering a long gap is not a slow consumer.
set -euo pipefail
cd "$(dirname "$0")/.."
# The judges first, without a browser: a long run is worth only what its checks catch.
node --test --test-reporter=dot tests/soak/judge.test.mjs
exec scripts/with-sandbox.sh -www tests/soak/www -single-use-refresh -simulate \
  -ping-interval 3s -pong-timeout 2s -client-queue-max-size 16777216 -- \
  node tests/soak/run.mjs
