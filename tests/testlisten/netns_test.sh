#!/usr/bin/env bash
# tests/testlisten/netns_test.sh: `fwsight listen` on one side, `fwsight test` on the other,
# through a router namespace running nftables, in both directions; asserts the verdicts of
# `fwsight test --json` and its exit status, and what `fwsight listen` logged and answered.
#
#   netns_test.sh FWSIGHT
#
# Exit 0 pass, 1 fail, 77 skipped (not root, no network namespaces, no nft). Safety: traffic
# stays in the namespaces it creates (fwtl-<pid>-a/r/b), on documentation addresses; every
# process it starts is stopped by PID and the namespaces are deleted on every exit path;
# every wait is bounded. Same topology as samples/lab.sh, smaller.
set -u -o pipefail

FW=${1:?usage: netns_test.sh FWSIGHT}
FW=$(cd "$(dirname "$FW")" && pwd)/$(basename "$FW")
PFX="fwtl-$$"
NS_A="$PFX-a" NS_R="$PFX-r" NS_B="$PFX-b"
A4=198.51.100.10 RA4=198.51.100.1 RB4=203.0.113.1 B4=203.0.113.20
A6=2001:db8:1::10 RA6=2001:db8:1::1 RB6=2001:db8:2::1 B6=2001:db8:2::20
PIDS=() NSLIST=() FAILS=0 CLEANED=0
WORK=$(mktemp -d /tmp/fwtl.XXXXXX) || exit 1

log() { printf 'testlisten: %s\n' "$*" >&2; }
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
ip netns add "$NS_A" 2>/dev/null || skip "cannot create network namespaces"
NSLIST+=("$NS_A")

# ------------------------------------------------------------------ lab
for ns in "$NS_R" "$NS_B"; do ip netns add "$ns" || exit 1; NSLIST+=("$ns"); done
for ns in "$NS_A" "$NS_R" "$NS_B"; do
    nsx "$ns" ip link set lo up
    nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
        net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 >/dev/null
done
nsx "$NS_R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null
ip -n "$NS_A" link add a0 type veth peer name r0 netns "$NS_R" || exit 1
ip -n "$NS_B" link add b0 type veth peer name r1 netns "$NS_R" || exit 1
nsx "$NS_A" ip addr add $A4/24 dev a0; nsx "$NS_A" ip -6 addr add $A6/64 dev a0 nodad
nsx "$NS_R" ip addr add $RA4/24 dev r0; nsx "$NS_R" ip -6 addr add $RA6/64 dev r0 nodad
nsx "$NS_R" ip addr add $RB4/24 dev r1; nsx "$NS_R" ip -6 addr add $RB6/64 dev r1 nodad
nsx "$NS_B" ip addr add $B4/24 dev b0; nsx "$NS_B" ip -6 addr add $B6/64 dev b0 nodad
for p in "$NS_A:a0" "$NS_R:r0" "$NS_R:r1" "$NS_B:b0"; do
    nsx "${p%%:*}" ip link set "${p#*:}" up
done
nsx "$NS_A" ip route add default via $RA4; nsx "$NS_A" ip -6 route add default via $RA6
nsx "$NS_B" ip route add default via $RB4; nsx "$NS_B" ip -6 route add default via $RB6
# ICMP errors of the router are rate-limited per destination: none here, the test is short
nsx "$NS_R" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 >/dev/null
for i in 1 2 3 4 5 6 7 8 9 10; do   # neighbour caches warm, forwarding up (bounded)
    nsx "$NS_A" ping -c1 -W1 -q $B4 >/dev/null 2>&1 && nsx "$NS_A" ping -6 -c1 -W1 -q $B6 \
        >/dev/null 2>&1 && nsx "$NS_B" ping -c1 -W1 -q $A4 >/dev/null 2>&1 && break
    [ $i = 10 ] && { log "FAIL: the lab does not forward"; exit 1; }
    sleep 0.2
done

