#!/usr/bin/env bash
# samples/lab.sh: builds a lab of network namespaces (source, router, target), runs firewall
# scenarios with real listeners and real connection attempts, captures on both ends and
# writes samples/<scenario>/{source.pcap,target.pcap,expected.tsv,scenario.txt}.
#
#   sudo samples/lab.sh [-o OUTDIR] [scenario...]   run the scenarios (default: all)
#   samples/lab.sh --list                           list the scenarios
#
# The look-alike scenarios (backlog overflow, rate limits, nmap scans, ...) are in
# lab_lookalike.sh, sourced below.
#
# Safety: all traffic stays inside namespaces this script creates (fwlab-<pid>-src/rtr/tgt),
# on documentation addresses only (198.51.100.0/24, 203.0.113.0/24, 192.0.2.0/24,
# 2001:db8::/32). Every process it starts is recorded and stopped by PID, and the namespaces
# are deleted, on every exit path. Every wait is bounded.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEER="$HERE/lab_peer.py"
LOOK="$HERE/lab_lookalike.py"
OUT="$HERE"
MAX_TOTAL=900          # seconds for the whole run
PFX="fwlab-$$"
NS_SRC="$PFX-src" NS_RTR="$PFX-rtr" NS_TGT="$PFX-tgt"

# documentation addresses
S4=198.51.100.10  R4S=198.51.100.1  R4T=203.0.113.1  T4=203.0.113.20
S6=2001:db8:1::10 R6S=2001:db8:1::1 R6T=2001:db8:2::1 T6=2001:db8:2::20
# the double-take profile (PRODUCT.md)
PROF_TCP="6320,6325,6326,135-139,445,443"
PROF_UDP="6320,6325,6326,135-139,445"
PROF_TCP_LIST="6320 6325 6326 135 136 137 138 139 445 443"
PROF_UDP_LIST="6320 6325 6326 135 136 137 138 139 445"

SCENARIOS=(all-open drop-6320 reply-dropped-6320 reset-6320 prohibited-6320
           echo-request-dropped echo-reply-dropped not-listening reverse-blocked
           smb-blocked udp-unreachable ipv6-drop ipv6-reject partial demo)
declare -A CLIENT=()   # per row "from to proto port": the outcomes its client may have seen

PIDS=()       # every background process started (listeners, tcpdump), by PID
NSLIST=()     # namespaces created and not yet deleted
WORK=""
CLEANED=0
FAILS=0

log()  { printf '%s\n' "lab: $*" >&2; }
die()  { log "error: $*"; exit 1; }
# shellcheck source=../scripts/netns.sh
. "$HERE/../scripts/netns.sh"

# ------------------------------------------------------------------ cleanup


cleanup() {
    [ "$CLEANED" = 1 ] && return
    CLEANED=1
    netns_down
    [ -n "$WORK" ] && rm -rf "$WORK"
    rmdir "$HERE/lab-out" 2>/dev/null
    return 0
}
trap 'cleanup' EXIT
trap 'log "interrupted"; cleanup; exit 130' INT TERM

# ------------------------------------------------------------------ lab

