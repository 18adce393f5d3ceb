#!/usr/bin/env bash
# samples/rpc/lab.sh: a real DCE/RPC sample. Samba's samba-dcerpcd (endpoint mapper on TCP 135,
# RPC services on dynamic TCP ports) runs in a target namespace behind an nftables router; real
# clients (impacket-rpcdump: ept_lookup on 135; rpcclient over ncacn_ip_tcp: ept_map on 135,
# then a connection to the dynamic port it names) run in a source namespace; tcpdump captures
# full packets on both ends. Writes samples/rpc/<scenario>/{source.pcap,target.pcap,
# expected.tsv,scenario.txt}.
#
#   sudo samples/rpc/lab.sh [-o OUTDIR] [scenario...]   (default: open dynamic-dropped)
#   samples/rpc/lab.sh --list
#
# Safety: all traffic stays inside namespaces this script creates (fwrpc-<pid>-src/rtr/tgt), on
# documentation addresses only (198.51.100.0/24, 203.0.113.0/24), IPv4 only. Samba runs with a
# private smb.conf and private state/lock/cache/pid/log directories under a temp dir: the
# host's /etc/samba and systemd are never touched. Every process is started under `timeout`,
# recorded and stopped by PID; anything left inside our namespaces (samba-dcerpcd's rpcd_*
# helpers) is killed by PID from `ip netns pids`; the namespaces are deleted on every exit path.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT="$HERE"
MAX_TOTAL=300
PFX="fwrpc-$$"
NS_SRC="$PFX-src" NS_RTR="$PFX-rtr" NS_TGT="$PFX-tgt"
S4=198.51.100.10  R4S=198.51.100.1  R4T=203.0.113.1  T4=203.0.113.20
DYN_LO=49152 DYN_HI=65535          # pinned in smb.conf: rpc server dynamic port range
DCERPCD=/usr/libexec/samba/samba-dcerpcd
SCENARIOS=(open dynamic-dropped)

PIDS=() NSLIST=() WORK="" CLEANED=0 FAILS=0
log()  { printf '%s\n' "rpclab: $*" >&2; }
die()  { log "error: $*"; exit 1; }
# shellcheck source=../../scripts/netns.sh
. "$HERE/../../scripts/netns.sh"

cleanup() {
    [ "$CLEANED" = 1 ] && return
    CLEANED=1
    netns_down
    [ -n "$WORK" ] && rm -rf "$WORK"
    return 0
}
trap 'cleanup' EXIT
trap 'log "interrupted"; cleanup; exit 130' INT TERM

lab_up() {
    local ns pair i ok
    for ns in "$NS_SRC" "$NS_RTR" "$NS_TGT"; do
        ip netns add "$ns" || die "ip netns add $ns"
        NSLIST+=("$ns")
        nsx "$ns" ip link set lo up
        nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null
    done
    nsx "$NS_RTR" sysctl -qw net.ipv4.ip_forward=1 >/dev/null
    ip -n "$NS_SRC" link add s0 type veth peer name r0 netns "$NS_RTR" || die "veth src-rtr"
    ip -n "$NS_TGT" link add t0 type veth peer name r1 netns "$NS_RTR" || die "veth tgt-rtr"
    nsx "$NS_SRC" ip addr add "$S4/24" dev s0
    nsx "$NS_RTR" ip addr add "$R4S/24" dev r0
    nsx "$NS_RTR" ip addr add "$R4T/24" dev r1
    nsx "$NS_TGT" ip addr add "$T4/24" dev t0
    for pair in "$NS_SRC:s0" "$NS_RTR:r0" "$NS_RTR:r1" "$NS_TGT:t0"; do
        ns=${pair%%:*}
        nsx "$ns" sysctl -qw "net.ipv6.conf.${pair#*:}.disable_ipv6=1" >/dev/null 2>&1
        nsx "$ns" ethtool -K "${pair#*:}" tx off rx off tso off gso off gro off >/dev/null 2>&1 \
            || log "warning: ethtool -K ${pair#*:} failed: captured checksums may be partial"
        nsx "$ns" ip link set "${pair#*:}" up
    done
    nsx "$NS_SRC" ip route add default via "$R4S"
    nsx "$NS_TGT" ip route add default via "$R4T"
    for i in 1 2 3 4 5; do
        ok=1
        nsx "$NS_SRC" ping -n -q -c 1 -W 1 "$T4" >/dev/null 2>&1 || ok=0
        [ $ok = 1 ] && break
        sleep 0.3
    done
    [ $ok = 1 ] || die "lab does not forward"
}

