#!/usr/bin/env bash
# bench/run.sh: measures `fwsight analyze` against a bare libpcap reading loop on the same
# generated captures, one core each, and prints the results tables (also written to
# bench/RESULTS.md, or $FW_BENCH_DIR/RESULTS-quick.md with --quick).
#
#   bench/run.sh [--quick] [--mix web|fw|both] [FWSIGHT]
#
# Two mixes (fwsight-bench-gen --mix): "web", mostly TCP transfers among thousands of hosts,
# and "fw", firewall-heavy traffic among ~440 hosts: a third of the sessions failing (SYNs
# retransmitted unanswered, resets half of them forged, ICMP admin-prohibited, UDP and echo
# unanswered), endpoint-mapper exchanges on TCP 135 and the dynamic ports they name, ~77k
# verdict cells in 10M frames. Both by default, one after the other. Each mix's two plain files
# are also read once with --json, for their verdict cells: peak memory is held to grow no more
# than 1.25 times as much as they do (memory follows the cells, up to --max-verdicts, not the
# file), and for the fw mix no attempt may go unjudged on the 10M file.
# With $FW_BENCH_LOCK set to a lock file, each step that loads the CPU (making a capture,
# timing one file) holds it (flock), so that engineers sharing the machine take turns.
#
# FWSIGHT (or $FWSIGHT) is the fwsight binary, built Release; the generator and the bare loop
# come from $FW_BENCH_BUILD (default build-bench/ beside bench/). Captures go to $FW_BENCH_DIR
# (default bench/data/, git-ignored) and are kept between runs: 1M and 10M frames of each mix
# (web: mean frame ~800 bytes, 10M is ~8 GB, made in ~25 s, gzip -1 takes ~2.5 min; fw: mean
# frame ~400 bytes, 10M is ~4 GB) plus their gzip; delete them when done. The whole 10M file
# and its .gz are read from the page cache (one warming read first), so this needs ~14 GB of
# free RAM and measures CPU, not the disk. Each program runs pinned to $FW_BENCH_CPU (default
# 1), the two taking turns, best wall time of $FW_BENCH_RUNS (default 3); peak RSS is the
# largest of the runs. fwsight reads each .gz file once more in each turn, not pinned (its
# inflating thread on a second core). A full run takes ~11 minutes on an idle machine: other
# work on it skews every figure (the load average is printed with the table); to tell two
# builds apart by less than that moves, bench/compare.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
quick=0
mixes=(web fw)
while [[ ${1:-} == --* ]]; do
    case $1 in
    --quick) quick=1 ;;
    --mix)
        case ${2:-} in
        web | fw) mixes=("$2") ;;
        both) mixes=(web fw) ;;
        *) echo "run.sh: --mix web|fw|both" >&2; exit 2 ;;
        esac
        shift ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
lock=${FW_BENCH_LOCK:-}
build=${FW_BENCH_BUILD:-$here/../build-bench}
fwsight=${1:-${FWSIGHT:-$build/app/fwsight}}
gen=$build/bench/fwsight-bench-gen
bare=$build/bench/fwsight-bench-bare
data=${FW_BENCH_DIR:-$here/data}
cpu=${FW_BENCH_CPU:-1}
runs=${FW_BENCH_RUNS:-3}
seed=1

if ((quick)); then
    small=100000 big=1000000 small_name=100k big_name=1M
    results=$data/RESULTS-quick.md
else
    small=1000000 big=10000000 small_name=1M big_name=10M
    results=$here/RESULTS.md
fi

for tool in "$gen" "$bare" "$fwsight"; do
    if [[ ! -x $tool ]]; then
        echo "run.sh: $tool: not built (cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release" \
             "-DFW_TESTS=OFF && cmake --build build-bench)" >&2
        exit 2
    fi
done
if [[ ! -x /usr/bin/time ]]; then
    echo "run.sh: /usr/bin/time missing (apt-get install time)" >&2
    exit 2
fi
mkdir -p "$data"

# gzip -1 is the cheap setting people use for captures; pigz writes the same format faster.
gz_tool=(gzip -1 -c)
if command -v pigz >/dev/null; then
    gz_tool=(pigz -1 -c)
fi

