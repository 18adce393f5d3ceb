# scripts/netns.sh: what every script that builds network namespaces shares (sourced by bash):
# running a command inside one (nsx), waiting a bounded time for what it started to end
# (wait_exit), stopping it by PID, and taking its own namespaces down. The caller keeps two
# arrays, PIDS (background processes it started) and NSLIST (namespaces it created), and calls
# netns_down from its exit trap (netns_lab sets that trap up for a lab script). Nothing outside
# those namespaces and PIDs is touched.

# nsx NS CMD...: runs CMD inside namespace NS.
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# netns_stop_pid PID: TERM, up to 3 s, then KILL; for a process the caller started.
netns_stop_pid() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

# wait_exit PID SECONDS: waits (bounded) for a process the caller started and sets RC to its
# exit status; 124 when it was still running and had to be stopped (netns_stop_pid).
wait_exit() {
    local pid=$1 i
    for ((i = 0; i < $2 * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        RC=124
        netns_stop_pid "$pid"
    else
        wait "$pid"
        RC=$?
    fi
}

# netns_line A AIF R RAIF RBIF B BIF: the lab of two hosts with a router between them, A -- R --
# B: the namespaces of the three not made yet (added to NSLIST), veth pairs A:AIF -- R:RAIF and
# B:BIF -- R:RBIF, every link up (lo too), R forwarding IPv4 (and IPv6, where the kernel has
# it). Addresses, routes and rules are the caller's. Status 1 when something could not be made.
netns_line() {
    local a=$1 aif=$2 r=$3 raif=$4 rbif=$5 b=$6 bif=$7 ns p
    for ns in "$a" "$r" "$b"; do
        [ -e "/run/netns/$ns" ] && continue
        ip netns add "$ns" || return 1
        NSLIST+=("$ns")
    done
    ip -n "$a" link add "$aif" type veth peer name "$raif" netns "$r" || return 1
    ip -n "$b" link add "$bif" type veth peer name "$rbif" netns "$r" || return 1
    for p in "$a:lo" "$a:$aif" "$r:lo" "$r:$raif" "$r:$rbif" "$b:lo" "$b:$bif"; do
        ip -n "${p%%:*}" link set "${p#*:}" up || return 1
    done
    nsx "$r" sysctl -qw net.ipv4.ip_forward=1 || return 1
    nsx "$r" sysctl -qw net.ipv6.conf.all.forwarding=1 2>/dev/null
    return 0
}

# netns_capture NS IFACE BASE: tcpdump inside NS on IFACE, in the background, writing BASE.pcap
# (its messages in BASE.err; its PID added to PIDS and CAP_PIDS); returns once it listens,
# status 1 when it did not within 5 s. --immediate-mode: stopped at once, a buffering tcpdump
# loses the packets of its last moments.
netns_capture() {
    ip netns exec "$1" tcpdump -n -U --immediate-mode -i "$2" -w "$3.pcap" 2>"$3.err" &
    PIDS+=($!)
    CAP_PIDS+=($!)
    local i
    for i in $(seq 50); do
        grep -q "listening on" "$3.err" && return 0
        sleep 0.1
    done
    return 1
}

# netns_down: stops every PID in PIDS, then whatever still runs inside the caller's namespaces
# (helpers its processes spawned, such as Samba's: TERM, then KILL, a few bounded rounds), and
# deletes the namespaces. Safe to call twice.
netns_down() {
    local pid ns i pids
    for pid in "${PIDS[@]}"; do netns_stop_pid "$pid"; done
    PIDS=()
    for ns in "${NSLIST[@]}"; do
        for i in 1 2 3 4 5; do
            pids=$(ip netns pids "$ns" 2>/dev/null) || break
            [ -z "$pids" ] && break
            for pid in $pids; do kill -TERM "$pid" 2>/dev/null; done
            sleep 0.2
            pids=$(ip netns pids "$ns" 2>/dev/null) || break
            for pid in $pids; do kill -KILL "$pid" 2>/dev/null; done
        done
        ip netns del "$ns" 2>/dev/null || echo "warning: could not delete namespace $ns" >&2
    done
    NSLIST=()
}

# netns_lab TOOL...: the start every lab script shares. Its namespaces and processes go on every
# exit (and $WORK with them, when the caller has one, unless KEEP_WORK=1); it is skipped, exit
# 77, unless run as root with every TOOL installed. The caller defines log first.
netns_lab() {
    trap netns_lab_down EXIT
    trap 'exit 2' INT TERM HUP
    [ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
    local t
    for t in "$@"; do command -v "$t" >/dev/null || skip "$t not installed"; done
}
netns_lab_down() {
    netns_down
    [ -z "${WORK:-}" ] && return 0
    [ -n "${KEEP_WORK:-}" ] && log "kept $WORK" || rm -rf "$WORK"
}
# skip WHY: the lab cannot run here (CTest's SKIP_RETURN_CODE).
skip() { log "SKIP: $*"; exit 77; }