lab_up() {
    local ns
    for ns in "$NS_SRC" "$NS_RTR" "$NS_TGT"; do
        ip netns add "$ns" || die "ip netns add $ns"
        NSLIST+=("$ns")
        nsx "$ns" ip link set lo up
        # no DAD (addresses usable at once), no router solicitations/RA: quiet captures
        nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
            net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.router_solicitations=0 \
            net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.accept_ra=0 >/dev/null
    done
    nsx "$NS_RTR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null
    # veths are created inside the namespaces: nothing ever appears in the host's
    ip -n "$NS_SRC" link add s0 type veth peer name r0 netns "$NS_RTR" || die "veth src-rtr"
    ip -n "$NS_TGT" link add t0 type veth peer name r1 netns "$NS_RTR" || die "veth tgt-rtr"

    nsx "$NS_SRC" ip addr add "$S4/24" dev s0
    nsx "$NS_SRC" ip -6 addr add "$S6/64" dev s0 nodad
    nsx "$NS_RTR" ip addr add "$R4S/24" dev r0
    nsx "$NS_RTR" ip -6 addr add "$R6S/64" dev r0 nodad
    nsx "$NS_RTR" ip addr add "$R4T/24" dev r1
    nsx "$NS_RTR" ip -6 addr add "$R6T/64" dev r1 nodad
    nsx "$NS_TGT" ip addr add "$T4/24" dev t0
    nsx "$NS_TGT" ip -6 addr add "$T6/64" dev t0 nodad
    local pair
    for pair in "$NS_SRC:s0" "$NS_RTR:r0" "$NS_RTR:r1" "$NS_TGT:t0"; do
        ns=${pair%%:*}
        # checksum offload off, so captured checksums are the real ones; no GSO/GRO either,
        # so every captured segment is one that was on the wire
        nsx "$ns" ethtool -K "${pair#*:}" tx off rx off tso off gso off gro off >/dev/null 2>&1 \
            || log "warning: ethtool -K ${pair#*:} failed: captured checksums may be partial"
        nsx "$ns" ip link set "${pair#*:}" up
    done
    nsx "$NS_SRC" ip route add default via "$R4S"
    nsx "$NS_SRC" ip -6 route add default via "$R6S"
    nsx "$NS_TGT" ip route add default via "$R4T"
    nsx "$NS_TGT" ip -6 route add default via "$R6T"
    # warm the neighbour caches before any capture starts (bounded retries)
    local i ok
    for i in 1 2 3 4 5; do
        ok=1
        nsx "$NS_SRC" ping -n -q -c 1 -W 1 "$T4" >/dev/null 2>&1 || ok=0
        nsx "$NS_SRC" ping -6 -n -q -c 1 -W 1 "$T6" >/dev/null 2>&1 || ok=0
        nsx "$NS_TGT" ping -n -q -c 1 -W 1 "$S4" >/dev/null 2>&1 || ok=0
        nsx "$NS_TGT" ping -6 -n -q -c 1 -W 1 "$S6" >/dev/null 2>&1 || ok=0
        [ $ok = 1 ] && break
        sleep 0.3
    done
    [ $ok = 1 ] || die "lab does not forward (ping source<->target failed)"
}

# ------------------------------------------------------------------ scenario helpers

set_rules() { # set_rules "rule lines" ["output rule lines"]: replaces the router's ruleset
    local f="$WORK/rules.nft"
    {
        echo "flush ruleset"
        echo "table inet fwlab {"
        echo "    chain forward {"
        echo "        type filter hook forward priority filter; policy accept;"
        printf '%s\n' "$1" | sed '/^[[:space:]]*$/d; s/^[[:space:]]*/        /'
        echo "    }"
        if [ -n "${2:-}" ]; then
            # what the router itself sends (its ICMP errors) passes here, not through forward
            echo "    chain output {"
            echo "        type filter hook output priority filter; policy accept;"
            printf '%s\n' "$2" | sed '/^[[:space:]]*$/d; s/^[[:space:]]*/        /'
            echo "    }"
        fi
        echo "}"
    } >"$f"
    nsx "$NS_RTR" nft -f "$f" || die "nft rejected the ruleset: $(cat "$f")"
}

start_listener() { # ns tcp-list udp-list [more lab_peer.py listen options]
    local ns=$1 tcp=$2 udp=$3 ready="$WORK/ready.$1" i
    shift 3
    rm -f "$ready"
    ip netns exec "$ns" timeout 150 python3 "$PEER" listen --tcp "$tcp" --udp "$udp" --max-time 120 \
        --ready-file "$ready" "$@" >>"$WORK/listen.$ns.log" 2>&1 &
    PIDS+=($!)
    for i in $(seq 50); do [ -s "$ready" ] && return 0; sleep 0.1; done
    die "listener in $ns not ready: $(cat "$WORK/listen.$ns.log")"
}

# Background jobs are started with `ip netns exec` itself (it execs, so $! is the PID of
# timeout, which passes TERM on), never through a shell function (that would be a subshell).
CAP_PIDS=()
start_capture() { # ns dev file [filter]: tcpdump's filter expression, as a user would give it
    local ns=$1 dev=$2 file=$3 lg="$WORK/tcpdump.$1.log" i
    : >"$lg"
    ip netns exec "$ns" timeout 150 tcpdump -n -i "$dev" -U --immediate-mode -Z root -w "$file" \
        ${4:+"$4"} >"$lg" 2>&1 &
    local pid=$!
    PIDS+=("$pid"); CAP_PIDS+=("$pid")
    for i in $(seq 50); do grep -q "listening on" "$lg" && return 0; sleep 0.1; done
    die "tcpdump in $ns did not start: $(cat "$lg")"
}

stop_captures() {
    local pid i
    for pid in "${CAP_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done  # (SIGINT is ignored by background jobs)
    for pid in "${CAP_PIDS[@]}"; do
        for i in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        netns_stop_pid "$pid"
    done
    CAP_PIDS=()
}

