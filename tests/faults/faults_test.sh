#!/bin/bash
# tests/faults/faults_test.sh: fwsight analyze on damaged and lying captures, end to end: for
# each, the exit status, stderr word for word (the file, the packet, what was wrong), and the
# verdicts still given from the packets before the damage (after it too, when a bad record is
# only skipped). The captures come from mkfaults.c, whose header lists the scenario: tcp 6320
# OPEN (frames 1-3), 6325 DROPPED (4-6), an ARP request (7, the record the length tests
# damage), 445 REJECTED (8-9), 6326 CLOSED (10-11), all from 198.51.100.10 to 203.0.113.20.
#
#   faults_test.sh FWSIGHT MKFAULTS
set -u
fwsight=${1:?usage: faults_test.sh FWSIGHT MKFAULTS}
mkfaults=${2:?usage: faults_test.sh FWSIGHT MKFAULTS}
case $fwsight in /*) ;; *) fwsight=$(pwd)/$fwsight ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
caps=$tmp/caps
mkdir "$caps"
"$mkfaults" "$caps" || { echo "FAIL: $mkfaults exited $?"; exit 1; }
cd "$caps" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# The verdicts that are not UNTESTED, one a line, and the capture's counters, from --json.
summary() {
    python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
c=d["captures"][0]
print("packets %d, bad records %d, out of order %d" % (c["packets"], c["bad_records"],
      c["ts_backwards"]))
for v in sorted(d["verdicts"], key=lambda v: (v["from"], v["to"], v["proto"], v["port"] or 0)):
    if v["verdict"] != "UNTESTED":
        print("%s -> %s %s %s %s" % (v["from"], v["to"], v["proto"], v["port"], v["verdict"]))
' "$1" 2>&1
}

V6320='198.51.100.10 -> 203.0.113.20 tcp 6320 OPEN'
V6325='198.51.100.10 -> 203.0.113.20 tcp 6325 DROPPED'
V445='198.51.100.10 -> 203.0.113.20 tcp 445 REJECTED'
V6326='198.51.100.10 -> 203.0.113.20 tcp 6326 CLOSED'
BEFORE7=$(printf '%s\n' "$V6320" "$V6325")          # frames 1-6
BEFORE10=$(printf '%s\n' "$V445" "$V6320" "$V6325")  # frames 1-9
ALL=$(printf '%s\n' "$V445" "$V6320" "$V6325" "$V6326")

# check FILE STATUS STDERR COUNTS VERDICTS: fwsight analyze --json FILE exits STATUS, writes
# exactly STDERR ("" for nothing), and its JSON has these counters and verdicts (COUNTS "":
# no report at all).
check() {
    local file=$1 want_status=$2 want_err=$3 counts=$4 verdicts=$5
    "$fwsight" analyze --json "$file" > "$tmp/out.json" 2> "$tmp/err" < /dev/null
    local status=$?
    local got_err
    got_err=$(cat "$tmp/err")
    if [ "$status" != "$want_status" ]; then
        fail "$file: exit status $status, expected $want_status; stderr: $got_err"
    elif [ "$got_err" != "$want_err" ]; then
        fail "$file: stderr is
    $got_err
  expected
    $want_err"
    elif [ -n "$counts" ] || [ -s "$tmp/out.json" ]; then
        local got want
        got=$(summary "$tmp/out.json")
        want=$(printf '%s\n%s' "$counts" "$verdicts")
        [ "$got" = "$want" ] || fail "$file: analysed
$got
  expected
$want"
    fi
}

# stops FILE N VERDICTS WHAT: analyze FILE exits 2 with the one error "fwsight: FILE: WHAT",
# after analysing the N packets before it (no bad record, none out of order) into VERDICTS.
stops() {
    check "$1" 2 "fwsight: $1: $4" "packets $2, bad records 0, out of order 0" "$3"
}

# stops_on_stdin FILE WHAT ERROR LINE: FILE read from stdin exits 2 with the one error
# "fwsight: stdin: ERROR" (stdin is the file's name there), and the report still has LINE.
stops_on_stdin() {
    "$fwsight" analyze - < "$1" > "$tmp/out.txt" 2> "$tmp/err"
    local status=$?
    [ "$status" = 2 ] || fail "$2: exit status $status, expected 2"
    [ "$(cat "$tmp/err")" = "fwsight: stdin: $3" ] || fail "$2: stderr is $(cat "$tmp/err")"
    grep -qF -- "$4" "$tmp/out.txt" || fail "$2: no verdicts"
}

# check_text FILE PATTERN...: the text report of FILE has a line matching each PATTERN.
check_text() {
    local file=$1
    shift
    "$fwsight" analyze "$file" > "$tmp/out.txt" 2> /dev/null < /dev/null
    for pattern in "$@"; do
        grep -Eq -- "$pattern" "$tmp/out.txt" || fail "$file: report lacks /$pattern/"
    done
}

# --- the scenario undamaged, in each container ---------------------------------------------
for f in base.pcap base.pcap.gz base.pcapng gz-stored.pcap.gz; do
    check "$f" 1 "" "packets 11, bad records 0, out of order 0" "$ALL"
done

# --- cut in the middle of a packet: what came before is analysed, status 2 -----------------
stops cut.pcap 9 "$BEFORE10" "packet 10: file ends after 30 of 70 bytes of the record"
check_text cut.pcap '^  READ ERROR   cut.pcap: packet 10: file ends after 30 of 70 bytes' \
    '^               the report covers the 9 packets read before it$' \
    'tcp 445 \(Directory\): REJECTED'
stops cut-header.pcap 9 "$BEFORE10" \
    "packet 10: file ends after 10 of 16 bytes of the record header"
stops cut.pcap.gz 9 "$BEFORE10" "packet 10: file ends after 30 of 70 bytes of the record"
stops cut.pcapng 9 "$BEFORE10" "packet 10: file ends after 30 of 88 bytes of the block"
check cut-file-header.pcap 2 \
    "fwsight: cut-file-header.pcap: file ends after 20 of 24 bytes of the pcap file header" "" ""
# The same cut on stdin.
stops_on_stdin cut.pcap "stdin cut" "packet 10: file ends after 30 of 70 bytes of the record" \
    'tcp 6325 (Double-Take): DROPPED'

# --- gzip damaged: bad CRC or length, garbage, cut --------------------------------------------
# The checks at the end of the stream fail after every packet was read: all verdicts stand.
stops gz-bad-crc.pcap.gz 11 "$ALL" "after packet 11: gzip data is corrupt: incorrect data check"
stops gz-bad-size.pcap.gz 11 "$ALL" \
    "after packet 11: gzip data is corrupt: incorrect length check"
stops gz-garbage.pcap.gz 9 "$BEFORE10" "after packet 9: gzip data is corrupt: invalid block type"
stops gz-bad-stored-len.pcap.gz 9 "$BEFORE10" \
    "packet 10: gzip data is corrupt: invalid stored block lengths"
stops gz-cut.pcap.gz 9 "$BEFORE10" \
    "packet 10: file ends after 40 of 70 bytes of the record (the gzip stream is truncated)"
stops gz-no-size.pcap.gz 11 "$ALL" "the gzip stream ends early, after packet 11"
check gz-header-cut.pcap.gz 2 \
    "fwsight: gz-header-cut.pcap.gz: the gzip stream ends early, after 0 bytes" "" ""
stops_on_stdin gz-bad-crc.pcap.gz "stdin bad CRC" \
    "after packet 11: gzip data is corrupt: incorrect data check" 'tcp 6326 (Double-Take): CLOSED'

# --- not a readable capture: nothing to analyse, status 2, no report --------------------------
mkdir adir
: > empty.pcap
gzip -c < /dev/null > empty.pcap.gz
check adir 2 "fwsight: adir: Is a directory" "" ""
check missing.pcap 2 "fwsight: missing.pcap: No such file or directory" "" ""
check empty.pcap 2 "fwsight: empty.pcap: empty file (0 bytes)" "" ""
check empty.pcap.gz 2 "fwsight: empty.pcap.gz: empty file (0 bytes after decompression)" "" ""
check header-only.pcap 0 "" "packets 0, bad records 0, out of order 0" ""
for f in adir missing.pcap empty.pcap; do
    "$fwsight" analyze "$f" > "$tmp/out.txt" 2> /dev/null
    [ -s "$tmp/out.txt" ] && fail "$f: a report was printed for nothing read"
done
# root reads any file: the unreadable one is read as nobody.
chmod 0755 "$tmp" "$caps"
cp base.pcap private.pcap
chmod 0600 private.pcap
if setpriv --reuid=65534 --regid=65534 --clear-groups true 2> /dev/null; then
    setpriv --reuid=65534 --regid=65534 --clear-groups "$fwsight" analyze private.pcap \
        > "$tmp/out.txt" 2> "$tmp/err"
    status=$?
    [ "$status" = 2 ] || fail "unreadable file: exit status $status, expected 2"
    [ "$(cat "$tmp/err")" = "fwsight: private.pcap: Permission denied" ] ||
        fail "unreadable file: stderr is $(cat "$tmp/err")"
    [ -s "$tmp/out.txt" ] && fail "unreadable file: a report was printed"
else
    echo "note: setpriv cannot switch to uid 65534 here: unreadable file not tested"
fi

# --- lengths that lie -------------------------------------------------------------------------
# A record that keeps the framing is skipped and counted; what follows it is analysed.
# skipped FILE WHY: record 7 of FILE, its captured length WHY, is the only one skipped (exit
# 1, one warning); the other ten packets give every verdict.
skipped() {
    check "$1" 1 "fwsight: warning: $1: packet 7: captured length $2 (skipped) (1 bad records \
skipped in all)" "packets 10, bad records 1, out of order 0" "$ALL"
}
skipped over-snaplen.pcap '128 above the snapshot length 96'
check_text over-snaplen.pcap \
    '^  bad records  1 \(skipped; first: over-snaplen.pcap: packet 7: captured length 128 above'
skipped over-wirelen.pcap '42 above the length on the wire 40'
skipped zero-caplen.pcap 0
skipped ng-over-snaplen.pcapng '128 above the snapshot length 96'
skipped ng-over-wirelen.pcapng '42 above the length on the wire 40'
# One that breaks the framing stops the file there: the six packets before it still count.
stops huge-caplen.pcap 6 "$BEFORE7" "packet 7: captured length 2147483647 is beyond any sane \
limit (snapshot length 65535): the file's framing is lost"
# Plausible but false: the record swallows the rest of the file (354 bytes from its start).
stops swallowing-caplen.pcap 6 "$BEFORE7" \
    "packet 7: file ends after 354 of 200016 bytes of the record"
stops ng-huge-caplen.pcapng 6 "$BEFORE7" \
    "packet 7: captured length 2147483647 does not fit in its block of 76 bytes"
stops ng-trailer.pcapng 6 "$BEFORE7" "packet 7: block length 76 differs from its trailing copy 80"
stops ng-huge-block.pcapng 6 "$BEFORE7" "packet 7: block length 4294967292 is invalid"
stops ng-long-block.pcapng 6 "$BEFORE7" \
    "packet 7: file ends after 444 of 1048576 bytes of the block"

# --- the clock going backwards ----------------------------------------------------------------
# An older frame is handled at the latest time seen and counted: the verdicts are those of the
# ordered capture, and no duration goes negative.
check ts-back-seconds.pcap 1 "" "packets 11, bad records 0, out of order 3" "$ALL"
OOO='packets \(older than the one before, or alone far ahead\)$'
check_text ts-back-seconds.pcap "^  out of order 3 $OOO" \
    '^  time span    2023-11-14 22:13:15.000000 UTC to 2023-11-14 22:13:23.900000 UTC \(8.9'
check ts-back-day.pcap 1 "" "packets 11, bad records 0, out of order 5" "$ALL"
# One stamp a year ahead (here the ARP request, frame 7) is a glitch, not a jump: the next
# frame is stamped back near the others, so frame 7 is handled at the clock and is the one
# packet out of order; no connection expires early.
check ts-ahead-year.pcap 1 "" "packets 11, bad records 0, out of order 1" "$ALL"
# A stamp of all ones bits saturates at the last time a pcap can hold, and is a glitch like the
# year ahead: it stays out of the time span too.
check ts-end-of-time.pcapng 1 "" "packets 11, bad records 0, out of order 1" "$ALL"
check_text ts-end-of-time.pcapng \
    '^  time span    2023-11-14 22:13:20.000000 UTC to 2023-11-14 22:13:24.000000 UTC ' \
    "^  out of order 1 $OOO"
# The last two frames at the end of time: the second confirms the jump, so the clock and the
# time span follow it; the connections before it end by their timeouts (the saturated stamp
# leaves room for them: they must not wrap round), and 6326 is analysed there.
check ts-jump-end-of-time.pcapng 1 "" "packets 11, bad records 0, out of order 0" "$ALL"
check_text ts-jump-end-of-time.pcapng \
    '^  time span    2023-11-14 22:13:20.000000 UTC to 2106-02-07 06:28:15.999999 UTC '
# The SYN-ACK itself a year ahead: had the clock followed it, the SYN's attempt would have
# expired first and 6320 read DROPPED. Handled at the clock, the handshake completes.
check ts-synack-ahead.pcap 1 "" "packets 11, bad records 0, out of order 1" "$ALL"
for f in ts-back-seconds.pcap ts-back-day.pcap ts-ahead-year.pcap ts-synack-ahead.pcap \
         ts-end-of-time.pcapng ts-jump-end-of-time.pcapng; do
    rm -f "$tmp/conn.log"
    "$fwsight" analyze -q "$f" --conn-log "$tmp/conn.log" 2> /dev/null
    # conn.log: no duration below 0 or above the scenario's 4 s (an unsigned one gone below 0
    # would show as 18446744073708 s), and every connection still there.
    awk -F'\t' '!/^#/ && $9 != "-" && ($9 < 0 || $9 > 4) { bad = 1 } END { exit bad }' \
        "$tmp/conn.log" || fail "$f: a duration in the conn.log is out of bounds"
    [ "$(grep -vc '^#' "$tmp/conn.log")" -ge 5 ] || fail "$f: conn.log lost connections"
done

if [ $failures -gt 0 ]; then
    echo "$failures fault checks failed"
    exit 1
fi
echo "all fault checks passed"
