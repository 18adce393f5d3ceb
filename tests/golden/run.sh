#!/bin/bash
# tests/golden/run.sh: runs fwsight on every golden case and compares its outputs byte for
# byte with the expected files beside the capture. What each case shows is in mkcases.c; the
# expected files are fwsight's own output, reviewed when regen.sh refreshes them.
#
#   run.sh FWSIGHT [GOLDEN_DIR] [--regen] [--mkcases BIN]
#
# Per case (a directory holding capture.pcap, optionally capture2.pcap, the other server's
# capture of the same test, or capture2.pcap to capture8.pcap, captures at more points of its
# path, and `args`, extra arguments):
#   fwsight analyze ARGS capture.pcap [capture2.pcap] --conn-log conn.log
#       -> report.txt stderr.txt status conn.log
#   fwsight analyze ARGS --json --conn-log conn.json capture.pcap [capture2.pcap]
#       -> report.json conn.json
# --regen writes the outputs into the case directories instead of comparing.
# --mkcases BIN also regenerates every capture into a scratch directory and checks that the
# committed capture.pcap files are what mkcases.c writes (the code is the truth).
set -u
fwsight=${1:?usage: run.sh FWSIGHT [GOLDEN_DIR] [--regen] [--mkcases BIN]}
shift
dir=$(cd "$(dirname "$0")" && pwd)
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then dir=$(cd "$1" && pwd); shift; fi
regen=0
mkcases=
while [ $# -gt 0 ]; do
    case $1 in
    --regen) regen=1 ;;
    --mkcases) mkcases=$2; shift ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
case $fwsight in /*) ;; *) fwsight=$(pwd)/$fwsight ;; esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
cases=0

if [ -n "$mkcases" ]; then
    mkdir -p "$tmp/pcaps"
    "$mkcases" "$tmp/pcaps" || { echo "FAIL: $mkcases exited $?"; exit 1; }
    for f in "$tmp"/pcaps/*/capture.pcap; do
        name=$(basename "$(dirname "$f")")
        if [ $regen = 1 ]; then
            mkdir -p "$dir/$name" && cp "$f" "$dir/$name/capture.pcap"
        elif ! cmp -s "$f" "$dir/$name/capture.pcap"; then
            echo "FAIL $name: capture.pcap differs from what mkcases.c writes (run regen.sh)"
            failed=1
        fi
    done
fi

for case_dir in "$dir"/*/; do
    case_dir=${case_dir%/}
    [ -f "$case_dir/capture.pcap" ] || continue
    name=$(basename "$case_dir")
    cases=$((cases + 1))
    out=$tmp/$name
    mkdir -p "$out"
    args=()
    if [ -f "$case_dir/args" ]; then read -r -a args < "$case_dir/args" || true; fi
    caps=(capture.pcap)
    for k in 2 3 4 5 6 7 8; do
        if [ -f "$case_dir/capture$k.pcap" ]; then caps+=("capture$k.pcap"); fi
    done
    (
        cd "$case_dir" || exit 1
        "$fwsight" analyze "${args[@]}" "${caps[@]}" --conn-log "$out/conn.log" \
            > "$out/report.txt" 2> "$out/stderr.txt"
        echo $? > "$out/status"
        "$fwsight" analyze "${args[@]}" --json --conn-log "$out/conn.json" "${caps[@]}" \
            > "$out/report.json" 2> "$out/stderr-json.txt"
        echo $? > "$out/status-json"
    )
    if ! cmp -s "$out/status" "$out/status-json" ||
        ! cmp -s "$out/stderr.txt" "$out/stderr-json.txt"; then
        echo "FAIL $name: --json changed the exit status or the messages"
        failed=1
    fi
    if ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))
for line in open(sys.argv[2]): json.loads(line)' "$out/report.json" "$out/conn.json"; then
        echo "FAIL $name: report.json or conn.json is not valid JSON"
        failed=1
    fi
    for f in report.txt stderr.txt status conn.log report.json conn.json; do
        if [ $regen = 1 ]; then
            cp "$out/$f" "$case_dir/$f"
        elif [ ! -f "$case_dir/$f" ]; then
            echo "FAIL $name: no expected $f (run regen.sh and review the result)"
            failed=1
        elif ! diff -u "$case_dir/$f" "$out/$f" > "$out/$f.diff"; then
            echo "FAIL $name: $f differs:"
            cat "$out/$f.diff"
            failed=1
        fi
    done
done

if [ $cases = 0 ]; then
    echo "FAIL: no golden case found in $dir"
    exit 1
fi
if [ $regen = 1 ]; then
    echo "regenerated $cases cases in $dir: review with git diff"
    exit 0
fi
[ $failed = 0 ] && echo "all $cases golden cases match"
exit $failed
