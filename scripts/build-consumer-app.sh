#!/usr/bin/env bash
# build-consumer-app.sh [TOOLCHAIN...]
# Installs the toolchains and the tarball `make pkg` packed (install-consumer.sh),
# copies the consumer app, the examples and the consumer tests into
# target/consumer, and builds the app with each toolchain (tests/consumer/build.mjs)
# into target/consumer/www, which the sandbox serves during the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

scripts/install-consumer.sh
dir=target/consumer
rm -rf "$dir/app" "$dir/examples" "$dir/suite"
mkdir -p "$dir/examples" "$dir/suite" "$dir/www"
cp -r tests/consumer/app "$dir/app"
cp tests/consumer/build.mjs "$dir/build.mjs"
cp tests/consumer/consumer.test.mjs tests/consumer/fresh-app.test.mjs tests/consumer/support.mjs "$dir/suite/"
cp -r tests/consumer/vitest "$dir/suite/vitest"
for example in $(ls -d examples/*/ 2>/dev/null); do
  name=$(basename "$example")
  mkdir -p "$dir/examples/$name"
  # The example's sources; its dependencies come from the toolchains' node_modules.
  (cd "$example" && tar cf - --exclude=node_modules --exclude=dist --exclude=package-lock.json .) | (cd "$dir/examples/$name" && tar xf -)
done
step "building the consumer app with each toolchain"
node "$dir/build.mjs" "$@"