# take_lock / drop_lock: the shared CPU lock around one step, when $FW_BENCH_LOCK names one.
take_lock() { if [[ -n $lock ]]; then exec 9>>"$lock" && flock 9; fi; }
drop_lock() { if [[ -n $lock ]]; then flock -u 9 && exec 9>&-; fi; }

# capture_of MIX N: the file name of the capture of N frames of MIX.
capture_of()
{
    [[ $1 == web ]] && echo "$data/gen-$2-s$seed.pcap" || echo "$data/gen-$1-$2-s$seed.pcap"
}

# make_capture MIX N: the capture of N frames (rebuilt when the generator is newer) and its
# .gz.
make_capture()
{
    local mix=$1 n=$2 f
    f=$(capture_of "$mix" "$n")
    if [[ ! -s $f || $gen -nt $f ]]; then
        echo "generating $f" >&2
        take_lock
        "$gen" "$n" "$f.tmp" --seed "$seed" --mix "$mix" && mv "$f.tmp" "$f"
        drop_lock
    fi
    if [[ ! -s $f.gz || $f -nt $f.gz ]]; then
        echo "compressing $f" >&2
        take_lock
        "${gz_tool[@]}" "$f" >"$f.gz.tmp" && mv "$f.gz.tmp" "$f.gz"
        drop_lock
    fi
}

# run_once MAX_OK CMD...: one run pinned to $cpu (with $pin=0: on every core); wall seconds
# (nanosecond clock around the process) into run_s, max RSS in KiB into run_kib, stdout into
# run_out. An exit status above MAX_OK stops the benchmark.
pin=1
run_once()
{
    local max_ok=$1 t0 t1 tmp rc=0 pinned=()
    shift
    ((pin)) && pinned=(taskset -c "$cpu")
    tmp=$(mktemp)
    t0=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$tmp.time" "${pinned[@]}" "$@" >"$tmp.out" 2>"$tmp.err" \
        || rc=$?
    t1=$(date +%s%N)
    if ((rc > max_ok)); then
        echo "run.sh: $* exited with $rc:" >&2
        cat "$tmp.err" >&2
        rm -f "$tmp" "$tmp.time" "$tmp.out" "$tmp.err"
        exit 1
    fi
    run_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
    run_kib=$(tail -n 1 "$tmp.time")
    run_out=$(cat "$tmp.out")
    rm -f "$tmp" "$tmp.time" "$tmp.out" "$tmp.err"
}

# min A B: the smaller of two decimal numbers (A may be empty).
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }

fmt() { awk -v x="$1" -v d="$2" 'BEGIN { printf "%.*f", d, x }'; }

rows=() gz_rows=()
declare -A wall rss ratio free_ratio
# bench_one LABEL FILE PCAP_BYTES: the bare loop and fwsight on FILE, taking turns so that a
# disturbance on the machine hits both alike; best time of each, largest RSS of fwsight. A .gz
# file is read by fwsight once more in each turn, not pinned: with a second core its inflating
# thread runs beside the analysis (capture/cap_gunzip.c), against the same one-core bare loop.
bench_one()
{
    local label=$1 file=$2 pcap_bytes=$3 frames bare_s="" fw_s="" free_s="" peak_kib=0 i
    cat "$file" >/dev/null # warm the page cache
    take_lock
    for ((i = 0; i < runs; i++)); do
        run_once 0 "$bare" "$file"
        frames=$(awk '{ print $2 }' <<<"$run_out")
        bare_s=$(min "$bare_s" "$run_s")
        run_once 1 "$fwsight" analyze "$file" # 1: blocking found, which these captures hold
        fw_s=$(min "$fw_s" "$run_s")
        ((run_kib > peak_kib)) && peak_kib=$run_kib
        if [[ $file == *.gz ]]; then
            pin=0
            run_once 1 "$fwsight" analyze "$file"
            pin=1
            free_s=$(min "$free_s" "$run_s")
        fi
    done
    drop_lock
    if [[ -n $free_s ]]; then
        free_ratio[$label]=$(awk -v b="$bare_s" -v f="$free_s" 'BEGIN { printf "%.3f", b / f }')
        gz_rows+=("| $label | $(fmt "$bare_s" 3) | $(fmt "$free_s" 3) | ${free_ratio[$label]} |")
    fi
    wall[$label]=$fw_s
    rss[$label]=$peak_kib
    ratio[$label]=$(awk -v b="$bare_s" -v f="$fw_s" 'BEGIN { printf "%.3f", b / f }')
    local mb=$((pcap_bytes / 1000000)) disk_mb=$(($(stat -c %s "$file") / 1000000))
    rows+=("| $label | $((frames / 1000))k | $disk_mb | $(fmt "$bare_s" 3) | \
$(awk -v n="$frames" -v s="$bare_s" 'BEGIN { printf "%.2f", n / s / 1e6 }') | \
$(awk -v m="$mb" -v s="$bare_s" 'BEGIN { printf "%.0f", m / s }') | $(fmt "$fw_s" 3) | \
$(awk -v n="$frames" -v s="$fw_s" 'BEGIN { printf "%.2f", n / s / 1e6 }') | \
$(awk -v m="$mb" -v s="$fw_s" 'BEGIN { printf "%.0f", m / s }') | ${ratio[$label]} | \
$(awk -v k="$peak_kib" 'BEGIN { printf "%.1f", k / 1024 }') |")
    echo "${rows[-1]}" >&2
}

