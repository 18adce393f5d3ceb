#!/usr/bin/env bash
# samples/path-lab.sh: a lab with two routers in a row, for "who blocks, and where on the
# path": captures on both hosts and on every router interface, and the answers each capture
# alone (and the two hosts' together) should give, including which device sent a refusal and
# how a capture can tell. Writes samples/path-<scenario>/ (see samples/README.md, "The path
# lab"). samples/lab.sh keeps the one-router scenarios; both share scripts/netns.sh and
# samples/lab_peer.py (listeners and probes).
#
#   sudo samples/path-lab.sh [-o OUTDIR] [scenario...]   run the scenarios (default: all)
#   samples/path-lab.sh --list                           list the scenarios
#   sudo samples/path-lab.sh --up                        build the lab, print its names, wait
#                                                        for Ctrl-C (for trying fwsight test)
#
# Safety: all traffic stays inside namespaces this script creates (fwpath-<pid>-*), on
# documentation addresses only. Every process it starts is recorded and stopped by PID, and
# the namespaces are deleted on every exit path. Every wait is bounded.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEER="$HERE/lab_peer.py"
OUT="$HERE"
MAX_TOTAL=600
PFX="fwpath-$$"
NS_SRC="$PFX-src" NS_R1="$PFX-r1" NS_R2="$PFX-r2" NS_TGT="$PFX-tgt"
NS_X1="$PFX-x1" NS_X2="$PFX-x2"

# shellcheck source=path-lab-model.sh
. "$HERE/path-lab-model.sh"
# shellcheck source=../scripts/netns.sh
. "$HERE/../scripts/netns.sh"

PIDS=() NSLIST=() CAP_PIDS=()
WORK="" CLEANED=0 FAILS=0

log() { printf '%s\n' "path-lab: $*" >&2; }
die() { log "error: $*"; exit 1; }

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

# ------------------------------------------------------------------ scenarios
# BLOCKS drives both the routers' nftables rules and the expected answers: one entry per
# rule, "PROTO PORT DIR ROUTER ACTION": DIR fwd (source->target), rev (target->source) or
# both; ROUTER 1 or 2; ACTION drop, reset (forged TCP reset) or icmp (admin-prohibited).
# PROBES: "WHO ADDR lab_peer-probe-arguments" (WHO src or tgt; ports as comma lists).

SCENARIOS=(far near-far inpath)

sc_far() {
    DESC="rtr2 (the far router from the source) forges TCP resets for 6320 and answers 6325 with ICMP admin-prohibited; rtr1 drops 6326; both directions, IPv4 and IPv6"
    BLOCKS=("tcp 6320 both 2 reset" "tcp 6325 both 2 icmp" "udp 6325 both 2 icmp"
            "tcp 6326 both 1 drop" "udp 6326 both 1 drop")
    PROBES=("src $T4 --tcp 6320,6325,6326,445 --udp 6320,6325,6326 --icmp"
            "tgt $S4 --tcp 6320,6325,6326,445 --udp 6320,6325,6326 --icmp"
            "src $T6 --tcp 6320,6325,6326,445 --icmp"
            "tgt $S6 --tcp 6320,6325,6326,445 --icmp")
    EXTRA=0
}

sc_near-far() {
    DESC="source->target: rtr1 forges a reset for 6320, rtr2 forges one for 6325 and sends no ICMP error at all (nothing names it but the TTL); 445 open"
    BLOCKS=("tcp 6320 fwd 1 reset" "tcp 6325 fwd 2 reset")
    PROBES=("src $T4 --tcp 6320,6325,445 --icmp"
            "src $T6 --tcp 6320,6325,445")
    EXTRA=0
}

sc_inpath() {
    DESC="captures on rtr1 itself (both interfaces merged) and with a third pair of hosts talking through it; rtr1 drops 6326 source->target, rtr2 drops 6320 and forges resets for 6325, both directions"
    BLOCKS=("tcp 6326 fwd 1 drop" "tcp 6320 both 2 drop" "tcp 6325 both 2 reset")
    PROBES=("src $T4 --tcp 6320,6325,6326,445 --udp 6320 --icmp"
            "tgt $S4 --tcp 6320,6325,445 --icmp")
    EXTRA=1
}

# ------------------------------------------------------------------ lab

ns_new() { # ns_new NS
    ip netns add "$1" || die "ip netns add $1"
    NSLIST+=("$1")
    nsx "$1" ip link set lo up
    # no DAD (addresses usable at once), no router solicitations/RA: quiet captures
    nsx "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
        net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.router_solicitations=0 \
        net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.accept_ra=0 >/dev/null
}

