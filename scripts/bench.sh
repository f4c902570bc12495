#!/usr/bin/env bash
# Benchmark: `tulorekisteri validate --schema-only` against
# `xmllint --noout --stream --schema WageReportsToIR.xsd` on earnings payment
# records of 30,000 and 3,000 reports built from the official samples.
# Both run RUNS times, alternating, in the same run of this script; the table
# shows the median CPU time (user + system), peak memory and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
SCHEMA=../shared/reference/ir/schema/WageReportsToIR.xsd

need=()
command -v xmllint >/dev/null || need+=(libxml2-utils)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && $sudo apt-get install -y -qq "${need[@]}"
fi
cargo build --release --quiet -p tulorekisteri-cli
mkdir -p bench-data
for n in 30000 3000; do
    [ -s "bench-data/wage-$n.xml" ] || cargo xtask big-record "$n" "bench-data/wage-$n.xml"
done

# Prints "cpu_seconds max_rss_kib" for one run of the command.
measure() {
    /usr/bin/time -f "%U %S %M" -o /tmp/bench.time "$@" >/dev/null 2>&1 || true
    # The last line: GNU time puts "Command exited with non-zero status" first.
    tail -n 1 /tmp/bench.time | awk '{ printf "%.3f %d\n", $1 + $2, $3 }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "| record | size | tulorekisteri CPU | peak memory | xmllint --stream CPU | peak memory | CPU ratio |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for n in 30000 3000; do
    f="bench-data/wage-$n.xml"
    ./target/release/tulorekisteri validate --schema-only "$f" >/dev/null || { echo "$f is not valid" >&2; exit 1; }
    ours=(); theirs=()
    for _ in $(seq "$RUNS"); do
        ours+=("$(measure ./target/release/tulorekisteri validate --schema-only "$f")")
        theirs+=("$(measure xmllint --noout --stream --schema "$SCHEMA" "$f")")
    done
    o_cpu=$(printf '%s\n' "${ours[@]}" | cut -d' ' -f1 | median)
    o_mem=$(printf '%s\n' "${ours[@]}" | cut -d' ' -f2 | sort -n | tail -1)
    t_cpu=$(printf '%s\n' "${theirs[@]}" | cut -d' ' -f1 | median)
    t_mem=$(printf '%s\n' "${theirs[@]}" | cut -d' ' -f2 | sort -n | tail -1)
    size=$(du -m "$f" | cut -f1)
    ratio=$(awk -v a="$t_cpu" -v b="$o_cpu" 'BEGIN { printf "%.1fx", a / (b > 0 ? b : 0.001) }')
    echo "| $n reports | $size MB | ${o_cpu} s | $((o_mem / 1024)) MiB | ${t_cpu} s | $((t_mem / 1024)) MiB | $ratio |"
done

# The Register's rules on top of the schema (issue 4: at most +50%). The
# records repeat the official samples with valid identifiers in place of
# their placeholders, so, like a real record, they pass the rules.
# The 3,000-report record takes about 30 ms, near the 10 ms resolution of
# /usr/bin/time, so each measurement validates it ten times in a row.
validate_times() {
    local times=$1; shift
    for _ in $(seq "$times"); do ./target/release/tulorekisteri validate "$@" >/dev/null || true; done
}
echo
echo "| record | validations per measurement | --schema-only CPU | schema + rules CPU | rules add |"
echo "| --- | --- | --- | --- | --- |"
for n in 30000 3000; do
    f="bench-data/wage-$n.xml"
    times=1; [ "$n" = 3000 ] && times=10
    schema=(); rules=()
    for _ in $(seq "$RUNS"); do
        schema+=("$(measure bash -c "$(declare -f validate_times); validate_times $times --schema-only $f")")
        rules+=("$(measure bash -c "$(declare -f validate_times); validate_times $times --today 2020-12-31 $f")")
    done
    s_cpu=$(printf '%s\n' "${schema[@]}" | cut -d' ' -f1 | median)
    r_cpu=$(printf '%s\n' "${rules[@]}" | cut -d' ' -f1 | median)
    added=$(awk -v a="$r_cpu" -v b="$s_cpu" 'BEGIN { printf "%+.0f%%", 100 * (a - b) / (b > 0 ? b : 0.001) }')
    echo "| $n reports | $times | ${s_cpu} s | ${r_cpu} s | $added |"
done