probe() { # probe src|tgt ADDR lab_peer-probe-args...
    local who=$1 to=$2 ns from; shift 2
    if [ "$who" = src ]; then ns=$NS_SRC; case $to in *:*) from=$S6;; *) from=$S4;; esac
    else ns=$NS_TGT; case $to in *:*) from=$T6;; *) from=$T4;; esac; fi
    nsx "$ns" timeout 40 python3 "$PEER" probe --from-label "$from" --to "$to" "$@" \
        >>"$WORK/probes.tsv" 2>>"$WORK/probe.err" || log "warning: probe $who -> $to $* failed"
    sleep 0.3
}

lprobe() { # lprobe src|tgt MODE ADDR lab_lookalike.py-args...: one of the look-alike probes
    local who=$1 mode=$2 to=$3 ns from; shift 3
    if [ "$who" = src ]; then ns=$NS_SRC; case $to in *:*) from=$S6;; *) from=$S4;; esac
    else ns=$NS_TGT; case $to in *:*) from=$T6;; *) from=$T4;; esac; fi
    nsx "$ns" timeout 60 python3 "$LOOK" "$mode" --from-label "$from" --to "$to" "$@" \
        >>"$WORK/probes.tsv" 2>>"$WORK/probe.err" || log "warning: $mode $who -> $to $* failed"
}

# client_saw "from to proto port" "outcome...": what the probing client must have seen for that
# row, where the verdict alone does not say it (look-alikes: the client's view differs).
client_saw() { CLIENT["$1"]=$2; }

expect() { # from to proto port verdict answered_by source_only target_only lookalike note...
    local a=("$@")
    EXP+=("$(printf '%s\t' "${a[@]:0:9}")${a[*]:9}")
}

# ------------------------------------------------------------------ scenarios
# Each sc_NAME sets DESC, RULES (router forward chain), listener ports, and defines run_NAME
# (the probes, run while both ends capture) and its expected verdicts (expect ...).
# expected.tsv columns: ground truth (verdict, answered_by) and what a capture taken on the
# source alone / the target alone can honestly conclude.

defaults() {
    DESC="" RULES="" RULES_OUT="" EXP=() TGT_EXTRA=() NOTES="" TAIL=1.2 SRC_FILTER=""
    CLIENT=()
    TGT_TCP=$PROF_TCP TGT_UDP=$PROF_UDP SRC_TCP=$PROF_TCP SRC_UDP=$PROF_UDP
}

sc_all-open() {
    DESC="no rule: every profile port and ICMP echo answered, both directions"
    RULES=""
}
run_all-open() {
    probe src $T4 --tcp $PROF_TCP --udp $PROF_UDP --icmp
    probe tgt $S4 --tcp $PROF_TCP --udp $PROF_UDP --icmp
}
exp_all-open() {
    local p a b
    for a in "$S4 $T4" "$T4 $S4"; do
        set -- $a
        for p in $PROF_TCP_LIST; do expect $1 $2 tcp $p OPEN $2 OPEN OPEN - "SYN, SYN-ACK, ACK; the listener closes"; done
        for p in $PROF_UDP_LIST; do expect $1 $2 udp $p OPEN $2 OPEN OPEN - "request and reply"; done
        expect $1 $2 icmp - OPEN $2 OPEN OPEN - "3 echo requests, 3 replies"
    done
}

sc_drop-6320() {
    DESC="TCP 6320 source->target silently dropped by the router"
    RULES='iifname "r0" oifname "r1" tcp dport 6320 counter drop'
}
run_drop-6320() {
    probe src $T4 --tcp 6320,6325
    probe tgt $S4 --tcp 6320
}
exp_drop-6320() {
    expect $S4 $T4 tcp 6320 DROPPED - DROPPED UNTESTED - "SYN sent 3 times, no answer, no ICMP; never reaches the target. Source alone cannot tell this from REPLY-DROPPED; target alone sees no attempt"
    expect $S4 $T4 tcp 6325 OPEN $T4 OPEN OPEN - "control"
    expect $T4 $S4 tcp 6320 OPEN $S4 OPEN OPEN - "the rule is one-way"
}

sc_reply-dropped-6320() {
    DESC="TCP 6320 source->target: the SYN arrives, the SYN-ACK is dropped on the way back (stateless rule on tcp sport 6320)"
    RULES='iifname "r1" oifname "r0" tcp sport 6320 counter drop'
}
run_reply-dropped-6320() {
    probe src $T4 --tcp 6320,6325
    probe tgt $S4 --tcp 6320
}
exp_reply-dropped-6320() {
    expect $S4 $T4 tcp 6320 REPLY-DROPPED $T4 DROPPED REPLY-DROPPED - "target capture: SYN arrives, SYN-ACK leaves, SYN retransmitted and SYN-ACK retransmitted; source capture: only unanswered SYNs, identical to drop-6320. answered_by is the host whose answer was lost"
    expect $S4 $T4 tcp 6325 OPEN $T4 OPEN OPEN - "control"
    expect $T4 $S4 tcp 6320 OPEN $S4 OPEN OPEN - "target->source 6320 is not affected (the source answers from sport 6320 toward the target)"
}