set_rules() {
    local f="$WORK/rules.nft"
    {
        echo "flush ruleset"
        echo "table inet fwrpc {"
        echo "    chain forward {"
        echo "        type filter hook forward priority filter; policy accept;"
        printf '%s\n' "$1" | sed '/^[[:space:]]*$/d; s/^[[:space:]]*/        /'
        echo "    }"
        echo "}"
    } >"$f"
    nsx "$NS_RTR" nft -f "$f" || die "nft rejected: $(cat "$f")"
}

start_samba() {
    local d="$WORK/samba" i
    rm -rf "$d"; mkdir -p "$d"/{lock,state,cache,private,pid,log,ncalrpc,binddns}
    chmod 700 "$d/private"
    cat >"$d/smb.conf" <<CONF
[global]
    netbios name = FWTARGET
    workgroup = FWLAB
    server role = standalone server
    interfaces = $T4
    bind interfaces only = yes
    disable netbios = yes
    lock directory = $d/lock
    state directory = $d/state
    cache directory = $d/cache
    private dir = $d/private
    pid directory = $d/pid
    ncalrpc dir = $d/ncalrpc
    binddns dir = $d/binddns
    log file = $d/log/log.%m
    passdb backend = tdbsam:$d/private/passdb.tdb
    rpc start on demand helpers = no
    rpc server dynamic port range = $DYN_LO-$DYN_HI
    load printers = no
    printing = bsd
    printcap name = /dev/null
    restrict anonymous = 0
CONF
    # the clients' own config: rpcclient keeps its messaging sockets and caches under the
    # lock/cache directories of its smb.conf (the host's /run/samba by default)
    mkdir -p "$d/client"/{lock,state,cache,private,pid,log,ncalrpc}
    cat >"$d/client.conf" <<CONF
[global]
    workgroup = FWLAB
    lock directory = $d/client/lock
    state directory = $d/client/state
    cache directory = $d/client/cache
    private dir = $d/client/private
    pid directory = $d/client/pid
    ncalrpc dir = $d/client/ncalrpc
    log file = $d/client/log/log.%m
CONF
    ip netns exec "$NS_TGT" sh -c "$PRIVATE_MOUNTS" sh "$WORK/root" timeout 200 "$DCERPCD" -F --no-process-group -s "$d/smb.conf" \
        --libexec-rpcds -l "$d/log" -d 2 --debug-stdout >"$WORK/dcerpcd.log" 2>&1 &
    PIDS+=($!)
    # ready: 135 listens and the rpcd_* helpers have registered their dynamic ports (before
    # that, ept_lookup answers ept_s_not_registered); then a second for the last registrations
    local n
    for i in $(seq 100); do
        n=$(nsx "$NS_TGT" ss -Hltn "( sport = :135 or sport >= :$DYN_LO )" | wc -l)
        [ "$n" -ge 4 ] && { sleep 1; return 0; }
        sleep 0.1
    done
    die "samba-dcerpcd not ready (135 and 3 dynamic ports): $(tail -20 "$WORK/dcerpcd.log")"
}

# Samba's helpers (rpcd_*) create their default log files in /var/log/samba before they read
# -l, and Samba clients and servers keep messaging sockets under /run/samba: every Samba
# program here runs with private empty directories bind-mounted over Samba's default ones.
# `ip netns exec` gives each command its own mount namespace whose mounts do not propagate back
# (MS_SLAVE), so the host's directories are never written and the mounts vanish with the
# process. Usage: sh -c "$PRIVATE_MOUNTS" sh ROOT COMMAND...
SAMBA_DIRS="/var/log/samba /run/samba /var/lib/samba /var/cache/samba"
PRIVATE_MOUNTS='root=$1; shift
for m in '"$SAMBA_DIRS"'; do
    [ -d "$m" ] || continue
    mkdir -p "$root$m" && mount --bind "$root$m" "$m" || { echo "cannot bind $root$m over $m" >&2; exit 125; }
