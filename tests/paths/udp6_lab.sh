#!/usr/bin/env bash
# tests/paths/udp6_lab.sh: captures that the real Linux kernel and nftables make of UDP, ICMP
# echo and IPv6 attempts, for checking fwsight's verdicts against the lab's truth. Three
# namespaces, client -- router -- server, IPv4 (198.51.100.0/24, 203.0.113.0/24) and IPv6
# (2001:db8:a::/64, 2001:db8:b::/64). The server has two addresses of each family (the second
# IPv6 one deprecated, so answers leave from the first); it echoes UDP on 6320 (bound to every
# address), answers UDP 6326 from its second address, accepts TCP 6320, and nothing listens on
# 6325. Each scenario loads its rules on the router (or takes its route, or the server's link,
# away), captures on the client and the server (and on the router's interfaces, each and -i
# any), and writes OUTDIR/<capture set>/*.pcap. Checking is udp6_lab_test.sh's (scenarios
# mixed, burst, noroute2, lostrefusal, down, rejectburst, mixedburst); the others are for exploring by hand (fwsight
# analyze on each file and on pairs; mixedburst, noroutebust and downstagger: where a router's
# ICMP rate limit meets a policy that also drops, no route, a host down).
#
#   udp6_lab.sh OUTDIR [scenario...]     (default: closed reject noroute echo other router
#                                         tcp6 lostrefusal down rejectburst; sc_* below say
#                                         what each does)
#
# Exit 0, 2 on a lab error, 77 skipped (not root, no namespaces, nft, tcpdump or python3).
# Safety: traffic stays inside the namespaces it creates (rtB<pid>-c/r/s, or with
# $LAB_NETNS_PREFIX for rtB), on documentation addresses; every process it starts is stopped
# by PID, every wait is bounded, and the namespaces are deleted on every exit path.
set -u -o pipefail

OUT=${1:?usage: udp6_lab.sh OUTDIR [scenario...]}
shift
PFX="${LAB_NETNS_PREFIX:-rtB}$$"
NS_C="$PFX-c" NS_R="$PFX-r" NS_S="$PFX-s"
C4=198.51.100.10 RC4=198.51.100.1 RS4=203.0.113.1 S4=203.0.113.20 S4B=203.0.113.21
C6=2001:db8:a::10 RC6=2001:db8:a::1 RS6=2001:db8:b::1 S6=2001:db8:b::20 S6B=2001:db8:b::21
PIDS=() NSLIST=() CAP_PIDS=()

log() { printf 'udp6_lab: %s\n' "$*" >&2; }
# shellcheck source=../../scripts/netns.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/netns.sh"
netns_lab ip nft python3 tcpdump ping
mkdir -p "$OUT" || exit 2

# ------------------------------------------------------------------ the lab
for ns in "$NS_C" "$NS_R" "$NS_S"; do # no duplicate address detection, before any link is up
    ip netns add "$ns" || skip "cannot create a network namespace"
    NSLIST+=("$ns")
    nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done
netns_line "$NS_C" c0 "$NS_R" r0 r1 "$NS_S" s0 || exit 2
nsx "$NS_C" ip addr add $C4/24 dev c0
nsx "$NS_C" ip addr add $C6/64 dev c0 nodad
nsx "$NS_R" ip addr add $RC4/24 dev r0
nsx "$NS_R" ip addr add $RC6/64 dev r0 nodad
nsx "$NS_R" ip addr add $RS4/24 dev r1
nsx "$NS_R" ip addr add $RS6/64 dev r1 nodad
nsx "$NS_S" ip addr add $S4/24 dev s0
nsx "$NS_S" ip addr add $S4B/24 dev s0
nsx "$NS_S" ip addr add $S6/64 dev s0 nodad
# deprecated: the server's answers leave from its first address unless asked for the other
nsx "$NS_S" ip addr add $S6B/64 dev s0 nodad preferred_lft 0
nsx "$NS_C" ip route add default via $RC4
nsx "$NS_C" ip -6 route add default via $RC6
nsx "$NS_S" ip route add default via $RS4
nsx "$NS_S" ip -6 route add default via $RS6

