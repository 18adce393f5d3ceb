# tests/live/lib.sh: shared by the live capture tests: three network namespaces, source --
# router -- target, joined by veth pairs (source 198.51.100.10, router 198.51.100.1 and
# 203.0.113.1, target 203.0.113.20); on the router an nftables forward chain silently drops TCP
# 6325 and refuses TCP 6326 with ICMP admin-prohibited; a listener on the target's TCP 6320,
# 6325 and 6326, and bounded connection attempts from the source. Everything started is recorded
# and stopped by PID; the namespaces are deleted on every exit path (trap). Sourced, not run.
set -u -o pipefail

FWSIGHT=${1:?usage: $0 PATH/TO/fwsight}
PFX="fwlv$$"
NS_S="$PFX-s" NS_R="$PFX-r" NS_T="$PFX-t"
S4=198.51.100.10 R4S=198.51.100.1 R4T=203.0.113.1 T4=203.0.113.20
PIDS=()
MOUNTED=""    # a mount point to unmount on exit (set by the test that mounts)
NSLIST=()
WORK=$(mktemp -d /tmp/fwsight-live.XXXXXX)
FAILS=0

log()  { printf '%s\n' "$(basename "$0"): $*" >&2; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok()   { log "ok: $*"; }
# shellcheck source=../../scripts/netns.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/netns.sh"


cleanup() {
    netns_down
    [ -n "${MOUNTED:-}" ] && umount "$MOUNTED" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

# 77 (skipped) without root, namespaces, nftables, python3 or tshark.
need_lab() {
    [ "$(id -u)" = 0 ] || { log "SKIP: needs root (network namespaces)"; exit 77; }
    local t
    for t in ip nft python3 tshark; do
        command -v "$t" >/dev/null || { log "SKIP: $t not installed"; exit 77; }
    done
    id nobody >/dev/null 2>&1 || { log "SKIP: no user 'nobody'"; exit 77; }
    ip netns add "$NS_S" 2>/dev/null || { log "SKIP: cannot create a network namespace"; exit 77; }
    NSLIST+=("$NS_S")
    ip netns add "$NS_R" || exit 2
    NSLIST+=("$NS_R")
    ip netns add "$NS_T" || exit 2
    NSLIST+=("$NS_T")
}

# The lab: lv0 (source) -- lv1 (router) | lv2 (router) -- lv3 (target), the router's rules.
lab_up() {
    need_lab
    ip -n "$NS_S" link add lv0 type veth peer name lv1 netns "$NS_R" || exit 2
    ip -n "$NS_R" link add lv2 type veth peer name lv3 netns "$NS_T" || exit 2
    nsx "$NS_S" ip addr add "$S4/24" dev lv0
    nsx "$NS_R" ip addr add "$R4S/24" dev lv1
    nsx "$NS_R" ip addr add "$R4T/24" dev lv2
    nsx "$NS_T" ip addr add "$T4/24" dev lv3
    local ns
    for ns in "$NS_S" "$NS_R" "$NS_T"; do
        nsx "$ns" ip link set lo up
    done
    nsx "$NS_S" ip link set lv0 up
    nsx "$NS_R" ip link set lv1 up
    nsx "$NS_R" ip link set lv2 up
    nsx "$NS_T" ip link set lv3 up
    nsx "$NS_S" ip route add default via "$R4S"
    nsx "$NS_T" ip route add default via "$R4T"
    nsx "$NS_R" sysctl -qw net.ipv4.ip_forward=1 || exit 2
    nsx "$NS_R" nft -f - <<'NFT' || exit 2
table inet fwlivetest {
    chain forward {
        type filter hook forward priority 0; policy accept;
        tcp dport 6325 drop
        tcp dport 6326 reject with icmp type admin-prohibited
    }
}
NFT
    # A listener on 6320, 6325 and 6326 (all listening: only the firewall blocks them).
    # not through nsx: $! must be the listener itself, so that cleanup stops it by PID
    ip netns exec "$NS_T" python3 -c '
import socket, select, time
ls = []
for p in (6320, 6325, 6326):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", p)); s.listen(16); ls.append(s)
end = time.time() + 60
while time.time() < end:
    r, _, _ = select.select(ls, [], [], 0.5)
    for s in r:
        c, _ = s.accept(); c.close()
' &
    PIDS+=($!)
    # ready when the source reaches 6320
    local i
    for i in $(seq 50); do
        attempt 6320 0.5 >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    log "the lab's listener did not come up"
    exit 2
}

# attempt PORT TIMEOUT: one TCP connect from the source to the target; 0 if it was accepted.
attempt() {
    nsx "$NS_S" python3 -c '
import socket, sys
s = socket.socket(); s.settimeout(float(sys.argv[2]))
try:
    s.connect((sys.argv[1], int(sys.argv[3]))); s.close(); sys.exit(0)
except OSError:
    sys.exit(1)
' "$T4" "$2" "$1"
}

# start_live OUTPREFIX ARGS...: fwsight live in the source namespace, in the background;
# LIVE_PID is its PID (ip netns exec execs it). Waits until it says it is capturing.
start_live() {
    local out=$1; shift
    # not through nsx: $! must be fwsight itself (ip netns exec execs it), not a subshell
    ip netns exec "$NS_S" "$FWSIGHT" live "$@" >"$out.stdout" 2>"$out.stderr" &
    LIVE_PID=$!
    PIDS+=("$LIVE_PID")
    local i
    for i in $(seq 100); do
        grep -q "capturing on" "$out.stderr" 2>/dev/null && return 0
        kill -0 "$LIVE_PID" 2>/dev/null || break
        sleep 0.1
    done
    log "fwsight live did not start:"
    cat "$out.stderr" >&2
    return 1
}

# expect_stopped OUTPREFIX CAUSE STDERR_RE REPORT_RE: after wait_exit, checks that a capture
# error ended fwsight live the way a user must see it: exit 3, a message on stderr matching
# STDERR_RE, and the report still printed on stdout with an error line matching REPORT_RE.
expect_stopped() {
    local out=$1 cause=$2 msg_re=$3 report_re=$4
    [ "$RC" = 3 ] && ok "exit 3 when $cause" || fail "exit $RC, wanted 3"
    grep -q "$msg_re" "$out.stderr" &&
        ok "message: $(grep -m1 "$msg_re" "$out.stderr")" ||
        { fail "no message matching '$msg_re':"; cat "$out.stderr" >&2; }
    grep -q "^Capture" "$out.stdout" && grep -q "$report_re" "$out.stdout" &&
        ok "the report is printed, with the error" || fail "no report with the error on stdout"
}

# verdicts JSONFILE: "proto port from to VERDICT" lines of the attempted (not UNTESTED) cells.
verdicts() {
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for v in d["verdicts"]:
    if v["verdict"] != "UNTESTED":
        print(v["proto"], v["port"], v["from"], v["to"], v["verdict"])
' "$1" | sort
}

finish() {
    [ "$FAILS" = 0 ] && { log "all passed"; exit 0; }
    log "$FAILS failure(s)"
    exit 1
}

# report_packets FILE / report_kernel_drops FILE: a text report's packet and kernel drop counts.
report_packets() { sed -n 's/^  packets *\([0-9]*\).*/\1/p' "$1" | head -1; }
report_kernel_drops() { sed -n 's/^  drops *\([0-9]*\) by the kernel.*/\1/p' "$1" | head -1; }

# file_packets FILE: how many packets tcpdump reads from FILE (.gz: decompressed first), or
# "error" when gzip or tcpdump complains (a record cut short, a missing gzip trailer).
file_packets() {
    local f=$1
    if [[ $f == *.gz ]]; then
        gzip -dc "$f" >"$WORK/unz.pcap" 2>"$WORK/td.err" || { echo error; return; }
        f=$WORK/unz.pcap
    fi
    tcpdump -nr "$f" >"$WORK/td.out" 2>"$WORK/td.err" || { echo error; return; }
    grep -qi "truncated" "$WORK/td.err" && { echo error; return; }
    wc -l <"$WORK/td.out"
}

# check_file FILE REPORT WHAT: FILE is whole for tcpdump and `fwsight analyze`, holds as many
# packets as REPORT (fwsight's text report) counted, and analyze finds 6320 OPEN in it.
check_file() {
    local n want arc
    n=$(file_packets "$1")
    want=$(report_packets "$2")
    [ "$n" != error ] && [ -n "$want" ] && [ "$n" = "$want" ] &&
        ok "$3: tcpdump reads the file whole: $n packets, as the report counted" ||
        fail "$3: tcpdump reads $n packets, the report counted '${want}': $(cat "$WORK/td.err")"
    "$FWSIGHT" analyze --json "$1" >"$WORK/an.json" 2>"$WORK/an.err"
    arc=$?
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["captures"][0]["packets"] == int(sys.argv[2]), d["captures"][0]
assert any(v["proto"] == "tcp" and v["port"] == 6320 and v["verdict"] == "OPEN"
           for v in d["verdicts"])
' "$WORK/an.json" "${want:-0}" 2>/dev/null && { [ "$arc" = 0 ] || [ "$arc" = 1 ]; } &&
        ok "$3: fwsight analyze reads it: $want packets, 6320 OPEN" ||
        fail "$3: fwsight analyze: exit $arc, $(head -c 300 "$WORK/an.err")"
}

# wait_text FILE TEXT SECONDS: waits (bounded) until FILE holds TEXT; 1 if it never did.
wait_text() {
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
