# tests/security/lib.sh: shared by the security tests (sourced, not run): two network
# namespaces joined by one veth, A (198.51.100.10 and .11 on sa0, two peers from one host)
# and B (198.51.100.20 on sb0), no router; ok/fail counting; reading what a running process
# holds from /proc/PID/status; everything started is stopped by PID and the namespaces are
# deleted on every exit path (trap).
set -u -o pipefail

FW=${1:?usage: $0 PATH/TO/fwsight}
FW=$(cd "$(dirname "$FW")" && pwd)/$(basename "$FW")
PFX="fwsec$$"
NS_A="$PFX-a" NS_B="$PFX-b"
A4=198.51.100.10 A4B=198.51.100.11 B4=198.51.100.20
PIDS=() NSLIST=() FAILS=0 CLEANED=0
WORK=$(mktemp -d /tmp/fwsight-sec.XXXXXX) || exit 2
NAME=$(basename "$0")

log()  { printf '%s: %s\n' "$NAME" "$*" >&2; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok()   { log "ok: $*"; }
# shellcheck source=../../scripts/netns.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/netns.sh"

# SEC_EXTRA_CLEANUP: a command the test sets for what lib.sh does not know (a tmux server).
SEC_EXTRA_CLEANUP=:
cleanup() {
    [ "$CLEANED" = 1 ] && return 0
    CLEANED=1
    eval "$SEC_EXTRA_CLEANUP"
    netns_down
    rm -rf "$WORK"
    return 0
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

skip() { log "SKIP: $*"; exit 77; }

# lab_up: the namespaces and the veth; 77 without root or namespaces.
lab_up() {
    [ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
    local t
    for t in ip python3; do command -v $t >/dev/null || skip "$t not installed"; done
    id nobody >/dev/null 2>&1 || skip "no user 'nobody'"
    ip netns add "$NS_A" 2>/dev/null || skip "cannot create a network namespace"
    NSLIST+=("$NS_A")
    ip netns add "$NS_B" || exit 2
    NSLIST+=("$NS_B")
    ip -n "$NS_A" link add sa0 type veth peer name sb0 netns "$NS_B" || exit 2
    nsx "$NS_A" ip addr add "$A4/24" dev sa0
    nsx "$NS_A" ip addr add "$A4B/24" dev sa0
    nsx "$NS_B" ip addr add "$B4/24" dev sb0
    local ns
    for ns in "$NS_A" "$NS_B"; do
        nsx "$ns" ip link set lo up
    done
    nsx "$NS_A" ip link set sa0 up
    nsx "$NS_B" ip link set sb0 up
    local i
    for i in $(seq 20); do
        nsx "$NS_A" ping -c1 -W1 -q "$B4" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    log "the lab does not pass packets"
    exit 2
}

# start_bg OUTPREFIX NS CMD...: CMD in NS, in the background, stdout and stderr to
# OUTPREFIX.out and .err; BG_PID is CMD's own PID (ip netns exec execs it, and so do
# setpriv and env when CMD starts with them).
start_bg() {
    local out=$1 ns=$2; shift 2
    ip netns exec "$ns" "$@" >"$out.out" 2>"$out.err" &
    BG_PID=$!
    PIDS+=("$BG_PID")
}

# wait_line FILE PATTERN SECONDS PID: until FILE has a line matching PATTERN (grep -E);
# 1 if PID ended first or the time ran out.
wait_line() {
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        grep -Eq -- "$2" "$1" 2>/dev/null && return 0
        kill -0 "$4" 2>/dev/null || { grep -Eq -- "$2" "$1" 2>/dev/null; return; }
        sleep 0.1
    done
    return 1
}

# status_field PID FIELD: the value of FIELD in /proc/PID/status, tabs as spaces.
status_field() {
    awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print; exit }' "/proc/$1/status"
}

# check_dropped PID WHAT UID GID FROM: what a process holds after its drop: all four uids UID,
# all four gids GID, no capability (effective, permitted, inheritable, ambient) and
# no_new_privs set. FROM "root" (it gave up root): also GID as its only group and an empty
# bounding set; FROM "setcap" (a non-root user running a binary with file capabilities): the
# bounding set is not the process's to empty. One ok or fail line per field.
check_dropped() {
    local pid=$1 what=$2 uid=$3 gid=$4 from=$5 v f fields="CapEff CapPrm CapInh CapAmb"
    [ -r "/proc/$pid/status" ] || { fail "$what: not running when checked"; return; }
    v=$(status_field "$pid" Uid | tr -s ' \t' ' ')
    [ "$v" = "$uid $uid $uid $uid" ] && ok "$what: Uid $v" || fail "$what: Uid '$v', wanted $uid"
    v=$(status_field "$pid" Gid | tr -s ' \t' ' ')
    [ "$v" = "$gid $gid $gid $gid" ] && ok "$what: Gid $v" || fail "$what: Gid '$v', wanted $gid"
    if [ "$from" = root ]; then
        v=$(status_field "$pid" Groups | tr -s ' \t' ' ' | sed 's/ $//')
        [ "$v" = "$gid" ] && ok "$what: Groups $v" || fail "$what: Groups '$v', wanted $gid"
        fields="$fields CapBnd"
    fi
    for f in $fields; do
        v=$(status_field "$pid" "$f")
        [ "$v" = 0000000000000000 ] && ok "$what: $f 0" || fail "$what: $f $v, wanted 0"
    done
    v=$(status_field "$pid" NoNewPrivs)
    [ "$v" = 1 ] && ok "$what: NoNewPrivs 1" || fail "$what: NoNewPrivs '$v', wanted 1"
}

finish() {
    [ "$FAILS" = 0 ] && { log "all passed"; exit 0; }
    log "$FAILS failure(s)"
    exit 1
}