link_new() { # link_new NS_A DEV_A MAC_A NS_B DEV_B MAC_B: a veth created inside the namespaces
    ip -n "$1" link add "$2" type veth peer name "$5" netns "$4" || die "veth $2-$5"
    ip -n "$1" link set "$2" address "$3"
    ip -n "$4" link set "$5" address "$6"
    local p
    for p in "$1:$2" "$4:$5"; do
        # no checksum offload (captured checksums are real), no GSO/GRO (one segment a frame)
        nsx "${p%%:*}" ethtool -K "${p#*:}" tx off rx off tso off gso off gro off \
            >/dev/null 2>&1 || log "warning: ethtool -K ${p#*:} failed"
        nsx "${p%%:*}" ip link set "${p#*:}" up
    done
}

addr() { nsx "$1" ip addr add "$3" dev "$2"; [ -n "${4:-}" ] && nsx "$1" ip -6 addr add "$4" dev "$2" nodad; return 0; }

lab_up() {
    local ns
    for ns in "$NS_SRC" "$NS_R1" "$NS_R2" "$NS_TGT"; do ns_new "$ns"; done
    for ns in "$NS_R1" "$NS_R2"; do
        # forwarding; ICMP errors not rate limited, so every refusal is in the capture and
        # TTL-limited probes (fwsight test --locate) get one time-exceeded each
        nsx "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
            net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 >/dev/null
    done
    link_new "$NS_SRC" s0 "$MAC_S0" "$NS_R1" a0 "$MAC_A0"
    link_new "$NS_R1" a1 "$MAC_A1" "$NS_R2" b0 "$MAC_B0"
    link_new "$NS_R2" b1 "$MAC_B1" "$NS_TGT" t0 "$MAC_T0"
    addr "$NS_SRC" s0 "$S4/24" "$S6/64"
    addr "$NS_R1" a0 "$R1S4/24" "$R1S6/64"
    addr "$NS_R1" a1 "$R1M4/24" "$R1M6/64"
    addr "$NS_R2" b0 "$R2M4/24" "$R2M6/64"
    addr "$NS_R2" b1 "$R2T4/24" "$R2T6/64"
    addr "$NS_TGT" t0 "$T4/24" "$T6/64"
    nsx "$NS_SRC" ip route add default via "$R1S4"
    nsx "$NS_SRC" ip -6 route add default via "$R1S6"
    nsx "$NS_TGT" ip route add default via "$R2T4"
    nsx "$NS_TGT" ip -6 route add default via "$R2T6"
    nsx "$NS_R1" ip route add 203.0.113.0/24 via "$R2M4"
    nsx "$NS_R1" ip -6 route add 2001:db8:2::/64 via "$R2M6"
    nsx "$NS_R2" ip route add 198.51.100.0/24 via "$R1M4"
    nsx "$NS_R2" ip -6 route add 2001:db8:1::/64 via "$R1M6"
    if [ "$EXTRA" = 1 ]; then
        # the third pair: x1 behind rtr1, x2 behind rtr2, each on its own link with a host
        # route (the IPv4 documentation ranges are all taken by the path's three links)
        ns_new "$NS_X1"; ns_new "$NS_X2"
        link_new "$NS_X1" x0 "$MAC_X1" "$NS_R1" ax "$MAC_AX"
        link_new "$NS_X2" y0 "$MAC_X2" "$NS_R2" bx "$MAC_BX"
        addr "$NS_X1" x0 "$X1_4/24"; addr "$NS_R1" ax "$R1S4/32"
        addr "$NS_X2" y0 "$X2_4/24"; addr "$NS_R2" bx "$R2T4/32"
        nsx "$NS_R1" ip route add "$X1_4/32" dev ax
        nsx "$NS_R2" ip route add "$X2_4/32" dev bx
        nsx "$NS_X1" ip route add default via "$R1S4"
        nsx "$NS_X2" ip route add default via "$R2T4"
    fi
    local i ok
    for i in 1 2 3 4 5 6 7 8 9 10; do
        ok=1
        nsx "$NS_SRC" ping -n -q -c 1 -W 1 "$T4" >/dev/null 2>&1 || ok=0
        nsx "$NS_SRC" ping -6 -n -q -c 1 -W 1 "$T6" >/dev/null 2>&1 || ok=0
        nsx "$NS_TGT" ping -n -q -c 1 -W 1 "$S4" >/dev/null 2>&1 || ok=0
        if [ "$EXTRA" = 1 ]; then nsx "$NS_X1" ping -n -q -c 1 -W 1 "$X2_4" >/dev/null 2>&1 || ok=0; fi
        [ $ok = 1 ] && break
        sleep 0.3
    done
    [ $ok = 1 ] || die "lab does not forward (ping across both routers failed)"
}

