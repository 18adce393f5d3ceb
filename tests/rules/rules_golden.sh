#!/usr/bin/env bash
# tests/rules/rules_golden.sh: `fwsight analyze --rules FORMAT` on the lab's samples, for each
# format (nftables, iptables, windows), against the expected outputs in tests/rules/expected/
# (CASE.FORMAT); and the option's usage errors. --regen rewrites the expected files (read the
# diff). The nftables output is loaded into a real nftables by rules_nft_lab.sh.
#
#   rules_golden.sh FWSIGHT SAMPLES_DIR [--regen]
#
# Exit 0 pass, 1 fail. Under a second.
set -u -o pipefail

FW=${1:?usage: rules_golden.sh FWSIGHT SAMPLES_DIR [--regen]}
SAMPLES=${2:?usage: rules_golden.sh FWSIGHT SAMPLES_DIR [--regen]}
REGEN=${3:-}
EXPECTED=$(dirname "${BASH_SOURCE[0]}")/expected
WORK=$(mktemp -d /tmp/fwsight-rules-golden.XXXXXX) || exit 1
trap 'rm -rf "$WORK"' EXIT
FAILS=0
log() { printf 'rules_golden: %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }

# A capture of its own: unanswered SYNs to 20 ports 7000-7038 (every other one) and 7100-7102,
# each sent twice, then a last packet 10 s later (their answers were due): more ports than one
# iptables multiport match takes (15, a range counting two).
python3 - "$WORK/multiport.pcap" <<'PY' || exit 1
import struct, sys
def csum(b):
    b += b"\0" * (len(b) % 2)
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
src, dst = bytes([198, 51, 100, 10]), bytes([203, 0, 113, 20])
recs = []
for i, port in enumerate(list(range(7000, 7040, 2)) + [7100, 7101, 7102]):
    tcp = struct.pack("!HHIIBBHHH", 40000 + i, port, 1000 + i, 0, 5 << 4, 0x02, 64240, 0, 0)
    tcp = tcp[:16] + struct.pack("!H", csum(src + dst + struct.pack("!BBH", 0, 6, 20) + tcp)) \
        + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, i, 0, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    for again in range(2):
        eth = b"\2" * 6 + b"\4" * 6 + b"\10\0"
        recs.append((1000000 + i * 100000 + again * 1000000, eth + ip + tcp))
recs.sort()
recs.append((recs[-1][0] + 10000000, recs[-1][1]))
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for us, p in recs:
        f.write(struct.pack("<IIII", us // 1000000, us % 1000000, len(p), len(p)) + p)
PY

# CASE: the captures (relative to SAMPLES, or WORK) and what each shows.
CASES=(
    "demo demo/source.pcap.gz" # a silent drop, a refusal by a router, echo, untested ports
    "demo-two demo/source.pcap.gz demo/target.pcap.gz" # never arrived; answers lost coming back
    "rpc rpc/dynamic-dropped/source.pcap"              # a dynamic RPC port: the range advice
    "smb-two smb-blocked/source.pcap smb-blocked/target.pcap" # ranges, both directions
    "ipv6-reject ipv6-reject/source.pcap"              # IPv6, a router refusing
    "multiport --ports=tcp:7000-7200 @multiport.pcap"  # lists split for iptables
)

for c in "${CASES[@]}"; do
    read -r -a words <<<"$c"
    name=${words[0]}
    files=()
    for f in "${words[@]:1}"; do
        case $f in
        -*) files+=("$f") ;;
        @*) files+=("$WORK/${f#@}") ;;
        *) files+=("$SAMPLES/$f") ;;
        esac
    done
    for fmt in nftables iptables windows; do
        "$FW" analyze --rules "$fmt" "${files[@]}" >"$WORK/out" 2>"$WORK/err"
        rc=$?
        if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
            fail "$name $fmt: exit $rc: $(cat "$WORK/err")"
            continue
        fi
        [ -s "$WORK/err" ] && fail "$name $fmt: stderr: $(cat "$WORK/err")"
        if [ "$REGEN" = --regen ]; then
            cp "$WORK/out" "$EXPECTED/$name.$fmt"
        elif ! diff -u "$EXPECTED/$name.$fmt" "$WORK/out" >"$WORK/diff"; then
            fail "$name $fmt differs from $EXPECTED/$name.$fmt:"
            cat "$WORK/diff" >&2
        fi
    done
done

# usage: an unknown format, and --rules with another output
usage() {
    "$FW" analyze "$@" "$SAMPLES/demo/source.pcap.gz" >"$WORK/out" 2>"$WORK/err"
    local rc=$?
    [ "$rc" = 2 ] && grep -q -- "$1" "$WORK/err" && [ ! -s "$WORK/out" ] ||
        fail "fwsight analyze $*: exit $rc, stderr '$(cat "$WORK/err")'"
}
usage --rules pf
usage --rules nftables --json
"$FW" analyze --help >"$WORK/help"
grep -q -- "--rules FORMAT" "$WORK/help" || fail "--rules is not in the help"

[ "$FAILS" = 0 ] && { log "all passed"; exit 0; }
log "$FAILS failure(s)"
exit 1