# The server: UDP echo on 6320 (both families, bound to every address: an answer leaves from
# the address the route prefers); on 6326 it answers from its second address (a second socket
# bound to it, same port); TCP accepts on 6320. 300 s at most.
ip netns exec "$NS_S" python3 -c '
import socket, select, time
b4, b6 = "'$S4B'", "'$S6B'"
socks = {}
def u(fam, addr, port):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port)); return s
e4, e6 = u(socket.AF_INET, "0.0.0.0", 6320), u(socket.AF_INET6, "::", 6320)
o4, o6 = u(socket.AF_INET, "0.0.0.0", 6326), u(socket.AF_INET6, "::", 6326)
a4, a6 = u(socket.AF_INET, b4, 6326), u(socket.AF_INET6, b6, 6326)
ts = []
for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
    t = socket.socket(fam, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:
        t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    t.bind((addr, 6320)); t.listen(16); ts.append(t)
end = time.time() + 300
while time.time() < end:
    r, _, _ = select.select([e4, e6, o4, o6] + ts, [], [], 0.5)
    for s in r:
        if s in ts:
            c, _ = s.accept(); c.close(); continue
        d, peer = s.recvfrom(2048)
        if s is e4 or s is e6:
            s.sendto(d, peer)
        else:
            (a4 if s is o4 else a6).sendto(d, peer)
' &
PIDS+=($!)

# udp ADDR PORT COUNT GAP [same]: COUNT datagrams, GAP seconds apart, each from its own socket
# (or all from one with "same"), each taking in answers for GAP.
udp() {
    nsx "$NS_C" python3 -c '
import socket, sys, time
addr, port, n, gap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
same = len(sys.argv) > 5
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
one = None
for i in range(n):
    s = one or socket.socket(fam, socket.SOCK_DGRAM)
    if same: one = s
    s.setblocking(False)
    try: s.sendto(b"fwsight-lab %d" % i, (addr, port))
    except OSError as e: print("udp6_lab: sendto:", e, file=sys.stderr)
    t = time.time() + gap
    while True:
        try: s.recv(2048)
        except OSError: pass
        if time.time() >= t: break
        time.sleep(0.005)
    if not same: s.close()
' "$@"
}
# syn_burst GAP HOLD PORT...: a non-blocking connect to each port of the server's IPv4
# address, GAP seconds apart, all held open HOLD seconds (their SYNs sent again meanwhile).
syn_burst() {
    nsx "$NS_C" python3 -c '
import socket, sys, time
gap, hold, ss = float(sys.argv[1]), float(sys.argv[2]), []
for p in sys.argv[3:]:
    s = socket.socket(); s.setblocking(False)
    try: s.connect(("'$S4'", int(p)))
    except OSError: pass
    ss.append(s); time.sleep(gap)
time.sleep(hold)
' "$@"
}
# tcp ADDR PORT: one connect, 1.5 s at most.
tcp() {
    nsx "$NS_C" python3 -c '
import socket, sys
a = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET); s.settimeout(1.5)
try: s.connect((a, int(sys.argv[2])))
except OSError: pass
' "$@"
}
ping_() { nsx "$NS_C" ping -n -q -c "${2:-3}" -i 0.3 -W 1 "$1" >/dev/null 2>&1; }

