#!/usr/bin/env bash
# tests/live/live_stdout.sh FWSIGHT: the stream's reader misbehaves and the capture must not
# care: stdout closed (>&-, as under cron or some service managers), a reader that leaves after
# one line (| head -1: EPIPE, where SIGPIPE used to kill fwsight), a reader that pauses (a FIFO
# nobody reads for 10 s, its pipe shrunk to 4 KiB, while 3 s of pings of 1400 bytes at 1000 a
# second, about 9 MB, pass: more than twice the 4 MiB capture buffer (-B 4096) holds for a loop
# that waits on its stdout). Each time the capture runs to its end without kernel drops (at
# most 10% for the paused reader, on a machine loaded by a parallel sanitizer run; a blocked
# loop loses more than half of the flood), the report is printed (on
# stderr when stdout is gone), and the -w file is whole: tcpdump and `fwsight analyze` read as
# many packets as the report counted. About 35 s.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
command -v tcpdump >/dev/null || { log "SKIP: tcpdump not installed"; exit 77; }

lab_up

# --- stdout closed ---------------------------------------------------------------------------
# sh's exec keeps the PID (ip netns exec execs too): $! is fwsight, started with fd 1 closed.
ip netns exec "$NS_S" sh -c 'exec "$0" "$@" >&-' "$FWSIGHT" live -i lv0 \
    -w "$WORK/closed.pcap" --duration 4 2>"$WORK/closed.err" &
pid=$!
PIDS+=("$pid")
wait_text "$WORK/closed.err" "capturing on" 10 || fail "stdout closed: did not start"
attempt 6320 2 || fail "the lab: connecting to the open port 6320 failed"
attempt 6325 1
wait_exit "$pid" 10
[ "$RC" = 1 ] && ok "stdout closed: exit 1 (6325 dropped)" || fail "stdout closed: exit $RC"
grep -q "^Capture" "$WORK/closed.err" && grep -q "DROPPED" "$WORK/closed.err" &&
    ok "stdout closed: the report is on stderr" || fail "stdout closed: no report on stderr"
[ "$(head -c 4 "$WORK/closed.pcap" | od -An -tx1 | tr -d ' ')" = d4c3b2a1 ] &&
    ok "stdout closed: the file starts with the pcap header" ||
    fail "stdout closed: the file does not start with the pcap header"
check_file "$WORK/closed.pcap" "$WORK/closed.err" "stdout closed"

# --- | head -1 -------------------------------------------------------------------------------
(
    ip netns exec "$NS_S" "$FWSIGHT" live -i lv0 --no-ui -w "$WORK/head.pcap.gz" --duration 8 \
        2>"$WORK/head.err" | head -1 >"$WORK/head.out"
    echo "${PIPESTATUS[0]}" >"$WORK/head.rc"
) &
PIDS+=($!)
wait_text "$WORK/head.err" "capturing on" 10 || fail "| head -1: did not start"
attempt 6320 2
attempt 6325 1
# the status line at 5 s is the line head takes; then more traffic, more lines, EPIPE
wait_text "$WORK/head.out" "." 8
nsx "$NS_S" ping -q -c 3 -i 0.2 "$T4" >/dev/null 2>&1
attempt 6320 2
for _ in $(seq 100); do [ -s "$WORK/head.rc" ] && break; sleep 0.1; done
rc=$(cat "$WORK/head.rc" 2>/dev/null)
[ "$rc" = 1 ] && ok "| head -1: fwsight ran to its end, exit 1 (not 141: SIGPIPE)" ||
    fail "| head -1: fwsight exit '$rc'"
[ "$(wc -l <"$WORK/head.out")" = 1 ] && ok "| head -1: head got its line" ||
    fail "| head -1: head got $(wc -l <"$WORK/head.out") lines"
grep -q "stdout: Broken pipe: the stream ends here, the capture goes on" "$WORK/head.err" &&
    grep -q "^Capture" "$WORK/head.err" && ok "| head -1: said why, the report is on stderr" ||
    { fail "| head -1: no message or no report on stderr"; cat "$WORK/head.err" >&2; }
grep -Eq "^  stream +[1-9][0-9]* lines not written" "$WORK/head.err" &&
    ok "| head -1: the report counts the stream lines not written" ||
    fail "| head -1: the report does not count the lines not written"
gzip -t "$WORK/head.pcap.gz" 2>/dev/null && ok "| head -1: the .gz is complete" ||
    fail "| head -1: gzip -t fails"
check_file "$WORK/head.pcap.gz" "$WORK/head.err" "| head -1"

# --- a reader that pauses --------------------------------------------------------------------
# The reader opens the FIFO, shrinks its pipe to 4 KiB, reads nothing for 10 s, then all of it.
mkfifo "$WORK/fifo"
python3 -c '
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.fcntl(fd, 1031, 4096)  # F_SETPIPE_SZ
time.sleep(10)
with open(sys.argv[2], "wb") as out:
    end = time.time() + 30
    while time.time() < end:
        b = os.read(fd, 65536)
        if not b:
            break
        out.write(b)
' "$WORK/fifo" "$WORK/paused.out" &
PIDS+=($!)
reader=$!
ip netns exec "$NS_S" "$FWSIGHT" live -i lv0 --no-ui -B 4096 -w "$WORK/paused.pcap" --duration 15 \
    >"$WORK/fifo" 2>"$WORK/paused.err" &
pid=$!
PIDS+=("$pid")
wait_text "$WORK/paused.err" "capturing on" 10 || fail "paused reader: did not start"
attempt 6320 2
# 150 ports of the dynamic RPC range, closed on the target: 150 attempt lines (about 18 KB,
# more than the pipe holds) once their connections end, 5 s later, while nobody reads
nsx "$NS_S" python3 -c '
import socket, sys
for p in range(49152, 49302):
    s = socket.socket(); s.settimeout(0.5)
    try:
        s.connect((sys.argv[1], p))
    except OSError:
        pass
    s.close()
' "$T4"
sleep 5.5
# then a flood while the stream is stuck: a blocked loop would leave it to the kernel's buffer
nsx "$NS_S" ping -q -i 0.001 -c 3000 -w 4 -s 1400 "$T4" >/dev/null 2>&1
wait_exit "$pid" 25
wait_exit "$reader" 30
[ "$RC" = 0 ] || [ "$RC" = 1 ] && ok "paused reader: exit $RC" ||
    { fail "paused reader: exit $RC"; cat "$WORK/paused.err" >&2; }
d=$(report_kernel_drops "$WORK/paused.out")
p=$(report_packets "$WORK/paused.out")
[ -n "$d" ] && [ -n "$p" ] && [ $((d * 10)) -le "$p" ] &&
    ok "paused reader: $d packets dropped by the kernel, of $p" ||
    fail "paused reader: '$d' packets dropped by the kernel, of '$p'"
n=$(grep -c " status: " "$WORK/paused.out")
[ "$n" -ge 3 ] && ok "paused reader: the stream went on ($n status lines: at 5 s, 10 s, the end)" ||
    fail "paused reader: $n status lines"
check_file "$WORK/paused.pcap" "$WORK/paused.out" "paused reader"
[ "$(report_packets "$WORK/paused.out")" -gt 4000 ] 2>/dev/null &&
    ok "paused reader: the flood was captured ($(report_packets "$WORK/paused.out") packets)" ||
    fail "paused reader: only '$(report_packets "$WORK/paused.out")' packets captured"
finish
