#!/usr/bin/env bash
# tests/testlisten/usage_test.sh: the command lines of `fwsight test` and `fwsight listen` that
# must be refused (exit 2, with a message naming the command) before anything is opened or
# sent, and their help. Needs no privilege and no network.
#
#   usage_test.sh FWSIGHT
set -u -o pipefail

FW=${1:?usage: usage_test.sh FWSIGHT}
FAILS=0
ERR=$(mktemp /tmp/fwtl-usage.XXXXXX) || exit 1
trap 'rm -f "$ERR"' EXIT

fail() { printf 'usage_test: FAIL: %s\n' "$*" >&2; FAILS=$((FAILS + 1)); }

# expect STATUS PATTERN args...: exit status, and PATTERN in stderr (or stdout for help)
expect() {
    local want=$1 pat=$2; shift 2
    timeout 10 "$FW" "$@" >"$ERR.out" 2>"$ERR"
    local st=$?
    [ "$st" = "$want" ] || fail "fwsight $*: exit $st, expected $want"
    grep -q -- "$pat" "$ERR" "$ERR.out" || fail "fwsight $*: no '$pat' in: $(cat "$ERR")"
    rm -f "$ERR.out"
}

expect 0 "usage: fwsight test --peer HOST" help test
expect 0 "usage: fwsight listen" help listen
expect 0 "usage: fwsight test --peer HOST" test --help
expect 0 "test --peer HOST" --help
expect 0 "blocked between hop 2" test --help            # --locate is documented
expect 2 "fwsight test: unknown option" test --peer 192.0.2.1 --locate=yes
expect 2 "fwsight test: which server" test
expect 2 "fwsight test: --rounds wants" test --peer 192.0.2.1 --rounds 0
expect 2 "fwsight test: --rounds wants" test --peer 192.0.2.1 --rounds 101
expect 2 "fwsight test: unexpected argument" test --peer 192.0.2.1 192.0.2.2
expect 2 "fwsight test: unknown option" test --peer 192.0.2.1 --bogus
expect 2 "fwsight test: --ports replaces" test --peer 192.0.2.1 --ports 6320 --rpc-range 1-2
expect 2 "fwsight test: " test --peer 192.0.2.1 --ports 0
expect 2 "fwsight listen: --max-conns wants" listen --max-conns 0
expect 2 "fwsight listen: --max-conns wants" listen --max-conns 513
expect 2 "fwsight listen: --duration wants" listen --duration x
expect 2 "fwsight listen: --bind wants" listen --bind not-an-address
expect 2 "fwsight listen: unexpected argument" listen extra

[ $FAILS = 0 ] || exit 1
echo "usage_test: all passed"
