#!/bin/bash
# scripts/fuzz.sh: runs the libFuzzer targets (tests/fuzz/) for a while, with their seeds, and
# says per target how long it ran, how many inputs it tried and whether it ran clean.
#
#   scripts/fuzz.sh [-t TIME] [-j N] [-b BUILD] [-c CORPUS] [-o CRASHES] [TARGET...|all]
#
#   -t TIME     per target: hours (1, 0.5), or minutes/seconds with a suffix (10m, 90s);
#               default 1 (hour)
#   -j N        targets run at once, one process each (default 1)
#   -b BUILD    the clang build (default build-fuzz; configured and built when missing)
#   -c CORPUS   where each target's corpus grows, CORPUS/corpus-TARGET (default BUILD): kept
#               between runs, outside the source tree
#   -o CRASHES  where crashing inputs go, CRASHES/TARGET-crash-... (default BUILD/crashes)
#   TARGET      dcerpc, decode, reader, correlate, profile (fuzz_ prefix optional); default all
#
# Seeds: the build's seeds (made from samples/ and profiles/), the committed ones and the
# regressions in tests/fuzz/, and for the reader ../shared/corpus/tcpdump/captures when it is
# beside the repository. Exit status: 0 when every target ran clean, 1 otherwise.
set -u
cd "$(dirname "$0")/.."
src=$PWD

time_arg=1 jobs=1 build=build-fuzz corpus= crashes=
while getopts "t:j:b:c:o:h" opt; do
    case $opt in
    t) time_arg=$OPTARG ;;
    j) jobs=$OPTARG ;;
    b) build=$OPTARG ;;
    c) corpus=$OPTARG ;;
    o) crashes=$OPTARG ;;
    *) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
corpus=${corpus:-$build}
crashes=${crashes:-$build/crashes}

if ! [[ $time_arg =~ ^[0-9]+(\.[0-9]+)?[ms]?$ ]]; then
    echo "fuzz.sh: -t needs a positive time (1, 0.5, 10m, 90s), not '$time_arg'" >&2
    exit 2
fi
case $time_arg in
*m) secs=$(awk -v t="${time_arg%m}" 'BEGIN { printf "%d", t * 60 }') ;;
*s) secs=$(awk -v t="${time_arg%s}" 'BEGIN { printf "%d", t }') ;;
*) secs=$(awk -v t="$time_arg" 'BEGIN { printf "%d", t * 3600 }') ;;
esac
if ! [ "$secs" -gt 0 ] 2> /dev/null || ! [ "$jobs" -gt 0 ] 2> /dev/null; then
    echo "fuzz.sh: -t needs a positive time (1, 0.5, 10m, 90s), -j a positive number" >&2
    exit 2
fi

all=(dcerpc decode reader correlate profile)
targets=()
for t in "${@:-all}"; do
    t=${t#fuzz_}
    if [ "$t" = all ]; then
        targets+=("${all[@]}")
    elif [[ " ${all[*]} " == *" $t "* ]]; then
        targets+=("$t")
    else
        echo "fuzz.sh: no target '$t' (targets: ${all[*]})" >&2
        exit 2
    fi
done

if [ ! -x "$build/tests/fuzz/fuzz_profile" ] || [ ! -d "$build/tests/fuzz/seeds" ]; then
    cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DFW_FUZZ=ON > /dev/null || exit 2
fi
# Always brought up to date: a run on stale binaries would test old code.
cmake --build "$build" -j"$jobs" --target fuzz_all > /dev/null || exit 2
mkdir -p "$crashes"

# The longest input each target tries, and its seed directories (missing ones are skipped).
max_len() {
    case $1 in
    dcerpc) echo 1024 ;; decode) echo 2048 ;; reader) echo 65536 ;;
    correlate) echo 131072 ;; profile) echo 4096 ;;
    esac
}
seeds() {
    local gen=$build/tests/fuzz/seeds fz=$src/tests/fuzz
    case $1 in
    dcerpc) echo "$fz/seeds_dcerpc $fz/regress_dcerpc" ;;
    decode) echo "$gen/decode $fz/regress_decode" ;;
    reader) echo "$gen/reader $fz/regress_reader $src/../shared/corpus/tcpdump/captures" ;;
    correlate) echo "$gen/correlate $fz/regress_correlate" ;;
    profile) echo "$gen/profile $fz/seeds_profile $fz/regress_profile" ;;
    esac
}

# One target, in the background of the pool: its log, then a result line in $build.
run_one() {
    local t=$1 dirs=() d
    for d in $(seeds "$t"); do
        [ -d "$d" ] && dirs+=("$d")
    done
    mkdir -p "$corpus/corpus-$t"
    local log=$build/fuzz-$t.log start end rc
    start=$(date +%s)
    "$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -max_len="$(max_len "$t")" \
        -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$crashes/$t-" "$corpus/corpus-$t" "${dirs[@]}" > "$log" 2>&1
    rc=$?
    end=$(date +%s)
    local execs
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ -z "$execs" ]; then # a crash ends the run before the final stats
        execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
    fi
    local result=clean
    if [ "$rc" != 0 ]; then
        result="FAILED (exit $rc): $(grep -o 'Test unit written to [^ ]*' "$log" | head -1 | cut -d' ' -f5)"
        result="$result; see $log"
    fi
    printf '%-10s %7ss %12s  %s\n' "$t" "$((end - start))" "${execs:-?}" "$result" \
        > "$build/fuzz-$t.result"
}

echo "fuzzing ${targets[*]} for ${secs}s each, $jobs at a time; corpus in $corpus/corpus-*," \
     "crashes in $crashes"
running=0
for t in "${targets[@]}"; do
    rm -f "$build/fuzz-$t.result"
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
    run_one "$t" &
    running=$((running + 1))
done
wait

printf '%-10s %8s %12s  %s\n' target time executions result
status=0
for t in "${targets[@]}"; do
    if [ -f "$build/fuzz-$t.result" ]; then
        cat "$build/fuzz-$t.result"
        grep -q ' clean$' "$build/fuzz-$t.result" || status=1
    else
        printf '%-10s did not report\n' "$t"
        status=1
    fi
done
exit $status
