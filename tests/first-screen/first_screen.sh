#!/usr/bin/env bash
# tests/first-screen/first_screen.sh: the first screen (24 lines) of `fwsight analyze` on every
# lab sample with a source and a target capture, the source's alone (NAME.one) and both
# (NAME.two), against tests/first-screen/expected/; and on each, that the screen opens with the
# change to make: "Change to make" on the first line, then either the ports to open ("On ...",
# "open ...") or "None:". --regen rewrites the expected files (read the diff: it is the test).
#
#   first_screen.sh FWSIGHT SAMPLES_DIR [--regen]
#
# Exit 0 pass, 1 fail. About 7 s (60 reports of small captures).
set -u -o pipefail

FW=${1:?usage: first_screen.sh FWSIGHT SAMPLES_DIR [--regen]}
SAMPLES=${2:?usage: first_screen.sh FWSIGHT SAMPLES_DIR [--regen]}
REGEN=${3:-}
EXPECTED=$(dirname "${BASH_SOURCE[0]}")/expected
WORK=$(mktemp -d /tmp/fwsight-first-screen.XXXXXX) || exit 1
trap 'rm -rf "$WORK"' EXIT
FAILS=0 CASES=0
log() { printf 'first_screen: %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }

# The capture named NAME (or NAME.gz) in dir, or nothing.
pick() { for f in "$1/$2" "$1/$2.gz"; do [ -f "$f" ] && { printf '%s' "$f"; return; }; done; }

# check NAME: the screen in $WORK/NAME opens with the change to make.
check() {
    local got=$WORK/$1
    [ "$(head -1 "$got")" = "Change to make" ] || { fail "$1: line 1 is not 'Change to make'"; return; }
    # The block up to its blank line: ports to open under a device, or none to open.
    local block
    block=$(sed -n '2,/^$/p' "$got")
    if ! grep -q '^  None: ' <<<"$block"; then
        grep -q '^  On ' <<<"$block" || fail "$1: no device named in the change to make"
        grep -Eq '^    (optional, )?open |^    not in the profile' <<<"$block" ||
            fail "$1: no port to open in the change to make"
    fi
    # The evidence follows the answer, not before it.
    grep -q '^Firewall verdicts' "$got" || [ "$(wc -l <"$got")" -eq 24 ] ||
        fail "$1: the verdicts do not follow the change to make"
}

run() { # NAME ARGS...: the first 24 lines of the report into $WORK/NAME, compared
    local name=$1; shift
    CASES=$((CASES + 1))
    # The report may exit 1 (something blocked): that is its answer, not a failure here.
    (cd "$SAMPLES/.." && "$FW" analyze "$@" 2>/dev/null) | head -24 >"$WORK/$name"
    check "$name"
    if [ "$REGEN" = --regen ]; then
        cp "$WORK/$name" "$EXPECTED/$name"
    elif ! diff -u "$EXPECTED/$name" "$WORK/$name" >&2; then
        fail "$name: differs from $EXPECTED/$name (--regen rewrites it; read the diff)"
    fi
}

for dir in "$SAMPLES"/*/ "$SAMPLES"/*/*/; do
    dir=${dir%/}
    src=$(pick "$dir" source.pcap) tgt=$(pick "$dir" target.pcap)
    [ -n "$src" ] && [ -n "$tgt" ] || continue
    name=${dir#"$SAMPLES"/}
    name=${name//\//-}
    rel=samples/${dir#"$SAMPLES"/}
    run "$name.one" "$rel/${src##*/}"
    run "$name.two" "$rel/${src##*/}" "$rel/${tgt##*/}"
done
[ "$CASES" -ge 40 ] || fail "only $CASES cases: the samples were not found"
log "$CASES cases, $FAILS failed"
[ "$FAILS" -eq 0 ]