# unjudged MIX FILE: one --json run on FILE; sets verdicts (how many) and not_kept (attempts
# the verdict table could not keep, captures[0].verdict_table.attempts_not_kept).
unjudged()
{
    local json rc=0
    json=$(mktemp)
    take_lock
    "$fwsight" analyze --json "$2" >"$json" || rc=$?
    drop_lock
    if ((rc > 1)); then
        echo "run.sh: fwsight analyze --json $2 exited with $rc" >&2
        exit 1
    fi
    read -r verdicts not_kept < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(len(d["verdicts"]), d["captures"][0]["verdict_table"]["attempts_not_kept"])' "$json")
    rm -f "$json"
}

pass() { awk "BEGIN { exit !($1) }" && echo PASS || echo FAIL; }

# bench_mix MIX: the four files of MIX timed, and its section of the results.
bench_mix()
{
    local mix=$1 small_f big_f small_bytes big_bytes time_ratio rss_ratio gz_rss_ratio
    local small_verdicts=0 big_verdicts=0 big_not_kept=0 rss_bound=1.25
    rows=() gz_rows=()
    wall=() rss=() ratio=() free_ratio=()
    local load=$(cut -d ' ' -f 1 /proc/loadavg) # other work on the machine skews every figure
    make_capture "$mix" "$small"
    make_capture "$mix" "$big"
    small_f=$(capture_of "$mix" "$small")
    big_f=$(capture_of "$mix" "$big")
    small_bytes=$(stat -c %s "$small_f")
    big_bytes=$(stat -c %s "$big_f")
    bench_one "$small_name" "$small_f" "$small_bytes"
    bench_one "$big_name" "$big_f" "$big_bytes"
    bench_one "$small_name .gz" "$small_f.gz" "$small_bytes"
    bench_one "$big_name .gz" "$big_f.gz" "$big_bytes"
    local load_end=$(cut -d ' ' -f 1 /proc/loadavg)
    unjudged "$mix" "$small_f"
    small_verdicts=$verdicts
    unjudged "$mix" "$big_f"
    big_verdicts=$verdicts big_not_kept=$not_kept
    # Memory follows the verdict cells: the bound grows with them, not with the file. (The web
    # mix's cells grow with it: its thousands of clients and servers keep meeting in pairs
    # not seen before.)
    rss_bound=$(awk -v a="$big_verdicts" -v b="$small_verdicts" \
        'BEGIN { r = a / b; printf "%.2f", 1.25 * (r > 1 ? r : 1) }')

    # The targets: rate against the bare loop, linear time, memory bounded by flows and cells.
    time_ratio=$(awk -v a="${wall[$big_name]}" -v b="${wall[$small_name]}" \
        'BEGIN { printf "%.2f", a / b }')
    rss_ratio=$(awk -v a="${rss[$big_name]}" -v b="${rss[$small_name]}" \
        'BEGIN { printf "%.2f", a / b }')
    gz_rss_ratio=$(awk -v a="${rss[$big_name .gz]}" -v b="${rss[$small_name .gz]}" \
        'BEGIN { printf "%.2f", a / b }')
    echo "## Mix: $mix"
    echo
    echo "| file | frames | size MB | bare s | bare Mpkt/s | bare MB/s | fwsight s |" \
         "fwsight Mpkt/s | fwsight MB/s | fwsight/bare | fwsight peak RSS MiB |"
    echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "The .gz files again, fwsight not pinned ($(nproc) cores: the inflating thread on one," \
         "the analysis on another), against the same bare loop on one core:"
    echo
    echo "| file | bare s (one core) | fwsight s (not pinned) | fwsight/bare |"
    echo "|---|--:|--:|--:|"
    printf '%s\n' "${gz_rows[@]}"
    echo
    echo "| target | measured | result |"
    echo "|---|--:|---|"
    echo "| $small_name plain: fwsight >= 0.6 of the bare loop's rate | ${ratio[$small_name]} |" \
         "$(pass "${ratio[$small_name]} >= 0.6") |"
    echo "| $big_name plain: fwsight >= 0.6 of the bare loop's rate | ${ratio[$big_name]} |" \
         "$(pass "${ratio[$big_name]} >= 0.6") |"
    echo "| $small_name .gz: fwsight >= 0.9 of the bare loop through zlib |" \
         "${ratio[$small_name .gz]} | $(pass "${ratio[$small_name .gz]} >= 0.9") |"
    echo "| $big_name .gz: fwsight >= 0.9 of the bare loop through zlib |" \
         "${ratio[$big_name .gz]} | $(pass "${ratio[$big_name .gz]} >= 0.9") |"
    local f
    for f in "$small_name .gz" "$big_name .gz"; do
        echo "| $f, fwsight not pinned: >= 0.9 of the bare loop through zlib |" \
             "${free_ratio[$f]} | $(pass "${free_ratio[$f]} >= 0.9") |"
    done
    echo "| $big_name time <= 10.5 x $small_name time (plain) | $time_ratio |" \
         "$(pass "$time_ratio <= 10.5") |"
    echo "| $big_name peak RSS <= $rss_bound x $small_name peak RSS (plain) | $rss_ratio |" \
         "$(pass "$rss_ratio <= $rss_bound") |"
    echo "| $big_name peak RSS <= $rss_bound x $small_name peak RSS (.gz) | $gz_rss_ratio |" \
         "$(pass "$gz_rss_ratio <= $rss_bound") |"
    if [[ $mix == fw ]]; then
        echo "| $big_name: attempts not judged at default settings | $big_not_kept |" \
             "$(pass "$big_not_kept == 0") |"
    fi
    echo
    echo "Verdicts: $small_verdicts on $small_name, $big_verdicts on $big_name; the RSS" \
         "bound is 1.25 times the growth of the verdict cells, since memory follows them" \
         "(bounded by --max-verdicts), not the file."
    echo
    echo "Load average $load at the start of this mix, $load_end at its end" \
         "(above 0.5, the figures are not to be trusted; the ratios, both programs in the" \
         "same run, are what to compare)."
    echo
}

