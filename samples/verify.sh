#!/usr/bin/env bash
# samples/verify.sh: checks with tshark that each committed capture holds the packets that
# prove its scenario (retransmitted SYNs, forged RST with the router's TTL, ICMP errors and
# who sent them, ...). No root needed, sends nothing.   usage: samples/verify.sh [DIR]
set -u -o pipefail
DIR=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
command -v tshark >/dev/null || { echo "verify: tshark is needed" >&2; exit 2; }

S4=198.51.100.10 R4S=198.51.100.1 R4T=203.0.113.1 T4=203.0.113.20
S6=2001:db8:1::10 R6S=2001:db8:1::1 T6=2001:db8:2::20
SYN='tcp.flags.syn==1 && tcp.flags.ack==0'
SYNACK='tcp.flags.syn==1 && tcp.flags.ack==1'
RST='tcp.flags.reset==1'
SMB='{135, 136, 137, 138, 139, 445}'

# scenario | file | display filter | op | count | what it proves
CHECKS=$(cat <<EOF
all-open|source.pcap|$SYNACK && ip.src==$T4|>=|10|every TCP port answered by the target
all-open|source.pcap|udp && ip.src==$T4|>=|9|every UDP port answered by the target
all-open|source.pcap|icmp.type==0 && ip.src==$T4|==|3|echo replies from the target
all-open|target.pcap|icmp.type==0 && ip.src==$S4|==|3|echo replies from the source
drop-6320|source.pcap|$SYN && tcp.dstport==6320 && ip.src==$S4|>=|3|SYN to 6320 sent and retransmitted
drop-6320|source.pcap|tcp.analysis.retransmission && tcp.dstport==6320|>=|2|SYN retransmissions
drop-6320|source.pcap|tcp.srcport==6320 && ip.src==$T4|==|0|no answer from 6320
drop-6320|source.pcap|icmp.type==3|==|0|no ICMP error
drop-6320|target.pcap|tcp.dstport==6320 && ip.src==$S4|==|0|the SYN never arrives
drop-6320|target.pcap|$SYNACK && ip.src==$S4 && tcp.srcport==6320|==|1|target->source 6320 open
reply-dropped-6320|source.pcap|$SYN && tcp.dstport==6320 && ip.src==$S4|>=|3|SYN retransmitted
reply-dropped-6320|source.pcap|tcp.srcport==6320 && ip.src==$T4|==|0|no SYN-ACK reaches the source
reply-dropped-6320|target.pcap|$SYN && tcp.dstport==6320 && ip.src==$S4|>=|3|the SYNs do arrive
reply-dropped-6320|target.pcap|$SYNACK && tcp.srcport==6320 && ip.src==$T4|>=|3|the target answers, and retransmits its SYN-ACK
reset-6320|source.pcap|$RST && ip.src==$T4 && tcp.srcport==6320 && ip.ttl==64|==|1|RST claiming the target, with the router's TTL 64
reset-6320|source.pcap|$SYNACK && ip.src==$T4 && tcp.srcport==6325 && ip.ttl==63|==|1|the target's own packets arrive with TTL 63
reset-6320|target.pcap|tcp.dstport==6320 && ip.src==$S4|==|0|the SYN never reaches the target
prohibited-6320|source.pcap|icmp.type==3 && icmp.code==13 && ip.src==$R4S|>=|1|admin-prohibited from the router (source side)
prohibited-6320|target.pcap|icmp.type==3 && icmp.code==13 && ip.src==$R4T|>=|1|admin-prohibited from the router (target side)
prohibited-6320|target.pcap|tcp.dstport==6320 && ip.src==$S4|==|0|source->target SYN never arrives
echo-request-dropped|target.pcap|icmp.type==8 && ip.src==$T4|==|3|the target pings
echo-request-dropped|source.pcap|icmp.type==8 && ip.src==$T4|==|0|the requests never arrive
echo-request-dropped|source.pcap|icmp.type==0 && ip.src==$T4|==|3|source->target echo works
echo-reply-dropped|target.pcap|icmp.type==0 && ip.src==$T4|==|3|the target answers
echo-reply-dropped|source.pcap|icmp.type==0 && ip.src==$T4|==|0|its replies never arrive
echo-reply-dropped|source.pcap|icmp.type==0 && ip.src==$S4|==|3|the source answers the target's pings
echo-reply-dropped|target.pcap|icmp.type==0 && ip.src==$S4|==|0|those replies never arrive
not-listening|source.pcap|$RST && ip.src==$T4 && tcp.srcport==6320 && ip.ttl==63|==|1|the host's own RST, TTL 63
not-listening|source.pcap|icmp.type==3 && icmp.code==3 && ip.src==$T4|==|1|port unreachable from the host
not-listening|target.pcap|icmp.type==3 && icmp.code==3 && ip.src==$T4|==|1|and it leaves the target
reverse-blocked|target.pcap|$SYN && ip.src==$T4 && tcp.dstport in {6320, 6325, 6326}|>=|9|3 ports, SYN retransmitted
reverse-blocked|source.pcap|ip.src==$T4 && (tcp.dstport in {6320, 6325, 6326} or udp.dstport==6320)|==|0|nothing arrives at the source
reverse-blocked|source.pcap|$SYNACK && ip.src==$S4 && tcp.srcport==443|==|1|target->source 443 open
reverse-blocked|source.pcap|$SYNACK && ip.src==$T4|==|3|source->target open
smb-blocked|source.pcap|tcp.analysis.retransmission && ip.src==$S4 && tcp.dstport in $SMB|>=|6|SYN retransmissions on 135-139, 445
smb-blocked|target.pcap|ip.src==$S4 && (tcp.dstport in $SMB or udp.dstport in $SMB)|==|0|none arrives
smb-blocked|target.pcap|tcp.analysis.retransmission && ip.src==$T4 && tcp.dstport in {135, 445}|>=|2|target->source retransmissions
smb-blocked|source.pcap|ip.src==$T4 && (tcp.dstport in $SMB or udp.dstport in $SMB)|==|0|none arrives
udp-unreachable|source.pcap|icmp.type==3 && icmp.code==13 && ip.src==$R4S && udp.dstport==6325|==|1|UDP 6325: admin-prohibited from the router
udp-unreachable|source.pcap|icmp.type==3 && icmp.code==3 && ip.src==$T4 && udp.dstport==6326|==|1|UDP 6326: port unreachable from the host
udp-unreachable|source.pcap|icmp.type==3 && icmp.code==3 && ip.src==$R4S && udp.dstport==445|==|1|UDP 445: port unreachable from the router
udp-unreachable|target.pcap|udp.dstport in {6325, 445}|==|0|those never reach the target
ipv6-drop|source.pcap|$SYN && ipv6.src==$S6 && tcp.dstport==6320|>=|3|IPv6 SYN retransmitted
ipv6-drop|source.pcap|icmpv6.type==128 && ipv6.src==$S6|==|3|ICMPv6 echo requests
ipv6-drop|source.pcap|icmpv6.type==129|==|0|no echo reply
ipv6-drop|target.pcap|ipv6.src==$S6 && (tcp.dstport==6320 or udp.dstport==6320 or icmpv6.type==128)|==|0|nothing arrives over IPv6
ipv6-drop|source.pcap|$SYNACK && ip.src==$T4 && tcp.srcport==6320|==|1|IPv4 6320 open
ipv6-reject|source.pcap|icmpv6.type==1 && icmpv6.code==1 && ipv6.src==$R6S|>=|1|ICMPv6 admin-prohibited from the router
ipv6-reject|source.pcap|$RST && ipv6.src==$T6 && tcp.srcport==6325 && ipv6.hlim==64|==|1|forged RST, router hop limit 64
ipv6-reject|source.pcap|$SYNACK && ipv6.src==$T6 && ipv6.hlim==63|==|1|the target's own hop limit is 63
ipv6-reject|source.pcap|icmpv6.type==1 && icmpv6.code==4 && ipv6.src==$T6|==|1|port unreachable from the host
partial|source.pcap|$SYN && tcp.dstport==6320 && !tcp.analysis.retransmission|==|3|three attempts
partial|source.pcap|$SYNACK && tcp.srcport==6320|==|2|two answered
partial|source.pcap|tcp.analysis.retransmission && tcp.dstport==6320|>=|2|one retransmitted, unanswered
partial|target.pcap|$SYN && tcp.dstport==6320|==|2|the target saw only the two that passed
demo|source.pcap.gz|$SYNACK && ip.src==$T4 && tcp.srcport in {6320, 6326}|==|2|6320, 6326 open
demo|source.pcap.gz|tcp.analysis.retransmission && tcp.dstport==6325 && ip.src==$S4|>=|2|6325 dropped
demo|source.pcap.gz|icmp.type==3 && icmp.code==13 && ip.src==$R4S && tcp.dstport==445|==|1|445 admin-prohibited by the router
demo|source.pcap.gz|icmp.type==0 && ip.src==$T4|==|0|echo replies lost
demo|target.pcap.gz|icmp.type==0 && ip.src==$T4|==|3|...though the target sent them
demo|target.pcap.gz|icmp.type==8 && ip.src==$T4|==|3|target->source pings
demo|target.pcap.gz|icmp.type==0 && ip.src==$S4|==|0|...whose replies are lost
demo|target.pcap.gz|tcp.dstport==6325 && ip.src==$S4|==|0|6325 never arrives
backlog-overflow|target.pcap|$SYN && tcp.dstport==6320 && ip.src==$S4|>=|6|every SYN arrives, the later ones unanswered
backlog-overflow|target.pcap|$SYNACK && tcp.srcport==6320|>=|4|3 SYN-ACKs, one repeated though ACKed
backlog-overflow|target.pcap|$SYNACK && tcp.srcport==6326 && ipv6.src==$T6|>=|4|the same over IPv6
backlog-overflow|source.pcap|icmp or $RST|==|0|no ICMP, no RST: the host's kernel drops
icmp-ratelimit|target.pcap|udp.dstport==6326 && !icmp && !icmpv6|==|40|all 40 requests arrive
icmp-ratelimit|source.pcap|icmp.type==3 && icmp.code==3 && ip.src==$T4|==|6|6 port unreachables, then silence
icmp-ratelimit|source.pcap|icmpv6.type==1 && icmpv6.code==4 && ipv6.src==$T6|==|6|the same over IPv6
reply-other-address|source.pcap|udp.dstport==6320 && ip.dst==203.0.113.21 && !icmp|==|1|request to the second address
reply-other-address|source.pcap|udp.srcport==6320 && ip.src==$T4 && !icmp|==|1|reply from the first
reply-other-address|source.pcap|icmp.type==3 && icmp.code==3 && ip.src==$S4 && ip.dst==$T4|==|1|the source refuses it
reply-other-address|source.pcap|icmpv6.type==1 && icmpv6.code==4 && ipv6.src==$S6 && ipv6.dst==$T6|==|1|the same over IPv6
stall-ack-drop|target.pcap|$SYNACK && tcp.srcport==6320|==|2|both handshakes reach the target
stall-ack-drop|source.pcap|tcp.analysis.retransmission && tcp.dstport==6320 && tcp.len==300|>=|6|the request retransmitted
stall-ack-drop|target.pcap|tcp.dstport==6320 && tcp.len>0|==|0|...never arrives
pmtu-blackhole|target.pcap|tcp.dstport==6320 && tcp.len==100|==|2|the small requests pass
pmtu-blackhole|source.pcap|tcp.dstport==6320 && frame.len>1294|>=|6|full-size segments, retransmitted
pmtu-blackhole|target.pcap|frame.len>1294|==|0|none over the 1280 MTU arrives
pmtu-blackhole|source.pcap|icmp or icmpv6.type==2|==|0|no frag-needed, no packet-too-big
host-unreachable|source.pcap|icmp.type==3 && icmp.code==1 && ip.src==$R4S|>=|1|host unreachable from the router
host-unreachable|source.pcap|icmp.type==3 && icmp.code==0 && ip.src==$R4S|==|1|net unreachable from the router
host-unreachable|source.pcap|icmpv6.type==1 && icmpv6.code==3 && ipv6.src==$R6S|>=|1|ICMPv6 address unreachable
host-unreachable|source.pcap|icmpv6.type==1 && icmpv6.code==0 && ipv6.src==$R6S|==|1|ICMPv6 no route
host-unreachable|target.pcap|arp.dst.proto_ipv4==203.0.113.99|>=|3|the router's ARP, unanswered
nmap-syn-os|source.pcap|tcp.flags==0x000 && ip.src==$S4|>=|1|null probe
nmap-syn-os|source.pcap|tcp.flags==0x02b && ip.src==$S4|>=|1|SYN+FIN+PSH+URG probe
nmap-syn-os|source.pcap|tcp.flags==0x029 && ip.src==$S4|>=|1|FIN+PSH+URG probe
nmap-syn-os|source.pcap|tcp.flags==0x001 && tcp.dstport==443|==|2|FIN scan of 443, unanswered
nmap-syn-os|source.pcap|$RST && ip.src==$T4 && tcp.srcport==6326|>=|1|6326 closed
nmap-udp|source.pcap|icmp.type==3 && icmp.code==3 && ip.src==$T4|>=|7|port unreachables from the host
nmap-udp|source.pcap|udp.srcport in {6320, 6325} && ip.src==$T4 && !icmp|>=|2|6320, 6325 answered
scan-cut-short|source.pcap|$SYN && tcp.dstport==6320|==|120|the flood, unanswered
scan-cut-short|target.pcap|tcp.dstport==6320|==|0|none arrives
time-wait-reuse|source.pcap|$SYN && tcp.srcport==40000|==|2|the reused SYN, retried
time-wait-reuse|source.pcap|tcp.flags==0x010 && ip.src==$T4 && tcp.dstport==40000|>=|2|a bare ACK answers the SYN
time-wait-reuse|source.pcap|$RST && ip.src==$S4 && tcp.srcport==40000|==|1|the source resets it
time-wait-reuse|source.pcap|$SYNACK && tcp.dstport==40000|==|1|the retried SYN accepted
time-wait-reuse|source.pcap|$SYNACK && tcp.dstport==40002|==|2|the common case: both SYNs accepted at once
rst-ratelimit|target.pcap|$SYN && tcp.dstport==6326|==|40|every SYN arrives (IPv4, IPv6)
rst-ratelimit|source.pcap|$RST && tcp.srcport==6326|>=|2|the host's RSTs for some of them
rst-ratelimit|target.pcap|$RST && tcp.srcport==6326|<=|10|and none for the others
checksum-offload|target.pcap|tcp.dstport==6320|==|0|6320 dropped on the way
EOF
)

