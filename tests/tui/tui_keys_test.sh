#!/bin/bash
# tests/tui/tui_keys_test.sh: the view's keys as in less and its fit at 80x24, on a real
# terminal (tmux at a set size, send-keys, capture-pane), on the target's capture of
# samples/reply-dropped-6320: the first screen opening with the change to make (at 80x24, as
# many rules as fit and a count of the rest; on a wide terminal the text report's lines whole;
# c for all of it), / then n and N go from match to match (the status line and the '*'
# marks), the rows shown when the matrix does not fit, every cell whole at 80 columns, the
# first screen at 80x24 compared with tests/tui/golden/reply-dropped-80x24.txt, a capture with
# nothing to change (samples/all-open), the mouse left to the terminal unless --mouse, and
# TERM=dumb printing the text report with the reason on stderr. The screen's content in detail is ui/view_model_search_test.c's. Skipped (77)
# without tmux; every wait is bounded and the private tmux server killed on every way out.
# FW_UPDATE_GOLDEN=1 writes the golden screen instead of comparing it.
#
#   tui_keys_test.sh FWSIGHT SAMPLES_DIR
set -u
fwsight=$(realpath "${1:?usage: tui_keys_test.sh FWSIGHT SAMPLES_DIR}")
samples=${2:?usage: tui_keys_test.sh FWSIGHT SAMPLES_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v tmux > /dev/null || { echo "tmux not installed: skipped"; exit 77; }
golden=$here/golden/reply-dropped-80x24.txt
tmp=$(mktemp -d)
sock=fwsight-keys-$$
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sockpath="${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
cleanup() { tm kill-server > /dev/null 2>&1; rm -f "$sockpath"; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 2' INT TERM HUP
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# The sample is copied under a fixed name so that the title is the same in every checkout.
cp "$samples/reply-dropped-6320/target.pcap" "$tmp/target.pcap"
shell="env -i PATH=$PATH HOME=$tmp TERM=screen LANG=C PS1='keys-prompt\$ ' bash --norc --noprofile"
tm new-session -d -s t -x 80 -y 24 -c "$tmp" "$shell" ||
    { echo "tmux cannot start a session: skipped"; exit 77; }
wait_for 'keys-prompt\$' 5 || { fail "no shell prompt in tmux"; exit 1; }
run() { keys "clear; $* 2>> $tmp/err; echo \"EXIT=\$?\"" Enter; }

run "$fwsight" analyze --ui target.pcap
expect_screen 'q quit  \? help' "the view opens"
# The first screen at 80x24, as committed.
if [ "${FW_UPDATE_GOLDEN:-0}" = 1 ]; then
    screen > "$golden"
else
    screen | diff -u "$golden" - > "$tmp/diff" ||
        fail "the first screen at 80x24 differs from $golden: $(cat "$tmp/diff")"
fi
# 80 columns: the long verdict abbreviated, the whole cell before the next column.
expect_screen '^> Double-Take       tcp   6320   RPL-DROP 4 SYN 0 ans   OPEN 1 SYN 1 ans$' \
    "80x24: the REPLY-DROPPED cell whole, abbreviated"
screen | grep -q 'REPLY-DROPPED 4 SYN 0 *OPEN' && fail "80x24: a cell cut into the next column"
# The change to make first, under the title: the rule to open (its device's line wrapped at 80
# columns), the untested directions counted with the key that lists them; then the matrix.
line() { screen | sed -n "$1p"; }
[ "$(line 2)" = " Change to make" ] || fail "80x24: line 2 is not the change to make: $(line 2)"
[ "$(line 3)" = "   On the firewall between them, the answers of 198.51.100.10 -> 203.0.113.20" ] ||
    fail "80x24: the device and direction: $(line 3)"
[ "$(line 5)" = "     open TCP 6320 (Double-Take, REPLY-DROPPED, medium)" ] ||
    fail "80x24: the rule to open: $(line 5)"
[ "$(line 6)" = "   ... 2 tests to run: c shows all" ] || fail "80x24: the rest counted: $(line 6)"
[ "$(line 7 | cut -c1-5)" = " A = " ] || fail "80x24: the host pair not under it: $(line 7)"
# c: all of it on the whole screen, the untested directions with their tests; Esc back.
keys c
expect_screen '^== change to make \(c or Esc: back\) -+$' "c: the change to make whole"
expect_screen '^   Untested 203\.0\.113\.20 -> 198\.51\.100\.10 \(19 ports\): run on 203\.0\.113\.20' \
    "c: the second untested direction"
expect_screen '^     fwsight test --peer 198\.51\.100\.10 --ports' "c: its test to run"
keys Escape
expect_screen '^   \.\.\. 2 tests to run: c shows all$' "Esc: back to the matrix screen"
# The position in the matrix: 7 of its 20 rows shown under the change to make.
expect_screen '^ pair 1/1   rows 1-7 of 20   sort: profile order$' "the rows shown"
keys G
expect_screen '^ pair 1/1   rows 14-20 of 20 ' "G: the last rows shown"
[ "$(tm display-message -p -t t '#{mouse_any_flag}')" = 0 ] ||
    fail "the view takes the mouse without --mouse"

# / then n and N: the two OPEN cells (6320 B -> A, 6325 A -> B).
keys / o p e n
expect_screen '^/open_ ' "the search prompt"
keys Enter
expect_screen 'search: open \(1/2\)' "/open: the first match"
expect_screen '^>\*Double-Take +tcp +6320 ' "/open: tcp 6320 selected and marked"
expect_screen 'evidence: 203\.0\.113\.20 -> 198\.51\.100\.10 tcp 6320' "/open: its B -> A cell"
keys n
expect_screen 'search: open \(2/2\)' "n: the second match"
expect_screen '^>\*Double-Take +tcp +6325 ' "n: tcp 6325 selected"
keys n
expect_screen 'passed the last match' "n past the last match: said"
expect_screen '^>\*Double-Take +tcp +6320 ' "n past the last match: the first again"
keys N
expect_screen '^>\*Double-Take +tcp +6325 ' "N: the previous match"
keys / n o s u c h Enter
expect_screen 'pattern not found: nosuch' "a search that finds nothing says so"
# Wide: the report's lines whole, the untested directions and their tests too.
tm resize-window -t t -x 200 -y 50
expect_screen '^   On the firewall between them, the answers of 198\.51\.100\.10 -> 203\.0\.113\.20 \(the requests arrive, the answers are lost on the way back\):$' \
    "200x50: the device and direction on one line"
expect_screen '^     open TCP 6320 \(Double-Take, REPLY-DROPPED, medium\)$' "200x50: the rule"
expect_screen '^     fwsight test --peer 198\.51\.100\.10 --ports tcp:135-139,tcp:443,tcp:445,tcp:6325-6326,udp:135-139,udp:445,udp:6320,udp:6325-6326$' \
    "200x50: the second test to run, whole"
screen | grep -q 'c shows all' && fail "200x50: a count although everything fits"
tm resize-window -t t -x 80 -y 24
keys q
expect_screen '^EXIT=1' "q quits"

# Nothing to change: said where the rules would be, the matrix under it.
cp "$samples/all-open/source.pcap" "$tmp/open.pcap"
run "$fwsight" analyze --ui open.pcap
expect_screen '^   None: no port was found blocked by a firewall\.$' "nothing to change: said"
[ "$(line 2)" = " Change to make" ] || fail "nothing to change: line 2: $(line 2)"
expect_screen '^> Double-Take +tcp +6320 +OPEN 1 SYN, 1 answer' "nothing to change: the matrix"
keys q
expect_screen '^EXIT=0' "nothing to change: q quits with status 0"

# --mouse: the terminal reports the mouse to the view.
run "$fwsight" analyze --ui --mouse target.pcap
expect_screen 'q quit  \? help' "--mouse: the view opens"
[ "$(tm display-message -p -t t '#{mouse_any_flag}')" = 1 ] ||
    fail "--mouse: the view does not take the mouse"
keys q
expect_screen '^EXIT=1' "--mouse: q quits"

# TERM=dumb: no cursor addressing, so the report on the terminal, and why on stderr.
keys "clear; TERM=dumb $fwsight analyze --ui target.pcap 2> $tmp/dumb.err; echo \"EXIT=\$?\"" Enter
expect_screen '^EXIT=1' "TERM=dumb: ends with the analysis' status"
(cd "$tmp" && "$fwsight" analyze target.pcap > plain.out 2> /dev/null)
tm capture-pane -p -J -S -400 -t t | sed -e 's/[[:space:]]*$//' > "$tmp/pane"
sed -e 's/[[:space:]]*$//' "$tmp/plain.out" | grep -v '^$' | while IFS= read -r line; do
    grep -qxF -- "$line" "$tmp/pane" || { echo "$line"; break; }
done > "$tmp/missing"
[ -s "$tmp/plain.out" ] && [ ! -s "$tmp/missing" ] ||
    fail "TERM=dumb: the report not printed whole, missing: $(cat "$tmp/missing")"
why="fwsight: TERM=dumb has no cursor addressing: the view cannot draw on it; printing the report"
grep -qx "$why instead" "$tmp/dumb.err" || fail "TERM=dumb: stderr does not say why: $(cat "$tmp/dumb.err")"

if grep -q "runtime error\|Sanitizer" "$tmp/err" 2> /dev/null; then
    fail "sanitizer report: $(head -c 400 "$tmp/err")"
fi
[ "$failures" = 0 ] && echo "tui keys: all checks passed"
[ "$failures" = 0 ]
