#!/usr/bin/env bash
# bench/compare.sh: two fwsight builds on one capture, taking turns, to tell a change smaller
# than what runs vary by on a shared machine. bench/run.sh's best of 3 moved by a fifth from one
# run to the next here (on this virtual machine, other tenants' memory traffic), for the bare
# loop as much as for fwsight; a change of a tenth does not show in it. Here the two builds run
# one after the other, many times, each pinned to one core ($FW_BENCH_CPU, default 1), and what
# is compared is each build's median CPU time (user + system): a disturbance hits both alike,
# and the median leaves out the runs it hit hardest.
#
#   bench/compare.sh [--runs N] [--free] OLD NEW FILE [FWSIGHT-ARGS...]
#
# OLD and NEW are fwsight binaries (Release), FILE a capture (bench/run.sh makes some in
# bench/data/). Each run is `fwsight analyze FWSIGHT-ARGS FILE`, its output thrown away; exit
# status 1 (blocking found) counts as success. The two take turns, in alternating order (old
# first, then new first). --runs: turns (default 10). --free: not pinned, wall time compared
# (a .gz file's inflating thread then has a core of its own). With $FW_BENCH_LOCK set to a lock
# file, each turn holds it (flock), so that others sharing the machine get theirs between
# turns. Prints each build's fastest and median run (milliseconds) and NEW's median over OLD's.
# Exit status: 0 done, 1 a run failed, 2 wrong arguments.
set -u -o pipefail

runs=10 free=0
while (($# > 0)); do
    case $1 in
    --runs) (($# > 1)) || { echo "compare.sh: --runs needs a number" >&2; exit 2; }
        runs=$2; shift 2 ;;
    --free) free=1; shift ;;
    -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
    esac
done
if (($# < 3)); then
    echo "usage: bench/compare.sh [--runs N] [--free] OLD NEW FILE [FWSIGHT-ARGS...]" >&2
    exit 2
fi
old=$1 new=$2 file=$3
shift 3
# A name without a slash would be looked up in PATH by the runner: the one given is meant.
[[ $old == */* ]] || old=./$old
[[ $new == */* ]] || new=./$new
for b in "$old" "$new"; do
    [[ -x $b && -f $b ]] || { echo "compare.sh: $b: not an executable" >&2; exit 2; }
done
[[ -r $file ]] || { echo "compare.sh: $file: cannot be read" >&2; exit 2; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: --runs $runs: not a count" >&2; exit 2; }

pinned=()
if ((!free)); then
    cpu=${FW_BENCH_CPU:-1}
    taskset -c "$cpu" true 2>/dev/null ||
        { echo "compare.sh: cannot pin to CPU $cpu (FW_BENCH_CPU)" >&2; exit 2; }
    pinned=(taskset -c "$cpu")
fi
if [[ -n ${FW_BENCH_LOCK:-} ]]; then
    exec 9>>"$FW_BENCH_LOCK" || exit 2
fi
turn_lock() { [[ -z ${FW_BENCH_LOCK:-} ]] || flock 9; }
turn_unlock() { [[ -z ${FW_BENCH_LOCK:-} ]] || flock -u 9; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat "$file" >/dev/null # the page cache, not the disk

# one BUILD LABEL ARGS...: one run; appends its milliseconds (CPU: user + system, or wall with
# --free) to $tmp/LABEL.
one()
{
    local bin=$1 label=$2 rc=0 wall user sys TIMEFORMAT='%3R %3U %3S'
    shift 2
    { time "${pinned[@]}" "$bin" analyze "$@" "$file" >/dev/null 2>"$tmp/err" || rc=$?; } \
        2>"$tmp/time"
    if ((rc > 1)); then
        echo "compare.sh: $bin analyze exited with $rc:" >&2
        cat "$tmp/err" >&2
        exit 1
    fi
    read -r wall user sys <"$tmp/time"
    if [[ ! $wall =~ ^[0-9]+\.[0-9]+$ || ! $user =~ ^[0-9]+\.[0-9]+$ ||
          ! $sys =~ ^[0-9]+\.[0-9]+$ ]]; then
        echo "compare.sh: no time measured for $bin" >&2
        exit 1
    fi
    awk -v free="$free" -v w="$wall" -v u="$user" -v s="$sys" \
        'BEGIN { printf "%.0f\n", 1000 * (free ? w : u + s) }' >>"$tmp/$label"
}

for ((i = 0; i < runs; i++)); do
    turn_lock
    if ((i % 2 == 0)); then
        one "$old" old "$@"
        one "$new" new "$@"
    else
        one "$new" new "$@"
        one "$old" old "$@"
    fi
    turn_unlock
done

# stats LABEL: "min median" of its runs.
stats()
{
    sort -g "$tmp/$1" | awk '{ v[NR] = $1 }
        END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "%d %.0f\n", v[1], m }'
}
read -r old_min old_med < <(stats old)
read -r new_min new_med < <(stats new)
what=$( ((free)) && echo "wall ms, not pinned" || echo "CPU ms, one core")
printf 'old  %s  runs %d  fastest %s  median %s  (%s)\n' \
    "$old" "$runs" "$old_min" "$old_med" "$what"
printf 'new  %s  runs %d  fastest %s  median %s\n' "$new" "$runs" "$new_min" "$new_med"
awk -v a="$old_med" -v b="$new_med" 'BEGIN { printf "new/old, medians: %.3f\n", b / a }'