sc_reset-6320() {
    DESC="TCP 6320 source->target refused by the router with a forged TCP reset (reject with tcp reset)"
    RULES='iifname "r0" oifname "r1" tcp dport 6320 counter reject with tcp reset'
}
run_reset-6320() {
    probe src $T4 --tcp 6320,6325
    probe tgt $S4 --tcp 6320
}
exp_reset-6320() {
    expect $S4 $T4 tcp 6320 REJECTED $R4S REJECTED UNTESTED - "RST/ACK claims to come from 203.0.113.20 but the router made it: TTL 64 (router, 0 hops) where the target's own packets arrive with TTL 63; IP ID 0. The SYN never reaches the target"
    expect $S4 $T4 tcp 6325 OPEN $T4 OPEN OPEN - "control: the target's real SYN-ACK, TTL 63"
    expect $T4 $S4 tcp 6320 OPEN $S4 OPEN OPEN - "the rule is one-way"
}

sc_prohibited-6320() {
    DESC="TCP 6320 refused by the router with ICMP admin-prohibited, both directions (reject with icmpx admin-prohibited)"
    RULES='tcp dport 6320 counter reject with icmpx admin-prohibited'
}
run_prohibited-6320() {
    probe src $T4 --tcp 6320,6325
    probe tgt $S4 --tcp 6320,6325
}
exp_prohibited-6320() {
    expect $S4 $T4 tcp 6320 REJECTED $R4S REJECTED UNTESTED - "ICMP type 3 code 13 from 198.51.100.1 quoting the SYN"
    expect $S4 $T4 tcp 6325 OPEN $T4 OPEN OPEN - "control"
    expect $T4 $S4 tcp 6320 REJECTED $R4T UNTESTED REJECTED - "ICMP type 3 code 13 from 203.0.113.1 quoting the SYN"
    expect $T4 $S4 tcp 6325 OPEN $S4 OPEN OPEN - "control"
}

sc_echo-request-dropped() {
    DESC="ICMP echo requests target->source dropped (the failover monitor's direction); source->target echo works"
    RULES='iifname "r1" oifname "r0" icmp type echo-request counter drop'
}
run_echo-request-dropped() {
    probe src $T4 --tcp 6325 --icmp
    probe tgt $S4 --tcp 6325 --icmp
}
exp_echo-request-dropped() {
    expect $S4 $T4 icmp - OPEN $T4 OPEN OPEN - "3 requests, 3 replies"
    expect $T4 $S4 icmp - DROPPED - UNTESTED DROPPED - "3 echo requests leave the target, none arrives at the source"
    expect $S4 $T4 tcp 6325 OPEN $T4 OPEN OPEN - "control"
    expect $T4 $S4 tcp 6325 OPEN $S4 OPEN OPEN - "control"
}

sc_echo-reply-dropped() {
    DESC="ICMP echo replies dropped in both directions: requests arrive, answers are lost"
    RULES='icmp type echo-reply counter drop'
}
run_echo-reply-dropped() {
    probe src $T4 --tcp 6325 --icmp
    probe tgt $S4 --icmp
}
exp_echo-reply-dropped() {
    expect $S4 $T4 icmp - REPLY-DROPPED $T4 DROPPED OPEN - "target capture: 3 requests in, 3 replies out (looks answered from there); source capture: 3 unanswered requests"
    expect $T4 $S4 icmp - REPLY-DROPPED $S4 OPEN DROPPED - "mirror image: the source sees requests in and replies out"
    expect $S4 $T4 tcp 6325 OPEN $T4 OPEN OPEN - "control"
}

sc_not-listening() {
    DESC="no rule; nothing listens on TCP 6320 and UDP 6320 on the target: the host answers RST and ICMP port unreachable itself"
    RULES=""
    TGT_TCP="6325,6326,135-139,445,443" TGT_UDP="6325,6326,135-139,445"
}
run_not-listening() {
    probe src $T4 --tcp 6320,6325 --udp 6320,6325
}
exp_not-listening() {
    expect $S4 $T4 tcp 6320 CLOSED $T4 CLOSED CLOSED - "RST/ACK from the host: TTL 63 at the source, like its SYN-ACK on 6325"
    expect $S4 $T4 udp 6320 CLOSED $T4 CLOSED CLOSED - "ICMP type 3 code 3 (port unreachable) from 203.0.113.20 itself"
    expect $S4 $T4 tcp 6325 OPEN $T4 OPEN OPEN - "control"
    expect $S4 $T4 udp 6325 OPEN $T4 OPEN OPEN - "control"
}