done
exec "$@"'

CAP_PIDS=()
start_capture() {
    local ns=$1 dev=$2 file=$3 lg="$WORK/tcpdump.$1.log" i
    : >"$lg"
    ip netns exec "$ns" timeout 200 tcpdump -n -s 0 -i "$dev" -U --immediate-mode -Z root -w "$file" >"$lg" 2>&1 &
    local pid=$!
    PIDS+=("$pid"); CAP_PIDS+=("$pid")
    for i in $(seq 50); do grep -q "listening on" "$lg" && return 0; sleep 0.1; done
    die "tcpdump in $ns did not start: $(cat "$lg")"
}
stop_captures() {
    local pid
    for pid in "${CAP_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${CAP_PIDS[@]}"; do
        for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        netns_stop_pid "$pid"
    done
    CAP_PIDS=()
}

client() { # label cmd...: run a client in the source namespace, bounded, output kept
    local label=$1; shift
    echo "\$ $*" >>"$WORK/clients.log"
    # Debian's python3-impacket lives in /usr/bin/python3's path: a pyenv/venv python3 first in
    # PATH would not find it
    # in the background and waited for, so that a signal is handled at once (not after it)
    ip netns exec "$NS_SRC" sh -c "$PRIVATE_MOUNTS" sh "$WORK/root" timeout 15 \
        env PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@" >>"$WORK/clients.log" 2>&1 &
    local pid=$! rc
    PIDS+=("$pid")
    wait "$pid"; rc=$?
    # reaped: forget it, so that cleanup never signals a PID the system may have reused
    local keep=() q
    for q in "${PIDS[@]}"; do [ "$q" = "$pid" ] || keep+=("$q"); done
    PIDS=("${keep[@]}")
    echo "[$label: exit $rc]" >>"$WORK/clients.log"
    sleep 0.5
}

run_clients() {
    client rpcdump impacket-rpcdump -port 135 "$T4"
    client rpcclient rpcclient -s "$WORK/samba/client.conf" -l "$WORK/samba/client/log" -U% -d 0 \
        "ncacn_ip_tcp:$T4" -c lsaquery
}

sc_open() { DESC="no rule: endpoint mapper on 135 and the dynamic RPC port both reachable"; RULES=""; }
sc_dynamic-dropped() {
    DESC="router passes TCP 135 and drops TCP $DYN_LO-$DYN_HI source->target (the dynamic RPC range)"
    RULES="iifname \"r0\" oifname \"r1\" tcp dport 135 counter accept
iifname \"r0\" oifname \"r1\" tcp dport $DYN_LO-$DYN_HI counter drop"
}

