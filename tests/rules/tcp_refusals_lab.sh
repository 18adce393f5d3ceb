#!/usr/bin/env bash
# tests/rules/tcp_refusals_lab.sh: fwsight's TCP verdicts against what the real kernel and
# nftables do. A lab of three namespaces, client -- router -- server: the router forwards and
# its forward chain (table inet filter) holds one scenario's rules at a time; the server
# listens (python sockets). For each scenario tcpdump captures on the client and on the
# server, then `fwsight analyze --json` reads both captures together and each alone; the
# scenario's item (one port) must carry the verdict, look-alike and answering device that the
# lab set up, written down beside each scenario before it runs.
#
#   tcp_refusals_lab.sh FWSIGHT [SCENARIO...]
#
# Scenarios: reset, portunreach, prohibited, unreach, drop, synack, stall, ratelimit, synproxy,
# backlog, hostreject, hostdrop, ipsreset, idle; without SCENARIO it runs them all (about
# 100 s); CTest runs unreach, synproxy, stall, backlog, hostreject, ipsreset and idle (about
# 48 s), the seven whose verdicts once came out wrong. Exit 0 pass, 1 fail, 77 skipped (not root, no
# namespaces, no nft, tcpdump or python3). KEEP_WORK=1 keeps the captures and JSON.
# Safety: traffic stays in the namespaces it creates (rtA-<pid>-c/r/s, or with
# $LAB_NETNS_PREFIX for rtA-), on documentation addresses; every process it starts is stopped
# by PID, every wait is bounded, and the namespaces are deleted on every exit path.
set -u -o pipefail