rules() { # rules "nft rule lines": the router's forward chain
    { echo 'flush ruleset'; echo 'table inet fwtl { chain forward {'
      echo '    type filter hook forward priority filter; policy accept;'
      echo "    $1"; echo '}'; echo '}'; } >"$WORK/rules.nft"
    nsx "$NS_R" nft -f "$WORK/rules.nft" || { log "FAIL: nft rejected: $1"; exit 1; }
}

PORTS=6320,6325
listener() { # listener NS NAME: fwsight listen on PORTS in NS, until the end of the test
    # ip netns exec itself in the background (not nsx, a function: a subshell), so that $!
    # is timeout's PID, which passes TERM on to fwsight
    ip netns exec "$1" timeout 100 "$FW" listen --ports $PORTS --duration 90 \
        >"$WORK/listen.$2.log" 2>"$WORK/listen.$2.err" &
    PIDS+=($!)
    for i in $(seq 50); do grep -qs "listening on" "$WORK/listen.$2.log" && return 0; sleep 0.1
    done
    log "FAIL: listen in $2 did not start: $(cat "$WORK/listen.$2.err")"; exit 1
}
listener "$NS_B" b
listener "$NS_A" a

# ------------------------------------------------------------------ cases
N=0
# run NAME NS EXPECTED_STATUS fwsight-test-args...: runs the test, keeps its JSON as $OUT
run() {
    local name=$1 ns=$2 want=$3; shift 3
    N=$((N + 1)); OUT="$WORK/$N.$name.json"
    nsx "$ns" timeout 40 "$FW" test --json "$@" >"$OUT" 2>"$WORK/$N.$name.err"
    local st=$?
    [ "$st" = "$want" ] ||
        fail "$name: exit status $st, expected $want ($(tail -3 "$WORK/$N.$name.err"))"
}
# verdict FROM TO PROTO PORT|echo VERDICT [ANSWERED_BY]: asserts one verdict of $OUT
verdict() {
    python3 - "$OUT" "$@" <<'EOF' || fail "$(basename "$OUT"): $*"
import json, sys
doc = json.load(open(sys.argv[1]))
fr, to, proto, port, want = sys.argv[2:7]
by = sys.argv[7] if len(sys.argv) > 7 else None
port = None if port == "echo" else int(port)
got = [v for v in doc["verdicts"]
       if (v["from"], v["to"], v["proto"], v["port"]) == (fr, to, proto, port)]
if not got or got[0]["verdict"] != want or (by and got[0]["answered_by"] != by):
    print("  got:", [(v["verdict"], v["answered_by"]) for v in got], file=sys.stderr)
    sys.exit(1)
EOF
}

rules ""
run all-open "$NS_A" 0 --peer $B4 --ports $PORTS
verdict $A4 $B4 tcp 6320 OPEN $B4
verdict $A4 $B4 tcp 6325 OPEN
verdict $A4 $B4 udp 6320 OPEN $B4
verdict $A4 $B4 icmp echo OPEN
verdict $B4 $A4 tcp 6320 UNTESTED          # one side tests one direction, and says so
grep -q "tcp 6320 from $A4 port [0-9]*: accepted" "$WORK/listen.b.log" ||
    fail "listen did not log the connection from $A4"
grep -q "udp 6325 from $A4 port [0-9]*: 14 bytes, answered" "$WORK/listen.b.log" ||
    fail "listen did not log the datagram from $A4"

run all-open-ipv6 "$NS_B" 0 --peer $A6 --ports tcp:6320,udp:6325 --rounds 2
verdict $B6 $A6 tcp 6320 OPEN $A6
verdict $B6 $A6 udp 6325 OPEN
verdict $B6 $A6 icmp echo OPEN