# capture NS IFACE NAME
capture() {
    netns_capture "$1" "$2" "$DIR/$3" && return 0
    log "tcpdump did not start: $(cat "$DIR/$3.err")"
    exit 2
}
start() { # start SCENARIO [router|any]: captures on client and server (and the router)
    DIR="$OUT/$1"
    mkdir -p "$DIR"
    rm -f "$DIR"/*.pcap
    CAP_PIDS=()
    capture "$NS_C" c0 client
    capture "$NS_S" s0 server
    case "${2:-}" in
    router) # each interface, and both in one file
        capture "$NS_R" r0 router-c
        capture "$NS_R" r1 router-s
        capture "$NS_R" any router-any ;;
    any) capture "$NS_R" any router-any ;;
    esac
}
stop() {
    # The last attempt's answer is due; then one answered request, so that the capture does
    # not end with it (an attempt in a capture's last second gets no verdict).
    sleep 1.2
    udp $S4 6320 1 0.1; udp $S6 6320 1 0.1
    local pid
    for pid in "${CAP_PIDS[@]}"; do netns_stop_pid "$pid"; done
    CAP_PIDS=()
    rm -f "$DIR"/*.err
    log "$(basename "$DIR"): $(ls "$DIR" | tr '\n' ' ')"
}
# fwd RULES: the router's forward chain (table inet lab), one rule a line, each loaded alone (nft
# 1.0.6 misparses some reject lines that follow an icmpv6 one in the same file).
fwd() {
    nsx "$NS_R" nft delete table inet lab 2>/dev/null
    nsx "$NS_R" nft add table inet lab || exit 2
    nsx "$NS_R" nft add chain inet lab forward \
        '{ type filter hook forward priority 0; policy accept; }'
    local line
    while read -r line; do
        [ -n "$line" ] || continue
        # shellcheck disable=SC2086 # the rule's words are nft's arguments
        nsx "$NS_R" nft add rule inet lab forward $line || { log "nft: $line"; exit 2; }
    done <<<"$1"
}
noop() { nsx "$NS_R" nft delete table inet lab 2>/dev/null; return 0; }

# ------------------------------------------------------------------ scenarios
# Every one ends with the path as it was: no rules, routes back.
sc_closed() { # UDP 6325: nothing listens; once alone, then a burst the ICMP limiter thins
    nsx "$NS_S" sysctl -qw net.ipv4.icmp_ratelimit=1000 net.ipv4.icmp_msgs_per_sec=5 \
        net.ipv4.icmp_msgs_burst=5 net.ipv6.icmp.ratelimit=1000
    start closed-once
    udp $S4 6325 2 1; udp $S6 6325 2 1; udp $S4 6320 1 0.5
    stop
    start closed-burst
    udp $S4 6325 50 0.02; udp $S6 6325 50 0.02
    stop
    start closed-burst-same
    udp $S4 6325 50 0.02 same; udp $S6 6325 50 0.02 same
    stop
    nsx "$NS_S" sysctl -qw net.ipv4.icmp_ratelimit=1000 net.ipv4.icmp_msgs_per_sec=1000 \
        net.ipv4.icmp_msgs_burst=50
}
sc_reject() { # router: drop 6325, admin-prohibited 6326 (v4 and v6), icmpx no-route 6327
    fwd 'udp dport 6325 drop
         meta nfproto ipv4 udp dport 6326 reject with icmp type admin-prohibited
         meta nfproto ipv6 udp dport 6326 reject with icmpv6 type admin-prohibited
         udp dport 6327 reject with icmpx type no-route
         meta nfproto ipv6 udp dport 6328 reject with icmpv6 type addr-unreachable
         meta nfproto ipv6 udp dport 6329 reject with icmpv6 type reject-route
         meta nfproto ipv4 udp dport 6329 reject with icmp type host-prohibited
         udp dport 6330 reject with icmpx type port-unreachable'
    start reject
    for p in 6325 6326 6327 6328 6329 6330; do udp $S4 $p 2 1; udp $S6 $p 2 1; done
    udp $S4 6320 1 0.5; udp $S6 6320 1 0.5
    stop
    noop
}
sc_noroute() { # the router loses its route to the server's net (v4 and v6)
    nsx "$NS_R" ip route del 203.0.113.0/24
    nsx "$NS_R" ip -6 route del 2001:db8:b::/64
    start noroute
    udp $S4 6320 2 1; udp $S6 6320 2 1; tcp $S4 6320; tcp $S6 6320; ping_ $S4 2; ping_ $S6 2
    stop
    nsx "$NS_R" ip route add 203.0.113.0/24 dev r1 proto kernel scope link src $RS4
    nsx "$NS_R" ip -6 route add 2001:db8:b::/64 dev r1 proto kernel
}
sc_echo() { # echo-request dropped one way; echo-reply dropped on the way back
    fwd 'iifname "r0" icmp type echo-request drop
         iifname "r0" icmpv6 type echo-request drop'
    start echo-request
    ping_ $S4 3; ping_ $S6 3
    nsx "$NS_S" ping -n -q -c 2 -i 0.3 -W 1 $C4 >/dev/null # the other way passes
    nsx "$NS_S" ping -n -q -c 2 -i 0.3 -W 1 $C6 >/dev/null
    stop
    fwd 'iifname "r1" icmp type echo-reply drop
         iifname "r1" icmpv6 type echo-reply drop'
    start echo-reply
    ping_ $S4 3; ping_ $S6 3
    stop
    noop
}
sc_other() { # UDP answered from the server's other address: 6320 asked on the second address
    # (the wildcard socket answers from the first), 6326 on the first (a socket bound to the
    # second answers)
    start other-address
    udp $S4B 6320 3 0.5; udp $S6B 6320 3 0.5; udp $S4 6326 3 0.5; udp $S6 6326 3 0.5
    stop
}
sc_router() { # captures on the router: drop UDP 6325, admin-prohibited 6326, echo dropped
    fwd 'udp dport 6325 drop
         meta nfproto ipv4 udp dport 6326 reject with icmp type admin-prohibited
         meta nfproto ipv6 udp dport 6326 reject with icmpv6 type admin-prohibited
         iifname "r0" icmp type echo-request drop
         tcp dport 6320 drop'
    start router router
    for p in 6320 6325 6326; do udp $S4 $p 2 1; udp $S6 $p 2 1; done
    tcp $S4 6320; ping_ $S4 2; ping_ $S6 2
    stop
    noop
}
sc_tcp6() { # TCP over IPv6: reset with tcp reset, admin-prohibited
    fwd 'meta nfproto ipv6 tcp dport 6320 reject with tcp reset'
    start tcp6-reset
    udp $S6 6320 1 0.3; tcp $S6 6320; tcp $S6 6320
    stop
    fwd 'meta nfproto ipv6 tcp dport 6320 reject with icmpv6 type admin-prohibited'
    start tcp6-prohib
    udp $S6 6320 1 0.3; tcp $S6 6320; tcp $S6 6320
    stop
    noop
}
sc_lostrefusal() { # nothing listens on 6325: the server refuses UDP with its port
    # unreachable and TCP with its RST, and the router drops both on the way back
    fwd 'iifname "r1" icmp type destination-unreachable drop
         iifname "r1" icmpv6 type destination-unreachable drop
         iifname "r1" tcp flags & rst == rst drop'
    start lost-refusal
    udp $S4 6325 2 0.05; udp $S6 6325 2 0.05
    tcp $S4 6325 & # each SYN, sent again a second later, meets the RST; 1.5 s both at once
    local p4=$!
    PIDS+=("$p4")
    tcp $S6 6325
    wait_exit $p4 3
    stop
    noop
}
sc_down() { # the server answers, then its link goes down: the router's neighbour resolution
    # gives up 3 s after each request and only then sends host unreachable (ICMPv6 address
    # unreachable)
    start down
    udp $S4 6320 1 0.05; udp $S6 6320 1 0.05; tcp $S4 6320; tcp $S6 6320
    nsx "$NS_S" sysctl -qw net.ipv6.conf.s0.keep_addr_on_down=1
    nsx "$NS_S" ip link set s0 down
    local pids=() p # all at once: the errors come 3 s later for each
    for p in "udp $S4 6321 1 3.5" "udp $S6 6321 1 3.5" "tcp $S4 6322" "tcp $S6 6322"; do
        $p &
        pids+=($!)
        PIDS+=($!)
    done
    sleep 3.5
    for p in "${pids[@]}"; do wait_exit "$p" 2; done
    nsx "$NS_S" ip link set s0 up
    nsx "$NS_S" ip route replace default via $RS4
    nsx "$NS_S" ip -6 route replace default via $RS6
    stop
}
sc_rejectburst() { # twenty SYNs at once to ports the router refuses with host unreachable:
    # its ICMP rate limit answers six at once, then one a second to whichever SYN is sent again
    # then; which ports get an error varies from run to run, that all are the router's does not
    # (explain_reject_limited.c). Then UDP: each of ten ports asked twice, 1 ms apart, refused
    # with admin-prohibited under the same limit.
    fwd 'tcp dport 6330-6349 reject with icmpx type host-unreachable
         udp dport 6350-6359 reject with icmp type admin-prohibited'
    start reject-burst
    udp $S4 6320 1 0.05
    nsx "$NS_C" python3 -c '
import socket, time
ss = []
for p in range(6330, 6350):
    s = socket.socket(); s.setblocking(False)
    try: s.connect(("'$S4'", p))
    except OSError: pass
    ss.append(s); time.sleep(0.01)
time.sleep(4)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for p in range(6350, 6360):
    for i in range(2):
        try: u.sendto(b"fwsight-lab", ("'$S4'", p))
        except OSError: pass
        time.sleep(0.001)
time.sleep(1)
'
    stop
    noop
}
sc_mixedburst() { # a policy that rejects ten ports and drops five others and ICMP echo, all
    # probed at once (as fwsight test does): the router's ICMP rate limit thins the refusals (six
    # at once, then one a second to the SYNs sent again), and by the SYN sent again 7 s later it
    # has refused every rejected port and has room again: the dropped ports' SYNs, and the
    # pings a second apart, still get nothing. They are a drop, not the limit.
    fwd 'tcp dport 6330-6339 reject with icmpx type host-unreachable
         tcp dport 6340-6344 drop
         icmp type echo-request drop'
    start mixed-burst
    udp $S4 6320 1 0.05
    nsx "$NS_C" ping -n -q -c 9 -i 1 $S4 >/dev/null 2>&1 &
    local ping=$!
    PIDS+=("$ping")
    syn_burst 0.01 8.5 6330 6340 6331 6341 6332 6342 6333 6343 6334 6344 6335 6336 6337 6338 6339
    wait_exit "$ping" 3
    stop
    noop
}
sc_noroutebust() { # fifteen SYNs at once to a server the router has no route to: net
    # unreachable at once, under the same ICMP rate limit (six, then one a second). Routing for
    # every port, refused or held back: no firewall rule to open.
    nsx "$NS_R" ip route del 203.0.113.0/24
    start noroute-burst
    syn_burst 0.01 4 $(seq 6330 6344)
    stop
    nsx "$NS_R" ip route add 203.0.113.0/24 dev r1 proto kernel scope link src $RS4
}
sc_downstagger() { # the server answers, then its link goes down; the client opens twelve
    # connections 200 ms apart: the router gives up resolving the server's address 3 s after
    # the first and sends host unreachable for the requests queued meanwhile, under its ICMP
    # rate limit (Linux 6.18: the six oldest got theirs, 2.05 to 3.05 s late; the younger, whose
    # error would have come under 2 s, "at once", got none). A host down: no reject.
    start down-stagger
    udp $S4 6320 1 0.05; tcp $S4 6320
    nsx "$NS_S" ip link set s0 down
    syn_burst 0.2 4 $(seq 6330 6341)
    nsx "$NS_S" ip link set s0 up
    nsx "$NS_S" ip route replace default via $RS4
    nsx "$NS_S" ip -6 route replace default via $RS6
    stop
}
# The regression test's scenarios (tests/paths/udp6_lab_test.sh), quick: attempts 50 ms apart.
sc_mixed() { # the router refuses in every way at once; captured on the hosts and the router
    fwd 'udp dport 6325 drop
         meta nfproto ipv4 udp dport 6326 reject with icmp type admin-prohibited
         meta nfproto ipv6 udp dport 6326 reject with icmpv6 type admin-prohibited
         udp dport 6327 reject with icmpx type no-route
         meta nfproto ipv6 udp dport 6328 reject with icmpv6 type addr-unreachable
         meta nfproto ipv6 tcp dport 6320 reject with tcp reset
         iifname "r1" icmp type echo-reply drop
         iifname "r1" icmpv6 type echo-reply drop'
    start mixed any
    udp $S4 6320 1 0.05; udp $S6 6320 1 0.05
    for p in 6325 6326 6327; do udp $S4 $p 2 0.05; udp $S6 $p 2 0.05; done
    udp $S6 6328 2 0.05; udp $S4B 6320 2 0.05; udp $S6B 6320 2 0.05
    tcp $S6 6320
    # both at once (their replies are dropped: each waits 1 s for them)
    ip netns exec "$NS_C" ping -n -q -c 2 -i 0.2 -W 1 $S4 >/dev/null &
    local p4=$!
    PIDS+=("$p4")
    nsx "$NS_C" ping -n -q -c 2 -i 0.2 -W 1 $S6 >/dev/null
    wait_exit $p4 3
    stop
    noop
}
sc_burst() { # 50 requests in a second to a closed port: the server's ICMP limiter thins them
    nsx "$NS_S" sysctl -qw net.ipv4.icmp_ratelimit=1000 net.ipv4.icmp_msgs_per_sec=5 \
        net.ipv4.icmp_msgs_burst=5 net.ipv6.icmp.ratelimit=1000
    start burst
    udp $S4 6325 50 0.01; udp $S6 6325 50 0.01
    stop
    nsx "$NS_S" sysctl -qw net.ipv4.icmp_ratelimit=1000 net.ipv4.icmp_msgs_per_sec=1000 \
        net.ipv4.icmp_msgs_burst=50
}
sc_noroute2() { # the router without a route to the server's net: quick
    nsx "$NS_R" ip route del 203.0.113.0/24
    nsx "$NS_R" ip -6 route del 2001:db8:b::/64
    start noroute2
    udp $S4 6320 1 0.05; udp $S6 6320 1 0.05; tcp $S4 6320
    stop
    nsx "$NS_R" ip route add 203.0.113.0/24 dev r1 proto kernel scope link src $RS4
    nsx "$NS_R" ip -6 route add 2001:db8:b::/64 dev r1 proto kernel
}
SCENARIOS=(closed reject noroute echo other router tcp6 lostrefusal down rejectburst)
[ $# -gt 0 ] && SCENARIOS=("$@")
for sc in "${SCENARIOS[@]}"; do "sc_$sc"; done
exit 0