FW=${1:?usage: tcp_refusals_lab.sh FWSIGHT [SCENARIO...]}
shift
PFX="${LAB_NETNS_PREFIX:-rtA-}$$"
NS_C="$PFX-c" NS_R="$PFX-r" NS_S="$PFX-s"
C4=198.51.100.10 RC4=198.51.100.1 RS4=203.0.113.1 S4=203.0.113.20
PIDS=() NSLIST=() FAILS=0
WORK=$(mktemp -d /tmp/fwsight-tcplab.XXXXXX) || exit 1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log() { printf 'tcp_refusals_lab: %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { log "ok: $*"; }
# shellcheck source=../../scripts/netns.sh
. "$HERE/../../scripts/netns.sh"

netns_lab ip nft python3 tcpdump
ip netns add "$NS_C" 2>/dev/null || skip "cannot create a network namespace"
NSLIST+=("$NS_C")

# ------------------------------------------------------------------ the lab
netns_line "$NS_C" c0 "$NS_R" r0 r1 "$NS_S" s0 || exit 2
nsx "$NS_C" ip addr add $C4/24 dev c0
nsx "$NS_R" ip addr add $RC4/24 dev r0
nsx "$NS_R" ip addr add $RS4/24 dev r1
nsx "$NS_S" ip addr add $S4/24 dev s0
# No segmentation offload: the captures hold the segments as the wire carries them.
for p in "$NS_C:c0" "$NS_S:s0"; do
    nsx "${p%%:*}" ethtool -K "${p#*:}" tso off gso off gro off >/dev/null 2>&1
done
nsx "$NS_C" ip route add default via $RC4
nsx "$NS_S" ip route add default via $RS4
# The client gives up on a SYN after 2 retries, so that a silent attempt ends in seconds.
nsx "$NS_C" sysctl -qw net.ipv4.tcp_syn_retries=2

# The server: ports 7001-7010 accept and then stream 64 KiB slowly (so a transfer can be cut
# mid-stream); 7012 listens with a backlog of 1 and never accepts; 7013 echoes what it reads;
# 7011 is closed. 150 s at most.
# not through nsx: $! must be the server itself, so that cleanup stops it by PID
ip netns exec "$NS_S" python3 -c '
import socket, select, time
ls, held = [], []
for p in list(range(7001, 7011)) + [7012, 7013]:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", p)); s.listen(1 if p == 7012 else 64)
    (held if p == 7012 else ls).append(s)
conns, echo = [], []
end = time.time() + 150
while time.time() < end:
    r, _, _ = select.select(ls, [], [], 0.05)
    for s in r:
        c, _ = s.accept(); c.setblocking(False)
        if s.getsockname()[1] == 7013:
            echo.append(c)
        else:
            conns.append([c, 0])
    for c in echo[:]:
        try:
            b = c.recv(65536)
            if b:
                c.send(b)
            else:
                c.close(); echo.remove(c)
        except BlockingIOError:
            pass
        except OSError:
            c.close(); echo.remove(c)
    for e in conns[:]:
        try:
            e[1] += e[0].send(b"x" * 1024)
        except BlockingIOError:
            pass
        except OSError:
            e[0].close(); conns.remove(e); continue
        if e[1] >= 65536:
            e[0].close(); conns.remove(e)
' &
PIDS+=($!)

# client MODE PORT [N [FILE]]: TCP from the client to the server. connect: one connect (1.5 s);
# idle: connect, send and read an echo, stay silent N s, send again and wait 4 s for the echo;
# burst: N connects at once (2 s); read: connect and read until the server closes, or nothing
# came for 1.5 s, then close; prints the bytes read, and creates FILE once the first came.
client() {
    nsx "$NS_C" python3 -c '
import socket, sys, time
mode, port, n = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
addr = (sys.argv[1], port)
if mode == "connect":
    s = socket.socket(); s.settimeout(1.5)
    try:
        s.connect(addr); s.close(); sys.exit(0)
    except OSError:
        sys.exit(1)
if mode == "idle":
    s = socket.socket(); s.settimeout(1.5)
    try:
        s.connect(addr); s.send(b"hello"); s.recv(100)
        time.sleep(n)
        s.send(b"x" * 100); s.settimeout(4); s.recv(100)
    except OSError:
        pass
    s.close()
    sys.exit(0)
if mode == "burst":
    ss = []
    for _ in range(n):
        s = socket.socket(); s.setblocking(False)
        try:
            s.connect(addr)
        except BlockingIOError:
            pass
        except OSError:
            pass
        ss.append(s)
    time.sleep(2)
    for s in ss:
        s.close()
    sys.exit(0)
s = socket.socket(); s.settimeout(1.5)
got = 0
try:
    s.connect(addr)
    end = time.time() + 10
    while time.time() < end:
        b = s.recv(65536)
        if not b:
            break
        if got == 0 and len(sys.argv) > 5:
            open(sys.argv[5], "w").close()
        got += len(b)
except OSError:
    pass
print(got)
' $S4 "$1" "$2" "${3:-1}" ${4:+"$4"}
}

up=0
for _ in $(seq 50); do
    client connect 7001 && { up=1; break; }
    sleep 0.1
done
[ "$up" = 1 ] || { log "the lab's server did not come up"; exit 2; }

# ------------------------------------------------------------------ captures
# capture NS IFACE NAME: tcpdump in the background until stop_captures; waits until it listens.
# Immediate mode: packets still in the kernel's buffer when tcpdump is stopped would be lost.
capture() { # capture NS IFACE NAME
    netns_capture "$1" "$2" "$WORK/$3" && return 0
    log "tcpdump did not start: $(cat "$WORK/$3.err")"
    exit 2
}
start_captures() {
    CAP_PIDS=()
    capture "$NS_C" c0 "$1-client"
    capture "$NS_S" s0 "$1-server"
}
# stop_captures: an answered attempt well after the scenario's last one, so that nothing
# attempted is in the capture's last second (where no answer may be due yet).
stop_captures() {
    sleep 1.1
    client connect 7001 || log "the closing connect was not answered"
    sleep 0.2
    for pid in "${CAP_PIDS[@]}"; do netns_stop_pid "$pid"; done
}
router_rules() {
    nsx "$NS_R" nft flush ruleset
    nsx "$NS_R" nft -f - || { log "the router refused the scenario's rules"; exit 2; }
}
# router_open: the router forwards everything (the scenario's rules, if any, are the server's).
router_open() { nsx "$NS_R" nft flush ruleset; }
# server_input RULE: the server's own firewall (table inet hostfw, its input chain) holds RULE;
# server_input_clear takes it away again.
server_input() {
    nsx "$NS_S" nft -f - <<NFT || { log "the server refused the scenario's rules"; exit 2; }
table inet hostfw { chain input { type filter hook input priority 0; policy accept;
    $1
}
}
NFT
}
server_input_clear() { nsx "$NS_S" nft delete table inet hostfw; }

# check NAME PORT VIEW WANT: the item for PORT in fwsight's reading of the scenario's
# captures (VIEW: both, client or server) must match WANT, a list of key=value (verdict,
# lookalike, answered_by, cause; "-" for null); every item for the port must agree.
check() {
    local name=$1 port=$2 view=$3 want=$4 files got
    case $view in
        both) files=("$WORK/$name-client.pcap" "$WORK/$name-server.pcap") ;;
        client) files=("$WORK/$name-client.pcap") ;;
        server) files=("$WORK/$name-server.pcap") ;;
    esac
    "$FW" analyze --json "${files[@]}" >"$WORK/$name-$view.json" 2>"$WORK/$name-$view.err"
    got=$(python3 - "$WORK/$name-$view.json" "$port" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
port = int(sys.argv[2])
items = [v for v in doc.get("verdicts", []) if v["proto"] == "tcp" and v["port"] == port]
out = []
for v in items:
    out.append("verdict=%s lookalike=%s answered_by=%s cause=%s" % (
        v["verdict"], v["lookalike"] or "-", v["answered_by"] or "-", v["cause"] or "-"))
print(" | ".join(out) if out else "none")
PY
)
    local w ok_all=1
    for w in $want; do
        case " $got " in *" $w "*) ;; *) ok_all=0 ;; esac
    done
    case $got in *"|"*) ok_all=0 ;; esac
    if [ "$ok_all" = 1 ]; then
        ok "$name ($view): $got"
    else
        fail "$name ($view): got [$got], wanted [$want]"
    fi
}

