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

# CASE: the captures (relative to SAMPLES) and what each shows.
CASES=(
    "demo demo/source.pcap.gz" # a silent drop, a refusal by a router, echo, untested ports
    "demo-two demo/source.pcap.gz demo/target.pcap.gz" # never arrived; answers lost coming back
    "rpc rpc/dynamic-dropped/source.pcap"              # a dynamic RPC port: the range advice
    "smb-two smb-blocked/source.pcap smb-blocked/target.pcap" # ranges, both directions
    "ipv6-reject ipv6-reject/source.pcap"              # IPv6, a router refusing
)

for c in "${CASES[@]}"; do
    read -r -a words <<<"$c"
    name=${words[0]}
    files=()
    for f in "${words[@]:1}"; do files+=("$SAMPLES/$f"); done
    for fmt in nftables iptables windows; do
        "$FW" analyze --rules "$fmt" "${files[@]}" >"$WORK/out" 2>"$WORK/err"
        rc=$?
        [ "$rc" = 0 ] || [ "$rc" = 1 ] || { fail "$name $fmt: exit $rc: $(cat "$WORK/err")"; continue; }
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