{
    for mix in "${mixes[@]}"; do
        bench_mix "$mix"
    done
    if ((quick)); then
        echo "Quick run: $small_name frames are about one second of capture, less than the" \
             "5 s attempt timeout, so the live set (and the memory) has not reached its" \
             "plateau yet; the targets are judged on the full run (1M and 10M)."
        echo
    fi
    echo "Captures: \`fwsight-bench-gen N FILE --seed $seed --mix MIX\` (web: mixed" \
         "IPv4/IPv6 TCP, UDP, ICMP; ~4k sessions at once, ~20k live flows at most, ~200k" \
         "flows per 10M frames, mean frame ~800 bytes; fw: the firewall-heavy mix above," \
         "mean frame ~400 bytes), gzip: \`${gz_tool[*]}\`. MB/s counts uncompressed pcap" \
         "bytes, size MB the file on disk. Best wall time of $runs runs, each pinned to one" \
         "core (taskset -c $cpu), files in the page cache. Bare loop: libpcap" \
         "$(pcap-config --version 2>/dev/null || echo '?') pcap_next_ex over a 1 MiB stdio" \
         "buffer (zlib behind fopencookie for .gz). CPU: $(lscpu | sed -n \
         's/^Model name: *//p' | head -n 1), $(nproc) cores, kernel $(uname -r)."
} >"$results.tmp"
mv "$results.tmp" "$results"
cat "$results"
