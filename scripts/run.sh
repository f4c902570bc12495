#!/usr/bin/env bash
# The main job on an embedded default: build the CLI and validate the
# project's example earnings payment record, then a broken copy of it.
# `run.sh www` serves the browser page; `run.sh demo` the whole journey.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
    www) exec bash scripts/www.sh ;;    # the browser page, served on 127.0.0.1:8000
    demo) exec bash scripts/demo.sh ;;  # the page, the service and a simulated Register
    "") ;;
    *) echo "usage: bash scripts/run.sh [www|demo]" >&2; exit 2 ;;
esac
cargo build --release --quiet -p tulorekisteri-cli
echo "== tests/fixtures/wage-report.xml"
./target/release/tulorekisteri validate tests/fixtures/wage-report.xml && echo "valid"
echo "== tests/fixtures/wage-report-broken.xml (every problem, with line, column and path)"
./target/release/tulorekisteri validate tests/fixtures/wage-report-broken.xml || echo "exit status $? (1: a file has problems)"