fails=0 n=0
err=$(mktemp) || exit 2
trap 'rm -f "$err"' EXIT
while IFS='|' read -r sc file filter op want what; do
    [ -z "$sc" ] && continue
    f="$DIR/$sc/$file"
    if [ ! -f "$f" ]; then echo "MISSING $sc/$file"; fails=$((fails + 1)); continue; fi
    if ! out=$(tshark -n -r "$f" -Y "$filter" 2>"$err"); then
        echo "ERROR $sc/$file: tshark failed on [$filter]: $(grep -v 'Running as user' "$err")"
        fails=$((fails + 1)); continue
    fi
    got=$(printf '%s' "$out" | grep -c .)
    n=$((n + 1))
    if { [ "$op" = "==" ] && [ "$got" -eq "$want" ]; } || { [ "$op" = ">=" ] && [ "$got" -ge "$want" ]; } ||
       { [ "$op" = "<=" ] && [ "$got" -le "$want" ]; }; then
        printf 'ok    %-20s %-15s %s (%s)\n' "$sc" "$file" "$what" "$got"
    else
        printf 'FAIL  %-20s %-15s %s: [%s] gave %s, want %s %s\n' "$sc" "$file" "$what" "$filter" "$got" "$op" "$want"
        fails=$((fails + 1))
    fi
done <<<"$CHECKS"
echo "verify: $n checks, $fails failed"
[ $fails -eq 0 ]
