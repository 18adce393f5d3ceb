# samples/lab_lookalike.sh: the lab's look-alike scenarios, sourced by samples/lab.sh (which
# builds the namespaces, captures, writes the files and runs the checks). Each one is made by
# the real kernel: a listen backlog that overflows, ICMP rate limits, an answer from another
# address, a firewall that loses state, a path-MTU black hole, a router without a route, nmap
# scans, a capture cut short, a port reused while the far end sits in TIME-WAIT, a host that
# rate-limits its RSTs, captures taken with checksum offload on, a capture of one direction.
# Hooks beyond lab.sh's sc_/run_/exp_: setup_NAME runs after the listeners and before the
# captures start; check_NAME DIR checks what the capture and the client show (exit 1: no).
# shellcheck shell=bash disable=SC2034,SC2054  # the sc_ variables are read by lab.sh

SCENARIOS+=(backlog-overflow icmp-ratelimit reply-other-address stall-ack-drop pmtu-blackhole
            host-unreachable nmap-syn-os nmap-udp scan-cut-short time-wait-reuse rst-ratelimit
            checksum-offload one-way-capture)

T4B=203.0.113.21 T6B=2001:db8:2::21          # the target's second address
NOHOST4=203.0.113.99 NOHOST6=2001:db8:2::99  # on the target's link, nobody has it
NOROUTE4=192.0.2.50 NOROUTE6=2001:db8:3::50  # the router has no route there

# fail DIR WHAT: a check_NAME failure
fail() { log "CHECK $1: $2"; return 1; }

# has DIR FILE OP N FILTER: FILE holds OP N (-eq, -ge, -lt) packets matching the tcpdump filter
has() {
    local n; n=$(pkts "$1/$2" "$5")
    test "$n" "$3" "$4" || fail "$1" "$2: $n packets match '$5', want $3 $4"
}

# tflags ADDR: the TCP flags byte in a tcpdump filter for a packet of that address's family
# (tcp[] does not reach into IPv6; without extension headers the flags sit at ip6[53])
tflags() { case $1 in *:*) echo 'ip6[53]';; *) echo 'tcp[13]';; esac; }

# probe_detail KEY: the detail column of the client's lines for "from to proto port"
probe_detail() { awk -F'\t' -v k="$1" '$1" "$2" "$3" "$4==k {print $6}' "$WORK/probes.tsv"; }

# ------------------------------------------------------------------ backlog-overflow

sc_backlog-overflow() {
    NOTES="IPv4 to 6320 (then the same over IPv6 to 6326): three SYNs about 35 ms apart (the slow link), each answered by a SYN-ACK at once; the source ACKs all three; the first two fill the accept queue of listen(1), the third ACK is dropped by the target's kernel (ListenOverflows), so the target retransmits that SYN-ACK (about 1, 3 and 7 s later) and the source answers each with the same ACK. The SYNs of connections 4-6 (1, 2 and 3 s later) arrive at the target and get no answer at all: the source retransmits them about 1 s apart. After 5 s the source closes: FIN/ACK for the two queued connections, FINs retransmitted without answer for the third (the target still holds it half-open). Control 6325: normal. No ICMP, no RST anywhere."
    DESC="listen backlog overflow, no firewall rule: the target listens on TCP 6320 and 6326 with listen(1) and never accepts; the source opens 6 connections to each (3 at once, then one a second); the router's link toward the target is slow (tc tbf 20 kbit/s on r1)"
    TGT_TCP="6325,135-139,445,443" TGT_EXTRA=(--tcp-hold 6320,6326 --backlog 1)
    client_saw "$S4 $T4 tcp 6320" "answered timeout"
    client_saw "$S6 $T6 tcp 6326" "answered timeout"
}
setup_backlog-overflow() {
    # a slow link toward the target (20 kbit/s: a SYN takes about 35 ms): the burst's three
    # SYNs are all answered before their ACKs arrive, so the third ACK finds the accept queue
    # full (on a fast LAN the third SYN would find it full already). No netem in this kernel.
    nsx "$NS_RTR" tc qdisc add dev r1 root tbf rate 20kbit burst 120 latency 2s \
        || die "tc tbf on r1"
}
run_backlog-overflow() {
    lprobe src conns $T4 --port 6320 --count 6 --burst 3 --interval 1 --hold 5
    lprobe src conns $T6 --port 6326 --count 6 --burst 3 --interval 1 --hold 5
    probe src $T4 --tcp 6325
}
exp_backlog-overflow() {
    local n="the first connections complete (the kernel queues 2 for listen(1)); the 3rd of the burst gets a SYN-ACK, its ACK arrives but the full queue drops it, so the target repeats its SYN-ACK and the source its ACK; later SYNs arrive at the target and are never answered (retransmitted by the source). No firewall"
    expect $S4 $T4 tcp 6320 PARTIAL $T4 PARTIAL PARTIAL listen-backlog-overflow "$n"
    expect $S6 $T6 tcp 6326 PARTIAL $T6 PARTIAL PARTIAL listen-backlog-overflow "IPv6: $n"
    expect $S4 $T4 tcp 6325 OPEN $T4 OPEN OPEN - "control: a listener that accepts"
}
check_backlog-overflow() {
    local d=$1 p a ok=0
    for a in "$S4 $T4 6320" "$S6 $T6 6326"; do
        set -- $a
        p=$(probe_detail "$1 $2 tcp $3" | grep -c ': connected')
        [ "$p" -ge 2 ] && [ "$p" -lt 6 ] || fail "$d" "$3: $p of 6 connected, want 2-5" || ok=1
        # every SYN reached the target (the unanswered ones too), and some SYN-ACK was repeated
        has "$d" target.pcap -ge 6 "dst host $2 and dst port $3 and $(tflags $2) & 0x12 == 0x02" || ok=1
        has "$d" target.pcap -ge 4 "src host $2 and src port $3 and $(tflags $2) & 0x12 == 0x12" || ok=1
    done
    return $ok
}

