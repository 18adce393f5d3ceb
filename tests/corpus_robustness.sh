#!/bin/bash
# tests/corpus_robustness.sh: runs `fwsight analyze` on every capture of tcpdump's test suite
# (830 files, many deliberately malformed, 35 link types) and asserts that each run ends with
# exit status 0, 1 (blocking found) or 2, in time, without a sanitizer report: bad input is an
# error message, never a crash or a hang. What the analysis says about these files is not checked here.
#
#   corpus_robustness.sh FWSIGHT CORPUS_DIR      exit 77 (skipped) if CORPUS_DIR is absent
set -u
fwsight=${1:?usage: corpus_robustness.sh FWSIGHT CORPUS_DIR}
corpus=${2:?usage: corpus_robustness.sh FWSIGHT CORPUS_DIR}
limit=${FW_CORPUS_TIMEOUT:-30}   # seconds per file; the largest file takes well under one
jobs=${FW_CORPUS_JOBS:-2}

if [ ! -d "$corpus" ]; then
    echo "SKIP: no corpus at $corpus (it lives in shared/corpus beside the repository)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One file: prints a FAIL line (and keeps the tail of stderr) unless all is well.
check_one() {
    local f=$1 err
    err=$(mktemp "$tmp/err.XXXXXX")
    timeout -k 5 "$limit" "$fwsight" analyze "$f" --conn-log /dev/null > /dev/null 2> "$err"
    local rc=$?
    if [ $rc = 124 ] || [ $rc = 137 ]; then
        echo "FAIL $f: no result after ${limit}s (hang?)"
    elif [ $rc != 0 ] && [ $rc != 1 ] && [ $rc != 2 ]; then
        echo "FAIL $f: exit status $rc: $(tail -c 600 "$err")"
    elif grep -q 'runtime error\|Sanitizer\|LeakSanitizer' "$err"; then
        echo "FAIL $f: sanitizer report: $(grep -m3 'runtime error\|Sanitizer' "$err")"
    elif [ $rc = 2 ] && [ ! -s "$err" ]; then
        echo "FAIL $f: exit status 2 without a message"
    fi
    rm -f "$err"
    echo "$rc" >> "$tmp/status.$BASHPID"
}
export -f check_one
export fwsight limit tmp

find "$corpus" -type f -print0 | sort -z |
    xargs -0 -r -n 1 -P "$jobs" bash -c 'check_one "$0"' > "$tmp/failures"

total=$(cat "$tmp"/status.* 2> /dev/null | wc -l)
errors=$(cat "$tmp"/status.* 2> /dev/null | grep -c '^2$')
if [ "$total" = 0 ]; then
    echo "FAIL: no capture found under $corpus"
    exit 1
fi
if [ -s "$tmp/failures" ]; then
    cat "$tmp/failures"
    echo "$(wc -l < "$tmp/failures") of $total captures failed"
    exit 1
fi
echo "all $total captures read: $((total - errors)) exit 0, $errors exit 2 (input errors)"
