#!/usr/bin/env bash
# Benchmark of the submission service, end to end: N earnings payment
# reports (default 100,000; the project's example report with distinct
# ReportIds) posted to `tulorekisteri-shim serve` in batches of 1,000, until
# the simulator has stored every one (processing time 0, polling every
# 0.2 s), both processes on this machine, SQLite ledger. Prints reports per
# second from the first POST to the last report `stored`, the service's CPU
# time and peak memory, and the simulator's CPU time. CHANNEL=sftp sends
# the records over the simulator's SFTP server instead of the Web Service.
#   [CHANNEL=sftp] bash scripts/bench-shim.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
BATCH=1000
CHANNEL=${CHANNEL:-ws}
case $CHANNEL in ws|sftp) ;; *) echo "bench-shim.sh: CHANNEL must be ws or sftp" >&2; exit 2 ;; esac
command -v curl >/dev/null || { echo "bench-shim.sh: needs curl" >&2; exit 2; }
cargo build --release --quiet -p tulorekisteri-shim -p tulorekisteri-cli
BIN=$PWD/target/release/tulorekisteri-shim
WORK=$(mktemp -d /tmp/bench-shim.XXXXXX)
cleanup() { kill "$SIM" "$SHIM" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

"$BIN" simulator init "$WORK/sim" --listen 127.0.0.1:0 --api-listen 127.0.0.1:0 >/dev/null
sed -i -e 's/^first_after_seconds = .*/first_after_seconds = 0.2/' -e 's/^every_seconds = .*/every_seconds = 0.2/' \
    -e 's/^read_seconds = .*/read_seconds = 60/' -e 's/^lease_seconds = .*//' "$WORK/sim/shim.toml"
printf 'lease_seconds = 120\n' >>"$WORK/sim/shim.toml"

# The simulator on a free port; shim.toml pointed at it.
"$BIN" simulator serve "$WORK/sim" --listen 127.0.0.1:0 --sftp-listen 127.0.0.1:0 >"$WORK/sim.out" 2>"$WORK/sim.log" &
SIM=$!
until grep -q "sftp listening" "$WORK/sim.out" 2>/dev/null; do
    kill -0 "$SIM" 2>/dev/null || { echo "the simulator did not start: $(tail -3 "$WORK/sim.log")" >&2; exit 1; }
    sleep 0.1
done
SIM_ADDR=$(sed -n 's#^listening on https://\([^/]*\)/.*#\1#p' "$WORK/sim.out")
SFTP_ADDR=$(sed -n 's#^sftp listening on \(.*\)#\1#p' "$WORK/sim.out")
sed -i -e "s#https://127.0.0.1:0/#https://$SIM_ADDR/#" \
    -e "s#^address = .*#address = \"$SFTP_ADDR\"#" "$WORK/sim/shim.toml"
[ "$CHANNEL" = ws ] || sed -i 's/^\[service\]$/[service]\nchannel = "sftp"/' "$WORK/sim/shim.toml"
"$BIN" serve --config "$WORK/sim/shim.toml" --listen 127.0.0.1:0 >"$WORK/shim.out" 2>"$WORK/shim.log" &
SHIM=$!
until grep -q listening "$WORK/shim.out" 2>/dev/null; do
    kill -0 "$SHIM" 2>/dev/null || { echo "the service did not start: $(tail -3 "$WORK/shim.log")" >&2; exit 1; }
    sleep 0.1
done
API=$(sed -n 's#listening on \(http://.*\)#\1#p' "$WORK/shim.out")
TOKEN=$(cat "$WORK/sim/api-token")

# The batches, made before the clock starts.
./target/release/tulorekisteri parse tests/fixtures/wage-report.xml >"$WORK/record.json"
python3 - "$WORK" "$N" "$BATCH" <<'EOF'
import json, sys
work, n, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = json.load(open(f"{work}/record.json"))["WageReportsRequestToIR"]["DeliveryData"]
report = data["Reports"]["Report"][0]
for b in range((n + batch - 1) // batch):
    items = []
    for i in range(b * batch, min(n, (b + 1) * batch)):
        r = json.loads(json.dumps(report))
        r["ReportData"]["ReportId"] = f"bench-{i}"
        items.append({"kind": "earnings", "payer": data["Payer"], "paymentPeriod": data["PaymentPeriod"],
                      "contactPersons": data["ContactPersons"], "report": r})
    json.dump({"reports": items}, open(f"{work}/batch-{b}.json", "w"))
EOF

stored() {
    curl -s -H "Authorization: Bearer $TOKEN" "$API/metrics" |
        awk -F' ' '/^tulorekisteri_shim_reports\{.*state="stored"/ { s += $2 } END { print s + 0 }'
}
cpu() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat"; }

start=$(date +%s.%N)
for f in "$WORK"/batch-*.json; do
    code=$(curl -s -o "$WORK/answer.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/json' --data-binary @"$f" "$API/v1/reports")
    [ "$code" = 202 ] || { echo "POST $f: $code $(head -c 300 "$WORK/answer.json")" >&2; exit 1; }
done
posted=$(date +%s.%N)
until [ "$(stored)" -ge "$N" ]; do
    kill -0 "$SHIM" || { echo "the service died: $(tail -3 "$WORK/shim.log")" >&2; exit 1; }
    sleep 0.1
done
end=$(date +%s.%N)
shim_cpu=$(cpu "$SHIM")
sim_cpu=$(cpu "$SIM")
peak=$(awk '/VmHWM/ { print $2 }' "/proc/$SHIM/status")
records=$(grep -cE "SendWageReports|: taken in" "$WORK/sim.log" || true)
awk -v n="$N" -v s="$start" -v p="$posted" -v e="$end" -v c="$shim_cpu" -v m="$peak" -v sc="$sim_cpu" -v r="$records" 'BEGIN {
    printf "| reports | records | posted in | all stored after | reports/s end to end | service CPU | service peak memory | simulator CPU |\n"
    printf "| --- | --- | --- | --- | --- | --- | --- | --- |\n"
    printf "| %d | %d | %.1f s | %.1f s | %.0f | %.1f s | %.0f MiB | %.1f s |\n", n, r, p - s, e - s, n / (e - s), c, m / 1024, sc
}'