# ------------------------------------------------------------------ the scenarios
# Each: the truth first, then the traffic, then what fwsight must say.

# The router resets TCP 7002 in the server's name (its TTL is the router's, one hop less
# than the server's as the client sees it): REJECTED, by a device adjacent to the client.
sc_reset() {
    router_rules <<'NFT'
table inet filter { chain forward { type filter hook forward priority 0; policy accept;
    tcp dport 7002 reject with tcp reset
}
}
NFT
    start_captures reset
    client connect 7002 && fail "reset: 7002 connected"
    stop_captures
    # Unnamed: no ARP exchange in the captures ties the router's MAC to its address; the
    # evidence names the adjacent device by its MAC instead.
    check reset 7002 both "verdict=REJECTED lookalike=- answered_by=-"
    check reset 7002 client "verdict=REJECTED lookalike=- answered_by=-"
}
# The router answers a SYN with ICMP port-unreachable from its own address: a firewall's
# refusal (REJECTED by the router), not the server saying CLOSED.
sc_portunreach() {
    router_rules <<'NFT'
table inet filter { chain forward { type filter hook forward priority 0; policy accept;
    tcp dport 7003 reject with icmp type port-unreachable
}
}
NFT
    start_captures portunreach
    client connect 7003 && fail "portunreach: 7003 connected"
    stop_captures
    check portunreach 7003 both "verdict=REJECTED lookalike=- answered_by=$RC4"
    check portunreach 7003 client "verdict=REJECTED lookalike=- answered_by=$RC4"
}
# admin-, host- and net-prohibited from the router: REJECTED by the router.
sc_prohibited() {
    router_rules <<'NFT'
table inet filter { chain forward { type filter hook forward priority 0; policy accept;
    tcp dport 7004 reject with icmp type admin-prohibited
    tcp dport 7005 reject with icmp type host-prohibited
    tcp dport 7006 reject with icmp type net-prohibited
}
}
NFT
    start_captures prohibited
    local p
    for p in 7004 7005 7006; do client connect $p && fail "prohibited: $p connected"; done
    stop_captures
    for p in 7004 7005 7006; do
        check prohibited $p both "verdict=REJECTED lookalike=- answered_by=$RC4"
        check prohibited $p client "verdict=REJECTED lookalike=- answered_by=$RC4"
    done
}
# The router refuses 7005 with ICMP host-unreachable and 7006 with net-unreachable (iptables'
# --reject-with icmp-host-unreachable, nftables' reject with icmp type host-unreachable) while
# the same server answers on 7001 through the same router: a filter's refusal (REJECTED, by
# the router), not a route that is missing.
sc_unreach() {
    router_rules <<'NFT'
table inet filter { chain forward { type filter hook forward priority 0; policy accept;
    tcp dport 7005 reject with icmp type host-unreachable
    tcp dport 7006 reject with icmp type net-unreachable
}
}
NFT
    start_captures unreach
    client connect 7001 || fail "unreach: 7001 did not connect"
    local p
    for p in 7005 7006; do client connect $p && fail "unreach: $p connected"; done
    stop_captures
    for p in 7005 7006; do
        check unreach $p both "verdict=REJECTED lookalike=- answered_by=$RC4"
        check unreach $p client "verdict=REJECTED lookalike=- answered_by=$RC4"
    done
}
# The router drops SYNs to 7007 silently: DROPPED (both captures: the SYN never arrives).
sc_drop() {
    router_rules <<'NFT'
table inet filter { chain forward { type filter hook forward priority 0; policy accept;
    tcp dport 7007 drop
}
}
NFT
    start_captures drop
    client connect 7007 && fail "drop: 7007 connected"
    stop_captures
    check drop 7007 both "verdict=DROPPED lookalike=-"
    check drop 7007 client "verdict=DROPPED lookalike=-"
}
# The router drops the server's SYN-ACKs from 7008: REPLY-DROPPED with both captures.
sc_synack() {
    router_rules <<'NFT'
table inet filter { chain forward { type filter hook forward priority 0; policy accept;
    tcp sport 7008 tcp flags & (syn|ack) == syn|ack drop
}
}
NFT
    start_captures synack
    client connect 7008 && fail "synack: 7008 connected"
    stop_captures
    check synack 7008 both "verdict=REPLY-DROPPED lookalike=-"
    check synack 7008 client "verdict=DROPPED lookalike=-"
    check synack 7008 server "verdict=REPLY-DROPPED lookalike=-"
}
# Established, then the router starts dropping the connection's packets both ways mid-transfer
# (what a lost conntrack entry under `ct state invalid drop` does): STALLED, never DROPPED. The
# server sends its data again; the client, with nothing to send, gives up after 1.5 s of silence
# and closes: its FIN goes out again and again.
sc_stall() {
    router_rules <<'NFT'
table inet filter { chain forward { type filter hook forward priority 0; policy accept;
    ct state invalid drop
}
}
NFT
    start_captures stall
    client read 7009 1 "$WORK/stall.up" >"$WORK/stall.got" &
    local pid=$!
    PIDS+=("$pid")
    for _ in $(seq 50); do [ -e "$WORK/stall.up" ] && break; sleep 0.1; done
    sleep 0.3
    nsx "$NS_R" nft insert rule inet filter forward tcp sport 7009 drop
    nsx "$NS_R" nft insert rule inet filter forward tcp dport 7009 drop
    wait_exit $pid 12
    sleep 1 # the client's FIN is sent again after 0.2, 0.6 and 1.4 s
    stop_captures
    log "stall: the client read $(cat "$WORK/stall.got") bytes of 65536"
    check stall 7009 both "verdict=STALLED cause=stall"
    check stall 7009 client "verdict=STALLED cause=stall"
    check stall 7009 server "verdict=STALLED cause=stall"
}
# A rate limit on new SYNs to 7010 (2 a second past a burst of 5): some of 20 connects at once
# pass, the rest are dropped: PARTIAL, not DROPPED.
sc_ratelimit() {
    router_rules <<'NFT'
table inet filter { chain forward { type filter hook forward priority 0; policy accept;
    tcp dport 7010 tcp flags & (syn|ack) == syn limit rate over 2/second burst 5 packets drop
}
}
NFT
    start_captures ratelimit
    client burst 7010 20
    stop_captures
    check ratelimit 7010 both "verdict=PARTIAL"
    check ratelimit 7010 client "verdict=PARTIAL"
}
# synproxy on the router in front of 7011, closed on the server: the router answers the SYN
# itself, the client completes its handshake with the router, and the server's RST (to the
# router's SYN) never reaches the client as such.
sc_synproxy() {
    nsx "$NS_R" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0 2>/dev/null
    router_rules <<'NFT'
table inet filter {
    chain pre { type filter hook prerouting priority -300; policy accept;
        tcp dport 7011 tcp flags syn notrack
    }
    chain forward { type filter hook forward priority 0; policy accept;
        tcp dport 7011 ct state invalid,untracked synproxy mss 1460 wscale 7 timestamp sack-perm
        ct state invalid drop
}
}
NFT
    start_captures synproxy
    client read 7011 >"$WORK/synproxy.got"
    stop_captures
    log "synproxy: the client read $(cat "$WORK/synproxy.got") bytes"
    check synproxy 7011 both "verdict=CLOSED"
    check synproxy 7011 client "verdict=CLOSED"
    check synproxy 7011 server "verdict=CLOSED"
}
# A server whose listen backlog of 1 overflows (it never accepts): 20 connects at once, a few
# complete, the rest go unanswered: the backlog, never a firewall.
sc_backlog() {
    router_open
    start_captures backlog
    client burst 7012 20
    stop_captures
    check backlog 7012 both "verdict=PARTIAL lookalike=listen-backlog-overflow"
    check backlog 7012 server "verdict=PARTIAL lookalike=listen-backlog-overflow"
    # From the client alone it looks like a SYN rate limit (some pass, the rest unanswered):
    # nothing there says the queue was full (lookalike_test), so PARTIAL with no look-alike.
    check backlog 7012 client "verdict=PARTIAL"
}