# ------------------------------------------------------------------ icmp-ratelimit

sc_icmp-ratelimit() {
    NOTES="20 UDP requests 10 ms apart to 6326, each from its own source port: the first 6 are answered within 0.1 ms by ICMP 3/3 (port unreachable) from 203.0.113.20 itself, quoting the request; the next 14 get nothing. Then the same over IPv6 with ICMPv6 1/4 (6 answered, 14 silent). All 40 requests are in the target's capture: the silence is the host's (per-destination rate limit: a burst of 6, then one per second), not the path. Control 6325: request and reply."
    DESC="ICMP rate limit, no firewall rule: nothing listens on UDP 6326; the source sends 20 requests 10 ms apart (one socket each), over IPv4 and IPv6; the target's kernel answers the first ones with port unreachable and stays silent for the rest"
    TGT_UDP="6320,6325,135-139,445"
    client_saw "$S4 $T4 udp 6326" "refused"
    client_saw "$S6 $T6 udp 6326" "refused"
}
setup_icmp-ratelimit() {
    # the kernel's defaults, written out: 1000 ms per destination (a burst of 6, then one a
    # second), and the global budget
    nsx "$NS_TGT" sysctl -qw net.ipv4.icmp_ratelimit=1000 net.ipv4.icmp_msgs_per_sec=1000 \
        net.ipv4.icmp_msgs_burst=50 net.ipv6.icmp.ratelimit=1000 >/dev/null
    SYSCTLS=$(nsx "$NS_TGT" sysctl net.ipv4.icmp_ratelimit net.ipv4.icmp_ratemask \
        net.ipv4.icmp_msgs_per_sec net.ipv4.icmp_msgs_burst net.ipv6.icmp.ratelimit 2>&1 \
        | tr '\n' ';')
    DESC="$DESC (target: $SYSCTLS)"
}
run_icmp-ratelimit() {
    lprobe src udpburst $T4 --port 6326 --count 20 --interval 0.01
    lprobe src udpburst $T6 --port 6326 --count 20 --interval 0.01
    probe src $T4 --udp 6325
}
exp_icmp-ratelimit() {
    expect $S4 $T4 udp 6326 CLOSED $T4 CLOSED CLOSED icmp-rate-limit "20 requests 10 ms apart to a closed port, all arrive; the host answers the first with ICMP 3/3 (port unreachable) and is silent for the rest: its per-destination ICMP rate limit"
    expect $S6 $T6 udp 6326 CLOSED $T6 CLOSED CLOSED icmp-rate-limit "IPv6: the same with ICMPv6 1/4 (net.ipv6.icmp.ratelimit)"
    expect $S4 $T4 udp 6325 OPEN $T4 OPEN OPEN - "control"
}
check_icmp-ratelimit() {
    local d=$1 a refused silent ok=0
    for a in "$S4 $T4" "$S6 $T6"; do
        set -- $a
        refused=$(probe_detail "$1 $2 udp 6326" | sed -n 's/.* \([0-9]*\) refused.*/\1/p')
        silent=$(probe_detail "$1 $2 udp 6326" | sed -n 's/.* \([0-9]*\) silent.*/\1/p')
        [ "${refused:-0}" -ge 1 ] && [ "${silent:-0}" -ge 1 ] \
            || fail "$d" "$1: $refused refused, $silent silent: not rate limited" || ok=1
    done
    has "$d" target.pcap -eq 40 "udp dst port 6326" || ok=1
    return $ok
}

# ------------------------------------------------------------------ reply-other-address

sc_reply-other-address() {
    NOTES="Source capture: request 198.51.100.10:P -> 203.0.113.21:6320; 0.3 ms later a UDP reply 203.0.113.20:6320 -> 198.51.100.10:P (same ports, other source address); at once ICMP 3/3 from 198.51.100.10 to 203.0.113.20 quoting that reply (destination port P unreachable). IPv6 the same: request to 2001:db8:2::21, reply from 2001:db8:2::20, ICMPv6 1/4 back. The target's capture holds the same packets. Control 6325 to 203.0.113.20: request and reply, same address."
    DESC="multi-homed target, no firewall rule: the source asks 203.0.113.21 / 2001:db8:2::21 (the target's second address) on UDP 6320; the listener (bound to the wildcard address) answers from the first, 203.0.113.20 / 2001:db8:2::20; the source's connected socket does not take it and its kernel sends port unreachable to that address"
    client_saw "$S4 $T4B udp 6320" "timeout"
    client_saw "$S6 $T6B udp 6320" "timeout"
}
setup_reply-other-address() {
    nsx "$NS_TGT" ip addr add "$T4B/24" dev t0
    # deprecated (preferred_lft 0): never chosen as a source, so the answer leaves from ::20
    nsx "$NS_TGT" ip -6 addr add "$T6B/64" dev t0 nodad preferred_lft 0
    nsx "$NS_SRC" ping -n -q -c 1 -W 1 "$T4B" >/dev/null 2>&1
    nsx "$NS_SRC" ping -6 -n -q -c 1 -W 1 "$T6B" >/dev/null 2>&1
    return 0
}
run_reply-other-address() {
    probe src $T4B --udp 6320
    probe src $T6B --udp 6320
    probe src $T4 --udp 6325
}
exp_reply-other-address() {
    expect $S4 $T4B udp 6320 OPEN $T4 OPEN OPEN reply-from-other-address "request to 203.0.113.21:6320; the reply comes from 203.0.113.20:6320 (the same host, its other address); the source answers that reply with ICMP 3/3 port unreachable to 203.0.113.20, and its client sees no answer. The path works: no firewall"
    expect $S6 $T6B udp 6320 OPEN $T6 OPEN OPEN reply-from-other-address "IPv6: request to 2001:db8:2::21, reply from 2001:db8:2::20, ICMPv6 1/4 from the source back to it"
    expect $S4 $T4 udp 6325 OPEN $T4 OPEN OPEN - "control: asked at the first address, answered from it"
}
check_reply-other-address() {
    local d=$1 ok=0
    has "$d" source.pcap -ge 1 "src host $T4 and udp src port 6320" || ok=1
    has "$d" source.pcap -ge 1 "src host $S4 and dst host $T4 and icmp[0] == 3 and icmp[1] == 3" || ok=1
    has "$d" source.pcap -ge 1 "src host $T6 and udp src port 6320" || ok=1
    has "$d" source.pcap -ge 1 "src host $S6 and dst host $T6 and icmp6[0] == 1 and icmp6[1] == 4" || ok=1
    return $ok
}

