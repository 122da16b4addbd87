# twin-panel: `make demo` and `make test` are the two commands a newcomer needs.
# Each target installs what is missing first (scripts/bootstrap.sh).

SHELL := /bin/bash
DEMO_PORT ?= 8080
SANDBOX := target/sandbox/twin-sandbox

.PHONY: all bootstrap pkg sandbox sandbox-bin lint test test-native test-go test-browser \
        test-size test-types test-csp test-e2e test-consumer test-consumer-firefox test-node test-conformance \
        test-faults test-tabs bench soak demo clean

all: pkg

bootstrap:
	@scripts/bootstrap.sh

pkg: bootstrap
	@scripts/build-pkg.sh

sandbox-bin:
	@cd sandbox && go build -o ../$(SANDBOX) ./cmd/twin-sandbox

# The sandbox alone, without building the package (Go only): prints the URLs
# and the seeded accounts and chats. The demo pages need a built package:
# PKG=path/to/node_modules/twin-panel serves an installed one instead of pkg/.
PKG ?= pkg
sandbox: sandbox-bin
	@$(SANDBOX) -addr 127.0.0.1:$(DEMO_PORT) -www www-demo -pkg $(PKG) -describe

lint: bootstrap
	cargo fmt --all --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --no-default-features --features panel --lib -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --no-default-features --features widget --lib -- -D warnings
	@out=$$(cd sandbox && gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi
	cd sandbox && go vet ./...

test-native:
	cargo test

test-go:
	cd sandbox && go test -count=1 ./...

# The wasm-bindgen-test suites through `wasm-pack test --headless --chrome
# --firefox`, then the raw `wasm-pack build --target web` output in Chromium.
# (scripts/test-browser.sh starts the sandbox with the fast ping the fault suite needs.)
test-browser: pkg
	@scripts/test-browser.sh
	@scripts/check-wasm-pack-build.sh

# The size budget, per entry, as an importer ships it (gzip): size-limit
# (.size-limit.json) bundles each default entry with esbuild and counts each
# slim entry's glue and .wasm. Going over a limit fails and says by how much.
# Raising a limit is a CHANGELOG line that says why.
test-size: pkg
	npx size-limit

# The installed package's types under TypeScript 5.0 and 7.0, strict, no skipLibCheck.
test-types: pkg
	@scripts/install-consumer.sh
	node --test tests/types/

# The tarball in apps built by Vite 8 and 6 (build and dev server), webpack 5,
# esbuild and Rollup, a worker, the slim entries, the React and Vue examples,
# in Chromium against the sandbox, each with both entries (twin-panel and
# twin-panel/widget); Vitest on Node; npm publish --dry-run; what a fresh
# Vite 8 or webpack 5 app ships with each entry (gzip, against .size-limit.json).
test-consumer: pkg
	@scripts/build-consumer-app.sh
	@scripts/with-sandbox.sh -www target/consumer/www -- \
		node --test --test-concurrency=1 tests/consumer/publish.test.mjs target/consumer/suite/consumer.test.mjs \
			tests/consumer/inbox-react.test.mjs tests/consumer/conversation-react.test.mjs \
			target/consumer/suite/fresh-app.test.mjs

# The package on Node.js (its `node` entry): login, REST, the socket, free(), no stray timer.
test-node: pkg
	@scripts/install-consumer.sh
	@scripts/with-sandbox.sh -- node --test tests/node/

# The esbuild app of test-consumer (its panel and widget pages) in headless
# Firefox ESR, through geckodriver; the build test-consumer made is reused
# when it is newer than the package.
test-consumer-firefox: pkg
	@[ target/consumer/www/esbuild/index.html -nt pkg/package.json ] && [ target/consumer/www/esbuild/widget.html -nt pkg/package.json ] || \
		scripts/build-consumer-app.sh esbuild
	@scripts/with-sandbox.sh -www target/consumer/www -- \
		node --test --test-concurrency=1 tests/consumer-firefox/

# Each entry on pages with a strict Content-Security-Policy: works with
# script-src 'self' 'wasm-unsafe-eval'; without it, a TwinError says what to add.
test-csp: pkg
	@scripts/with-sandbox.sh -www tests/csp/www -- node --test --test-concurrency=1 tests/csp/

# The built package in the demo page (release wasm after wasm-opt).
test-e2e: pkg
	@scripts/with-sandbox.sh -- node --test --test-concurrency=1 tests/e2e/

test-conformance: bootstrap
	@scripts/with-sandbox.sh -ping-interval 2s -pong-timeout 1s -- \
		node --test --test-concurrency=1 tests/conformance/

# Fault suite: the built package in Chromium against the sandbox's fault switches (~50 s).
# A 16 MiB client queue: the suite stores a 2 MiB publication in history, and
# the library's 1 MiB would close every connection that tries to recover it.
test-faults: pkg
	@scripts/with-sandbox.sh -ping-interval 2s -pong-timeout 1s -client-queue-max-size 16777216 -- \
		node --test --test-concurrency=1 tests/faults/ tests/soak/judge.test.mjs

# Several tabs of one browser (#11): 3+ pages in one Chromium context share
# one connection and one token refresh per operator (~3 min). Single-use
# refresh tokens, so a second refresh with the same token would be refused.
test-tabs: pkg
	@scripts/with-sandbox.sh -single-use-refresh -- \
		node --test --test-concurrency=1 tests/tabs/

# Size per entry (before and after), fuzzing (>= 1M inputs), wasm crossings
# per publication (before and after), and throughput, latency, startup and
# memory against centrifuge-js in the same Chromium; writes BENCH.md and
# bench/results.json. The browser measurements run BENCH_RUNS times (3: the
# report gives each run and the median), memory in the first only. Not part
# of make test (~15 min; BENCH_RUNS=1 for one run, ~8 min).
bench: pkg
	@scripts/bench.sh

# A shift under faults (#25): 3 tabs of one operator (per browser) with the
# inbox and a visitor widget each, the sandbox's simulated visitors and a
# numbered stream, faults drawn from a printed seed; checks that nothing is
# lost or doubled, one connection per operator, no forced logout, inboxes equal
# to the sandbox, flat memory. SOAK_MINUTES (default 10), SOAK_SEED (replay),
# SOAK_BROWSERS=chromium,firefox. Writes SOAK.md. Not part of make test.
soak: pkg
	@scripts/soak.sh

# Every test layer, fast to real.
test: lint test-native test-go test-size test-types test-browser test-csp test-e2e test-consumer test-consumer-firefox \
      test-node test-conformance test-faults test-tabs
	@echo "make test: all layers passed"

# Builds the package and serves the demo with the sandbox on DEMO_PORT;
# simulated visitors start sessions and write messages.
demo: pkg sandbox-bin
	@echo "twin-panel demo: open http://127.0.0.1:$(DEMO_PORT)/ (operator@twin.local / operator)"
	@$(SANDBOX) -addr 127.0.0.1:$(DEMO_PORT) -www www-demo -pkg pkg -simulate -describe

clean:
	cargo clean
	rm -rf pkg node_modules
