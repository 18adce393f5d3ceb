# samples/path-lab-model.sh: the two-router lab on paper, sourced by samples/path-lab.sh: its
# addresses and MACs, and from a scenario's BLOCKS and PROBES what each capture point must
# show (expected.tsv, points.tsv, captures.tsv, scenario.txt). Building the lab and running it
# is path-lab.sh's job; this file only reads BLOCKS, PROBES and EXTRA and writes files.
#
# The path, source to target ("fwd"); positions count along it from the requester:
#
#   src --(link 0: 198.51.100.0/24)-- rtr1 --(link 1: 192.0.2.0/24)-- rtr2 --(link 2: 203.0.113.0/24)-- tgt
#   pos 0                             pos 1                           pos 2                              pos 3
#
# For a request target->source ("rev") the same picture is read from the other end.

S4=198.51.100.10 R1S4=198.51.100.1 R1M4=192.0.2.1 R2M4=192.0.2.2 R2T4=203.0.113.1 T4=203.0.113.20
S6=2001:db8:1::10 R1S6=2001:db8:1::1 R1M6=2001:db8:3::1 R2M6=2001:db8:3::2 R2T6=2001:db8:2::1
T6=2001:db8:2::20
X1_4=198.51.100.30 X2_4=203.0.113.40
# fixed, locally administered MACs: the same in every run, so scenario.txt can name them
MAC_S0=02:00:00:00:00:10 MAC_A0=02:00:00:00:01:01 MAC_A1=02:00:00:00:01:02
MAC_B0=02:00:00:00:02:01 MAC_B1=02:00:00:00:02:02 MAC_T0=02:00:00:00:00:20
MAC_X1=02:00:00:00:00:30 MAC_AX=02:00:00:00:01:03 MAC_X2=02:00:00:00:00:40
MAC_BX=02:00:00:00:02:03
PROF_TCP="6320,6325,6326,135-139,445,443" PROF_UDP="6320,6325,6326,135-139,445"

is6() { case $1 in *:*) return 0;; esac; return 1; }
host_addr() { # host_addr src|tgt TO: that host's address in TO's family
    if [ "$1" = src ]; then is6 "$2" && echo $S6 || echo $S4
    else is6 "$2" && echo $T6 || echo $T4; fi
}
# dev_addr ROUTER DIR FAMILY-ADDR: the router's address on the requester's side (the source
# of its ICMP errors, and what ARP/NDP ties to the MAC a forged reset leaves with)
dev_addr() {
    local v
    case "$1:$2" in 1:fwd) v="$R1S4 $R1S6";; 1:rev) v="$R1M4 $R1M6";;
                    2:fwd) v="$R2M4 $R2M6";; 2:rev) v="$R2T4 $R2T6";; esac
    set -- $v "$3"
    is6 "$3" && echo "$2" || echo "$1"
}

# Each attempt the probes make: "WHO TO PROTO PORT" (PORT - for echo).
attempts() {
    local p who to rest proto list port
    for p in "${PROBES[@]}"; do
        read -r who to rest <<<"$p"
        set -- $rest
        while [ $# -gt 0 ]; do
            case $1 in
                --tcp|--udp) proto=${1#--}; list=$2; shift 2
                    for port in ${list//,/ }; do echo "$who $to $proto $port"; done;;
                --icmp) echo "$who $to icmp -"; shift;;
                *) shift;;
            esac
        done
    done
}

# block_of WHO PROTO PORT: "POS ROUTER ACTION" of the first rule on the way, or nothing
block_of() {
    local dir=fwd b proto port bdir rt act pos best=""
    [ "$1" = tgt ] && dir=rev
    for b in "${BLOCKS[@]}"; do
        read -r proto port bdir rt act <<<"$b"
        [ "$proto" = "$2" ] && [ "$port" = "$3" ] || continue
        [ "$bdir" = both ] || [ "$bdir" = "$dir" ] || continue
        pos=$rt; [ $dir = rev ] && pos=$((3 - rt))
        if [ -z "$best" ] || [ "$pos" -lt "${best%% *}" ]; then best="$pos $rt $act"; fi
    done
    echo "$best"
}