rules_of() { # rules_of ROUTER: the nft rule lines for that router's BLOCKS
    local b proto port dir rt act iif
    for b in "${BLOCKS[@]}"; do
        read -r proto port dir rt act <<<"$b"
        [ "$rt" = "$1" ] || continue
        case "$rt:$dir" in
            1:fwd) iif='iifname "a0" ';; 1:rev) iif='iifname "a1" ';;
            2:fwd) iif='iifname "b0" ';; 2:rev) iif='iifname "b1" ';; *) iif='';;
        esac
        case $act in
            drop) act="drop";;
            reset) act="reject with tcp reset";;
            icmp) act="reject with icmpx admin-prohibited";;
        esac
        echo "${iif}$proto dport $port counter $act"
    done
}

set_rules() { # set_rules ROUTER
    local f="$WORK/rules$1.nft" ns=$NS_R1
    [ "$1" = 2 ] && ns=$NS_R2
    { echo "flush ruleset"; echo "table inet fwpath {"; echo "    chain forward {"
      echo "        type filter hook forward priority filter; policy accept;"
      rules_of "$1" | sed 's/^/        /'; echo "    }"; echo "}"; } >"$f"
    nsx "$ns" nft -f "$f" || die "nft rejected: $(cat "$f")"
}

start_listener() { # ns tcp-list udp-list
    local ns=$1 ready="$WORK/ready.$1" i
    ip netns exec "$ns" timeout 150 python3 "$PEER" listen --tcp "$2" --udp "$3" --max-time 120 \
        --ready-file "$ready" >>"$WORK/listen.log" 2>&1 &
    PIDS+=($!)
    for i in $(seq 50); do [ -s "$ready" ] && return 0; sleep 0.1; done
    die "listener in $ns not ready: $(cat "$WORK/listen.log")"
}

start_capture() { # ns dev name
    local lg="$WORK/tcpdump.$3.log" i
    : >"$lg"
    ip netns exec "$1" timeout 150 tcpdump -n -i "$2" -U --immediate-mode -Z root \
        -w "$WORK/$3.pcap" >"$lg" 2>&1 &
    PIDS+=($!); CAP_PIDS+=($!)
    for i in $(seq 50); do grep -q "listening on" "$lg" && return 0; sleep 0.1; done
    die "tcpdump on $2 in $1 did not start: $(cat "$lg")"
}

stop_captures() {
    local pid
    for pid in "${CAP_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${CAP_PIDS[@]}"; do netns_stop_pid "$pid"; done
    CAP_PIDS=()
}

probe() { # probe src|tgt ADDR args...
    local who=$1 to=$2 ns=$NS_SRC from; shift 2
    [ "$who" = tgt ] && ns=$NS_TGT
    from=$(host_addr "$who" "$to")
    nsx "$ns" timeout 40 python3 "$PEER" probe --from-label "$from" --to "$to" "$@" \
        >>"$WORK/probes.tsv" 2>>"$WORK/probe.err" || log "warning: probe $who -> $to $* failed"
    sleep 0.3
}

# The third pair's traffic, in the background while the path's probes run: ports the
# path's rules do not touch, both ways, so it is all answered.
XPORTS_TCP=22,80,443,3389,8080 XPORTS_UDP=53,123
start_extra() {
    start_listener "$NS_X1" "$XPORTS_TCP" "$XPORTS_UDP"
    start_listener "$NS_X2" "$XPORTS_TCP" "$XPORTS_UDP"
    ip netns exec "$NS_X1" timeout 40 python3 "$PEER" probe --from-label "$X1_4" --to "$X2_4" \
        --tcp "$XPORTS_TCP" --udp "$XPORTS_UDP" --icmp >"$WORK/xprobes1.tsv" 2>&1 &
    XP1=$!; PIDS+=($XP1)
    ip netns exec "$NS_X2" timeout 40 python3 "$PEER" probe --from-label "$X2_4" --to "$X1_4" \
        --tcp 22,443 --icmp >"$WORK/xprobes2.tsv" 2>&1 &
    XP2=$!; PIDS+=($XP2)
}

# ------------------------------------------------------------------ run one scenario

# tcpdump runs on every interface of the path: name namespace device
CAPTURES=("source $NS_SRC s0" "rtr1-src $NS_R1 a0" "rtr1-mid $NS_R1 a1"
          "rtr2-mid $NS_R2 b0" "rtr2-tgt $NS_R2 b1" "target $NS_TGT t0")

