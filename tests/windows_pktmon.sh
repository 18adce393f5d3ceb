#!/bin/bash
# tests/windows_pktmon.sh: a capture as pktmon writes it (samples/windows/pktmon.pcapng: one
# interface per component, each packet logged two to four times, per-packet comments and
# options, see mk_pktmon.py) gives the verdicts of the plain capture it was made from
# (samples/demo/source.pcap.gz): the copies are skipped and counted, never taken for
# retransmissions or further attempts; also when every copy is on one interface. Only the
# frame numbers in the evidence differ (they are the pktmon file's, as Wireshark numbers it).
#
#   windows_pktmon.sh FWSIGHT SAMPLES_DIR
set -u
fwsight=${1:?usage: windows_pktmon.sh FWSIGHT SAMPLES_DIR}
samples=${2:?usage: windows_pktmon.sh FWSIGHT SAMPLES_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
plain=$samples/demo/source.pcap.gz
pktmon=$samples/windows/pktmon.pcapng

# The committed sample is what its script makes.
python3 "$samples/windows/mk_pktmon.py" "$plain" "$tmp/pktmon.pcapng" > "$tmp/mk.out" ||
    fail "mk_pktmon.py"
cmp -s "$tmp/pktmon.pcapng" "$pktmon" || fail "$pktmon differs from what mk_pktmon.py makes"
grep -q '^43 packets, 154 packet blocks, 111 copies$' "$tmp/mk.out" ||
    fail "mk_pktmon.py: $(cat "$tmp/mk.out")"

"$fwsight" analyze --json "$plain" > "$tmp/plain.json" 2> "$tmp/plain.err"
st_plain=$?
"$fwsight" analyze --json "$pktmon" > "$tmp/pktmon.json" 2> "$tmp/pktmon.err"
st_pktmon=$?
[ "$st_plain" = 1 ] && [ "$st_pktmon" = 1 ] ||
    fail "exit status $st_pktmon (plain: $st_plain), expected 1: $(head -c 300 "$tmp/pktmon.err")"
python3 - "$tmp/plain.json" "$tmp/pktmon.json" <<'PY' || fail "verdicts differ"
import json, re, sys
plain, pktmon = (json.load(open(f)) for f in sys.argv[1:])
mask = lambda v: json.loads(re.sub(r"frame \d+", "frame N", json.dumps(v)))
a, b = mask(plain["verdicts"]), mask(pktmon["verdicts"])
if a != b or not a:
    for x, y in zip(a, b):
        if x != y:
            print("  plain: ", x, "\n  pktmon:", y, file=sys.stderr)
    sys.exit(1)
c = pktmon["captures"][0]
got = {k: c[k] for k in ("format", "packets", "interfaces", "duplicates", "bad_records")}
want = {"format": "pcapng", "packets": 43, "interfaces": 3, "duplicates": 111, "bad_records": 0}
if got != want:
    print("  capture:", got, "expected", want, file=sys.stderr)
    sys.exit(1)
if plain["captures"][0]["duplicates"] != 0 or plain["captures"][0]["interfaces"] != 0:
    print("  the plain pcap counts interfaces or duplicates", file=sys.stderr)
    sys.exit(1)
PY
# pktmon's own conversion may put every component on one interface: the packet comments
# alone then tell the copies (same PktGroupId and PktNumber) from retransmissions.
python3 "$samples/windows/mk_pktmon.py" --one-interface "$plain" "$tmp/one.pcapng" > /dev/null ||
    fail "mk_pktmon.py --one-interface"
"$fwsight" analyze --json "$tmp/one.pcapng" > "$tmp/one.json" 2> /dev/null
python3 - "$tmp/plain.json" "$tmp/one.json" <<'PY' || fail "one interface: verdicts differ"
import json, re, sys
plain, one = (json.load(open(f)) for f in sys.argv[1:])
mask = lambda v: json.loads(re.sub(r"frame \d+", "frame N", json.dumps(v)))
c = one["captures"][0]
assert (c["packets"], c["interfaces"], c["duplicates"]) == (43, 1, 111), c
assert mask(plain["verdicts"]) == mask(one["verdicts"])
PY
"$fwsight" analyze "$pktmon" > "$tmp/pktmon.txt" 2>&1
line='  interfaces   3; duplicates 111 (copies at another interface or pktmon component: skipped)'
grep -qxF "$line" "$tmp/pktmon.txt" || fail "the report's capture section lacks: $line"
grep -q 'frame 15 at 18:59:38.271438: SYN sent 4 times (3 retransmissions)' "$tmp/pktmon.txt" ||
    fail "tcp 6325's evidence: $(grep -m1 'SYN sent' "$tmp/pktmon.txt")"

if [ "$failures" -gt 0 ]; then
    echo "$failures pktmon checks failed"
    exit 1
fi
echo "pktmon sample: same verdicts as the plain capture, 111 copies skipped"