sc_reverse-blocked() {
    DESC="target->source blocked (drop) on TCP/UDP 6320, 6325, 6326; source->target open"
    RULES='iifname "r1" oifname "r0" meta l4proto { tcp, udp } th dport { 6320, 6325, 6326 } counter drop'
}
run_reverse-blocked() {
    probe src $T4 --tcp 6320,6325,6326 --udp 6320
    probe tgt $S4 --tcp 6320,6325,6326,443 --udp 6320
}
exp_reverse-blocked() {
    local p
    for p in 6320 6325 6326; do expect $S4 $T4 tcp $p OPEN $T4 OPEN OPEN - "source->target works"; done
    expect $S4 $T4 udp 6320 OPEN $T4 OPEN OPEN - "source->target works"
    for p in 6320 6325 6326; do expect $T4 $S4 tcp $p DROPPED - UNTESTED DROPPED - "SYN retransmitted from the target, never arrives at the source"; done
    expect $T4 $S4 udp 6320 DROPPED - UNTESTED DROPPED - "unanswered UDP request (also what a silent service looks like: lower confidence)"
    expect $T4 $S4 tcp 443 OPEN $S4 OPEN OPEN - "control"
}

sc_smb-blocked() {
    DESC="TCP and UDP 135-139 and 445 dropped in both directions (file share / directory ports)"
    RULES='meta l4proto { tcp, udp } th dport { 135-139, 445 } counter drop'
}
run_smb-blocked() {
    probe src $T4 --tcp 135-139,445,6320 --udp 135-139,445,6320
    probe tgt $S4 --tcp 135,445,6320 --udp 445
}
exp_smb-blocked() {
    local p
    for p in 135 136 137 138 139 445; do
        expect $S4 $T4 tcp $p DROPPED - DROPPED UNTESTED - "unanswered SYNs, never reach the target"
        expect $S4 $T4 udp $p DROPPED - DROPPED UNTESTED - "unanswered UDP request, never reaches the target"
    done
    expect $S4 $T4 tcp 6320 OPEN $T4 OPEN OPEN - "control"
    expect $S4 $T4 udp 6320 OPEN $T4 OPEN OPEN - "control"
    expect $T4 $S4 tcp 135 DROPPED - UNTESTED DROPPED - "unanswered SYNs, never reach the source"
    expect $T4 $S4 tcp 445 DROPPED - UNTESTED DROPPED - "unanswered SYNs, never reach the source"
    expect $T4 $S4 udp 445 DROPPED - UNTESTED DROPPED - "unanswered UDP request"
    expect $T4 $S4 tcp 6320 OPEN $S4 OPEN OPEN - "control"
}

sc_udp-unreachable() {
    DESC="UDP source->target: 6326 has no listener (host port unreachable) vs 6325 rejected by the router (admin-prohibited) vs 445 rejected by the router with port unreachable (plain reject)"
    RULES='iifname "r0" oifname "r1" meta nfproto ipv4 udp dport 6325 counter reject with icmp type admin-prohibited
iifname "r0" oifname "r1" udp dport 445 counter reject'
    TGT_UDP="6320,6325,135-139,445"
}
run_udp-unreachable() {
    probe src $T4 --udp 6320,6325,6326,445
}
exp_udp-unreachable() {
    expect $S4 $T4 udp 6320 OPEN $T4 OPEN OPEN - "control"
    expect $S4 $T4 udp 6325 REJECTED $R4S REJECTED UNTESTED - "ICMP type 3 code 13 (admin prohibited) from the router 198.51.100.1"
    expect $S4 $T4 udp 6326 CLOSED $T4 CLOSED CLOSED - "ICMP type 3 code 3 (port unreachable) from the host 203.0.113.20: nothing listens"
    expect $S4 $T4 udp 445 REJECTED $R4S REJECTED UNTESTED - "ICMP type 3 code 3 (port unreachable) but from the router 198.51.100.1, not the host: nftables' plain reject"
}

