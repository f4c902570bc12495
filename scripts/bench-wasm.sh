#!/usr/bin/env bash
# The npm package's size and speed: the gzipped .wasm of pkg/ against
# xmllint-wasm's, and validating the 3,000-report earnings payment record in
# Node against xmllint-wasm (npm, with the official XSDs), both start-ups
# included, in the same run (npm/consumer/bench/run.mjs; RUNS=7 by default).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/wasm.sh
[ -s bench-data/wage-3000.xml ] || { mkdir -p bench-data; cargo xtask big-record 3000 bench-data/wage-3000.xml; }
(cd npm/consumer && npm ci --no-audit --no-fund --loglevel=error)

ours=$(gzip -9 -c pkg/tulorekisteri_bg.wasm | wc -c)
theirs=$(gzip -9 -c npm/consumer/node_modules/xmllint-wasm/xmllint.wasm | wc -c)
echo "| package | .wasm gzipped (gzip -9) |"
echo "| --- | --- |"
echo "| tulorekisteri $(node -p "require('./pkg/package.json').version") | $((ours / 1024)) KiB ($ours bytes) |"
echo "| xmllint-wasm $(node -p "require('./npm/consumer/node_modules/xmllint-wasm/package.json').version") | $((theirs / 1024)) KiB ($theirs bytes) |"
echo
node npm/consumer/bench/run.mjs "$PWD/bench-data/wage-3000.xml" "$PWD/../shared/reference/ir/schema"
