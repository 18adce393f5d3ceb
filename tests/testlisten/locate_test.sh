#!/usr/bin/env bash
# tests/testlisten/locate_test.sh: `fwsight test --locate` on two routers in a row (the
# topology of samples/path-lab.sh): rtr2 forges resets for TCP 6320 and answers TCP 6325 with
# ICMP admin-prohibited, rtr1 drops TCP 6326, rtr2 drops UDP 6326 and echo from the source;
# from the source and from the target, and IPv6 one way in the text report. Asserts the JSON's
# "locate" array (last hop, where the block sits, how the probes end there) and, with time
# exceeded filtered, that it says it could not locate.
#
#   locate_test.sh FWSIGHT
#
# Exit 0 pass, 1 fail, 77 skipped (not root, no network namespaces, no nft). Safety: traffic
# stays in the namespaces it creates (fwloc-<pid>-*), on documentation addresses; every
# process it starts is stopped by PID and the namespaces are deleted on every exit path;
# every wait is bounded (the whole test takes about 50 s, each fwsight run 8 to 14 s).
set -u -o pipefail

FW=${1:?usage: locate_test.sh FWSIGHT}
FW=$(cd "$(dirname "$FW")" && pwd)/$(basename "$FW")
PFX="fwloc-$$"
NS_S="$PFX-s" NS_R1="$PFX-r1" NS_R2="$PFX-r2" NS_T="$PFX-t"
S4=198.51.100.10 R1S4=198.51.100.1 R1M4=192.0.2.1 R2M4=192.0.2.2 R2T4=203.0.113.1 T4=203.0.113.20
S6=2001:db8:1::10 R1S6=2001:db8:1::1 R1M6=2001:db8:3::1 R2M6=2001:db8:3::2 R2T6=2001:db8:2::1
T6=2001:db8:2::20
PIDS=() NSLIST=() FAILS=0 CLEANED=0 T0=$SECONDS
WORK=$(mktemp -d /tmp/fwloc.XXXXXX) || exit 1

log() { printf 'locate: %s\n' "$*" >&2; }
# shellcheck source=../../scripts/netns.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/netns.sh"
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }

cleanup() {
    [ "$CLEANED" = 1 ] && return 0
    CLEANED=1
    netns_down
    rm -rf "$WORK"
    return 0
}
trap cleanup EXIT
trap 'log interrupted; cleanup; exit 130' INT TERM