# The server's own firewall refuses 7009 with nftables' plain reject (ICMP port unreachable,
# as iptables' REJECT does by default) while its service listens there: a TCP stack answers a
# closed port with a RST, never ICMP, so this is a filter's refusal (REJECTED, by the server
# itself), not "nothing listens" (CLOSED). The path through the router is open.
sc_hostreject() {
    router_open
    server_input "tcp dport 7009 reject"
    start_captures hostreject
    client connect 7009 && fail "hostreject: 7009 connected"
    stop_captures
    server_input_clear
    nsx "$NS_S" ss -ltnH "( sport = :7009 )" | grep -q . || fail "hostreject: 7009 does not listen"
    check hostreject 7009 both "verdict=REJECTED lookalike=- answered_by=$S4"
    check hostreject 7009 client "verdict=REJECTED lookalike=- answered_by=$S4"
    check hostreject 7009 server "verdict=REJECTED lookalike=- answered_by=$S4"
}

# The server's own firewall drops 7010 (nftables input chain) while its service listens: the
# server's capture (taken before its input chain) sees the SYNs arrive and nothing leave.
sc_hostdrop() {
    router_open
    server_input "tcp dport 7010 drop"
    start_captures hostdrop
    client connect 7010 && fail "hostdrop: 7010 connected"
    stop_captures
    server_input_clear
    check hostdrop 7010 both "verdict=DROPPED lookalike=-"
    check hostdrop 7010 server "verdict=DROPPED lookalike=-"
}

