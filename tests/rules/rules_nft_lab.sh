#!/usr/bin/env bash
# tests/rules/rules_nft_lab.sh: `fwsight analyze --rules nftables` loaded into the firewalls it
# names, after which the blocked attempts pass. A lab of three namespaces, source -- router --
# target: the router's forward chain (table inet filter, policy drop) passes TCP 6320 and 445
# and the answers, refuses TCP 6326 with ICMP admin-prohibited and silently drops the rest (TCP
# 6325 and 6327, ICMP echo); the target's own input chain drops TCP 445. tcpdump captures the
# attempts on the source and on the target; fwsight turns each capture into rules: the source's
# go into the router's forward chain, the target's (its own firewall) into its input chain. Then
# the attempts pass (445 only once the target's own rule is in), and 6327, never attempted,
# is still dropped: nothing wider was opened.
#
#   rules_nft_lab.sh FWSIGHT
#
# Exit 0 pass, 1 fail, 77 skipped (not root, no namespaces, no nft, tcpdump or python3).
# Safety: traffic stays in the namespaces it creates (fwru<pid>-s/r/t), on documentation
# addresses; every process it starts is stopped by PID, every wait is bounded, and the
# namespaces are deleted on every exit path. About 12 s.
set -u -o pipefail

FW=${1:?usage: rules_nft_lab.sh FWSIGHT}
PFX="fwru$$"
NS_S="$PFX-s" NS_R="$PFX-r" NS_T="$PFX-t"
S4=198.51.100.10 RS4=198.51.100.1 RT4=203.0.113.1 T4=203.0.113.20
PIDS=() NSLIST=() FAILS=0
WORK=$(mktemp -d /tmp/fwsight-rules.XXXXXX) || exit 1

