#!/usr/bin/env bash
# tests/live/live_verdicts.sh FWSIGHT: `fwsight live` on a veth while an open port, one the
# router drops and one it refuses (ICMP admin-prohibited) are tried: exit 1 (blocking found),
# OPEN, DROPPED and REJECTED (by the router) in the live report, the stream and
# its status line, privileges dropped while running, the .gz it saved opens with
# `fwsight analyze` (same verdicts) and with tshark, and -w never overwrites without --force.
# A second `fwsight live --rules nftables` on the same veth at the same time prints, alone on
# stdout, the rules for the two blocked ports and nothing else (its stream goes to stderr).
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"

lab_up
OUT="$WORK/run"
RULES="$WORK/rules"
start_live "$RULES" -i lv0 --rules nftables --duration 40 || exit 1
RULES_PID=$LIVE_PID
start_live "$OUT" -i lv0 --no-ui --json --duration 40 -w "$WORK/out.pcap.gz" -Z nobody || exit 1

uid=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$LIVE_PID/status")
[ "$uid" = "65534 65534 65534 65534" ] && ok "runs as nobody while capturing" ||
    fail "uids while capturing: '$uid', wanted nobody's (65534) in all four"

attempt 6320 2 || fail "the lab: connecting to the open port 6320 failed"
attempt 6320 2
attempt 6325 2.5 && fail "the lab: the dropped port 6325 accepted a connection"
attempt 6326 2 && fail "the lab: the refused port 6326 accepted a connection"

# Stopped by SIGINT once the four attempts are done, not by a duration that a loaded machine
# could outrun (seen in CI: the refused attempt came after a 7 s capture had ended).
sleep 0.3
kill -INT "$LIVE_PID" "$RULES_PID"
wait_exit "$RULES_PID" 15
[ "$RC" = 1 ] && ok "--rules: exit 1 (blocking found)" || fail "--rules: exit status $RC"
wait_exit "$LIVE_PID" 15
[ "$RC" = 1 ] && ok "exit 1 (blocking found)" ||
    { fail "exit status $RC, wanted 1"; cat "$OUT.stderr" >&2; }

# --rules: stdout is a script of comments and nft commands, one per blocked port, exactly these
want="nft insert rule inet filter forward ip saddr $S4 ip daddr $T4 tcp dport 6325 accept
nft insert rule inet filter forward ip saddr $S4 ip daddr $T4 tcp dport 6326 accept"
got=$(grep -v '^#' "$RULES.stdout" | grep -v '^$')
[ "$got" = "$want" ] && head -1 "$RULES.stdout" | grep -q "^# fwsight --rules nftables" &&
    ok "--rules nftables: the two blocked ports' rules alone on stdout" ||
    fail "--rules nftables stdout:"$'\n'"$(cat "$RULES.stdout")"
grep -Eq "verdict tcp/6325 $S4 -> $T4: DROPPED" "$RULES.stderr" &&
    ok "--rules: the stream on stderr" || fail "--rules: no stream on stderr"

want="tcp 6320 $S4 $T4 OPEN
tcp 6325 $S4 $T4 DROPPED
tcp 6326 $S4 $T4 REJECTED"
got=$(verdicts "$OUT.stdout" 2>&1)
[ "$got" = "$want" ] && ok "live verdicts: OPEN 6320, DROPPED 6325, REJECTED 6326" ||
    fail "live verdicts:"$'\n'"$got"$'\n'"wanted:"$'\n'"$want"
python3 -c '
import json, sys
r = [v for v in json.load(open(sys.argv[1]))["verdicts"]
     if v["port"] == 6326 and v["proto"] == "tcp" and v["verdict"] != "UNTESTED"]
assert len(r) == 1 and r[0]["answered_by"] == sys.argv[2], r
' "$OUT.stdout" "$R4S" && ok "6326 refused by the router ($R4S)" ||
    fail "6326 not answered_by the router $R4S"
python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["captures"][0]
assert isinstance(c["kernel_drops"], int), c
assert c["packets"] > 0, c
assert c["ts_backwards"] == 0, c  # timers on wall time never overtook a frame
' "$OUT.stdout" && ok "JSON capture: packets, kernel_drops, frame times in order" ||
    fail "JSON capture section"

grep -Eq "verdict tcp/6320 $S4 -> $T4: OPEN" "$OUT.stderr" && ok "stream: OPEN line" ||
    fail "stream has no OPEN line for 6320"
grep -Eq "verdict tcp/6325 $S4 -> $T4: DROPPED" "$OUT.stderr" && ok "stream: DROPPED line" ||
    fail "stream has no DROPPED line for 6325"
grep -Eq "verdict tcp/6326 $S4 -> $T4: REJECTED" "$OUT.stderr" && ok "stream: REJECTED line" ||
    fail "stream has no REJECTED line for 6326"
grep -Eq "attempt tcp $S4:[0-9]+ -> $T4:6325: S0" "$OUT.stderr" && ok "stream: attempt line" ||
    fail "stream has no attempt line for 6325"
grep -Eq "status: [1-9][0-9]* packets captured, [0-9]+ dropped by the kernel" "$OUT.stderr" &&
    ok "stream: status line with drops" || fail "stream has no status line"

# The saved capture: same verdicts offline, and Wireshark's reader agrees it is valid.
"$FWSIGHT" analyze --json "$WORK/out.pcap.gz" >"$WORK/offline.json"
arc=$?
[ "$arc" = 1 ] && ok "analyze of the saved .gz: exit 1" ||
    fail "analyze of the saved .gz: exit $arc"
got2=$(verdicts "$WORK/offline.json" 2>&1)
[ "$got2" = "$want" ] && ok "offline verdicts equal the live ones" ||
    fail "offline verdicts:"$'\n'"$got2"
n=$(tshark -r "$WORK/out.pcap.gz" 2>/dev/null | wc -l)
[ "$n" -gt 0 ] && tshark -r "$WORK/out.pcap.gz" >/dev/null 2>&1 &&
    ok "tshark reads $n packets" || fail "tshark cannot read the saved capture"
# Only SYN/FIN/RST were captured on 6320 (no --full): no bare ACK outside TCP 135.
bare='tcp.flags.syn==0 && tcp.flags.fin==0 && tcp.flags.reset==0'
acks=$(tshark -r "$WORK/out.pcap.gz" -Y "$bare" 2>/dev/null | wc -l)
[ "$acks" = 0 ] && ok "the default filter kept only SYN/FIN/RST" ||
    fail "$acks bare segments captured"

# An existing file is never overwritten without --force.
sum=$(md5sum <"$WORK/out.pcap.gz")
nsx "$NS_S" "$FWSIGHT" live -i lv0 --duration 1 -w "$WORK/out.pcap.gz" >/dev/null \
    2>"$WORK/force.err"
frc=$?
[ "$frc" = 2 ] && [ "$(md5sum <"$WORK/out.pcap.gz")" = "$sum" ] &&
    grep -q -- "--force" "$WORK/force.err" && ok "-w refuses an existing file without --force" ||
    fail "-w over an existing file: exit $frc, $(cat "$WORK/force.err")"

# No such interface: exit 3 and a message naming it.
nsx "$NS_S" "$FWSIGHT" live -i nosuch0 --duration 1 >/dev/null 2>"$WORK/nosuch.err"
nrc=$?
[ "$nrc" = 3 ] && grep -q "nosuch0: no such interface" "$WORK/nosuch.err" &&
    ok "no such interface: exit 3" ||
    fail "no such interface: exit $nrc, $(cat "$WORK/nosuch.err")"

finish