sc_ipv6-drop() {
    DESC="IPv6 only: TCP and UDP 6320 and ICMPv6 echo requests source->target dropped; IPv4 open"
    RULES='iifname "r0" oifname "r1" meta nfproto ipv6 meta l4proto { tcp, udp } th dport 6320 counter drop
iifname "r0" oifname "r1" icmpv6 type echo-request counter drop'
}
run_ipv6-drop() {
    probe src $T6 --tcp 6320,6325 --udp 6320 --icmp
    probe src $T4 --tcp 6320 --icmp
}
exp_ipv6-drop() {
    expect $S6 $T6 tcp 6320 DROPPED - DROPPED UNTESTED - "unanswered SYNs over IPv6"
    expect $S6 $T6 udp 6320 DROPPED - DROPPED UNTESTED - "unanswered UDP request over IPv6"
    expect $S6 $T6 icmp - DROPPED - DROPPED UNTESTED - "unanswered ICMPv6 echo requests (type 128)"
    expect $S6 $T6 tcp 6325 OPEN $T6 OPEN OPEN - "control over IPv6"
    expect $S4 $T4 tcp 6320 OPEN $T4 OPEN OPEN - "the same port over IPv4 is open"
    expect $S4 $T4 icmp - OPEN $T4 OPEN OPEN - "IPv4 echo is open"
}

sc_ipv6-reject() {
    DESC="IPv6: TCP 6320 rejected with ICMPv6 admin-prohibited, TCP 6325 with a forged reset, UDP 6326 not listening (host ICMPv6 port unreachable)"
    RULES='iifname "r0" oifname "r1" meta nfproto ipv6 tcp dport 6320 counter reject with icmpx admin-prohibited
iifname "r0" oifname "r1" meta nfproto ipv6 tcp dport 6325 counter reject with tcp reset'
    TGT_UDP="6320,6325,135-139,445"
}
run_ipv6-reject() {
    probe src $T6 --tcp 6320,6325,6326 --udp 6320,6326
}
exp_ipv6-reject() {
    expect $S6 $T6 tcp 6320 REJECTED $R6S REJECTED UNTESTED - "ICMPv6 type 1 code 1 (administratively prohibited) from 2001:db8:1::1"
    expect $S6 $T6 tcp 6325 REJECTED $R6S REJECTED UNTESTED - "RST/ACK claims 2001:db8:2::20 but the router made it: hop limit 64 where the target's packets arrive with 63"
    expect $S6 $T6 tcp 6326 OPEN $T6 OPEN OPEN - "control"
    expect $S6 $T6 udp 6320 OPEN $T6 OPEN OPEN - "control"
    expect $S6 $T6 udp 6326 CLOSED $T6 CLOSED CLOSED - "ICMPv6 type 1 code 4 (port unreachable) from the host 2001:db8:2::20"
}

sc_partial() {
    DESC="TCP 6320 source->target: attempt 1 passes, then a drop rule is added (attempt 2 dropped), then removed (attempt 3 passes)"
    RULES=""
}
run_partial() {
    probe src $T4 --tcp 6320
    set_rules 'iifname "r0" oifname "r1" tcp dport 6320 counter drop'
    probe src $T4 --tcp 6320,6325
    set_rules ''
    probe src $T4 --tcp 6320
}
exp_partial() {
    expect $S4 $T4 tcp 6320 PARTIAL $T4 PARTIAL OPEN - "attempts 1 and 3 answered, attempt 2 (about 1 s later) unanswered; the target only ever sees the two that passed"
    expect $S4 $T4 tcp 6325 OPEN $T4 OPEN OPEN - "control (during attempt 2)"
}

sc_demo() {
    DESC="mixed (the README's first command): 6320 open, 6325 dropped source->target, 445 rejected with ICMP admin-prohibited, echo replies dropped"
    RULES='iifname "r0" oifname "r1" tcp dport 6325 counter drop
iifname "r0" oifname "r1" tcp dport 445 counter reject with icmpx admin-prohibited
icmp type echo-reply counter drop'
}
run_demo() {
    probe src $T4 --tcp 6320,6325,6326,445 --udp 6320 --icmp
    probe tgt $S4 --tcp 6320,6325 --icmp
}
exp_demo() {
    expect $S4 $T4 tcp 6320 OPEN $T4 OPEN OPEN - ""
    expect $S4 $T4 tcp 6325 DROPPED - DROPPED UNTESTED - "unanswered SYNs, never reach the target"
    expect $S4 $T4 tcp 6326 OPEN $T4 OPEN OPEN - ""
    expect $S4 $T4 tcp 445 REJECTED $R4S REJECTED UNTESTED - "ICMP type 3 code 13 from 198.51.100.1"
    expect $S4 $T4 udp 6320 OPEN $T4 OPEN OPEN - ""
    expect $S4 $T4 icmp - REPLY-DROPPED $T4 DROPPED OPEN - "requests arrive, replies lost on the way back"
    expect $T4 $S4 tcp 6320 OPEN $S4 OPEN OPEN - ""
    expect $T4 $S4 tcp 6325 OPEN $S4 OPEN OPEN - "the drop is source->target only"
    expect $T4 $S4 icmp - REPLY-DROPPED $S4 OPEN DROPPED - "the failover monitor's pings: requests arrive, replies lost"
}