rules 'iifname "r0" oifname "r1" tcp dport 6325 drop'
run drop-one-way "$NS_A" 1 --peer $B4 --ports $PORTS
verdict $A4 $B4 tcp 6325 DROPPED
verdict $A4 $B4 tcp 6320 OPEN
run drop-one-way-back "$NS_B" 0 --peer $A4 --ports $PORTS
verdict $B4 $A4 tcp 6325 OPEN $A4
# test --rules nftables: the one rule it prints, run on the router, lets 6325 through; the
# chain is named as the rules expect (table inet filter, chain forward) for this part only
nsx "$NS_A" timeout 40 "$FW" test --rules nftables --peer $B4 --ports $PORTS \
    >"$WORK/test.rules" 2>"$WORK/test.rules.err"
st=$?
got=$(grep -c '^nft ' "$WORK/test.rules")
grep -q "^nft insert rule inet filter forward ip saddr $A4 ip daddr $B4 tcp dport 6325 accept$" \
    "$WORK/test.rules" && [ "$st" = 1 ] && [ "$got" = 1 ] ||
    fail "test --rules nftables: exit $st, $got rules: $(cat "$WORK/test.rules")"
{ echo 'flush ruleset'; echo 'table inet filter { chain forward {'
  echo '    type filter hook forward priority filter; policy accept;'
  echo '    iifname "r0" oifname "r1" tcp dport 6325 drop'; echo '}'; echo '}'; } >"$WORK/rules.nft"
nsx "$NS_R" nft -f "$WORK/rules.nft" || fail "nft rejected the lab's filter table"
nsx "$NS_R" sh "$WORK/test.rules" || fail "the rules of test --rules did not load"
run drop-one-way-opened "$NS_A" 0 --peer $B4 --ports tcp:6325
verdict $A4 $B4 tcp 6325 OPEN $B4

rules 'iifname "r0" oifname "r1" tcp dport 6320 reject with tcp reset'
run forged-reset "$NS_A" 1 --peer $B4 --ports tcp:6320,tcp:6325
verdict $A4 $B4 tcp 6320 REJECTED
verdict $A4 $B4 tcp 6325 OPEN

prohibit='reject with icmpx admin-prohibited'
rules "iifname \"r1\" oifname \"r0\" meta l4proto { tcp, udp } th dport 6320 $prohibit"
run admin-prohibited "$NS_B" 1 --peer $A4 --ports 6320
verdict $B4 $A4 tcp 6320 REJECTED $RB4
verdict $B4 $A4 udp 6320 REJECTED $RB4
run admin-prohibited-v6 "$NS_B" 1 --peer $A6 --ports tcp:6320
verdict $B6 $A6 tcp 6320 REJECTED $RB6

rules 'iifname "r0" oifname "r1" icmp type echo-request drop'
run echo-dropped "$NS_A" 1 --peer $B4 --ports tcp:6320
verdict $A4 $B4 icmp echo DROPPED
verdict $A4 $B4 tcp 6320 OPEN

# an intermittent block: the first SYN passes, later ones are dropped; --rounds shows it
limit='limit rate over 1/minute burst 1 packets'
rules "iifname \"r0\" oifname \"r1\" tcp dport 6320 tcp flags syn $limit drop"
run intermittent "$NS_A" 1 --peer $B4 --ports tcp:6320 --rounds 2
verdict $A4 $B4 tcp 6320 PARTIAL

# the responder: an answer never longer than the request, nothing on ports it does not own
rules ""
nsx "$NS_A" timeout 10 python3 - $B4 <<'EOF' || fail "listen's UDP answers"
import socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(2)
for size in (1, 3, 200):
    u.sendto(b"x" * size, (sys.argv[1], 6320))
    data, _ = u.recvfrom(4096)
    assert 0 < len(data) <= size, (size, len(data))
EOF
# at most 8 connections per peer: the 9th and 10th held open at once are closed at once
nsx "$NS_A" timeout 10 python3 - $B4 <<'EOF' || fail "connections to listen"
import socket, sys, time
held = [socket.create_connection((sys.argv[1], 6320), timeout=2) for _ in range(10)]
time.sleep(0.5)
EOF
n=$(grep -c "tcp 6320 from $A4 port [0-9]*: accepted and closed: connection limit" \
    "$WORK/listen.b.log")
