#!/usr/bin/env bash
# Seeds the fuzz corpus with the project's fixtures and the official samples.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/validate
cp ../tests/fixtures/*.xml corpus/validate/
cp ../../shared/reference/ir/samples/*.xml corpus/validate/ 2>/dev/null || true