# ------------------------------------------------------------------ stall-ack-drop

# wait_established PORT N: until the source has N connections to PORT established, at most 15 s
# (and a few ms more, so the handshake's last ACK is through the router)
wait_established() {
    local i
    for i in $(seq 300); do
        [ "$(nsx "$NS_SRC" ss -tnH state established "( dport = :$1 )" | wc -l)" -ge "$2" ] && break
        sleep 0.05
    done
    sleep 0.05
}

sc_stall-ack-drop() {
    NOTES="Both families: SYN, SYN-ACK, ACK to 6320 pass; the rule goes in; then the 300-byte request (PSH/ACK) leaves the source and is retransmitted about 0.2, 0.4, 0.8, 1.6, 3.3 s later (and on after the client gives up) with no ACK ever; the target's capture holds only the handshake (the listener accepted and waits). Nothing else answers: no RST, no ICMP. Control 6325 afterwards: normal. The router's counter in the ruleset counts the dropped segments."
    DESC="a firewall that loses the connection's state: the handshake to TCP 6320 completes (IPv4 and IPv6), then the router starts dropping every segment source->target on 6320 without SYN or RST (ACKs, data, FIN); the source's 300-byte request is retransmitted without answer"
    TGT_TCP="6325,6326,135-139,445,443" TGT_EXTRA=(--tcp-serve 6320)
}
run_stall-ack-drop() {
    local p4 p6
    rm -f "$WORK/go"
    lprobe src stream $T4 --port 6320 --delay 0.5 --bytes 300 --wait 4 --go-file "$WORK/go" &
    p4=$!; PIDS+=("$p4")
    lprobe src stream $T6 --port 6320 --delay 0.5 --bytes 300 --wait 4 --go-file "$WORK/go" &
    p6=$!; PIDS+=("$p6")
    wait_established 6320 2
    set_rules 'iifname "r0" oifname "r1" tcp dport 6320 tcp flags & (syn|rst) == 0 counter drop'
    touch "$WORK/go"
    wait_exit $p4 30; wait_exit $p6 30
    probe src $T4 --tcp 6325
}
exp_stall-ack-drop() {
    local n="SYN, SYN-ACK, ACK pass; about 1 s later the 300-byte request is sent and retransmitted (RTO doubling from about 0.2 s) with no ACK; the target sees the handshake and then nothing: from there the connection looks open and idle"
    expect $S4 $T4 tcp 6320 STALLED $T4 STALLED OPEN - "$n"
    expect $S6 $T6 tcp 6320 STALLED $T6 STALLED OPEN - "IPv6: $n"
    expect $S4 $T4 tcp 6325 OPEN $T4 OPEN OPEN - "control"
}
check_stall-ack-drop() {
    local d=$1 ok=0
    has "$d" source.pcap -ge 3 "src host $S4 and dst port 6320 and greater 300" || ok=1
    has "$d" target.pcap -eq 0 "src host $S4 and dst port 6320 and greater 300" || ok=1
    has "$d" source.pcap -ge 3 "src host $S6 and dst port 6320 and greater 300" || ok=1
    has "$d" target.pcap -eq 0 "src host $S6 and dst port 6320 and greater 300" || ok=1
    return $ok
}

# ------------------------------------------------------------------ pmtu-blackhole

sc_pmtu-blackhole() {
    NOTES="Both families: handshake (MSS 1460 / 1440), 100-byte request answered (ACK and a 7-byte reply); then two full-size segments (1500-byte IPv4 / IPv6 packets, DF) and a small tail segment leave at once. Only the small tail reaches the target, which answers with a duplicate ACK carrying SACK for it; the first full-size segment is retransmitted again and again at doubling intervals (a few ms after the duplicate ACK, then about 0.3, 0.7, 1.5, 3.2 s), never acknowledged. No ICMP frag-needed / packet-too-big reaches the source (the router made them: see the counters in its output chain). The target never sees a packet over 1280 bytes."
    DESC="path-MTU black hole: the router's target-side link r1 has MTU 1280 (the hosts' links 1500), and the router's own ICMP fragmentation-needed / ICMPv6 packet-too-big are dropped (nft output chain); the source sends 100 bytes (answered), then 3000 bytes with DF set (two full-size segments and a small one), over IPv4 and IPv6"
    TGT_TCP="6325,6326,135-139,445,443" TGT_EXTRA=(--tcp-serve 6320)
    RULES_OUT='icmp type destination-unreachable icmp code frag-needed counter drop
icmpv6 type packet-too-big counter drop'
}
setup_pmtu-blackhole() {
    nsx "$NS_RTR" ip link set r1 mtu 1280
    DESC="$DESC; source tcp_mtu_probing=$(nsx "$NS_SRC" sysctl -n net.ipv4.tcp_mtu_probing), ip_no_pmtu_disc=$(nsx "$NS_SRC" sysctl -n net.ipv4.ip_no_pmtu_disc)"
}
run_pmtu-blackhole() {
    local p4 p6
    lprobe src stream $T4 --port 6320 --first 100 --delay 0.5 --bytes 3000 --wait 3 &
    p4=$!; PIDS+=("$p4")
    lprobe src stream $T6 --port 6320 --first 100 --delay 0.5 --bytes 3000 --wait 3 &
    p6=$!; PIDS+=("$p6")
    wait_exit $p4 30; wait_exit $p6 30
}
exp_pmtu-blackhole() {
    local n="handshake (MSS 1460 both ways) and a 100-byte request answered; then full-size segments (1500-byte packets, DF) leave the source and are retransmitted without answer; the router's frag-needed messages are dropped, so no ICMP arrives; the target never sees a packet over 1280 bytes"
    expect $S4 $T4 tcp 6320 STALLED $T4 STALLED OPEN - "$n"
    expect $S6 $T6 tcp 6320 STALLED $T6 STALLED OPEN - "IPv6: the same with ICMPv6 packet-too-big dropped"
}
check_pmtu-blackhole() {
    local d=$1 ok=0
    has "$d" source.pcap -ge 2 "src host $S4 and dst port 6320 and greater 1300" || ok=1
    has "$d" source.pcap -ge 2 "src host $S6 and dst port 6320 and greater 1300" || ok=1
    has "$d" target.pcap -eq 0 "greater 1300" || ok=1
    has "$d" source.pcap -eq 0 "icmp or icmp6[0] == 2" || ok=1
    return $ok
}