# has_icmp WHO TO ROUTER: does this scenario make ROUTER send admin-prohibited to WHO in TO's
# family (an ICMP error from the same distance names the router that forged a reset)?
has_icmp() {
    local w t proto port pos rt act
    while read -r w t proto port; do
        [ "$w" = "$1" ] && [ "$proto" != icmp ] || continue
        if is6 "$t"; then is6 "$2" || continue; else is6 "$2" && continue; fi
        pos="" rt="" act=""
        read -r pos rt act <<<"$(block_of "$w" "$proto" "$port")"
        [ "$rt" = "$3" ] && [ "$act" = icmp ] && return 0
    done < <(attempts)
    return 1
}

# links_of CAPTURE: the links (source-to-target numbering) a capture file sees
links_of() {
    case $1 in
        source|rtr1-src) echo 0;; rtr1-mid|rtr2-mid) echo 1;; rtr2-tgt|target) echo 2;;
        rtr1|rtr1-mixed) echo "0 1";;
    esac
}
point_of() { # the capture point each capture should be given (a host: any of its addresses)
    case $1 in
        source|rtr1-src) echo "$S4,$S6";; target|rtr2-tgt) echo "$T4,$T6";; *) echo in-path;;
    esac
}

# view CAPTURE WHO TO PROTO PORT: "VERDICT ANSWERED_BY BASIS ROUTERS WHERE" as that capture
# alone should conclude. ROUTERS: routers that forwarded the refusal before the capture saw
# it (64 minus its TTL); WHERE: after (the device is beyond the capture point) or at (the
# capture spans the device: a router's own interfaces).
view() {
    local cap=$1 who=$2 to=$3 proto=$4 port=$5 blk pos rt act k kk kmax=-1 spans=0
    blk=$(block_of "$who" "$proto" "$port")
    if [ -z "$blk" ]; then echo "OPEN $to - - -"; return; fi
    read -r pos rt act <<<"$blk"
    for k in $(links_of "$cap"); do
        kk=$k; [ "$who" = tgt ] && kk=$((2 - k))
        if [ "$kk" -lt "$pos" ]; then [ "$kk" -gt $kmax ] && kmax=$kk; else spans=1; fi
    done
    if [ $kmax -lt 0 ]; then echo "UNTESTED - - - -"; return; fi
    local where=after routers=$((pos - 1 - kmax)) dir=fwd a
    [ $spans = 1 ] && where=at
    [ "$who" = tgt ] && dir=rev
    a=$(dev_addr "$rt" $dir "$to")
    case $act in
        drop) echo "DROPPED - - - $where";;
        icmp) echo "REJECTED $a icmp-source $routers $where";;
        reset)
            if [ $routers = 0 ]; then echo "REJECTED $a link-layer 0 $where"
            elif has_icmp "$who" "$to" "$rt"; then echo "REJECTED $a ttl+icmp-source $routers $where"
            else echo "REJECTED - ttl $routers $where"; fi;;
    esac
}

# truth WHO TO PROTO PORT: "VERDICT ANSWERED_BY NOTE" of the ruleset as designed
truth() {
    local blk pos rt act dir=fwd
    blk=$(block_of "$2" "$3" "$4")
    [ "$2" = tgt ] && dir=rev
    if [ -z "$blk" ]; then echo "OPEN $1 answered by the host"; return; fi
    read -r pos rt act <<<"$blk"
    local a; a=$(dev_addr "$rt" $dir "$1")
    case $act in
        drop) echo "DROPPED - dropped by rtr$rt, router $pos from the requester; nothing comes back";;
        icmp) echo "REJECTED $a admin-prohibited from rtr$rt ($a), router $pos from the requester";;
        reset) echo "REJECTED $a TCP reset forged by rtr$rt ($a) in the target's name, router $pos from the requester; sent with TTL 64, seen by the requester with $((65 - pos))";;
    esac
}