# The router lets 7001's handshake through, then resets the server's data (segments of more
# than 200 bytes) in the client's name, as an IPS or application-aware firewall kills a
# connection for what it carries: the server's capture shows a RST from the client's address
# with the router's TTL (64, adjacent) where the client's own packets arrive with 63.
# REJECTED there and with both captures; the client's capture alone sees a connection opened
# and closed, and no data: OPEN is all it can tell.
sc_ipsreset() {
    router_rules <<'NFT'
table inet filter { chain forward { type filter hook forward priority 0; policy accept;
    tcp sport 7001 tcp flags & (syn|rst) == 0 meta length > 200 reject with tcp reset
}
}
NFT
    start_captures ipsreset
    client read 7001 >/dev/null
    stop_captures
    check ipsreset 7001 server "verdict=REJECTED lookalike=-"
    check ipsreset 7001 both "verdict=REJECTED lookalike=-"
    check ipsreset 7001 client "verdict=OPEN lookalike=-"
}

# A stateful router forgets an idle connection (its established timeout cut to 3 s, where
# firewalls take an hour) and drops what it carries next: the client's data after 11 s of
# silence is sent again and again. STALLED, cause idle-timeout, where the client's capture
# shows the silence; the server's sees nothing after it.
sc_idle() {
    router_rules <<'NFT'
table inet filter { chain forward { type filter hook forward priority 0; policy drop;
    ct state established,related accept
    tcp flags syn ct state new accept
}
}
NFT
    local was
    was=$(nsx "$NS_R" sysctl -n net.netfilter.nf_conntrack_tcp_timeout_established)
    nsx "$NS_R" sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_established=3
    start_captures idle
    client idle 7013 11
    stop_captures
    nsx "$NS_R" sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_established="$was"
    check idle 7013 client "verdict=STALLED cause=idle-timeout"
    check idle 7013 both "verdict=STALLED cause=idle-timeout"
}

ALL=(reset portunreach prohibited unreach drop synack stall ratelimit synproxy backlog hostreject
     hostdrop ipsreset idle)
[ $# -gt 0 ] && ALL=("$@")
for s in "${ALL[@]}"; do
    declare -F "sc_$s" >/dev/null || { log "no scenario $s"; exit 2; }
done
for s in "${ALL[@]}"; do "sc_$s"; done

[ "$FAILS" = 0 ] && { log "all passed"; exit 0; }
log "$FAILS failure(s)"
exit 1