# ------------------------------------------------------------------ host-unreachable

sc_host-unreachable() {
    NOTES="TCP 6320 to 203.0.113.99 and 2001:db8:2::99: SYN at 0, 1, 2 s; meanwhile the router asks ARP who-has 203.0.113.99 / NDP neighbor solicitations on the target's link (in the target's capture) unanswered; after about 3 s it sends ICMP 3/1 host unreachable (ICMPv6 1/3 address unreachable) from 198.51.100.1 / 2001:db8:1::1, one per queued SYN, and the source gives up (EHOSTUNREACH). UDP 6320 to 192.0.2.50 / 2001:db8:3::50: ICMP 3/0 net unreachable / ICMPv6 1/0 no route from the router within 0.1 ms. Control 6325 to the target: normal."
    # Linux hands ICMP net/host unreachable to a UDP socket only with IP_RECVERR: its client
    # sees silence
    client_saw "$S4 $NOROUTE4 udp 6320" "timeout"
    client_saw "$S6 $NOROUTE6 udp 6320" "timeout"
    DESC="no firewall rule; the router has no way there: 203.0.113.99 and 2001:db8:2::99 are on the target's link but nobody answers ARP/NDP (the router answers ICMP host unreachable 3/1, ICMPv6 address unreachable 1/3, after about 3 s), 192.0.2.50 and 2001:db8:3::50 have no route on the router (ICMP net unreachable 3/0, ICMPv6 no route 1/0, at once)"
}
run_host-unreachable() {
    local a b
    probe src $NOHOST4 --tcp 6320 --tcp-wait 6 & a=$!; PIDS+=("$a")
    probe src $NOHOST6 --tcp 6320 --tcp-wait 6 & b=$!; PIDS+=("$b")
    wait_exit $a 30; wait_exit $b 30
    probe src $NOROUTE4 --udp 6320
    probe src $NOROUTE6 --udp 6320
    probe src $T4 --tcp 6325
}
exp_host-unreachable() {
    expect $S4 $NOHOST4 tcp 6320 UNREACHABLE $R4S UNREACHABLE UNTESTED - "SYN sent and retransmitted; after about 3 s of unanswered ARP (visible on the target's link) the router sends ICMP 3/1 host unreachable for the queued SYNs"
    expect $S6 $NOHOST6 tcp 6320 UNREACHABLE $R6S UNREACHABLE UNTESTED - "IPv6: NDP unanswered, ICMPv6 1/3 address unreachable from the router"
    expect $S4 $NOROUTE4 udp 6320 UNREACHABLE $R4S UNREACHABLE UNTESTED - "ICMP 3/0 net unreachable from the router at once: no route"
    expect $S6 $NOROUTE6 udp 6320 UNREACHABLE $R6S UNREACHABLE UNTESTED - "ICMPv6 1/0 no route from the router at once"
    expect $S4 $T4 tcp 6325 OPEN $T4 OPEN OPEN - "control"
}
check_host-unreachable() {
    local d=$1 ok=0
    has "$d" source.pcap -ge 1 "src host $R4S and icmp[0] == 3 and icmp[1] == 1" || ok=1
    has "$d" source.pcap -ge 1 "src host $R4S and icmp[0] == 3 and icmp[1] == 0" || ok=1
    has "$d" source.pcap -ge 1 "src host $R6S and icmp6[0] == 1 and icmp6[1] == 3" || ok=1
    has "$d" source.pcap -ge 1 "src host $R6S and icmp6[0] == 1 and icmp6[1] == 0" || ok=1
    return $ok
}

# ------------------------------------------------------------------ nmap

# nmap_run ADDR nmap-args...: nmap from the source, its port states as probe lines
# (open: answered, closed: refused, filtered: timeout, open|filtered as such)
nmap_run() {
    local to=$1 from; shift
    case $to in *:*) from=$S6;; *) from=$S4;; esac
    nsx "$NS_SRC" timeout 90 nmap -n -Pn "$@" -oG - "$to" >"$WORK/nmap.out" 2>>"$WORK/probe.err" \
        || log "warning: nmap $* $to failed"
    cat "$WORK/nmap.out" >>"$WORK/nmap.all"
    grep -o 'Ports: .*' "$WORK/nmap.out" | sed 's/^Ports: //; s/\tIgnored.*//' | tr ',' '\n' \
        | awk -F/ -v f="$from" -v t="$to" '{ gsub(/ /, "", $1)
            o = $2 == "open" ? "answered" : $2 == "closed" ? "refused" : $2
            if ($2 == "filtered") o = "timeout"
            printf "%s\t%s\t%s\t%s\t%s\tnmap: %s\n", f, t, $3, $1, o, $2 }' >>"$WORK/probes.tsv"
}