run_scenario() {
    local name=$1 dir="$OUT/$1" t0=$SECONDS
    "sc_$name"
    log "== $name: $DESC"
    : >"$WORK/clients.log"
    rm -f "$WORK"/*.pcap
    lab_up
    set_rules "$RULES"
    start_samba
    start_capture "$NS_SRC" s0 "$WORK/source.pcap"
    start_capture "$NS_TGT" t0 "$WORK/target.pcap"
    sleep 0.3
    run_clients
    sleep 1
    local ruleset; ruleset=$(nsx "$NS_RTR" nft list ruleset 2>&1)
    local listening; listening=$(nsx "$NS_TGT" ss -Hltnp 2>&1 | awk '{print $4, $6}')
    stop_captures
    local tdsrc tdtgt
    tdsrc=$(grep -E 'captured|dropped by kernel' "$WORK/tcpdump.$NS_SRC.log" | tr '\n' ';')
    tdtgt=$(grep -E 'captured|dropped by kernel' "$WORK/tcpdump.$NS_TGT.log" | tr '\n' ';')
    netns_down
    mkdir -p "$dir"
    cp "$WORK/source.pcap" "$dir/source.pcap"; cp "$WORK/target.pcap" "$dir/target.pcap"
    # the dynamic port(s) the client tried: SYNs from the source to the target, not to 135
    local dyn
    dyn=$(tcpdump -n -r "$dir/source.pcap" "src host $S4 and dst host $T4 and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn and not dst port 135" 2>/dev/null \
          | sed -n 's/.* > [0-9.]*\.\([0-9]*\): .*/\1/p' | sort -un)
    [ -n "$dyn" ] || { log "CHECK $name: no attempt to a dynamic port in the capture"; FAILS=$((FAILS+1)); }
    {
        printf 'from\tto\tproto\tport\tverdict\tanswered_by\tsource_only\ttarget_only\tlookalike\tnote\n'
        printf '%s\t%s\ttcp\t135\tOPEN\t%s\tOPEN\tOPEN\t-\tendpoint mapper (samba-dcerpcd): ept_lookup (impacket-rpcdump) and ept_map (rpcclient) answered\n' $S4 $T4 $T4
        for p in $dyn; do
            if [ "$name" = open ]; then
                printf '%s\t%s\ttcp\t%s\tOPEN\t%s\tOPEN\tOPEN\t-\tRPC dynamic (LSA), learned from the endpoint mapper; rpcclient lsaquery over it\n' $S4 $T4 $p $T4
            else
                printf '%s\t%s\ttcp\t%s\tDROPPED\t-\tDROPPED\tUNTESTED\t-\tRPC dynamic (LSA), learned from the endpoint mapper while 135 passed; SYNs retransmitted, never reach the target\n' $S4 $T4 $p
            fi
        done
    } >"$dir/expected.tsv"
    {
        echo "scenario: $name"
        echo "what: $DESC"
        echo "made by: samples/rpc/lab.sh $name"
        echo "source: $S4 (source.pcap, s0); router: $R4S / $R4T; target: $T4 (target.pcap, t0)"
        echo "server: $("$DCERPCD" --version 2>/dev/null || echo samba-dcerpcd) --libexec-rpcds, rpc server dynamic port range = $DYN_LO-$DYN_HI"
        echo "tcpdump (-s 0, full packets): source: $tdsrc target: $tdtgt"
        echo "target listening sockets during the run:"; echo "$listening" | sed 's/^/    /'
        echo "router ruleset:"; echo "$ruleset" | sed 's/^/    /'
        echo "clients (in the source namespace; \$WORK is the run's temp dir):"
        sed "s|$WORK|\$WORK|g; s/^/    /" "$WORK/clients.log"
    } >"$dir/scenario.txt"
    log "   $name done in $((SECONDS - t0)) s; dynamic port(s): $dyn; $(cd "$dir" && ls -l source.pcap target.pcap | awk '{printf "%s %s  ", $NF, $5}')"
}

want=()
while [ $# -gt 0 ]; do
    case $1 in
        --list|-l) for s in "${SCENARIOS[@]}"; do "sc_$s"; printf '%-18s %s\n' "$s" "$DESC"; done; exit 0;;
        -o) [ $# -ge 2 ] || die "-o needs a directory"; OUT=$(mkdir -p "$2" && cd "$2" && pwd) || die "bad -o"; shift 2;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
        -*) die "unknown option $1";;
        *) declare -F "sc_$1" >/dev/null || die "unknown scenario $1"; want+=("$1"); shift;;
    esac
done
[ ${#want[@]} -eq 0 ] && want=("${SCENARIOS[@]}")
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for tool in ip nft tcpdump ss ping timeout rpcclient impacket-rpcdump "$DCERPCD"; do
    command -v "$tool" >/dev/null || die "missing $tool (apt-get install samba smbclient python3-impacket tcpdump nftables iproute2)"
done
WORK=$(mktemp -d /tmp/fwrpc.XXXXXX) || die "mktemp"
for s in "${want[@]}"; do
    [ $SECONDS -lt $MAX_TOTAL ] || die "time budget exhausted"
    run_scenario "$s"
done
[ $FAILS -gt 0 ] && { log "$FAILS check(s) failed"; exit 1; }
log "all done in $SECONDS s"
