#!/usr/bin/env bash
# tests/live/live_preview.sh FWSIGHT: `fwsight live` shows the verdict of a connection still
# open, and of an answered UDP request, within a second or two of the answer: not when the
# connection ends (here 8 s later) nor after UDP's minute of quiet. A TCP connection held open
# to 6320 and one UDP request answered on 6320, while the stream is watched.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"

lab_up
# A UDP responder on the target's 6320, for 30 s at most.
ip netns exec "$NS_T" python3 -c '
import socket, select, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 6320))
end = time.time() + 30
while time.time() < end:
    r, _, _ = select.select([s], [], [], 0.5)
    if r:
        d, a = s.recvfrom(2048); s.sendto(b"answer " + d, a)
' &
PIDS+=($!)

OUT="$WORK/run"
start_live "$OUT" -i lv0 --no-ui --json --duration 40 || exit 1 # the stream on stderr

# Connected, then held open 8 s (the listener closes its side at once; ours stays open).
ip netns exec "$NS_S" python3 -c '
import socket, sys, time
s = socket.socket(); s.settimeout(2); s.connect((sys.argv[1], 6320)); time.sleep(8); s.close()
' "$T4" &
holder=$!
PIDS+=("$holder")
wait_text "$OUT.stderr" "verdict tcp/6320 $S4 -> $T4: OPEN" 3 &&
    kill -0 "$holder" 2>/dev/null &&
    ok "tcp/6320 OPEN in the stream while the connection is still open" ||
    fail "no OPEN line for tcp/6320 within 3 s of connecting: $(grep verdict "$OUT.stderr")"

answered=$(nsx "$NS_S" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.sendto(b"ping", (sys.argv[1], 6320))
try:
    print(s.recv(2048).decode())
except OSError:
    print("none")
' "$T4")
[ "$answered" = "answer ping" ] || fail "the lab: the UDP request was not answered ($answered)"
wait_text "$OUT.stderr" "verdict udp/6320 $S4 -> $T4: OPEN" 3 &&
    ok "udp/6320 OPEN in the stream within 3 s of its answer (its flow lasts a minute)" ||
    fail "no OPEN line for udp/6320 within 3 s: $(grep verdict "$OUT.stderr")"

kill -INT "$LIVE_PID"
wait_exit "$LIVE_PID" 15
{ [ "$RC" = 0 ] || [ "$RC" = 1 ]; } && ok "stopped by SIGINT: exit $RC" ||
    { fail "exit $RC"; cat "$OUT.stderr" >&2; }
# At the end every flow has ended: the report's verdicts are the real ones, none provisional.
grep -q "still open" "$OUT.stdout" && fail "the report still calls a connection open"
got=$(verdicts "$OUT.stdout" 2>&1)
want="tcp 6320 $S4 $T4 OPEN
udp 6320 $S4 $T4 OPEN"
[ "$got" = "$want" ] && ok "the report: tcp and udp 6320 OPEN" ||
    fail "the report's verdicts:"$'\n'"$got"
finish
