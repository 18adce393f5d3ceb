#!/usr/bin/env bash
# tests/live/live_order.sh FWSIGHT: the `--no-ui` stream is in time order. Its lines come from
# different moments (a connection's attempt line when it ends, up to minutes after it began; a
# verdict when it is known; the status every 5 s; a flood's summary when its second is over),
# and a reader of the stream, or a script that takes its times, must see the times only go
# forward. An open, a refused and a dropped attempt, a status line between them and their
# attempt lines, and every stamp no earlier than the one before. About 12 s.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"

lab_up
OUT="$WORK/run"
start_live "$OUT" -i lv0 --no-ui --duration 20 || exit 1
attempt 6320 2 || fail "the lab: connecting to the open port 6320 failed"
attempt 6326 2
attempt 6325 2.5
# the dropped attempt's line comes once its 5 s are over, after a status line
wait_text "$OUT.stdout" "attempt tcp $S4:[0-9]* -> $T4:6325" 12 ||
    fail "no attempt line for 6325 within 12 s"
kill -INT "$LIVE_PID"
wait_exit "$LIVE_PID" 10
[ "$RC" = 1 ] && ok "exit 1 (blocking found)" || fail "exit $RC, wanted 1"

# The stream: the lines before the report, each starting with its HH:MM:SS.
awk '!/^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] / { exit } { print }' "$OUT.stdout" >"$WORK/stream"
for what in "verdict tcp/6320" "verdict tcp/6325" "verdict tcp/6326" " status: " \
            "attempt tcp $S4:[0-9]* -> $T4:6320"; do
    grep -q "$what" "$WORK/stream" && ok "the stream has a '$what' line" ||
        fail "the stream has no '$what' line"
done
python3 - "$WORK/stream" <<'PY' && ok "the stream's times only go forward" ||
import re, sys
last, bad = None, []
for n, line in enumerate(open(sys.argv[1]), 1):
    m = re.match(r"(\d\d):(\d\d):(\d\d) ", line)
    t = int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3])
    # across midnight the clock starts again: a step back of more than 12 h is a day's wrap
    if last is not None and last - t > 0 and last - t < 43200:
        bad.append(f"line {n} goes back: {line.rstrip()}")
    last = t
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
    { fail "the stream is out of time order:"; cat "$WORK/stream" >&2; }
finish
