#!/usr/bin/env bash
# Installs the tarball `make pkg` packed into a scratch app and bundles the
# app with esbuild into target/consumer-app/dist, as a CRM developer would.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
tarball=twin-panel-$version.tgz
[ -f "target/npm/$tarball" ] || die "target/npm/$tarball is missing (run make pkg)"

app=target/consumer-app
rm -rf "$app"
mkdir -p "$app/dist"
step "installing $tarball into a scratch app"
cp tests/consumer/app/app.js tests/consumer/app/index.html tests/consumer/app/inbox.js tests/consumer/app/inbox.html "$app/"
printf '{ "name": "consumer-app", "private": true, "type": "module" }\n' > "$app/package.json"
(cd "$app" && npm install --no-audit --no-fund --silent "../npm/$tarball")
step "esbuild bundle"
node_modules/.bin/esbuild "$app/app.js" --bundle --format=esm --target=es2022 \
  --outfile="$app/dist/app.js" --log-level=warning
# The inbox page: React (from this repository's devDependencies) around panel.inbox.
node_modules/.bin/esbuild "$app/inbox.js" --bundle --format=esm --target=es2022 \
  --define:process.env.NODE_ENV='"production"' \
  --outfile="$app/dist/inbox.js" --log-level=warning
cp "$app/index.html" "$app/inbox.html" "$app/dist/"
# esbuild does not copy assets referenced at run time: ship the .wasm beside the bundle.
cp "$app/node_modules/twin-panel/twin_panel_bg.wasm" "$app/dist/"
echo "consumer app: $app/dist ($(wc -c < "$app/dist/app.js") B of JS)"