[ "$n" = 2 ] || fail "listen closed $n connections over the per-peer limit, expected 2"

# 6325 reached it in all-open, once the rules were in, and in forged-reset; never while dropped
n=$(grep -c "tcp 6325 from $A4 port" "$WORK/listen.b.log")
[ "$n" = 3 ] || fail "listen logged $n tcp 6325 connections from $A4, expected 3"

# usage: no peer is a usage error, before any capture
nsx "$NS_A" "$FW" test >/dev/null 2>&1; st=$?
[ $st = 2 ] || fail "fwsight test without --peer: exit $st, expected 2"
# a capture that cannot be opened is exit 3, and nothing is probed
nsx "$NS_A" timeout 10 "$FW" test --peer $B4 -i nosuch0 --ports tcp:6330 >/dev/null \
    2>"$WORK/nosuch.err"; st=$?
[ $st = 3 ] || fail "fwsight test -i nosuch0: exit $st, expected 3"
grep -q "round 1" "$WORK/nosuch.err" && fail "fwsight test probed without a capture"
nsx "$NS_A" "$FW" listen --ports 6320 --duration 0 >/dev/null 2>&1; st=$?
[ $st = 2 ] || fail "fwsight listen --duration 0: exit $st, expected 2"

# a port in use is reported and skipped, the others still served
nsx "$NS_B" timeout 10 "$FW" listen --ports tcp:6320,tcp:6330 --duration 1 >"$WORK/busy.log" \
    2>"$WORK/busy.err"; st=$?
[ $st = 0 ] || fail "listen with a busy port: exit $st, expected 0"
grep -q "tcp 6320: bind: Address already in use.*skipped" "$WORK/busy.err" ||
    fail "listen did not report the busy port: $(cat "$WORK/busy.err")"
grep -q "listening on 1 ports.* tcp:6330$" "$WORK/busy.log" ||
    fail "listen did not serve the free port: $(cat "$WORK/busy.log")"
grep -q "^fwsight listen: never received anything: tcp:6330$" "$WORK/busy.log" ||
    fail "listen's unreached ports with a busy one: $(tail -1 "$WORK/busy.log")"

# at the end, the ports that never received anything, per protocol, as ranges
ip netns exec "$NS_B" timeout 10 "$FW" listen --ports tcp:6331-6334,udp:6331-6332 \
    --duration 3 >"$WORK/unreached.log" 2>"$WORK/unreached.err" &
PIDS+=($!)
for i in $(seq 50); do grep -qs "listening on" "$WORK/unreached.log" && break; sleep 0.1; done
nsx "$NS_A" timeout 5 python3 - $B4 <<'EOF' || fail "reaching two of listen's ports"
import socket, sys
socket.create_connection((sys.argv[1], 6332), timeout=2).close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(2)
u.sendto(b"ping", (sys.argv[1], 6331))
u.recvfrom(64)
EOF
wait "${PIDS[-1]}" || fail "listen --duration 3: exit status $?"
grep -q "^fwsight listen: never received anything: tcp:6331,6333-6334; udp:6332$" \
    "$WORK/unreached.log" || fail "listen's unreached ports: $(tail -2 "$WORK/unreached.log")"

# SIGTERM ends listen with its summary
kill -TERM "${PIDS[0]}"
for i in $(seq 30); do kill -0 "${PIDS[0]}" 2>/dev/null || break; sleep 0.1; done
grep -q "stopped (Terminated)" "$WORK/listen.b.log" || fail "listen's summary at SIGTERM"

if [ $FAILS -gt 0 ]; then
    for f in "$WORK"/*.err "$WORK"/listen.*.log; do echo "== $f"; tail -20 "$f"; done >&2
    log "$FAILS failures"
    exit 1
fi
log "all $N runs passed"
exit 0