# odd_probes FILE FROM PORT: nmap's probes to that port that are no connection attempt
# (FIN, PSH or URG set, no flag at all, or a bare ACK with no connection behind it)
odd_probes() {
    local f; f=$(tflags "$2")
    pkts "$1" "src host $2 and tcp dst port $3 and
               ($f & 0x29 != 0 or $f & 0x3f == 0 or $f & 0x14 == 0x10)"
}

NMAP_TCP="6320,6325,6326,445,135"
sc_nmap-syn-os() {
    NOTES="Per family: nmap's SYN scan (one raw SYN per port from one source port; SYN-ACK from the open ports, which the source's kernel and nmap reset; RST/ACK from 6326), then OS detection: 6 SYNs with odd options to the first open port (135) answered by SYN-ACKs and reset; an ECN SYN (SYN+ECE+CWR) to 135; T2 null flags to 135 (unanswered), T3 SYN+FIN+PSH+URG to 135 (answered SYN-ACK), T4 ACK to 135 (RST), T5 SYN, T6 ACK, T7 FIN+PSH+URG to 6326 (each RST); two ICMP echo requests with odd codes (answered); one UDP probe to a closed high port (ICMP 3/3). Then nmap -sF to 443 (IPv4): two FIN-only probes, no answer (an open Linux port ignores them)."
    DESC="nmap -n -Pn -sS -O --max-os-tries 1 (SYN scan and OS detection) over TCP 6320,6325,6326,445,135, IPv4 and IPv6, and nmap -n -Pn -sF over TCP 443 (IPv4); 6326 closed (no listener), the others open; no firewall rule"
    TGT_TCP="6320,6325,135-139,445,443"
    client_saw "$S4 $T4 tcp 443" "open|filtered"
    client_saw "$S4 $T4 icmp -" "-"
    client_saw "$S6 $T6 icmp -" "-"
}
run_nmap-syn-os() {
    : >"$WORK/nmap.all"
    nmap_run $T4 -sS -O --max-os-tries 1 -p $NMAP_TCP
    nmap_run $T6 -6 -sS -O --max-os-tries 1 -p $NMAP_TCP
    nmap_run $T4 -sF -p 443
}
exp_nmap-syn-os() {
    local a p v n la
    for a in "$S4 $T4" "$S6 $T6"; do
        set -- $a
        for p in ${NMAP_TCP//,/ }; do
            v=OPEN n="SYN answered by SYN-ACK, nmap resets"
            [ $p = 6326 ] && v=CLOSED n="SYN answered by RST/ACK from the host"
            la=- # the real SYN decides; the probes beside it explain nothing away
            if [ "$(odd_probes "$WORK/source.pcap" $1 $p)" -gt 0 ]; then
                n="$n; nmap's OS probes land here too (null, SYN+FIN+PSH+URG, ACK, FIN+PSH+URG:"
                n="$n some unanswered by design), no connection attempts"
            fi
            expect $1 $2 tcp $p $v $2 $v $v $la "$n"
        done
        expect $1 $2 icmp - OPEN $2 OPEN OPEN - "nmap's two OS-detection echo requests (odd codes), answered"
    done
    expect $S4 $T4 tcp 443 INCONCLUSIVE - INCONCLUSIVE INCONCLUSIVE not-an-attempt "only FIN probes (nmap -sF, sent twice), which an open Linux port ignores: no connection attempt, never blocked"
}
check_nmap-syn-os() {
    local d=$1 ok=0
    [ "$(odd_probes "$d/source.pcap" $S4 6320) $(odd_probes "$d/source.pcap" $S4 6326)" != "0 0" ] \
        || fail "$d" "no odd probe from nmap -O" || ok=1
    return $ok
}

NMAP_UDP="6320,6325,6326,135-139,445"
sc_nmap-udp() {
    NOTES="Per family: one UDP request per port from one source port (137 gets 3 NetBIOS payloads, 135 an RPC payload, the others empty); 6320 and 6325 answered by the listener, and since nmap's raw socket has no socket behind it, the source's kernel answers each reply with ICMP port unreachable; the closed ports get ICMP 3/3 (ICMPv6 1/4) from the host for the first 6 requests, the rest are held back by the host's rate limit; nmap retries those about 1.1 s later, one at a time, and gets their unreachables. nmap reports every port correctly."
    DESC="nmap -n -Pn -sU over UDP 6320,6325,6326,135-139,445, IPv4 and IPv6; the target answers on 6320 and 6325 only: 7 closed ports, more than the kernel's per-destination ICMP burst (6), so some port unreachables are held back and nmap retries; no firewall rule"
    TGT_UDP="6320,6325"
    local a p
    for a in "$S4 $T4" "$S6 $T6"; do
        for p in 6326 135 136 137 138 139 445; do
            client_saw "$a udp $p" "refused open|filtered"
        done
    done
}
run_nmap-udp() {
    : >"$WORK/nmap.all"
    nmap_run $T4 -sU -p $NMAP_UDP
    nmap_run $T6 -6 -sU -p $NMAP_UDP
}
exp_nmap-udp() {
    local a p req unr la f
    for a in "$S4 $T4" "$S6 $T6"; do
        set -- $a
        for p in 6320 6325; do
            expect $1 $2 udp $p OPEN $2 OPEN OPEN - "nmap's request answered by the listener;" \
                "the source's kernel answers the reply with port unreachable (nmap sent from a raw" \
                "socket: no socket behind its port), which is no refusal of the path"
        done
        for p in 6326 135 136 137 138 139 445; do
            req=$(pkts "$WORK/target.pcap" "src host $1 and udp dst port $p")
            case $2 in
                # the quoted datagram's destination port, behind the quoted IP header
                *:*) f="src host $2 and icmp6 and ip6[40] == 1 and ip6[41] == 4 and ip6[90:2] == $p";;
                *) f="src host $2 and icmp[0] == 3 and icmp[1] == 3 and icmp[30:2] == $p";;
            esac
            unr=$(pkts "$WORK/target.pcap" "$f")
            la=-; [ "$req" -gt "$unr" ] && la=icmp-rate-limit
            expect $1 $2 udp $p CLOSED $2 CLOSED CLOSED $la "$req request(s), $unr port unreachable(s) from the host"
        done
    done
}
check_nmap-udp() {
    local d=$1
    grep -q 'icmp-rate-limit' "$d/expected.tsv" || fail "$d" "no port unreachable was held back"
}