run_scenario() {
    local name=$1 dir="$OUT/path-$1" t0=$SECONDS c p
    "sc_$name"
    log "== path-$name: $DESC"
    rm -f "$WORK"/*
    lab_up
    set_rules 1; set_rules 2
    start_listener "$NS_TGT" "$PROF_TCP" "$PROF_UDP"
    start_listener "$NS_SRC" "$PROF_TCP" "$PROF_UDP"
    for c in "${CAPTURES[@]}"; do set -- $c; start_capture "$2" "$3" "$1"; done
    [ "$EXTRA" = 1 ] && start_capture "$NS_R1" ax rtr1-x
    # neighbour caches emptied once every capture runs: each capture then holds the ARP and
    # NDP exchanges that tie a router's MAC to its address (the link-layer attribution)
    for c in "$NS_SRC" "$NS_R1" "$NS_R2" "$NS_TGT"; do nsx "$c" ip neigh flush all; done
    sleep 0.3
    [ "$EXTRA" = 1 ] && start_extra
    for p in "${PROBES[@]}"; do probe $p; done
    if [ "$EXTRA" = 1 ]; then
        wait_exit "$XP1" 45; wait_exit "$XP2" 45
        cat "$WORK/xprobes1.tsv" "$WORK/xprobes2.tsv" >>"$WORK/probes.tsv"
    fi
    sleep 1.2                       # late answers, FINs
    local r1 r2; r1=$(nsx "$NS_R1" nft list ruleset 2>&1); r2=$(nsx "$NS_R2" nft list ruleset 2>&1)
    stop_captures
    netns_down

    mkdir -p "$dir"
    rm -f "$dir"/*.pcap
    if [ "$EXTRA" = 1 ]; then
        # the router's own view: both its path interfaces in one file (every forwarded
        # packet twice, TTL one lower on the way out), without and with the third pair
        mergecap -F pcap -w "$WORK/rtr1-all.pcap" "$WORK/rtr1-src.pcap" "$WORK/rtr1-mid.pcap" \
            "$WORK/rtr1-x.pcap" || die "mergecap"
        tcpdump -Z root -r "$WORK/rtr1-all.pcap" -w "$dir/rtr1.pcap" \
            "not (host $X1_4 or host $X2_4)" 2>/dev/null || die "tcpdump -r"
        cp "$WORK/rtr1-all.pcap" "$dir/rtr1-mixed.pcap"
        cp "$WORK/source.pcap" "$WORK/target.pcap" "$dir/"
    else
        for c in "${CAPTURES[@]}"; do set -- $c; cp "$WORK/$1.pcap" "$dir/"; done
    fi
    write_expected "$dir"
    write_scenario "$dir" "$r1" "$r2"
    check_probes "$dir" || FAILS=$((FAILS + 1))
    log "   path-$name done in $((SECONDS - t0)) s: $(cd "$dir" && ls -l ./*.pcap | awk '{printf "%s %s  ", $NF, $5}')"
}

# ------------------------------------------------------------------ main

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }

lab_hold() { # --up: the lab (scenario far's rules) until Ctrl-C or 600 s
    sc_far
    lab_up; set_rules 1; set_rules 2
    log "up: source $NS_SRC ($S4 $S6), target $NS_TGT ($T4 $T6), routers $NS_R1 $NS_R2; Ctrl-C ends"
    local i
    for i in $(seq 600); do sleep 1; done
}

want=() UP=0
while [ $# -gt 0 ]; do
    case $1 in
        --list|-l)
            for s in "${SCENARIOS[@]}"; do "sc_$s"; printf 'path-%-10s %s\n' "$s" "$DESC"; done
            exit 0;;
        --up) UP=1; shift;;
        -o) [ $# -ge 2 ] || die "-o needs a directory"; OUT=$(mkdir -p "$2" && cd "$2" && pwd) || die "bad -o"; shift 2;;
        -h|--help) usage; exit 0;;
        -*) die "unknown option $1 (try --help)";;
        *) s=${1#path-}; declare -F "sc_$s" >/dev/null || die "unknown scenario $1 (try --list)"; want+=("$s"); shift;;
    esac
done
[ ${#want[@]} -eq 0 ] && want=("${SCENARIOS[@]}")
[ "$(id -u)" = 0 ] || die "needs root (network namespaces): sudo $0 $*"
for tool in ip nft tcpdump mergecap python3 ping timeout; do command -v $tool >/dev/null || die "missing $tool"; done
if [ $UP = 1 ]; then lab_hold; exit 0; fi

mkdir -p "$HERE/lab-out"
WORK=$(mktemp -d "$HERE/lab-out/path.XXXXXX") || die "mktemp"
for s in "${want[@]}"; do
    [ $SECONDS -lt $MAX_TOTAL ] || die "time budget ($MAX_TOTAL s) exhausted"
    run_scenario "$s"
done
if [ $FAILS -gt 0 ]; then log "$FAILS scenario(s) did not behave as expected (see CHECK lines)"; exit 1; fi
log "all done in $SECONDS s; output in $OUT/path-*"
