#!/usr/bin/env bash
# Installs what the tests need on a fresh machine (skipping what is already
# there), then runs formatting, lints, every test, and the npm package's
# build and tests (scripts/wasm.sh test: wasm-bindgen-test in Node,
# node --test and tsc --noEmit in a consumer project).
set -euo pipefail
cd "$(dirname "$0")/.."

# In CI every check runs (the tests refuse to skip there too): the official
# schemas and samples beside the checkout are part of the tests' input.
if [ -n "${CI:-}" ] && [ ! -d ../shared/reference/ir/schema ]; then
    echo "scripts/test.sh: ../shared/reference/ir (the official schemas and samples) is missing beside the checkout; CI runs every check against it" >&2
    exit 1
fi

apt_install() {
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}
command -v xmllint >/dev/null || apt_install libxml2-utils
command -v xmlsec1 >/dev/null || apt_install xmlsec1
command -v openssl >/dev/null || apt_install openssl
command -v curl >/dev/null || apt_install curl
command -v node >/dev/null || apt_install nodejs npm
# PostgreSQL's programs (not on PATH in Debian) for the shared-ledger tests,
# which start their own server (shim/tests/service_support/postgres.rs).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed | grep -q '^clippy' || rustup component add clippy
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

cargo fmt --all --check
cargo clippy --workspace --all-targets --release --quiet -- -D warnings
cargo test --workspace --release
# The typed records (feature `typed`) take minutes to build with fat LTO:
# their lints and tests run in a debug build.
cargo clippy -p tulorekisteri --all-targets --features typed --quiet -- -D warnings
cargo test -p tulorekisteri --features typed --test typed
cargo test -p tulorekisteri --features typed --doc typed
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet -p tulorekisteri --features typed
cargo clippy --lib --tests --release --quiet --target wasm32-unknown-unknown -- -D warnings
bash scripts/wasm.sh test
# The browser page: Vite build, then Playwright (playwright-core) driving
# Debian's Chromium, installed with apt when missing.
PKG_BUILT=1 bash scripts/www.sh test
