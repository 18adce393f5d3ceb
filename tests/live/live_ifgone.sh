#!/usr/bin/env bash
# tests/live/live_ifgone.sh FWSIGHT: the interface disappears during `fwsight live` (ip link
# del): exit 3 with a message naming the interface, the report of what was seen before, and a
# saved file that is valid up to that point.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"

lab_up
OUT="$WORK/run"
FILE="$WORK/out.pcap"
start_live "$OUT" -i lv0 -w "$FILE" --duration 15 -Z nobody || exit 1
attempt 6320 2 || fail "the lab: connecting to the open port 6320 failed"
sleep 0.3
nsx "$NS_S" ip link del lv0
wait_exit "$LIVE_PID" 8
expect_stopped "$OUT" "the interface goes away" \
    'lv0: .*\(went down\|disappeared\|gone\|failed\)' "READ ERROR"
n=$(tshark -r "$FILE" 2>/dev/null | wc -l)
tshark -r "$FILE" >/dev/null 2>&1 && [ "$n" -ge 3 ] && ok "tshark reads $n packets" ||
    fail "tshark cannot read the file ($n packets)"
"$FWSIGHT" analyze --json "$FILE" >"$WORK/an.json" 2>"$WORK/an.err"
arc=$?
[ "$arc" = 0 ] && [ "$(verdicts "$WORK/an.json")" = "tcp 6320 $S4 $T4 OPEN" ] &&
    ok "analyze of the saved file: 6320 OPEN, exit 0" ||
    fail "analyze of the saved file: exit $arc, $(verdicts "$WORK/an.json") $(cat "$WORK/an.err")"
finish