CAPS_ALL="source rtr1-src rtr1-mid rtr2-mid rtr2-tgt target"
caps_of_scenario() { if [ "$EXTRA" = 1 ]; then echo "source rtr1 rtr1-mixed target"; else echo "$CAPS_ALL"; fi; }

write_expected() { # DIR
    local dir=$1 who to proto port from tv ta note sv tgv c v
    {
        printf 'from\tto\tproto\tport\tverdict\tanswered_by\tanswered_by_basis\tsource_only\ttarget_only\tnote\n'
        while read -r who to proto port; do
            from=$(host_addr "$who" "$to")
            read -r tv ta note <<<"$(truth "$to" "$who" "$proto" "$port")"
            local req=source; [ "$who" = tgt ] && req=target
            set -- $(view $req "$who" "$to" "$proto" "$port")
            local basis=$3; [ "$tv" = OPEN ] && basis=-
            sv=$(view source "$who" "$to" "$proto" "$port" | cut -d' ' -f1)
            tgv=$(view target "$who" "$to" "$proto" "$port" | cut -d' ' -f1)
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$from" "$to" "$proto" "$port" \
                "$tv" "$ta" "$basis" "$sv" "$tgv" "$note"
        done < <(attempts)
    } >"$dir/expected.tsv"
    {
        printf 'capture\tcapture_point\tfrom\tto\tproto\tport\tverdict\tanswered_by\tbasis\trouters\twhere\n'
        for c in $(caps_of_scenario); do
            while read -r who to proto port; do
                from=$(host_addr "$who" "$to")
                v=$(view "$c" "$who" "$to" "$proto" "$port")
                printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c.pcap" "$(point_of "$c")" "$from" "$to" \
                    "$proto" "$port" "${v// /$'\t'}"
            done < <(attempts)
            if [ "$c" = rtr1-mixed ]; then
                for port in ${XPORTS_TCP//,/ }; do
                    printf '%s\tin-path\t%s\t%s\ttcp\t%s\tOPEN\t%s\t-\t-\t-\n' "$c.pcap" $X1_4 $X2_4 "$port" $X2_4
                done
                for port in ${XPORTS_UDP//,/ }; do
                    printf '%s\tin-path\t%s\t%s\tudp\t%s\tOPEN\t%s\t-\t-\t-\n' "$c.pcap" $X1_4 $X2_4 "$port" $X2_4
                done
                printf '%s\tin-path\t%s\t%s\ticmp\t-\tOPEN\t%s\t-\t-\t-\n' "$c.pcap" $X1_4 $X2_4 $X2_4
                for port in 22 443; do
                    printf '%s\tin-path\t%s\t%s\ttcp\t%s\tOPEN\t%s\t-\t-\t-\n' "$c.pcap" $X2_4 $X1_4 "$port" $X1_4
                done
                printf '%s\tin-path\t%s\t%s\ticmp\t-\tOPEN\t%s\t-\t-\t-\n' "$c.pcap" $X2_4 $X1_4 $X1_4
            fi
        done
        # both hosts' captures together: the ground truth's verdict, the device as the
        # requester's capture names it (a reset that only its TTL tells stays unnamed: the
        # far host's capture never sees the device either)
        while read -r who to proto port; do
            from=$(host_addr "$who" "$to")
            read -r tv ta note <<<"$(truth "$to" "$who" "$proto" "$port")"
            local req=source; [ "$who" = tgt ] && req=target
            set -- $(view $req "$who" "$to" "$proto" "$port")
            [ "$tv" = OPEN ] && set -- "$1" "$ta" - - -
            printf 'source.pcap+target.pcap\t-\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t-\n' "$from" "$to" \
                "$proto" "$port" "$tv" "$2" "$3" "$4"
        done < <(attempts)
    } >"$dir/points.tsv"
    write_captures "$dir"
}

# captures.tsv: every capture file: where it was taken, which MACs appear on its link
write_captures() {
    local dir=$1
    {
        printf 'file\tcapture_point\ttaken_on\tinterface\tlink\tmac_here\tmac_other_end\tother_end\n'
        if [ "$EXTRA" = 1 ]; then
            printf 'source.pcap\t%s\tsource\ts0\t198.51.100.0/24\t%s\t%s\trtr1 a0 %s %s\n' "$S4,$S6" $MAC_S0 $MAC_A0 $R1S4 $R1S6
            printf 'rtr1.pcap\tin-path\trtr1\ta0+a1 (merged)\t198.51.100.0/24 + 192.0.2.0/24\t%s %s\t%s %s\tsource s0, rtr2 b0 %s %s (the third pair filtered out)\n' \
                $MAC_A0 $MAC_A1 $MAC_S0 $MAC_B0 $R2M4 $R2M6
            printf 'rtr1-mixed.pcap\tin-path\trtr1\ta0+a1+ax (merged)\t198.51.100.0/24 + 192.0.2.0/24 + %s/32\t%s %s %s\t%s %s %s\tsource s0, rtr2 b0, x1 %s\n' \
                $X1_4 $MAC_A0 $MAC_A1 $MAC_AX $MAC_S0 $MAC_B0 $MAC_X1 $X1_4
            printf 'target.pcap\t%s\ttarget\tt0\t203.0.113.0/24\t%s\t%s\trtr2 b1 %s %s\n' "$T4,$T6" $MAC_T0 $MAC_B1 $R2T4 $R2T6
        else
            printf 'source.pcap\t%s\tsource\ts0\t198.51.100.0/24\t%s\t%s\trtr1 a0 %s %s\n' "$S4,$S6" $MAC_S0 $MAC_A0 $R1S4 $R1S6
            printf 'rtr1-src.pcap\t%s\trtr1\ta0\t198.51.100.0/24\t%s\t%s\tsource s0 %s %s\n' "$S4,$S6" $MAC_A0 $MAC_S0 $S4 $S6
            printf 'rtr1-mid.pcap\tin-path\trtr1\ta1\t192.0.2.0/24\t%s\t%s\trtr2 b0 %s %s\n' $MAC_A1 $MAC_B0 $R2M4 $R2M6
            printf 'rtr2-mid.pcap\tin-path\trtr2\tb0\t192.0.2.0/24\t%s\t%s\trtr1 a1 %s %s\n' $MAC_B0 $MAC_A1 $R1M4 $R1M6
            printf 'rtr2-tgt.pcap\t%s\trtr2\tb1\t203.0.113.0/24\t%s\t%s\ttarget t0 %s %s\n' "$T4,$T6" $MAC_B1 $MAC_T0 $T4 $T6
            printf 'target.pcap\t%s\ttarget\tt0\t203.0.113.0/24\t%s\t%s\trtr2 b1 %s %s\n' "$T4,$T6" $MAC_T0 $MAC_B1 $R2T4 $R2T6
        fi
    } >"$dir/captures.tsv"
}

write_scenario() { # DIR RULES1 RULES2
    local dir=$1
    {
        echo "scenario: path-$name"
        echo "what: $DESC"
        echo "made by: samples/path-lab.sh $name (lab_peer.py listeners and probes, tcpdump on every interface)"
        echo
        echo "path (MACs fixed by the script; TTL / hop limit 64 everywhere):"
        echo "  source  s0 $MAC_S0  $S4/24 $S6/64"
        echo "  rtr1    a0 $MAC_A0  $R1S4/24 $R1S6/64     (source side)"
        echo "          a1 $MAC_A1  $R1M4/24 $R1M6/64     (toward rtr2)"
        echo "  rtr2    b0 $MAC_B0  $R2M4/24 $R2M6/64     (toward rtr1)"
        echo "          b1 $MAC_B1  $R2T4/24 $R2T6/64     (target side)"
        echo "  target  t0 $MAC_T0  $T4/24 $T6/64"
        if [ "$EXTRA" = 1 ]; then
            echo "  x1      x0 $MAC_X1  $X1_4/24, behind rtr1 ax $MAC_AX ($R1S4/32, host route)"
            echo "  x2      y0 $MAC_X2  $X2_4/24, behind rtr2 bx $MAC_BX ($R2T4/32, host route)"
            echo "  x1 and x2 talk on tcp $XPORTS_TCP, udp $XPORTS_UDP and echo while the path's probes run"
        fi
        echo
        echo "The neighbour caches are flushed once every capture runs, so each capture holds the"
        echo "ARP / NDP exchanges that tie each MAC above to its address. A packet a router makes"
        echo "(forged reset, ICMP error) leaves with TTL 64; each router it then crosses takes one."
        echo
        echo "captures (captures.tsv has the same as a table):"
        local f pt on ifc lnk mh mo oe
        while IFS=$'\t' read -r f pt on ifc lnk mh mo oe; do
            [ "$f" = file ] && continue
            echo "  $f: on $on, interface $ifc, link $lnk; this end $mh, other end $mo = $oe;"
            echo "      capture point to report: $pt"
            awk -F'\t' -v f="$f" '$1==f && $7!="UNTESTED" {
                s = "      " $3 " -> " $4 " " $5 " " $6 ": " $7
                if ($8 != "-") s = s " by " $8
                if ($9 != "-") s = s " (" $9 (($10 != "-" && $10 != "0") ? ", " $10 " router(s) before the capture" : "") ")"
                if ($11 == "at") s = s ", dies on this router"
                print s }' "$dir/points.tsv"
            awk -F'\t' -v f="$f" '$1==f && $7=="UNTESTED" {n++} END {if (n) print "      (" n " more attempts never reach this link: UNTESTED)"}' "$dir/points.tsv"
        done <"$dir/captures.tsv"
        echo
        echo "rtr1 ruleset (a0 source side, a1 toward rtr2):"; echo "$2" | sed 's/^/    /'
        echo "rtr2 ruleset (b0 toward rtr1, b1 target side):"; echo "$3" | sed 's/^/    /'
        echo
        echo "what the probing clients saw (from to proto port outcome detail):"
        sed 's/^/    /' "$WORK/probes.tsv"
        [ -s "$WORK/probe.err" ] && { echo "probe errors:"; sed 's/^/    /' "$WORK/probe.err"; }
        local c
        echo "tcpdump:"
        for c in "$WORK"/tcpdump.*.log; do
            echo "    ${c##*/tcpdump.}: $(grep -E 'captured|dropped by kernel' "$c" | tr '\n' ' ')"
        done
    } >"$dir/scenario.txt"
}

# What the probing clients saw must fit the ground truth (a self-check of the lab).
check_probes() { # DIR
    local bad=0 from to proto port verdict ans rest outs o
    while IFS=$'\t' read -r from to proto port verdict ans rest; do
        [ "$from" = from ] && continue
        outs=$(awk -F'\t' -v f="$from" -v t="$to" -v p="$proto" -v n="$port" \
            '$1==f && $2==t && $3==p && $4==n {print $5}' "$WORK/probes.tsv" | sort -u)
        [ -n "$outs" ] || { log "CHECK $1: no probe for $from $to $proto $port"; bad=1; continue; }
        for o in $outs; do
            case "$verdict:$o" in
                OPEN:answered|REJECTED:refused|REJECTED:unreachable|DROPPED:timeout) ;;
                *) log "CHECK $1: $from -> $to $proto $port expected $verdict, client saw $o"; bad=1;;
            esac
        done
    done <"$1/expected.tsv"
    return $bad
}
