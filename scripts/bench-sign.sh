#!/usr/bin/env bash
# Signing benchmark: `tulorekisteri sign` against `xmlsec1 --sign` with an
# equivalent template (the same profile: enveloped + exc-c14n transforms,
# exc-c14n, RSA-SHA256, SHA-256, the certificate in KeyInfo) on the
# 3,000-report earnings payment record, RUNS times each, alternating, in the
# same run. CPU is user + system time (median), memory is peak RSS. A test
# key and certificate are made with openssl in bench-data/.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}

need=()
command -v xmlsec1 >/dev/null || need+=(xmlsec1)
command -v openssl >/dev/null || need+=(openssl)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
cargo build --release --quiet -p tulorekisteri-cli
mkdir -p bench-data
f=bench-data/wage-3000.xml
[ -s "$f" ] || cargo xtask big-record 3000 "$f"
[ -s bench-data/sign-key.pem ] || openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=bench" \
    -keyout bench-data/sign-key.pem -out bench-data/sign-cert.pem 2>/dev/null

# The template: the record with an empty Signature before the root's end tag.
template=bench-data/wage-3000-template.xml
sig='<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><Reference URI=""><Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></Transforms><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue/></Reference></SignedInfo><SignatureValue/><KeyInfo><X509Data><X509Certificate/></X509Data></KeyInfo></Signature>'
root_end=$(grep -n '</wrtir:WageReportsRequestToIR>' "$f" | tail -1 | cut -d: -f1)
{ head -n $((root_end - 1)) "$f"; printf '%s\n' "$sig"; tail -n +"$root_end" "$f"; } > "$template"

measure() {
    /usr/bin/time -f "%U %S %M" -o /tmp/bench-sign.time "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
    tail -n 1 /tmp/bench-sign.time | awk '{ printf "%.3f %d\n", $1 + $2, $3 }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

ours=(); theirs=()
for _ in $(seq "$RUNS"); do
    ours+=("$(measure ./target/release/tulorekisteri sign --key bench-data/sign-key.pem --cert bench-data/sign-cert.pem "$f" -o bench-data/signed-ours.xml)")
    theirs+=("$(measure xmlsec1 --sign --privkey-pem bench-data/sign-key.pem,bench-data/sign-cert.pem --output bench-data/signed-xmlsec1.xml "$template")")
done
# Each verifies with the other's tool.
xmlsec1 --verify --trusted-pem bench-data/sign-cert.pem bench-data/signed-ours.xml >/dev/null 2>&1 \
    || { echo "xmlsec1 does not verify our signature" >&2; exit 1; }
./target/release/tulorekisteri verify --trust bench-data/sign-cert.pem bench-data/signed-xmlsec1.xml >/dev/null \
    || { echo "we do not verify xmlsec1's signature" >&2; exit 1; }
o_cpu=$(printf '%s\n' "${ours[@]}" | cut -d' ' -f1 | median)
o_mem=$(printf '%s\n' "${ours[@]}" | cut -d' ' -f2 | sort -n | tail -1)
t_cpu=$(printf '%s\n' "${theirs[@]}" | cut -d' ' -f1 | median)
t_mem=$(printf '%s\n' "${theirs[@]}" | cut -d' ' -f2 | sort -n | tail -1)
ratio=$(awk -v a="$t_cpu" -v b="$o_cpu" 'BEGIN { printf "%.1fx", a / (b > 0 ? b : 0.001) }')
echo "| signing 3000 reports ($(du -m "$f" | cut -f1) MB) | CPU (median of $RUNS) | peak memory |"
echo "| --- | --- | --- |"
echo "| tulorekisteri sign | ${o_cpu} s | $((o_mem / 1024)) MiB |"
echo "| xmlsec1 --sign | ${t_cpu} s | $((t_mem / 1024)) MiB |"
echo "| ratio | $ratio | |"
