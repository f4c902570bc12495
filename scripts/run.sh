#!/usr/bin/env bash
# The main job on an embedded default: build the CLI and validate the
# project's example earnings payment record, then a broken copy of it.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p tulorekisteri-cli
echo "== tests/fixtures/wage-report.xml"
./target/release/tulorekisteri validate tests/fixtures/wage-report.xml && echo "valid"
echo "== tests/fixtures/wage-report-broken.xml (every problem, with line, column and path)"
./target/release/tulorekisteri validate tests/fixtures/wage-report-broken.xml || echo "exit status $? (1: a file has problems)"