# ------------------------------------------------------------------ scan-cut-short

sc_scan-cut-short() {
    NOTES="Control 6325 (normal), then about 1.5 s later 60 SYNs to 6320 from 60 source ports within about 5 ms, then 60 over IPv6 within about 1 ms: the last 120 packets of the source's capture; none answered, none retransmitted (the capture stops within a few ms). The target's capture ends with the control: nothing on 6320 reaches it."
    DESC="a capture stopped during a SYN flood: 60 SYNs over IPv4 then 60 over IPv6 to TCP 6320, which the router drops, sent in a few ms; both captures stop at once, before any retransmission or answer could be due"
    RULES='iifname "r0" oifname "r1" tcp dport 6320 counter drop'
    TAIL=0
    client_saw "$S4 $T4 tcp 6320" "sent"
    client_saw "$S6 $T6 tcp 6320" "sent"
}
run_scan-cut-short() {
    probe src $T4 --tcp 6325
    sleep 0.5
    # one process for both families: its last SYNs must be the captures' last packets
    nsx "$NS_SRC" timeout 20 python3 "$LOOK" flood --to "$T4,$T6" --from-label "$S4,$S6" \
        --port 6320 --count 60 >>"$WORK/probes.tsv" 2>>"$WORK/probe.err" \
        || log "warning: flood failed"
    stop_captures
}
exp_scan-cut-short() {
    expect $S4 $T4 tcp 6320 INCONCLUSIVE - INCONCLUSIVE UNTESTED capture-ended "60 SYNs from 60 source ports within a few ms, among the last packets of the capture: no answer could be due yet (the router does drop them: nothing reaches the target)"
    expect $S6 $T6 tcp 6320 INCONCLUSIVE - INCONCLUSIVE UNTESTED capture-ended "IPv6: 60 SYNs right after, the very end of the capture"
    expect $S4 $T4 tcp 6325 OPEN $T4 OPEN OPEN - "control, a second before"
}
check_scan-cut-short() {
    local d=$1 last first
    # the flood's first SYN to the end of the capture: well under the 1 s SYN timeout
    last=$(tcpdump -n -tt -r "$d/source.pcap" 2>/dev/null | tail -1 | cut -d' ' -f1)
    first=$(tcpdump -n -tt -r "$d/source.pcap" "dst port 6320" 2>/dev/null | head -1 \
            | cut -d' ' -f1)
    awk -v a="$first" -v b="$last" 'BEGIN { exit !(b - a < 0.5) }' \
        || fail "$d" "the capture ran $first .. $last after the flood began"
}

# ------------------------------------------------------------------ time-wait-reuse

TW_BYTES=96000000
sc_time-wait-reuse() {
    NOTES="Both families (IPv4 from port 40000, IPv6 from 40001): the capture starts on an idle connection after 96 MB; the target's FIN, the source's FIN, the target's last ACK (target now in TIME-WAIT); 50 ms later the source's SYN from the same port with a sequence number below the old connection's; the target answers with a bare ACK in the old connection's numbers (ack = old FIN + 1); the source's kernel answers that with a RST (seq = that ack), which ends the TIME-WAIT; about 10 ms later the source retransmits the SYN and the target answers SYN-ACK; the new connection opens and closes normally. Then 6325 from port 40002: SYN, SYN-ACK, ACK, the listener's FIN first, and at once a new SYN from port 40002, answered SYN-ACK straight away (its ISN is higher: no data went before). No firewall, no timestamps."
    DESC="a port reused while the far end is in TIME-WAIT, no firewall rule: TCP timestamps off on the source; it sends 96 MB to 6320 (before the captures start: that moves the target's next expected sequence number beyond the ISN the source will pick next), the target closes first (TIME-WAIT), the source closes and at once reconnects from the same port (40000 IPv4, 40001 IPv6); then the same on 6325 from port 40002 without data before (the common case)"
    TGT_TCP="6325,6326,135-139,445,443"
    TGT_EXTRA=(--tcp-serve 6320 --close-after "$TW_BYTES" --close-delay 2.5)
}
setup_time-wait-reuse() {
    local i
    nsx "$NS_SRC" sysctl -qw net.ipv4.tcp_timestamps=0 >/dev/null
    rm -f "$WORK"/sent.*
    lprobe src reuse $T4 --port 6320 --sport 40000 --bytes $TW_BYTES --wait 20 \
        --sent-file "$WORK/sent.4" & TW4=$!; PIDS+=("$TW4")
    lprobe src reuse $T6 --port 6320 --sport 40001 --bytes $TW_BYTES --wait 20 \
        --sent-file "$WORK/sent.6" & TW6=$!; PIDS+=("$TW6")
    # the bulk must be over before the captures start: all written, both send queues empty
    for i in $(seq 200); do
        sleep 0.1
        [ -s "$WORK/sent.4" ] && [ -s "$WORK/sent.6" ] || continue
        nsx "$NS_SRC" ss -tnH state established '( sport = :40000 or sport = :40001 )' \
            | awk '{n++} $2 != 0 {busy=1} END {exit busy || n != 2}' && break
    done
    log "   bulk sent after $i tenths of a second"
}
run_time-wait-reuse() {
    wait_exit $TW4 30; wait_exit $TW6 30
    # the common case for comparison: no data before, so the new ISN is the higher one
    lprobe src reuse $T4 --port 6325 --sport 40002 --wait 5
}
exp_time-wait-reuse() {
    local n="the capture starts with the first connection idle; the target closes (FIN), the source answers and closes; within about 50 ms the source's SYN from the same port arrives while the target is in TIME-WAIT with a lower sequence number than it expects, so the target answers with a bare ACK (its old sequence numbers), the source's kernel resets that, and the SYN retransmitted about 10 ms later is accepted (SYN-ACK)"
    expect $S4 $T4 tcp 6320 OPEN $T4 OPEN OPEN time-wait-reuse "$n"
    expect $S6 $T6 tcp 6320 OPEN $T6 OPEN OPEN time-wait-reuse "IPv6: $n"
    expect $S4 $T4 tcp 6325 OPEN $T4 OPEN OPEN - "the common case: the listener closes at once" \
        "(TIME-WAIT), the source reconnects from the same port 40002 at once; no data went before," \
        "so the new ISN is above what the target expects and the SYN is answered SYN-ACK at once"
}
check_time-wait-reuse() {
    local d=$1 ok=0 a
    for a in "$S4 $T4 40000" "$S6 $T6 40001"; do
        set -- $a
        # the reused SYN answered by a bare ACK, the source's RST, then a SYN-ACK
        has "$d" source.pcap -ge 1 "src host $2 and dst port $3 and $(tflags $2) & 0x17 == 0x10" || ok=1
        has "$d" source.pcap -ge 1 "src host $1 and src port $3 and $(tflags $1) & 0x04 != 0" || ok=1
        has "$d" source.pcap -ge 1 "src host $2 and dst port $3 and $(tflags $2) & 0x12 == 0x12" || ok=1
    done
    # the common case: both SYNs from 40002 answered SYN-ACK, no RST
    has "$d" source.pcap -eq 2 "src host $T4 and dst port 40002 and tcp[13] & 0x12 == 0x12" || ok=1
    has "$d" source.pcap -eq 0 "port 40002 and tcp[13] & 0x04 != 0" || ok=1
    has "$d" source.pcap -lt 1 "greater 200" || ok=1   # the bulk stayed out of the capture
    return $ok
}

