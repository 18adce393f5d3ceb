#!/usr/bin/env bash
# tests/live/live_crash.sh FWSIGHT: `fwsight live -w` killed with SIGKILL (as the OOM killer or
# a power cut would end it, with no chance to flush): the plain file must hold every packet
# captured more than a second before the kill, and end on a whole record, so that tcpdump reads
# it without complaint and `fwsight analyze` analyses it; with -U (--packet-buffered) every
# packet captured before the kill, give or take the kernel's hand-over and a loaded machine
# (0.6 s, still short of the default 1 s flush). What was captured is told by a tcpdump -U
# reference on the same interface with fwsight's own filter. About 15 s.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
command -v tcpdump >/dev/null || { log "SKIP: tcpdump not installed"; exit 77; }

lab_up
filter=$("$FWSIGHT" live --print-filter) || exit 2

# killed OPTS LAG WHAT: fwsight live -w OPTS and the reference, the lab's traffic, LAG s of
# quiet, SIGKILL; then the file against the reference's packets older than the kill by LAG
# minus 0.2 s. Frames are stamped by the kernel on both sides, so times compare.
killed() {
    local opts=$1 lag=$2 what=$3 file=$WORK/kill-$RANDOM.pcap
    ip netns exec "$NS_S" tcpdump -i lv0 -U -n -w "$WORK/ref.pcap" "$filter" \
        2>"$WORK/ref.err" &
    local ref=$!
    PIDS+=("$ref")
    wait_text "$WORK/ref.err" "listening on" 10 || fail "$what: the reference did not start"
    # shellcheck disable=SC2086 # opts is a word list
    start_live "$WORK/kill" -i lv0 --no-ui -w "$file" --duration 30 $opts || return
    # what the reference saw before fwsight said it was capturing is not due (seen: the
    # kernel's IPv6 router solicitation on the new link, caught by the reference alone)
    local t_start
    t_start=$(date +%s.%N)
    attempt 6320 2 || fail "the lab: connecting to the open port 6320 failed"
    attempt 6325 1.2
    nsx "$NS_S" ping -q -c 20 -i 0.05 "$T4" >/dev/null 2>&1
    attempt 6320 2
    sleep "$lag"
    local t_kill
    t_kill=$(date +%s.%N)
    kill -KILL "$LIVE_PID"
    wait_exit "$LIVE_PID" 5
    kill -INT "$ref"
    wait_exit "$ref" 5
    local due got
    due=$(tcpdump -nr "$WORK/ref.pcap" -tt 2>/dev/null |
        awk -v t="$t_kill" -v lag="$lag" -v t0="$t_start" \
            '$1 >= t0 && $1 < t - lag + 0.2 {n++} END {print n + 0}')
    got=$(file_packets "$file")
    [ "$got" != error ] && ok "$what: tcpdump reads the killed file without complaint" ||
        fail "$what: tcpdump: $(cat "$WORK/td.err")"
    [ "$got" != error ] && [ "$due" -ge 30 ] && [ "$got" -ge "$due" ] &&
        ok "$what: $got packets saved, every one of the $due captured before the last $lag s" ||
        fail "$what: $got packets saved, $due were due"
    "$FWSIGHT" analyze --json "$file" >"$WORK/an.json" 2>"$WORK/an.err"
    local arc=$?
    { [ "$arc" = 0 ] || [ "$arc" = 1 ]; } && verdicts "$WORK/an.json" | grep -q "^tcp 6320 .* OPEN" &&
        ok "$what: fwsight analyze reads it: exit $arc, 6320 OPEN" ||
        fail "$what: fwsight analyze: exit $arc, $(head -c 300 "$WORK/an.err")"
}

killed "" 1.6 "SIGKILL, default (flushed each second)" # a flush is due 1 s after a frame
killed "-U" 0.6 "SIGKILL, -U (flushed each packet)" # 0.6: a loaded sanitizer run lags
finish