# the look-alike scenarios (listen backlog, rate limits, scans, ...)
# shellcheck source=lab_lookalike.sh
. "$HERE/lab_lookalike.sh"

# ------------------------------------------------------------------ checks

# What the probing client itself saw must fit the ground truth (a self-check of the lab).
check_probes() { # dir
    local dir=$1 bad=0 from to proto port verdict rest outcome ok
    while IFS=$'\t' read -r from to proto port verdict rest; do
        [ "$from" = from ] && continue
        local key="$from $to $proto $port"
        [ "$verdict" = PARTIAL ] && [ -z "${CLIENT[$key]:-}" ] && continue
        [ "${CLIENT[$key]:-}" = - ] && continue   # no client of ours made it (nmap's echo)
        outs=$(awk -F'\t' -v f="$from" -v t="$to" -v p="$proto" -v n="$port" \
            '$1==f && $2==t && $3==p && $4==n {print $5}' "$WORK/probes.tsv" | sort -u)
        if [ -z "$outs" ]; then log "CHECK $dir: no probe for $from $to $proto $port"; bad=1; continue; fi
        for outcome in $outs; do
            ok=0
            if [ -n "${CLIENT[$key]:-}" ]; then
                case " ${CLIENT[$key]} " in *" $outcome "*) ok=1;; esac
                [ $ok = 1 ] || { log "CHECK $dir: $key: client saw $outcome, want one of: ${CLIENT[$key]}"; bad=1; }
                continue
            fi
            case "$verdict:$outcome" in
                OPEN:answered|CLOSED:refused|REJECTED:refused|REJECTED:unreachable) ok=1;;
                DROPPED:timeout|REPLY-DROPPED:timeout) ok=1;;
                UNREACHABLE:unreachable|STALLED:stalled) ok=1;;
            esac
            [ $ok = 1 ] || { log "CHECK $dir: $from -> $to $proto $port expected $verdict, client saw $outcome"; bad=1; }
        done
    done <"$dir/expected.tsv"
    return $bad
}

# list_packets FILE LABEL: the capture in tcpdump's words (times relative to its first packet),
# for scenario.txt; a long capture is cut after 120 lines.
list_packets() {
    local n; n=$(tcpdump -n -r "$1" 2>/dev/null | wc -l)
    echo
    echo "$2 capture, $n packets (tcpdump -n -ttttt -r):"
    tcpdump -n -ttttt -r "$1" 2>/dev/null | head -120 | cut -c1-150 | sed 's/^/    /'
    [ "$n" -gt 120 ] && echo "    ... ($((n - 120)) more)"
    return 0
}

# pkts FILE FILTER: how many packets of the capture match the tcpdump filter (for check_NAME)
pkts() { tcpdump -n -r "$1" "$2" 2>/dev/null | wc -l; }

# ------------------------------------------------------------------ run one scenario

