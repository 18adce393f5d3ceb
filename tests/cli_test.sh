#!/bin/bash
# tests/cli_test.sh: the command line as a user meets it: help, usage errors (exit 2 and a
# message that says what was wrong), bad inputs, stdin and gzip input giving the same
# analysis as the plain file. The analysis itself is checked by the golden cases.
#
#   cli_test.sh FWSIGHT GOLDEN_DIR
set -u
fwsight=${1:?usage: cli_test.sh FWSIGHT GOLDEN_DIR}
golden=${2:?usage: cli_test.sh FWSIGHT GOLDEN_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
cap=$golden/handshake-fin/capture.pcap
truncated=$golden/truncated-file/capture.pcap

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect STATUS PATTERN CMD...: runs fwsight with CMD, checks the exit status and that stdout
# or stderr matches the extended regular expression PATTERN.
expect() {
    local want=$1 pattern=$2
    shift 2
    "$fwsight" "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null
    local got=$?
    if [ "$got" != "$want" ]; then
        fail "fwsight $* exited $got, expected $want; stderr: $(head -c 300 "$tmp/err")"
    elif ! cat "$tmp/out" "$tmp/err" | grep -Eq -- "$pattern"; then
        fail "fwsight $*: output lacks /$pattern/: $(head -c 300 "$tmp/out" "$tmp/err")"
    elif grep -q "runtime error\|Sanitizer" "$tmp/err"; then
        fail "fwsight $*: sanitizer report: $(head -c 300 "$tmp/err")"
    fi
}

expect 0 'analyze FILE' --help
expect 0 'analyze FILE' help
expect 0 '--conn-log PATH' help analyze
expect 0 'checksum offload' analyze --help
expect 0 '^fwsight [0-9]+\.[0-9]+' --version
expect 2 'usage: fwsight' 
expect 2 "unknown command 'frobnicate'" frobnicate
expect 2 "unknown option '--frob'" --frob
expect 2 "no command 'nosuch'" help nosuch
expect 2 'which capture' analyze
expect 2 "unknown option '--nosuch'" analyze --nosuch "$cap"
expect 2 "option '--conn-log' needs an argument" analyze "$cap" --conn-log
expect 2 "--max-flows wants a number" analyze --max-flows 12x "$cap"
expect 2 "--max-flows wants a number" analyze --max-flows 0 "$cap"
expect 2 "--max-flows wants a number" analyze --max-flows -5 "$cap"
expect 2 'at most eight captures' analyze "$cap" "$cap" "$cap" "$cap" "$cap" "$cap" "$cap" "$cap" "$cap"
expect 2 'not stdin' analyze "$cap" - "$cap"
expect 0 'Along the path \(3 captures' analyze "$cap" "$cap" "$cap"
expect 2 'only one of the two captures can be stdin' analyze - -
expect 0 'both captures were taken on the same host' analyze "$cap" "$cap"
expect 0 'capture 2 alone' analyze "$cap" "$cap"
expect 0 '"combined": false' analyze --json "$cap" "$cap"
expect 1 'not combined \(no attempt matched' analyze "$golden/syn-unanswered/capture.pcap" \
    "$golden/two-captures-reply-dropped/capture2.pcap"
expect 1 '"clock_offset_us": null' analyze --json "$golden/syn-unanswered/capture.pcap" \
    "$golden/two-captures-reply-dropped/capture2.pcap"

# The verdict options: the two roles come together, addresses and port lists are checked.
expect 0 '^  double-take .*\(default\)' profiles
expect 0 'Double-Take .*6320' profiles double-take
expect 2 "profiles: nosuch" profiles nosuch
expect 0 'profiles \[NAME\|FILE\]' --help
expect 0 'usage: fwsight profiles' help profiles
expect 0 '--rpc-range LO-HI' help analyze
expect 2 '--source and --target .*both or neither' analyze --source 198.51.100.10 "$cap"
expect 2 '--source and --target .*both or neither' analyze --target 203.0.113.20 "$cap"
expect 2 "--target wants an IPv4 or IPv6 address, not 'x'" \
    analyze --source 198.51.100.10 --target x "$cap"
expect 2 '--source and --target are the same' \
    analyze --source 198.51.100.10 --target 198.51.100.10 "$cap"
expect 2 "--local wants an IPv4 or IPv6 address, not 'here'" analyze --local here "$cap"
expect 2 "--ports: '70000' is not a port" analyze --ports 70000 "$cap"
expect 2 "--ports: 'abc' is not a port" analyze --ports abc "$cap"
expect 2 '--rpc-range: range 5-2 ends before it starts' analyze --rpc-range 5-2 "$cap"
expect 2 '--rpc-range' analyze --rpc-range abc "$cap"
expect 2 '--ports replaces every port' analyze --ports 6320 --rpc-range 50000-50100 "$cap"
expect 2 'nosuch: no built-in profile' analyze --profile nosuch "$cap"
expect 2 "$tmp/missing.profile" analyze --profile "$tmp/missing.profile" "$cap"
# Exit status 1: blocking found; the report says what and where; an input error wins over it.
expect 1 'tcp 6320 \(Double-Take\): DROPPED' analyze "$golden/syn-unanswered/capture.pcap"
expect 1 'REJECTED' analyze "$golden/icmp-admin-prohibited/capture.pcap"
expect 0 'Nothing blocked' analyze "$cap"
expect 0 'Capture point: 203.0.113.20 \(--local' analyze --local 203.0.113.20 "$cap"
expect 0 'Untested target 203.0.113.20 -> source 198.51.100.10 \(20 ports\)' \
    analyze --source 198.51.100.10 --target 203.0.113.20 "$cap"
expect 0 'fwsight test --peer 198.51.100.10 --ports tcp:135-139' \
    analyze --source 198.51.100.10 --target 203.0.113.20 "$cap"
expect 0 '^Change to make' analyze --all "$cap"
expect 0 'Source 198.51.100.10 \(capture point\), target 203.0.113.20' \
    analyze --source 198.51.100.10 --target 203.0.113.20 "$cap"
expect 0 'other ports +tcp +6320 +OPEN' analyze --ports 7000 "$cap"
expect 2 "$tmp/missing.pcap.*No such file" analyze "$tmp/missing.pcap"
expect 2 "$tmp" analyze "$tmp"
printf 'hello, this is not a capture at all\n' > "$tmp/text.pcap"
expect 2 "$tmp/text.pcap.*not a pcap" analyze "$tmp/text.pcap"
: > "$tmp/empty.pcap"
expect 2 "$tmp/empty.pcap" analyze "$tmp/empty.pcap"

# Windows formats fwsight does not read: the error says what the file is and how to convert
# it (exact text, exit 2). An ETL file as pktmon writes it: its first buffer header, then
# the log file header event (tests/cli_test.sh builds the 0x70 bytes fwsight looks at).
# expect_exact STATUS TEXT CMD...: stderr is exactly TEXT (one line); stdin is $stdin.
stdin=/dev/null
expect_exact() {
    local want=$1 text=$2
    shift 2
    "$fwsight" "$@" > /dev/null 2> "$tmp/err" < "$stdin"
    local got=$?
    [ "$got" = "$want" ] || fail "fwsight $* exited $got, expected $want"
    [ "$(cat "$tmp/err")" = "$text" ] || fail "fwsight $*: stderr is '$(cat "$tmp/err")'"
}
python3 -c 'import struct, sys
b = bytearray(b"\xff" * 4096)
struct.pack_into("<IIII", b, 0, 4096, 0x200, 0x200, 0)
b[0x48:0x50] = struct.pack("<HBBHH", 2, 2, 0xc0, 0x118, 0)
struct.pack_into("<I", b, 0x68, 4096)
open(sys.argv[1], "wb").write(b)' "$tmp/PktMon.etl"
cp "$tmp/PktMon.etl" "$tmp/trace.bin"
etl_msg() {
    echo "fwsight: $1: a Windows event trace (ETL, as pktmon writes it), not a packet" \
        "capture: convert it on Windows with 'pktmon etl2pcap $2 --out $3' (a 'netsh trace'" \
        "file: 'etl2pcapng $2 $3') and analyse the .pcapng"
}
expect_exact 2 "$(etl_msg "$tmp/PktMon.etl" "$tmp/PktMon.etl" "$tmp/PktMon.pcapng")" \
    analyze "$tmp/PktMon.etl"
expect_exact 2 "$(etl_msg "$tmp/trace.bin" "$tmp/trace.bin" "$tmp/trace.bin.pcapng")" \
    analyze "$tmp/trace.bin"
gzip -c "$tmp/PktMon.etl" > "$tmp/etl.gz"
stdin=$tmp/etl.gz expect_exact 2 "$(etl_msg stdin FILE.etl FILE.pcapng)" analyze -
# A Network Monitor 2.x capture (magic GMBU; editcap -F netmon2 writes the same header).
printf 'GMBU\x00\x02\x01\x00' > "$tmp/server.cap"
head -c 200 /dev/zero >> "$tmp/server.cap"
expect_exact 2 "fwsight: $tmp/server.cap: a Microsoft Network Monitor capture (version 2.0), \
which fwsight does not read: convert it to pcapng with Wireshark's 'tshark -r $tmp/server.cap \
-w $tmp/server.pcapng' (or 'editcap $tmp/server.cap $tmp/server.pcapng', or open it in \
Wireshark and save it as pcapng)" analyze "$tmp/server.cap"
# ...and the conversion it advises works: the same verdicts as the capture it came from.
if command -v editcap > /dev/null && command -v tshark > /dev/null; then
    src=$golden/syn-unanswered/capture.pcap
    editcap -F netmon2 "$src" "$tmp/nm.cap" 2> /dev/null || fail "editcap -F netmon2"
    expect 2 'nm.cap: a Microsoft Network Monitor capture \(version 2\.[0-9]+\)' \
        analyze "$tmp/nm.cap"
    tshark -r "$tmp/nm.cap" -w "$tmp/nm.pcapng" 2> /dev/null || fail "tshark -r nm.cap"
    "$fwsight" analyze --json "$src" > "$tmp/nm-src.json" 2> /dev/null
    "$fwsight" analyze --json "$tmp/nm.pcapng" > "$tmp/nm-conv.json" 2> /dev/null
    python3 -c 'import json, sys
v = [json.load(open(f))["verdicts"] for f in sys.argv[1:]]
assert v[0] == v[1] and v[0], v' "$tmp/nm-src.json" "$tmp/nm-conv.json" ||
        fail "the converted Network Monitor file gives other verdicts"
fi

# A pcap header with link type 147 (user 0), which no decoder reads: a clean refusal.
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00' > "$tmp/user0.pcap"
printf '\xff\xff\x00\x00\x93\x00\x00\x00' >> "$tmp/user0.pcap"
expect 2 'user0.pcap: unsupported link type 147' analyze "$tmp/user0.pcap"

# The truncated file: the error names the file and the packet; the report still comes.
expect 2 'truncated-file/capture.pcap: packet [0-9]+' analyze "$truncated"
grep -q '^Connections: 1 ' "$tmp/out" || fail "truncated file: no report of what was read"

# Never write the conn.log over the capture, whatever the path looks like.
cp "$cap" "$tmp/keep.pcap"
expect 2 'refusing to write the conn.log over the capture' \
    analyze "$tmp/keep.pcap" --conn-log "$tmp/keep.pcap"
expect 2 'refusing to write the conn.log over the capture' \
    analyze "$tmp/keep.pcap" --conn-log "$tmp/../$(basename "$tmp")/keep.pcap"
ln -s keep.pcap "$tmp/link.pcap"
expect 2 'refusing' analyze "$tmp/link.pcap" --conn-log "$tmp/keep.pcap"
cmp -s "$cap" "$tmp/keep.pcap" || fail "the capture was damaged by --conn-log"
expect 2 'cannot write the conn.log' analyze "$cap" --conn-log "$tmp/no/such/dir/conn.log"

# stdin and gzip give the same analysis as the plain file.
"$fwsight" analyze "$cap" --conn-log "$tmp/plain.log" > "$tmp/plain.txt" 2>&1 || fail "plain run"
"$fwsight" analyze - --conn-log "$tmp/stdin.log" < "$cap" > "$tmp/stdin.txt" 2>&1 ||
    fail "stdin run"
gzip -c "$cap" > "$tmp/capture.pcap.gz"
"$fwsight" analyze "$tmp/capture.pcap.gz" --conn-log "$tmp/gz.log" > "$tmp/gz.txt" 2>&1 ||
    fail "gzip run"
gzip -c "$cap" | "$fwsight" analyze - --conn-log "$tmp/gzstdin.log" > /dev/null 2>&1 ||
    fail "gzip stdin run"
cmp -s "$tmp/plain.log" "$tmp/stdin.log" || fail "stdin: conn.log differs from the plain file's"
cmp -s "$tmp/plain.log" "$tmp/gz.log" || fail "gzip: conn.log differs from the plain file's"
cmp -s "$tmp/plain.log" "$tmp/gzstdin.log" || fail "gzip on stdin: conn.log differs"
grep -q 'SF' "$tmp/plain.log" || fail "plain conn.log lacks the SF connection"
grep -q -- '- (stdin)' "$tmp/stdin.txt" || fail "stdin report does not say stdin"
grep -q 'gzip-compressed' "$tmp/gz.txt" || fail "gzip report does not say gzip"
# Apart from the file line and the format line, the three reports are the same.
for f in stdin gz; do
    diff <(grep -v '^  file\|^  format' "$tmp/plain.txt") \
        <(grep -v '^  file\|^  format' "$tmp/$f.txt") > /dev/null ||
        fail "$f report differs from the plain file's"
done

# --conn-log - puts the log alone on stdout; --json turns it into JSON lines.
"$fwsight" analyze "$cap" --conn-log - > "$tmp/log.out" 2>&1 || fail "--conn-log - run"
cmp -s "$tmp/plain.log" "$tmp/log.out" || fail "--conn-log - differs from --conn-log FILE"
"$fwsight" analyze --json "$cap" --conn-log - > "$tmp/jsonl.out" 2>&1 || fail "--json --conn-log -"
python3 -c 'import json,sys
rows=[json.loads(l) for l in open(sys.argv[1])]
assert len(rows)==1 and rows[0]["conn_state"]=="SF", rows' "$tmp/jsonl.out" ||
    fail "--json --conn-log - is not one JSON line per connection"
"$fwsight" analyze -q "$cap" > "$tmp/quiet.out" 2>&1 || fail "-q run"
[ -s "$tmp/quiet.out" ] && fail "-q still printed: $(head -c 200 "$tmp/quiet.out")"

# --json prints one JSON document with the documented top-level members.
"$fwsight" analyze --json "$cap" > "$tmp/report.json" || fail "--json run"
python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
assert d["fwsight_json"]==2
c=d["captures"][0]
assert c["packets"]==8 and c["format"]=="pcap" and c["gzip"] is False and c["linktype"]==1
assert c["kernel_drops"] is None and c["capture_point"]=="198.51.100.10"
v=[x for x in d["verdicts"] if x["proto"]=="tcp" and x["port"]==6320 and x["from"]=="198.51.100.10"]
assert len(v)==1 and v[0]["verdict"]=="OPEN" and v[0]["answered_by"]=="203.0.113.20", v
assert v[0]["service"]=="Double-Take" and v[0]["confidence"] in ("high","medium","low")
assert isinstance(v[0]["evidence"], list) and v[0]["advice"]
e=[x for x in d["verdicts"] if x["proto"]=="icmp"]
assert e and all(x["port"] is None for x in e), e
assert d["connections_summary"]["by_proto"]["tcp"]["conn_state"]["SF"]==1' "$tmp/report.json" ||
    fail "--json document lacks what docs/json-schema.md promises"

# A full verdict table (--max-verdicts 16, the least) is counted in the JSON, as the text
# report's warning counts it. The capture (mk_full_table.py): 17 answered SYNs on 16 ports
# outside the profile (two on port 40001), then, an hour later (every answered flow has ended
# by then), 20 unanswered SYNs on 20 more such ports. The 16 OPEN cells fill the table; the
# first 16 failures each evict one (16 cells, 17 attempts); the last 4 find only failures: not
# kept.
python3 "$here/mk_full_table.py" "$tmp/full.pcap" || fail "mk_full_table.py"
"$fwsight" analyze --json --max-verdicts 16 "$tmp/full.pcap" > "$tmp/full.json" 2> "$tmp/full.err"
[ $? = 1 ] || fail "--max-verdicts 16: exit status, stderr: $(head -c 300 "$tmp/full.err")"
python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
t=d["captures"][0]["verdict_table"]
assert t=={"max_verdicts":16,"attempts_not_kept":4,"evicted_open_verdicts":16,"evicted_attempts":17}, t
v=[x for x in d["verdicts"] if x["proto"]=="tcp"]
assert len(v)==16 and all(x["verdict"]=="DROPPED" for x in v), v' "$tmp/full.json" ||
    fail "--json verdict_table counters at the cap"
"$fwsight" analyze --max-verdicts 16 "$tmp/full.pcap" > "$tmp/full.txt" 2>&1
grep -q "warning: 4 attempts were not kept and 16 OPEN verdicts on ports outside the profile (17 attempts) were evicted" "$tmp/full.txt" ||
    fail "the text report's warning at the cap: $(grep -m1 warning "$tmp/full.txt")"
"$fwsight" analyze --json "$tmp/full.pcap" > "$tmp/roomy.json" 2> /dev/null
python3 -c 'import json,sys
t=json.load(open(sys.argv[1]))["captures"][0]["verdict_table"]
assert t=={"max_verdicts":262144,"attempts_not_kept":0,"evicted_open_verdicts":0,"evicted_attempts":0}, t' \
    "$tmp/roomy.json" || fail "--json verdict_table counters under the default cap"

# A report too long to print whole (mk_full_table.py --wide: 120 blocked paths over 21 host
# pairs, 100 of them on one pair): each long part ends in a line of counts, the pair blocked
# most keeps its matrix, and --all prints every part whole, with no such line.
python3 "$here/mk_full_table.py" --wide "$tmp/wide.pcap" || fail "mk_full_table.py --wide"
"$fwsight" analyze "$tmp/wide.pcap" > "$tmp/wide.txt" 2>&1
[ $? = 1 ] || fail "the long report: exit status"
"$fwsight" analyze --all "$tmp/wide.pcap" > "$tmp/wide-all.txt" 2>&1
[ $? = 1 ] || fail "the long report with --all: exit status"
for want in '^  \.\.\. 9 more places to open ports \(8 with required ones\), 9 rules in all \(--all lists them\)$' \
            '^  \.\.\. 26 more directions untested, 507 ports in all \(--all lists them\)$' \
            '^    \.\.\. 40 more rows, their cells: 40 DROPPED \(--all shows every row\)$' \
            '^  \.\.\. 5 more host pairs, 5 of them with a blocked port \(--all shows their matrices\)$' \
            '^  \.\.\. 80 more paths: 80 DROPPED \(--all shows their evidence\)$' \
            '^  \.\.\. 44 more protocol/port groups \(--all lists them\)$' \
            '^  Source 198\.51\.100\.10 \(capture point\), target 203\.0\.113\.20$'; do
    grep -Eq -- "$want" "$tmp/wide.txt" || fail "the long report lacks /$want/"
done
grep -q -- '(--all' "$tmp/wide-all.txt" && fail "--all still cuts: $(grep -m1 -- '(--all' "$tmp/wide-all.txt")"
count() { grep -Ec -- "$1" "$tmp/wide-all.txt"; }
[ "$(count '^  On a firewall between them')" = 21 ] || fail "--all: $(count '^  On a firewall between them') places to open ports, wanted 21"
[ "$(count '^  Untested ')" = 32 ] || fail "--all: $(count '^  Untested ') untested directions, wanted 32"
[ "$(count '^    other ports +tcp +30(0[0-9][0-9]|100) ')" = 100 ] || fail "--all: matrix rows of the scanned pair"
[ "$(count '^  Source 198\.51\.100\.10 ')" = 21 ] || fail "--all: $(count '^  Source 198') matrices, wanted 21"
[ "$(count '^  198\.51\.100\.10 -> [0-9.]+ tcp [0-9]+ .*: DROPPED$')" = 120 ] || fail "--all: blocked paths"
[ "$(count '^  tcp +30[01][0-9][0-9] ')" -gt 20 ] || fail "--all: the failed attempts' table is cut"

# Two captures (mk_full_table.py --pair): each fits the 16 cells, their verdicts together do
# not. 7 answered SYNs on 6 ports seen by both servers; then each alone sees 10 unanswered
# SYNs with a third host. Combined, 6 OPEN cells and 20 failures: the failures evict the 6 OPEN
# cells (7 attempts) and the last 4 are not kept. The correlation object counts what the
# combined table cost, as the text report's warning does; each capture's own table is whole.
python3 "$here/mk_full_table.py" --pair "$tmp/pair1.pcap" "$tmp/pair2.pcap" ||
    fail "mk_full_table.py --pair"
"$fwsight" analyze --json --max-verdicts 16 "$tmp/pair1.pcap" "$tmp/pair2.pcap" \
    > "$tmp/pair.json" 2> "$tmp/pair.err"
[ $? = 1 ] || fail "two captures, --max-verdicts 16: exit status, stderr: $(head -c 300 "$tmp/pair.err")"
python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
c=d["correlation"]
assert c["combined"] is True and c["matched"]==7 and c["only_first"]==10 and c["only_second"]==10, c
assert c["verdict_table"]=={"max_verdicts":16,"attempts_not_kept":4,"evicted_open_verdicts":6,"evicted_attempts":7}, c
for cap in d["captures"]:
    assert cap["verdict_table"]=={"max_verdicts":16,"attempts_not_kept":0,"evicted_open_verdicts":0,"evicted_attempts":0}, cap
v=[x for x in d["verdicts"] if x["proto"]=="tcp"]
assert len(v)==16 and all(x["verdict"]=="DROPPED" for x in v), v' "$tmp/pair.json" ||
    fail "--json correlation verdict_table counters at the cap"
"$fwsight" analyze --max-verdicts 16 "$tmp/pair1.pcap" "$tmp/pair2.pcap" > "$tmp/pair.txt" 2>&1
want="warning: 4 attempts were not kept and 6 OPEN verdicts on ports outside the profile (7 \
attempts) were evicted (too many ports and hosts): the verdicts below are incomplete"
n=$(grep -cF "$want" "$tmp/pair.txt")
[ "$n" = 1 ] || fail "two captures: the text report's warning at the cap, $n times: $(grep -m1 warning "$tmp/pair.txt")"
"$fwsight" analyze --json "$tmp/pair1.pcap" "$tmp/pair2.pcap" > "$tmp/pair-roomy.json" 2> /dev/null
python3 -c 'import json,sys
t=json.load(open(sys.argv[1]))["correlation"]["verdict_table"]
assert t=={"max_verdicts":262144,"attempts_not_kept":0,"evicted_open_verdicts":0,"evicted_attempts":0}, t' \
    "$tmp/pair-roomy.json" || fail "--json correlation verdict_table counters under the default cap"

# The DCE/RPC parser reads at most 32 TCP 135 connections at once: 33 that each bind to the
# endpoint mapper and stay open push the first one out, and the report says so (text and
# JSON), since a port named on it would not have been learned.
python3 - "$tmp/rpc33.pcap" <<'PYEOF'
import struct, sys
def frame(t, src, dst, sport, dport, flags, seq, payload=b""):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + len(payload), 0, 0x4000, 64, 6, 0,
                     bytes(src), bytes(dst))
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 0x50, flags, 65535, 0, 0)
    pkt = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + tcp + payload
    return struct.pack("<IIII", t // 1000000, t % 1000000, len(pkt), len(pkt)) + pkt
# A bind to the endpoint mapper (C706 12.6.4.3), little-endian: one context, NDR transfer.
epm = bytes.fromhex("0883afe11f5dc91191a408002b14a0fa") + struct.pack("<I", 3)
ndr = bytes.fromhex("045d888aeb1cc9119fe808002b104860") + struct.pack("<I", 2)
body = struct.pack("<HHIB3xHB1x", 5840, 5840, 0, 1, 0, 1) + epm + ndr
bind = struct.pack("<BBBB4sHHI", 5, 0, 11, 3, b"\x10\0\0\0", 16 + len(body), 0, 1) + body
c, s = (198, 51, 100, 10), (203, 0, 113, 20)
out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
t = 1700000000 * 1000000
for i in range(33):
    sp = 50000 + i
    out += [frame(t, c, s, sp, 135, 0x02, 1000), frame(t + 100, s, c, 135, sp, 0x12, 9000),
            frame(t + 200, c, s, sp, 135, 0x10, 1001),
            frame(t + 300, c, s, sp, 135, 0x18, 1001, bind)]
    t += 1000
open(sys.argv[1], "wb").write(b"".join(out))
PYEOF
"$fwsight" analyze --json "$tmp/rpc33.pcap" > "$tmp/rpc33.json" 2> "$tmp/rpc33.err" ||
    fail "33 TCP 135 connections: exit status, stderr: $(head -c 300 "$tmp/rpc33.err")"
python3 -c 'import json,sys
r=json.load(open(sys.argv[1]))["captures"][0]["dcerpc"]
assert r=={"pdus":33,"truncated":0,"malformed":0,"incomplete":0,"ports_learned":0,
           "connections_evicted":1,"memory_failures":0}, r' "$tmp/rpc33.json" ||
    fail "--json dcerpc counters past the connection cap"
"$fwsight" analyze "$tmp/rpc33.pcap" > "$tmp/rpc33.txt" 2>&1
want="    not parsed                 1 connection pushed out (over 32 at once), 0 segments \
without parser memory"
grep -qxF "$want" "$tmp/rpc33.txt" ||
    fail "the text report's DCE/RPC lines past the connection cap: $(grep -A2 DCE/RPC "$tmp/rpc33.txt")"

# Writing to a full disk is an error, not a silent loss.
if [ -w /dev/full ]; then
    expect 2 'writing' analyze "$cap" --conn-log /dev/full
fi

if [ $failures -gt 0 ]; then
    echo "$failures CLI checks failed"
    exit 1
fi
echo "all CLI checks passed"