log() { printf 'rules_nft_lab: %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { log "ok: $*"; }
# shellcheck source=../../scripts/netns.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/netns.sh"

netns_lab ip nft python3 tcpdump ping
ip netns add "$NS_S" 2>/dev/null || skip "cannot create a network namespace"
NSLIST+=("$NS_S")

# ------------------------------------------------------------------ the lab
netns_line "$NS_S" s0 "$NS_R" r0 r1 "$NS_T" t0 || exit 2
nsx "$NS_S" ip addr add $S4/24 dev s0
nsx "$NS_R" ip addr add $RS4/24 dev r0
nsx "$NS_R" ip addr add $RT4/24 dev r1
nsx "$NS_T" ip addr add $T4/24 dev t0
nsx "$NS_S" ip route add default via $RS4
nsx "$NS_T" ip route add default via $RT4
# The names --rules nftables assumes: table inet filter, chains forward and input.
nsx "$NS_R" nft -f - <<'NFT' || exit 2
table inet filter {
    chain forward {
        type filter hook forward priority 0; policy drop;
        ct state established,related accept
        tcp dport { 445, 6320 } accept
        tcp dport 6326 reject with icmp type admin-prohibited
    }
}
NFT
nsx "$NS_T" nft -f - <<'NFT' || exit 2
table inet filter {
    chain input {
        type filter hook input priority 0; policy accept;
        tcp dport 445 drop
    }
}
NFT
# Listeners on the target (everything listens: only the firewalls block), for 40 s at most.
# not through nsx: $! must be the listener itself, so that cleanup stops it by PID
ip netns exec "$NS_T" python3 -c '
import socket, select, time
ls = []
for p in (6320, 445, 6325, 6326, 6327):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", p)); s.listen(16); ls.append(s)
end = time.time() + 40
while time.time() < end:
    r, _, _ = select.select(ls, [], [], 0.5)
    for s in r:
        c, _ = s.accept(); c.close()
' &
PIDS+=($!)

# attempt PORT TIMEOUT: one TCP connect from the source to the target; 0 if accepted.
attempt() {
    nsx "$NS_S" python3 -c '
import socket, sys
s = socket.socket(); s.settimeout(float(sys.argv[2]))
try:
    s.connect((sys.argv[1], int(sys.argv[3]))); s.close(); sys.exit(0)
except OSError:
    sys.exit(1)
' $T4 "$2" "$1"
}
ping1() { nsx "$NS_S" ping -n -q -c 1 -W "$1" $T4 >/dev/null 2>&1; }

up=0
for _ in $(seq 50); do
    attempt 6320 0.5 && { up=1; break; }
    sleep 0.1
done
[ "$up" = 1 ] || { log "the lab's listener did not come up"; exit 2; }

# ------------------------------------------------------------------ capture the attempts
# capture NS IFACE NAME: tcpdump in the background until stop_captures; waits until it listens.
capture() {
    netns_capture "$1" "$2" "$WORK/$3" && return 0
    log "tcpdump did not start: $(cat "$WORK/$3.err")"
    exit 2
}
CAP_PIDS=()
capture "$NS_S" s0 source
capture "$NS_T" t0 target
blocked=(445 6325 6326)
ping1 1 && fail "ICMP echo passed before the rules"
for p in "${blocked[@]}"; do
    attempt "$p" 1.5 && fail "$p passed before the rules: the lab does not block it"
done
# The captures end with an answered attempt well after the last blocked one: an attempt in the
# capture's last second gets no verdict (its answer may not have been due).
sleep 1.1
attempt 6320 2 || fail "6320 should pass before the rules"
sleep 0.2
for pid in "${CAP_PIDS[@]}"; do netns_stop_pid "$pid"; done

# ------------------------------------------------------------------ the rules, loaded
"$FW" analyze --rules nftables "$WORK/source.pcap" >"$WORK/router.nft" 2>"$WORK/router.err"
rc=$?
[ "$rc" = 1 ] && ok "analyze --rules: exit 1 (blocking found)" ||
    fail "analyze exit $rc: $(cat "$WORK/router.err")"
"$FW" analyze --rules nftables --local $T4 "$WORK/target.pcap" >"$WORK/target.nft" \
    2>"$WORK/target.err"
rc=$?
[ "$rc" = 1 ] || fail "analyze of the target's capture: exit $rc: $(cat "$WORK/target.err")"

# Exactly the blocked ports, on the device named: the router's forward chain, the target's input.
# (445 too: seen from the source alone, its silence could be the router's; required ports
# first, then the optional 445.)
want_router="nft insert rule inet filter forward ip saddr $S4 ip daddr $T4 tcp dport 6325 accept
nft insert rule inet filter forward ip saddr $S4 ip daddr $T4 icmp type echo-request accept
nft insert rule inet filter forward ip saddr $S4 ip daddr $T4 tcp dport 445 accept
nft insert rule inet filter forward ip saddr $S4 ip daddr $T4 tcp dport 6326 accept"
got=$(grep -v '^#' "$WORK/router.nft" | grep .)
[ "$got" = "$want_router" ] && ok "the router's rules: 6325, echo, 445 (between), 6326 (at $RS4)" ||
    fail "the router's rules:"$'\n'"$got"$'\n'"wanted:"$'\n'"$want_router"
grep -q "^# .*on the firewall at $RS4" "$WORK/router.nft" &&
    ok "6326 is placed on the firewall that refused ($RS4)" || fail "no group at $RS4"
want_target="nft insert rule inet filter input ip saddr $S4 ip daddr $T4 tcp dport 445 accept"
got=$(grep -v '^#' "$WORK/target.nft" | grep .)
[ "$got" = "$want_target" ] && ok "the target's own firewall: 445 in its input chain" ||
    fail "the target's rules:"$'\n'"$got"$'\n'"wanted:"$'\n'"$want_target"

# Both captures together: the requests to 445 arrive and go unanswered (the target's own
# firewall), those to 6325 never arrive (the router).
"$FW" analyze --rules nftables "$WORK/source.pcap" "$WORK/target.pcap" >"$WORK/both.nft" 2>&1
grep -q "^# $S4 -> $T4: on $T4's own firewall" "$WORK/both.nft" &&
    grep -q "^nft insert rule inet filter input .* tcp dport 445 accept" "$WORK/both.nft" &&
    grep -q "^nft insert rule inet filter forward .* tcp dport 6325 accept" "$WORK/both.nft" &&
    ok "two captures: 445 on the target's own firewall, 6325 on the router" ||
    { fail "two captures:"; cat "$WORK/both.nft" >&2; }

nsx "$NS_R" sh -e "$WORK/router.nft" && ok "the router loads its rules" ||
    fail "the router refused its rules"
for p in 6325 6326; do
    attempt "$p" 2 && ok "TCP $p passes now" || fail "TCP $p still blocked after the rules"
done
ping1 2 && ok "ICMP echo passes now" || fail "ICMP echo still blocked after the rules"
attempt 445 1 && fail "445 passes with the router's rules alone: the target's firewall is open" ||
    ok "445 still blocked: the target's own firewall drops it"
nsx "$NS_T" sh -e "$WORK/target.nft" && ok "the target loads its rules" ||
    fail "the target refused its rules"
attempt 445 2 && ok "TCP 445 passes now" || fail "TCP 445 still blocked after the target's rules"
attempt 6320 2 || fail "6320 no longer passes"
attempt 6327 1 && fail "6327 passes: the rules opened more than was found blocked" ||
    ok "6327 (never attempted) is still dropped: nothing wider was opened"

[ "$FAILS" = 0 ] && { log "all passed"; exit 0; }
log "$FAILS failure(s)"
exit 1
