#!/bin/bash
# tests/faults/flood_test.sh: ten million connections (one SYN each, distinct 5-tuples, from
# faults_synflood) piped into `fwsight analyze -` with --max-flows 100000. The table must hold
# its cap (peak 100000, memory flat: the same as with 300 000 connections), every connection
# pushed out must be counted as an eviction in the JSON, in the verdicts it touched and in the
# text report's WARNING, and none may be lost: 10M in, 10M out.
#
#   flood_test.sh FWSIGHT SYNFLOOD [N]     (N: connections, default 10000000)
#
# Memory: a flow costs about 460 bytes (analyze/analyzer.c), so 10M tracked at once would take
# over 4.4 GiB; capped at 100000 they take about 45 MiB, and under ASan the whole process peaks
# near 70 MiB. The bound, the peak of the 300 000-connection run plus 16 MiB (and never above
# 256 MiB), fails as soon as memory grows with the number of connections rather than the cap.
set -u
fwsight=${1:?usage: flood_test.sh FWSIGHT SYNFLOOD [N]}
synflood=${2:?usage: flood_test.sh FWSIGHT SYNFLOOD [N]}
n=${3:-10000000}
cap=100000
small=300000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run N ARGS...: synflood N | fwsight analyze - --max-flows $cap ARGS; sets status (fwsight's)
# and rss_kib (its peak resident memory).
run() {
    local count=$1
    shift
    "$synflood" "$count" | /usr/bin/time -f '%M' -o "$tmp/rss" \
        "$fwsight" analyze - --max-flows $cap "$@" > "$tmp/out" 2> "$tmp/err"
    local st=("${PIPESTATUS[@]}")
    status=${st[1]}
    [ "${st[0]}" = 0 ] || fail "faults_synflood $count exited ${st[0]}"
    rss_kib=$(tail -n 1 "$tmp/rss")
}

# The small run: the text report, and the memory of a full table.
run $small
[ "$status" = 1 ] ||
    fail "$small connections: exit status $status, expected 1: $(head -c 300 "$tmp/err")"
[ -s "$tmp/err" ] && fail "$small connections: stderr: $(head -c 300 "$tmp/err")"
want="  WARNING: $((small - cap)) connections were evicted when the table was full"
want+=" (--max-flows $cap);"
grep -qxF -- "$want" "$tmp/out" || fail "$small connections: the report lacks '$want'"
grep -qxF -- "  they were cut short and may look unanswered. Raise --max-flows." "$tmp/out" ||
    fail "$small connections: the report lacks the WARNING's second line"
grep -qE "^Connections: $small \(tcp $small," "$tmp/out" ||
    fail "$small connections: the report lacks 'Connections: $small'"
base_kib=$rss_kib

run "$n" --json
echo "$n connections: peak RSS $rss_kib KiB ($small connections: $base_kib KiB)"
[ "$status" = 1 ] ||
    fail "$n connections: exit status $status, expected 1: $(head -c 300 "$tmp/err")"
[ -s "$tmp/err" ] && fail "$n connections: stderr: $(head -c 300 "$tmp/err")"
[ "$rss_kib" -le $((base_kib + 16384)) ] ||
    fail "$n connections: peak RSS $rss_kib KiB, above the full table's $base_kib KiB + 16 MiB"
[ "$rss_kib" -le $((256 * 1024)) ] || fail "$n connections: peak RSS $rss_kib KiB above 256 MiB"
python3 - "$tmp/out" "$n" $cap <<'EOF' || fail "$n connections: the JSON report is wrong"
import json, re, sys
d = json.load(open(sys.argv[1]))
n, cap = int(sys.argv[2]), int(sys.argv[3])
ok = True
def expect(what, got, want):
    global ok
    if got != want:
        print("FAIL: %s is %r, expected %r" % (what, got, want))
        ok = False
s = d["connections_summary"]
expect("packets", d["captures"][0]["packets"], n)
expect("connections", s["total"], n)
expect("evictions", s["evictions"], n - cap)
expect("max_flows", s["max_flows"], cap)
expect("peak_flows", s["peak_flows"], cap)
expect("ended_by", (s["ended_by"]["evicted"], s["ended_by"]["end_of_input"]), (n - cap, cap))
# One verdict per source address (64512 ports each), toward tcp 6320: DROPPED, but
# INCONCLUSIVE for a source whose SYNs all came in the capture's last second (one a
# microsecond) and were still waiting when it ended (the last `cap` flows: the earlier ones
# were evicted, and an evicted attempt is no capture that ended too soon). The attempts the
# cap cut short are said in their evidence, every one of them, so no verdict rests on them
# silently.
blocked = [v for v in d["verdicts"] if v["verdict"] != "UNTESTED"]
sources = (n + 64511) // 64512
def want(i):
    late = i * 64512 >= n - cap and n - 1 - i * 64512 < 1000000
    return "INCONCLUSIVE" if late else "DROPPED"
expect("verdicts", sorted((v["from"], v["proto"], v["port"], v["verdict"]) for v in blocked),
       sorted(("198.51.100.%d" % i, "tcp", 6320, want(i)) for i in range(sources)))
attempts = cut = 0
for v in blocked:
    for e in v["evidence"]:
        m = re.match(r"(\d+) attempts?: ", e)
        attempts += int(m.group(1)) if m else 0
        m = re.match(r"(\d+) attempt\(s\) cut short by the flow table's cap$", e)
        cut += int(m.group(1)) if m else 0
expect("attempts in the verdicts", attempts, n)
expect("attempts cut short in the verdicts", cut, n - cap)
sys.exit(0 if ok else 1)
EOF

if [ $failures -gt 0 ]; then
    echo "$failures flood checks failed"
    exit 1
fi
echo "all flood checks passed"
