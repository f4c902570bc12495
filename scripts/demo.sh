#!/usr/bin/env bash
# The whole journey on one machine: a simulated Incomes Register, the
# submission service in front of it, and the browser page that sends
# records to the service and shows each report's fate.
#   bash scripts/demo.sh         (then open http://127.0.0.1:8000/)
# The demo's folder is target/demo (DEMO_DIR): certificates, the simulator's
# state, the service's ledger and its API token. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${DEMO_DIR:-target/demo}
page="http://127.0.0.1:${PORT:-8000}"
cargo build --release --quiet -p tulorekisteri-shim
shim=target/release/tulorekisteri-shim
[ -f "$dir/shim.toml" ] || $shim simulator init "$dir" --api-listen 127.0.0.1:8080 >/dev/null
# Let the page call the service from the browser (CORS), at this run's port.
sed -i '/^allowed_origins = /d' "$dir/shim.toml"
sed -i "s|^\[service\]$|[service]\nallowed_origins = [\"$page\"]|" "$dir/shim.toml"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
$shim simulator serve "$dir" & pids+=($!)
$shim serve --config "$dir/shim.toml" & pids+=($!)
# Said once the page is built, so the build's output does not hide it.
export BEFORE_SERVE="cat <<TEXT

  The Register (simulated): https://127.0.0.1:8443    state: $shim simulator state $dir
  The service:              http://127.0.0.1:8080     token: $(cat "$dir/api-token")
  The page:                 $page/
  In the page's Settings, give the service's address and token; then open a record and Send.

TEXT"
bash scripts/www.sh serve