skip() { log "skipped: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip nft python3 timeout; do command -v $t >/dev/null || skip "missing $t"; done
ip netns add "$NS_S" 2>/dev/null || skip "cannot create network namespaces"
NSLIST+=("$NS_S")

# ------------------------------------------------------------------ lab
for ns in "$NS_R1" "$NS_R2" "$NS_T"; do ip netns add "$ns" || exit 1; NSLIST+=("$ns"); done
for ns in "$NS_S" "$NS_R1" "$NS_R2" "$NS_T"; do
    nsx "$ns" ip link set lo up
    nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
        net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 >/dev/null
done
for ns in "$NS_R1" "$NS_R2"; do
    # forwarding; ICMP errors not rate limited: each probe gets its time exceeded
    nsx "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
        net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 >/dev/null
done
ip -n "$NS_S" link add s0 type veth peer name a0 netns "$NS_R1" || exit 1
ip -n "$NS_R1" link add a1 type veth peer name b0 netns "$NS_R2" || exit 1
ip -n "$NS_R2" link add b1 type veth peer name t0 netns "$NS_T" || exit 1
addr() { nsx "$1" ip addr add "$3" dev "$2"; nsx "$1" ip -6 addr add "$4" dev "$2" nodad
         nsx "$1" ip link set "$2" up; }
addr "$NS_S" s0 $S4/24 $S6/64
addr "$NS_R1" a0 $R1S4/24 $R1S6/64; addr "$NS_R1" a1 $R1M4/24 $R1M6/64
addr "$NS_R2" b0 $R2M4/24 $R2M6/64; addr "$NS_R2" b1 $R2T4/24 $R2T6/64
addr "$NS_T" t0 $T4/24 $T6/64
nsx "$NS_S" ip route add default via $R1S4; nsx "$NS_S" ip -6 route add default via $R1S6
nsx "$NS_T" ip route add default via $R2T4; nsx "$NS_T" ip -6 route add default via $R2T6
nsx "$NS_R1" ip route add 203.0.113.0/24 via $R2M4
nsx "$NS_R1" ip -6 route add 2001:db8:2::/64 via $R2M6
nsx "$NS_R2" ip route add 198.51.100.0/24 via $R1M4
nsx "$NS_R2" ip -6 route add 2001:db8:1::/64 via $R1M6
for i in 1 2 3 4 5 6 7 8 9 10; do   # forwarding up, neighbour caches warm (bounded)
    nsx "$NS_S" ping -c1 -W1 -q $T4 >/dev/null 2>&1 && nsx "$NS_S" ping -6 -c1 -W1 -q $T6 \
        >/dev/null 2>&1 && nsx "$NS_T" ping -c1 -W1 -q $S4 >/dev/null 2>&1 && break
    [ $i = 10 ] && { log "FAIL: the lab does not forward"; exit 1; }
    sleep 0.2
done

rules() { # rules NS "nft rule lines"
    { echo 'flush ruleset'; echo 'table inet fwloc { chain forward {'
      echo '    type filter hook forward priority filter; policy accept;'
      printf '    %s\n' "$2"; echo '}'; echo '}'; } >"$WORK/rules.nft"
    nsx "$1" nft -f "$WORK/rules.nft" || { log "FAIL: nft rejected: $2"; exit 1; }
}
# rtr2 also drops UDP 6326 and IPv4 echo requests coming from the source's side
rules "$NS_R2" 'tcp dport 6320 reject with tcp reset
    tcp dport 6325 reject with icmpx admin-prohibited
    iifname "b0" udp dport 6326 drop
    iifname "b0" icmp type echo-request drop'
rules "$NS_R1" 'tcp dport 6326 drop'

PORTS=6320,6325,6326,6330
listener() { # listener NS NAME
    ip netns exec "$1" timeout 100 "$FW" listen --ports $PORTS --duration 90 \
        >"$WORK/listen.$2.log" 2>"$WORK/listen.$2.err" &
    PIDS+=($!)
    for i in $(seq 50); do grep -qs "listening on" "$WORK/listen.$2.log" && return 0; sleep 0.1
    done
    log "FAIL: listen in $2 did not start: $(cat "$WORK/listen.$2.err")"; exit 1
}
log "lab up: $((SECONDS - T0)) s"
listener "$NS_T" t
listener "$NS_S" s

# ------------------------------------------------------------------ cases
N=0
run() { # run NAME NS fwsight-test-args...: keeps the output (JSON unless --json=no) as $OUT
    local name=$1 ns=$2 json=--json; shift 2
    [ "$1" = --json=no ] && { json=""; shift; }
    N=$((N + 1)); OUT="$WORK/$N.$name.out"
    local t=$SECONDS
    nsx "$ns" timeout 40 "$FW" test $json --locate "$@" >"$OUT" 2>"$WORK/$N.$name.err"
    local st=$?
    [ "$st" = 1 ] || fail "$name: exit status $st, expected 1 ($(tail -3 "$WORK/$N.$name.err"))"
    # bounded: a few seconds of probes, then per blocked port one series (at most three
    # silent seconds past the block here)
    [ $((SECONDS - t)) -le 20 ] || fail "$name took $((SECONDS - t)) s, more than 20"
    log "$name: $((SECONDS - t)) s"
}
# located PROTO PORT HOW LAST_TTL LAST_ADDR AFTER [ANSWERED_BY]: one "locate" entry of $OUT
# (LAST_TTL/LAST_ADDR/AFTER "-": null)
located() {
    python3 - "$OUT" "$@" <<'EOF' || fail "$(basename "$OUT"): $*"
import json, sys
doc = json.load(open(sys.argv[1]))
proto, port, how, ttl, addr, after = sys.argv[2:8]
by = sys.argv[8] if len(sys.argv) > 8 else None
got = [l for l in doc.get("locate", []) if (l["proto"], l["port"]) == (proto, int(port))]
def bad(why):
    print("  %s; got: %s" % (why, json.dumps(got)), file=sys.stderr)
    sys.exit(1)
if len(got) != 1:
    bad("want one entry")
l = got[0]
if l["how"] != how:
    bad("how")
want_last = None if ttl == "-" else {"ttl": int(ttl), "addr": addr}
if l["last_hop"] != want_last:
    bad("last_hop")
if l["blocked_after_hop"] != (None if after == "-" else int(after)):
    bad("blocked_after_hop")
if by is not None and l["answered_by"] != by:
    bad("answered_by")
if how != "not-measured" and "blocked between hop" not in l["text"]:
    bad("text")
hops = l["hops"]
if len(hops) > 16 or any(h["probes"] > 2 for h in hops) or len({l["source_port"]}) != 1:
    bad("bounds")
EOF
}
# nothing open is ever located, and the whole JSON lists each blocked path once
only_blocked() {
    python3 - "$OUT" "$1" <<'EOF' || fail "$(basename "$OUT"): located other paths than $1"
import json, sys
doc = json.load(open(sys.argv[1]))
got = sorted("%s %s" % (l["proto"], l["port"]) for l in doc["locate"])
if got != sorted(sys.argv[2].split(",")):
    print("  located:", got, file=sys.stderr)
    sys.exit(1)
EOF
}

# From the source: rtr1 is hop 1 (198.51.100.1), rtr2 hop 2 (192.0.2.2, its address toward
# rtr1); rtr2 checks the TTL before its rules, so TTL 2 still expires there and TTL 3 meets
# the rule.
# UDP 6326 and echo die after rtr2 (hop 2): their series are silent from TTL 3.
run source "$NS_S" --peer $T4 --ports tcp:6320,tcp:6325,tcp:6326,udp:6326,tcp:6330
located tcp 6320 reset 2 $R2M4 2 $T4
located tcp 6325 icmp-prohibited 2 $R2M4 2 $R2M4
located tcp 6326 silent 1 $R1S4 1
located udp 6326 silent 2 $R2M4 2
only_blocked "tcp 6320,tcp 6325,tcp 6326,udp 6326,icmp None"
python3 - "$OUT" <<'EOF' || fail "$(basename "$OUT"): echo not located after hop 2"
import json, sys
l = [x for x in json.load(open(sys.argv[1]))["locate"] if x["proto"] == "icmp"]
assert len(l) == 1 and l[0]["port"] is None and l[0]["how"] == "silent", l
assert l[0]["last_hop"] == {"ttl": 2, "addr": "192.0.2.2"}, l
assert l[0]["source_port"] > 0, l  # the echo id, the same for every probe
EOF

# From the target: rtr2 is hop 1 (203.0.113.1) and refuses at once; rtr1 is hop 2
# (192.0.2.1) and drops: the issue's "blocked between hop 2 (192.0.2.1) and hop 3".
run target "$NS_T" --peer $S4 --ports tcp:6320,tcp:6325,tcp:6326
located tcp 6320 reset 1 $R2T4 1 $S4
located tcp 6325 icmp-prohibited 1 $R2T4 1 $R2T4
located tcp 6326 silent 2 $R1M4 2
grep -q "blocked between hop 2 ($R1M4) and hop 3: probes with TTL 3 to 5 get no answer" \
    "$OUT" || fail "target: the 6326 text"

# IPv6, and the text report: the same lines under "Where on the path".
run source-v6 "$NS_S" --json=no --peer $T6 --ports tcp:6320,tcp:6325,tcp:6326
B2="blocked between hop 2 ($R2M6) and hop 3: from TTL 3 on,"
for line in "tcp 6320 $S6 -> $T6: $B2 a TCP reset comes back in $T6's name" \
    "tcp 6325 $S6 -> $T6: $B2 ICMPv6 administratively prohibited comes back from $R2M6" \
    "tcp 6326 $S6 -> $T6: blocked between hop 1 ($R1S6) and hop 2: probes with TTL 2 to 4 \
get no answer"; do
    grep -qF "  $line" "$OUT" || fail "source-v6: no line '$line'"
done
grep -q "^Where on the path" "$OUT" || fail "source-v6: no section"

# Time exceeded filtered on both routers: nothing can be located, and it says so.
rules "$NS_R2" 'tcp dport 6326 drop'
for ns in "$NS_R1" "$NS_R2"; do
    { echo 'table inet fwlocout { chain output {'
      echo '    type filter hook output priority filter; policy accept;'
      echo '    icmp type time-exceeded drop'; echo '    icmpv6 type time-exceeded drop'
      echo '}'; echo '}'; } >"$WORK/out.nft"
    nsx "$ns" nft -f "$WORK/out.nft" || { log "FAIL: nft output chain"; exit 1; }
done
run filtered "$NS_S" --peer $T4 --ports tcp:6326
located tcp 6326 not-measured - - -
grep -q "no hop answered ICMP time exceeded" "$OUT" || fail "filtered: no explanation"

took=$((SECONDS - T0))
if [ $FAILS -gt 0 ]; then
    for f in "$WORK"/*.err "$WORK"/*.out; do echo "== $f"; tail -40 "$f"; done >&2
    log "$FAILS failures"
    exit 1
fi
log "all $N runs passed in $took s"
exit 0
