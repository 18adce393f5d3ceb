#!/usr/bin/env bash
# tests/live/live_sigint.sh FWSIGHT: Ctrl-C (SIGINT), SIGTERM and SIGHUP (the terminal closed)
# end `fwsight live`: the saved file is flushed and valid (gzip trailer included: tshark and
# `fwsight analyze` read it whole, up to a ping sent just before the signal), the report of what
# was seen is printed, and the exit status says what it found.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"

lab_up
for sig in INT TERM HUP; do
    OUT="$WORK/run-$sig"
    FILE="$WORK/out-$sig.pcap.gz"
    start_live "$OUT" -i lv0 -w "$FILE" -B 1024 || exit 1
    attempt 6320 2 || fail "the lab: connecting to the open port 6320 failed"
    attempt 6325 1.5
    sleep 0.3
    # one ping just before the signal: its two packets are still in the kernel's block that
    # its timer has not handed over yet, and must reach the file all the same
    nsx "$NS_S" ping -q -c 1 -W 1 "$T4" >/dev/null 2>&1 || fail "the lab: the ping went unanswered"
    kill -"$sig" "$LIVE_PID"
    wait_exit "$LIVE_PID" 10
    # the attempt to 6325 went unanswered: blocking found
    [ "$RC" = 1 ] && ok "SIG$sig: exit 1" ||
        { fail "SIG$sig: exit $RC, wanted 1"; cat "$OUT.stderr" >&2; }
    grep -q "stopped by signal" "$OUT.stderr" && ok "SIG$sig: says it was stopped" ||
        fail "SIG$sig: no 'stopped by signal' message"
    grep -q "^Capture" "$OUT.stdout" && grep -q "file         live:lv0" "$OUT.stdout" &&
        grep -q "drops        [0-9]* by the kernel" "$OUT.stdout" &&
        ok "SIG$sig: report printed, with drops" || fail "SIG$sig: no report on stdout"
    grep -Eq "tcp/6320 .*OPEN|6320.*OPEN" "$OUT.stdout" && ok "SIG$sig: report has 6320 OPEN" ||
        fail "SIG$sig: the report lacks 6320 OPEN"
    gzip -t "$FILE" 2>/dev/null && ok "SIG$sig: the .gz is complete" ||
        fail "SIG$sig: gzip -t fails"
    n=$(tshark -r "$FILE" 2>/dev/null | wc -l)
    tshark -r "$FILE" >/dev/null 2>&1 && [ "$n" -ge 4 ] &&
        ok "SIG$sig: tshark reads $n packets" || fail "SIG$sig: tshark cannot read it ($n packets)"
    e=$(tshark -r "$FILE" -Y "icmp.type == 0 || icmp.type == 8" 2>/dev/null | wc -l)
    [ "$e" -ge 2 ] && ok "SIG$sig: the ping sent just before the signal is in the file" ||
        fail "SIG$sig: the file holds $e of the last ping's 2 packets (the last block lost?)"
    "$FWSIGHT" analyze "$FILE" >/dev/null 2>"$WORK/an.err"
    arc=$?
    [ "$arc" = 1 ] && ok "SIG$sig: analyze reads the file" ||
        fail "SIG$sig: analyze exit $arc: $(cat "$WORK/an.err")"
done

# Without root: a copy of the binary given CAP_NET_RAW,CAP_NET_ADMIN, run as nobody, captures,
# and holds no capability once the device is open.
if command -v setcap >/dev/null && command -v setpriv >/dev/null; then
    chmod 755 "$WORK"
    cp "$FWSIGHT" "$WORK/fwsight-cap" && setcap cap_net_raw,cap_net_admin+ep "$WORK/fwsight-cap" ||
        fail "setcap on a copy of the binary"
    OUT="$WORK/run-caps"
    ip netns exec "$NS_S" setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$WORK/fwsight-cap" live -i lv0 --duration 4 >"$OUT.stdout" 2>"$OUT.stderr" &
    CAP_PID=$!
    PIDS+=("$CAP_PID")
    for i in $(seq 50); do grep -q "capturing on" "$OUT.stderr" && break; sleep 0.1; done
    st=$(awk '/^(Uid|CapEff|CapPrm):/ {printf "%s%s ", $1, $2}' "/proc/$CAP_PID/status")
    [ "$st" = "Uid:65534 CapPrm:0000000000000000 CapEff:0000000000000000 " ] &&
        ok "with file capabilities: runs as nobody and holds none" || fail "caps run: $st"
    attempt 6320 2
    wait_exit "$CAP_PID" 10
    [ "$RC" = 0 ] && grep -q "packets      [1-9]" "$OUT.stdout" &&
        ok "with file capabilities: captured, exit 0" ||
        { fail "with file capabilities: exit $RC"; cat "$OUT.stderr" >&2; }
else
    log "setcap or setpriv missing: the capabilities case is not tested"
fi
finish