run_scenario() {
    local name=$1 dir="$OUT/$1" t0=$SECONDS
    defaults
    "sc_$name"
    log "== $name: $DESC"
    : >"$WORK/probes.tsv"; : >"$WORK/probe.err"
    rm -f "$WORK"/*.pcap "$WORK"/listen.*.log
    lab_up
    set_rules "$RULES" "$RULES_OUT"
    start_listener "$NS_TGT" "$TGT_TCP" "$TGT_UDP" "${TGT_EXTRA[@]}"
    start_listener "$NS_SRC" "$SRC_TCP" "$SRC_UDP"
    if declare -F "setup_$name" >/dev/null; then "setup_$name"; fi   # before the captures
    start_capture "$NS_SRC" s0 "$WORK/source.pcap" "$SRC_FILTER"
    start_capture "$NS_TGT" t0 "$WORK/target.pcap"
    sleep 0.3
    "run_$name"
    sleep "$TAIL"                   # late answers, FINs, retransmitted SYN-ACKs
    local ruleset; ruleset=$(nsx "$NS_RTR" nft list ruleset 2>&1)
    stop_captures
    local tdsrc tdtgt; tdsrc=$(grep -E 'captured|dropped by kernel' "$WORK/tcpdump.$NS_SRC.log" | tr '\n' ';')
    tdtgt=$(grep -E 'captured|dropped by kernel' "$WORK/tcpdump.$NS_TGT.log" | tr '\n' ';')
    netns_down

    mkdir -p "$dir"
    rm -f "$dir"/source.pcap "$dir"/target.pcap "$dir"/source.pcap.gz "$dir"/target.pcap.gz
    EXP=(); "exp_$name"
    {
        printf 'from\tto\tproto\tport\tverdict\tanswered_by\tsource_only\ttarget_only\tlookalike\tnote\n'
        printf '%s\n' "${EXP[@]}"
    } >"$dir/expected.tsv"
    if [ "$name" = demo ]; then
        gzip -n -9 -c "$WORK/source.pcap" >"$dir/source.pcap.gz"
        gzip -n -9 -c "$WORK/target.pcap" >"$dir/target.pcap.gz"
    else
        cp "$WORK/source.pcap" "$dir/source.pcap"
        cp "$WORK/target.pcap" "$dir/target.pcap"
    fi
    {
        echo "scenario: $name"
        echo "what: $DESC"
        echo "made by: samples/lab.sh $name (lab_peer.py listeners and probes, tcpdump on both ends)"
        local ext=pcap; [ "$name" = demo ] && ext=pcap.gz
        echo "source: $S4 $S6 (capture: source.$ext, interface s0)"
        echo "router: $R4S $R6S (source side)  $R4T $R6T (target side); TTL/hop limit 64"
        echo "target: $T4 $T6 (capture: target.$ext, interface t0)"
        echo "listeners: target tcp $TGT_TCP udp $TGT_UDP ${TGT_EXTRA[*]}; source tcp $SRC_TCP udp $SRC_UDP"
        echo "tcpdump: source: $tdsrc target: $tdtgt"
        [ -n "$SRC_FILTER" ] && echo "source capture filter: $SRC_FILTER"
        echo
        echo "router ruleset at the end of the run (r0 = source side, r1 = target side):"
        echo "$ruleset" | sed 's/^/    /'
        echo
        echo "what the probing clients saw (from to proto port outcome detail):"
        sed 's/^/    /' "$WORK/probes.tsv"
        [ -s "$WORK/probe.err" ] && { echo "probe errors:"; sed 's/^/    /' "$WORK/probe.err"; }
        [ -n "$NOTES" ] && { echo; echo "what the captures show:"; printf '%s\n' "$NOTES" | fold -s -w 96 | sed 's/^/    /'; }
        if [ -n "$NOTES" ]; then list_packets "$WORK/source.pcap" source; list_packets "$WORK/target.pcap" target; fi
    } >"$dir/scenario.txt"
    if ! check_probes "$dir"; then FAILS=$((FAILS + 1)); fi
    if declare -F "check_$name" >/dev/null && ! "check_$name" "$dir"; then FAILS=$((FAILS + 1)); fi
    log "   $name done in $((SECONDS - t0)) s: $(cd "$dir" && ls -l source.pcap* target.pcap* | awk '{printf "%s %s  ", $NF, $5}')"
}

# ------------------------------------------------------------------ main

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }

want=()
while [ $# -gt 0 ]; do
    case $1 in
        --list|-l)
            for s in "${SCENARIOS[@]}"; do defaults; "sc_$s"; printf '%-22s %s\n' "$s" "$DESC"; done
            exit 0;;
        -o) [ $# -ge 2 ] || die "-o needs a directory"; OUT=$(mkdir -p "$2" && cd "$2" && pwd) || die "bad -o"; shift 2;;
        -h|--help) usage; exit 0;;
        -*) die "unknown option $1 (try --help)";;
        *) declare -F "sc_$1" >/dev/null || die "unknown scenario $1 (try --list)"; want+=("$1"); shift;;
    esac
done
[ ${#want[@]} -eq 0 ] && want=("${SCENARIOS[@]}")
[ "$(id -u)" = 0 ] || die "needs root (network namespaces): sudo $0 $*"
for tool in ip nft tcpdump python3 ping timeout tc ss; do command -v $tool >/dev/null || die "missing $tool"; done
case " ${want[*]} " in *" nmap-"*) command -v nmap >/dev/null || die "missing nmap (apt-get install nmap)";; esac
command -v ethtool >/dev/null || log "warning: no ethtool (apt-get install ethtool): checksum offload stays on, captured checksums may be wrong"

mkdir -p "$HERE/lab-out"
WORK=$(mktemp -d "$HERE/lab-out/run.XXXXXX") || die "mktemp"
for s in "${want[@]}"; do
    [ $SECONDS -lt $MAX_TOTAL ] || die "time budget ($MAX_TOTAL s) exhausted"
    run_scenario "$s"
done
if [ $FAILS -gt 0 ]; then log "$FAILS scenario(s) did not behave as expected (see CHECK lines)"; exit 1; fi
log "all done in $SECONDS s; output in $OUT (check the captures with samples/verify.sh $OUT)"