# ------------------------------------------------------------------ rst-ratelimit

# Linux sends a RST for every SYN to a closed port; devices and other stacks limit them (BSD's
# net.inet.icmp.tcprstlimit...). An nftables limit on the target's own output emulates that.
sc_rst-ratelimit() {
    NOTES="20 connection attempts 10 ms apart to 6326 (IPv4), then the same over IPv6, each from its own source port: the target's kernel answers every SYN with RST/ACK, and its output rule lets the first few of each burst out (a bucket of 4 that refills at 1 a second, shared by both families: 4 RSTs for IPv4, 1 or 2 for IPv6 a second later); the others are dropped before the interface, so the target's capture holds every SYN and only the RSTs that left. The client gives up after 0.6 s, before Linux would send a SYN again (1 s). Control 6325 (IPv4, IPv6): normal."
    DESC="RST rate limit, no firewall rule on the path: nothing listens on TCP 6326; an nftables rule in the target's own output lets RSTs from port 6326 out at 1 a second after a burst of 4 (as devices and other stacks limit theirs); the source makes 20 connection attempts 10 ms apart, IPv4 and IPv6"
    TGT_TCP="6320,6325,135-139,445,443"
    client_saw "$S4 $T4 tcp 6326" "refused timeout"
    client_saw "$S6 $T6 tcp 6326" "refused timeout"
}
setup_rst-ratelimit() {
    nsx "$NS_TGT" nft -f - <<'NFT' || die "nft on the target"
table inet fwrst {
    chain output {
        type filter hook output priority filter; policy accept;
        tcp sport 6326 tcp flags & rst == rst limit rate over 1/second burst 4 packets counter drop
    }
}
NFT
    DESC="$DESC (target: $(nsx "$NS_TGT" nft list chain inet fwrst output | grep limit | sed 's/^[[:space:]]*//'))"
}
run_rst-ratelimit() {
    lprobe src conns $T4 --port 6326 --count 20 --burst 0 --interval 0.01 --hold 0.6
    sleep 1.1   # the limiter refills between the families
    lprobe src conns $T6 --port 6326 --count 20 --burst 0 --interval 0.01 --hold 0.6
    probe src $T4 --tcp 6325
    probe src $T6 --tcp 6325
}
exp_rst-ratelimit() {
    local n="20 SYNs 10 ms apart to a closed port, all arrive; the host resets the first few and is silent for the rest (its RSTs rate limited on the way out, before its own capture): CLOSED, not DROPPED"
    expect $S4 $T4 tcp 6326 CLOSED $T4 CLOSED CLOSED rst-rate-limit "$n"
    expect $S6 $T6 tcp 6326 CLOSED $T6 CLOSED CLOSED rst-rate-limit "IPv6: $n"
    expect $S4 $T4 tcp 6325 OPEN $T4 OPEN OPEN - "control"
    expect $S6 $T6 tcp 6325 OPEN $T6 OPEN OPEN - "control (without it, the target's capture shows no IPv6 packet of the target's but RSTs, which prove nothing of where it was taken)"
}
check_rst-ratelimit() {
    local d=$1 ok=0 a rst
    for a in "$S4 $T4" "$S6 $T6"; do
        set -- $a
        has "$d" target.pcap -eq 20 "dst host $2 and dst port 6326 and $(tflags $2) & 0x12 == 0x02" || ok=1
        rst=$(pkts "$d/source.pcap" "src host $2 and src port 6326 and $(tflags $2) & 0x04 != 0")
        [ "$rst" -ge 1 ] && [ "$rst" -le 8 ] || fail "$d" "$2: $rst RSTs of 20, want 1-8" || ok=1
    done
    return $ok
}

