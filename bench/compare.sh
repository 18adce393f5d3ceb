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
# status 1 (blocking found) counts as success. --runs: turns (default 10). --free: not pinned,
# wall time compared (a .gz file's inflating thread then has a core of its own). With
# $FW_BENCH_LOCK set to a lock file, the whole comparison holds it (flock). Prints each build's
# fastest and median run and NEW's median over OLD's.
set -u -o pipefail

runs=10 free=0
while (($# > 0)); do
    case $1 in
    --runs) runs=${2:?--runs needs a number}; shift 2 ;;
    --free) free=1; shift ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
    esac
done
if (($# < 3)); then
    echo "usage: bench/compare.sh [--runs N] [--free] OLD NEW FILE [FWSIGHT-ARGS...]" >&2
    exit 2
fi
old=$1 new=$2 file=$3
shift 3
for b in "$old" "$new"; do
    [[ -x $b ]] || { echo "compare.sh: $b: not an executable" >&2; exit 2; }
done
[[ -r $file ]] || { echo "compare.sh: $file: cannot be read" >&2; exit 2; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: --runs $runs: not a count" >&2; exit 2; }
if [[ -n ${FW_BENCH_LOCK:-} && -z ${FW_COMPARE_LOCKED:-} ]]; then
    FW_COMPARE_LOCKED=1 exec flock "$FW_BENCH_LOCK" "$0" --runs "$runs" \
        $( ((free)) && echo --free) "$old" "$new" "$file" "$@"
fi

pinned=()
((free)) || pinned=(taskset -c "${FW_BENCH_CPU:-1}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat "$file" >/dev/null # the page cache, not the disk

# one BUILD LABEL: one run; appends its seconds (CPU, or wall with --free) to $tmp/LABEL.
one()
{
    local rc=0
    /usr/bin/time -f '%e %U %S' -o "$tmp/time" "${pinned[@]}" "$1" analyze "${@:3}" "$file" \
        >/dev/null 2>"$tmp/err" || rc=$?
    if ((rc > 1)); then
        echo "compare.sh: $1 analyze exited with $rc:" >&2
        cat "$tmp/err" >&2
        exit 1
    fi
    awk -v free="$free" 'END { print free ? $1 : $2 + $3 }' "$tmp/time" >>"$tmp/$2"
}

for ((i = 0; i < runs; i++)); do
    one "$old" old "$@"
    one "$new" new "$@"
done

# stats LABEL: "min median" of its runs.
stats()
{
    sort -g "$tmp/$1" | awk '{ v[NR] = $1 }
        END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "%.3f %.3f\n", v[1], m }'
}
read -r old_min old_med < <(stats old)
read -r new_min new_med < <(stats new)
what=$( ((free)) && echo "wall s, not pinned" || echo "CPU s, one core")
printf 'old  %s  runs %d  fastest %s  median %s  (%s)\n' "$old" "$runs" "$old_min" "$old_med" "$what"
printf 'new  %s  runs %d  fastest %s  median %s\n' "$new" "$runs" "$new_min" "$new_med"
awk -v a="$old_med" -v b="$new_med" 'BEGIN { printf "new/old, medians: %.3f\n", b / a }'
