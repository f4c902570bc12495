#!/usr/bin/env bash
# Builds the npm package in pkg/ with wasm-pack, offline (the wasm-bindgen of
# Cargo.lock's version and wasm-pack are installed with cargo when missing),
# then adds the Node entry. `scripts/wasm.sh test` also runs the package's
# tests: wasm-bindgen-test in Node, `node --test` and `tsc --noEmit` in a
# consumer project (npm/consumer) that installs pkg/ as a dependency.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_PACK_VERSION=0.15.1
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $bindgen_version"; then
    # Not --locked: the locked tree of 0.2.130 names a webpki-roots release
    # the registry no longer serves.
    cargo install wasm-bindgen-cli --version "=$bindgen_version"
fi
if ! wasm-pack --version 2>/dev/null | grep -qx "wasm-pack $WASM_PACK_VERSION"; then
    cargo install wasm-pack --version "=$WASM_PACK_VERSION" --locked
fi
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

wasm-pack build --release --target web --out-dir pkg --mode no-install
cp npm/node.js npm/node.d.ts pkg/
cp npm/README.md pkg/README.md  # the package's own page, over the repository README wasm-pack copied
node npm/code-lists.mjs pkg/code-lists.json
node npm/finish-package.mjs pkg/package.json
echo "pkg/: $(gzip -9 -c pkg/tulorekisteri_bg.wasm | wc -c) bytes of gzipped wasm"

if [ "${1:-}" = test ]; then
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
        cargo test --release --target wasm32-unknown-unknown --test wasm
    cd npm/consumer
    npm ci --no-audit --no-fund --loglevel=error
    node --test
    npx tsc --noEmit -p .
fi
