#!/usr/bin/env bash
# Installs what the tests need on a fresh machine (skipping what is already
# there), then runs formatting, lints, every test and the wasm build.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}
command -v xmllint >/dev/null || apt_install libxml2-utils
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed | grep -q '^clippy' || rustup component add clippy
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

cargo fmt --all --check
cargo clippy --workspace --all-targets --release --quiet -- -D warnings
cargo test --workspace --release
cargo build --lib --release --quiet --target wasm32-unknown-unknown
echo "wasm32 build: ok"
