#!/usr/bin/env bash
# tests/live/live_cli.sh FWSIGHT: `fwsight live`'s command line without capturing (no root
# needed): its help, usage errors (exit 2, before any device is opened), and the capture
# filter it builds from the profile.
set -u -o pipefail
FWSIGHT=${1:?usage: $0 PATH/TO/fwsight}
FAILS=0
fail() { echo "live_cli.sh: FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

out=$("$FWSIGHT" help live) || fail "help live: exit $?"
for want in "usage: fwsight live -i IFACE" "always streams text" "--duration S" "-w PATH" \
            "-Z USER" "--full" "-B KIB"; do
    grep -qF -- "$want" <<<"$out" || fail "help live lacks '$want'"
done
"$FWSIGHT" --help | grep -q "live -i IFACE" || fail "fwsight --help does not list live"

"$FWSIGHT" live --duration 1 >/dev/null 2>"${TMPDIR:-/tmp}/live_cli.$$"
rc=$?
[ "$rc" = 2 ] && grep -q "give -i IFACE" "${TMPDIR:-/tmp}/live_cli.$$" ||
    fail "no -i: exit $rc, $(cat "${TMPDIR:-/tmp}/live_cli.$$")"
rm -f "${TMPDIR:-/tmp}/live_cli.$$"
for bad in "--duration 0" "--duration x" "-B 1" "-s 10" "--bogus" "--rules nft" \
           "--rules nftables --json"; do
    # shellcheck disable=SC2086
    "$FWSIGHT" live -i lo $bad >/dev/null 2>&1
    rc=$?
    [ "$rc" = 2 ] || fail "'live -i lo $bad': exit $rc, wanted 2"
done
err=$("$FWSIGHT" live -i lo --filter 'port ((' 2>&1 >/dev/null)
rc=$?
[ "$rc" = 2 ] && grep -q "bad capture filter" <<<"$err" || fail "bad --filter: exit $rc, $err"

f=$("$FWSIGHT" live --print-filter) || fail "--print-filter: exit $?"
for want in "tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0" "ip6[6] == 6 and ip6[53] & 0x07" \
            "(tcp and (port 135))" "udp and (port 6320 or portrange 6325-6326" "icmp or icmp6"; do
    grep -qF -- "$want" <<<"$f" || fail "default filter lacks '$want': $f"
done
grep -q "portrange 49152-65535" <<<"$f" && fail "default filter takes the RPC range whole: $f"
f=$("$FWSIGHT" live --print-filter --full --filter 'host 192.0.2.1')
grep -qF "portrange 49152-65535" <<<"$f" && grep -qF ") and (host 192.0.2.1)" <<<"$f" ||
    fail "--full --filter: $f"

[ "$FAILS" = 0 ] && { echo "live_cli.sh: all passed"; exit 0; }
exit 1