# ------------------------------------------------------------------ checksum-offload

# The lab turns offload off so that captured checksums are real; here it is left on where real
# servers have it: on both hosts' interfaces (the router's stay off: it fills what it forwards).
sc_checksum-offload() {
    NOTES="Every TCP and UDP packet a host sends carries, in its own capture, a checksum of the pseudo-header alone (its card would have filled the rest: tcpdump says 'cksum incorrect' with -vv); the same packets arrive at the other host with their checksums filled in (the router computes them, its interfaces having no offload). 6320 dropped (SYN retransmitted, never in the target's capture); 6325, UDP 6325 and echo answered; 6326 reset by the target (no listener)."
    DESC="checksum offload on the source's and the target's interfaces (ethtool -K tx on): TCP 6320 dropped by the router, TCP 6325 and UDP 6325 open, TCP 6326 closed (no listener), echo open"
    RULES='iifname "r0" oifname "r1" tcp dport 6320 counter drop'
    TGT_TCP="6320,6325,135-139,445,443"
}
setup_checksum-offload() {
    nsx "$NS_SRC" ethtool -K s0 tx on >/dev/null 2>&1 || die "ethtool -K s0 tx on"
    nsx "$NS_TGT" ethtool -K t0 tx on >/dev/null 2>&1 || die "ethtool -K t0 tx on"
}
run_checksum-offload() {
    probe src $T4 --tcp 6320
    probe src $T4 --tcp 6325
    probe src $T4 --tcp 6326
    probe src $T4 --udp 6325
    probe src $T4 --icmp
}
exp_checksum-offload() {
    local n="captured with checksum offload on both hosts: their own outgoing TCP/UDP checksums are unfilled in their captures, which changes nothing"
    expect $S4 $T4 tcp 6320 DROPPED - DROPPED UNTESTED - "the router drops the SYNs; $n"
    expect $S4 $T4 tcp 6325 OPEN $T4 OPEN OPEN - "$n"
    expect $S4 $T4 tcp 6326 CLOSED $T4 CLOSED CLOSED - "the target's RST; $n"
    expect $S4 $T4 udp 6325 OPEN $T4 OPEN OPEN - "$n"
    expect $S4 $T4 icmp - OPEN $T4 OPEN OPEN - "$n"
}
check_checksum-offload() {
    local d=$1 ok=0
    # unfilled checksums on the captures' own packets, none on what arrives
    [ "$(tcpdump -vv -n -r "$d/source.pcap" "src host $S4 and tcp" 2>/dev/null \
         | grep -c 'incorrect')" -ge 3 ] || fail "$d" "source.pcap: no offloaded checksums" || ok=1
    [ "$(tcpdump -vv -n -r "$d/target.pcap" "src host $T4 and tcp" 2>/dev/null \
         | grep -c 'incorrect')" -ge 2 ] || fail "$d" "target.pcap: no offloaded checksums" || ok=1
    [ "$(tcpdump -vv -n -r "$d/source.pcap" "src host $T4" 2>/dev/null \
         | grep -c 'incorrect')" -eq 0 ] || fail "$d" "source.pcap: bad checksums arriving" || ok=1
    return $ok
}

# ------------------------------------------------------------------ one-way-capture

sc_one-way-capture() {
    NOTES="Source capture, filtered 'src host $S4 or src host $S6': the source's own packets only. TCP 6320 and 6325 (and 6320 over IPv6): its SYN, then its ACK and FIN with the next sequence numbers (the SYN-ACK, the target's FIN and ACKs are not in it). TCP 6326: the SYN sent again and again (the router drops it). UDP 6320 and echo: the request only. The target's capture is whole: the SYN-ACKs, the UDP answer and the echo reply leave it."
    DESC="a capture of one direction: the source's tcpdump keeps its own packets only ('src host', as a capture filtered on one direction, or a SPAN port mirroring one, would); the router drops TCP 6326 source->target; everything else is answered"
    RULES='iifname "r0" oifname "r1" tcp dport 6326 counter drop'
    SRC_FILTER="src host $S4 or src host $S6"
}
run_one-way-capture() {
    probe src $T4 --tcp 6320,6325,6326 --udp 6320 --icmp
    probe src $T6 --tcp 6320
}
exp_one-way-capture() {
    local n="the source's ACK and FIN after its SYN prove the SYN-ACK its capture does not hold"
    local s="its capture holds none of the target's packets, so silence there proves nothing"
    expect $S4 $T4 tcp 6320 OPEN $T4 OPEN OPEN source=capture-one-way "$n"
    expect $S4 $T4 tcp 6325 OPEN $T4 OPEN OPEN source=capture-one-way "$n"
    expect $S6 $T6 tcp 6320 OPEN $T6 OPEN OPEN source=capture-one-way "IPv6: $n"
    expect $S4 $T4 tcp 6326 DROPPED - DROPPED UNTESTED - "the SYN sent again and never followed up: no SYN-ACK reached the source, whichever way it came"
    expect $S4 $T4 udp 6320 OPEN $T4 INCONCLUSIVE OPEN both=capture-one-way "answered; the source alone: $s; both: the target's capture holds the answer"
    expect $S4 $T4 icmp - OPEN $T4 INCONCLUSIVE OPEN both=capture-one-way "answered; the source alone: $s"
}
check_one-way-capture() {
    local d=$1 ok=0
    has "$d" source.pcap -eq 0 "src host $T4 or src host $T6" || ok=1
    has "$d" source.pcap -ge 1 "src host $S4 and dst port 6320 and $(tflags $S4) & 0x12 == 0x10" || ok=1
    has "$d" target.pcap -ge 1 "src host $T4 and src port 6320 and $(tflags $T4) & 0x12 == 0x12" || ok=1
    has "$d" target.pcap -ge 1 "src host $T4 and udp src port 6320" || ok=1
    return $ok
}
