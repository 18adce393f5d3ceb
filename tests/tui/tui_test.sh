#!/bin/bash
# tests/tui/tui_test.sh: the interactive view end to end, on a real terminal: tmux runs
# `fwsight analyze --ui` on the demo capture in a shell, sends keys and reads the screen back
# (capture-pane): the matrix cells, the evidence on Enter, the attempts, the filter, the help,
# resizes to 80x24 and 200x60, the demo's two captures at 80x24 (both capture points, each
# attempt once), NO_COLOR, a warning shown in the view and printed after it (never over it),
# a full verdict table told the same way, box drawing in a UTF-8 locale and ASCII in others,
# and the shell's terminal as it was after q and after Ctrl-C.
# The screen's content is checked in detail by ui/view_model_test.c; this checks the painting,
# the keys and the terminal handling. Skipped (77) without tmux. Every wait is bounded, and the
# private tmux server is killed on every way out.
#
#   tui_test.sh FWSIGHT SAMPLES_DIR
set -u
fwsight=${1:?usage: tui_test.sh FWSIGHT SAMPLES_DIR}
samples=${2:?usage: tui_test.sh FWSIGHT SAMPLES_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v tmux > /dev/null || { echo "tmux not installed: skipped"; exit 77; }
sample=$samples/demo/source.pcap.gz
tmp=$(mktemp -d)
sock=fwsight-tui-$$
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sockpath="${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock" # kill-server leaves the socket behind
ns=fwsight-tui-$$ nsmade=0 # the live part's namespace (root only)
cleanup() {
    tm kill-server > /dev/null 2>&1 # ends what runs in the panes, the live capture too
    rm -f "$sockpath"
    [ "$nsmade" = 1 ] && ip netns del "$ns" 2> /dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# restored WHAT: the line discipline back (icanon echo, printed by run) and curses' alternate
# screen left, which only endwin() does: a shell resets the modes after a crash, not that.
restored() {
    expect_screen '^icanon echo' "$1: the terminal modes restored"
    [ "$(tm display-message -p -t t '#{alternate_on}')" = 0 ] ||
        fail "$1: still on the alternate screen (endwin not called)"
}

# Without a terminal, --ui is a usage error that says so.
"$fwsight" analyze --ui "$sample" < /dev/null > "$tmp/out" 2> "$tmp/err"
st=$?
[ "$st" = 2 ] && grep -q "needs a terminal" "$tmp/err" ||
    fail "--ui without a terminal: exit $st, $(head -c 200 "$tmp/err")"
"$fwsight" analyze --report "$sample" > /dev/null 2>&1
[ $? = 2 ] || fail "--report without --ui is not a usage error"

shell="env -i PATH=$PATH HOME=$tmp TERM=screen PS1='tui-prompt\$ ' bash --norc --noprofile"
tm new-session -d -s t -x 100 -y 30 "$shell" ||
    { echo "tmux cannot start a session: skipped"; exit 77; }
wait_for 'tui-prompt\$' 5 || { fail "no shell prompt in tmux"; exit 1; }

# run ARGS...: the view in the pane, its exit status and the terminal modes printed after it.
run() {
    local modes="stty -a | tr -s ' ;\\n' '\\n' | grep -Ex -- '-?(echo|icanon)' | tr '\\n' ' '"
    keys "clear; $* 2>> $tmp/err; echo \"EXIT=\$?\"; $modes; echo" Enter
}

run "$fwsight" analyze --ui --mouse "$sample"
expect_screen 'q quit  \? help' "the view opens"
expect_screen 'tcp   6325 +DROPPED 4 SYN, 0 answers +OPEN' "tcp 6325 A -> B dropped, B -> A open"
expect_screen 'failover monitor.*icmp.*echo.*DROPPED' "icmp echo row"
expect_screen 'A = 198\.51\.100\.10  B = 203\.0\.113\.20' "the host pair"

# The filter narrows the rows; Enter on the selected one shows its evidence.
keys '&' 6 3 2 5 Enter
expect_screen '2 rows   sort: profile order   filter: 6325' "the filter"
wait_gone 'tcp   6320' 2 || fail "the filter left tcp 6320 shown"
keys Enter
expect_screen 'frame 5' "Enter shows the evidence"
expect_screen 'advice: open TCP 6325' "the advice"
keys Tab
expect_screen '== attempts: 198\.51\.100\.10 -> 203\.0\.113\.20 tcp 6325' "Tab: the cell's attempts"
expect_screen ' -> 203\.0\.113\.20:6325  S0  S' "the attempts pane shows S0"
keys Escape
# The first Esc must be handled before the second is sent, or curses reads the two as one
# Alt sequence: wait for its effect (the attempts pane gone), not for a fixed time.
wait_gone '== attempts:' || fail "Esc: the attempts pane did not close"
keys Escape
wait_gone 'filter: 6325' || fail "Esc clears the filter"
expect_screen 'tcp   6320' "all rows back"

keys '?'
expect_screen 'fwsight: keys' "? shows the help"
keys x
wait_gone 'fwsight: keys' || fail "a key leaves the help"

# w offline: the capture is a file already, and the status line says which.
keys w
expect_screen 'capture already on disk: .*source\.pcap\.gz' "w names the file on disk"
keys x
wait_gone 'already on disk' 2 || fail "a key clears the message"

# A mouse click (X10 encoding, what TERM=screen's kmous names: ESC [ M, then button, column
# and row, each plus 32, 1-based) on 6325's B -> A cell selects it.
y=$(screen | grep -n 'tcp   6325' | head -1 | cut -d: -f1)
x=$(screen | grep -m1 -b -o 'B -> A' | head -1 | cut -d: -f1) # its column on the header line
x=$(( x - $(screen | grep -m1 -b 'B -> A' | cut -d: -f1) ))
if [ -n "$y" ] && [ "$x" -gt 0 ]; then
    click() { keys -l "$(printf '\033[M%b%b%b' "\\0$(printf %o "$1")" \
        "\\0$(printf %o $(( $2 + 33 )))" "\\0$(printf %o $(( $3 + 33 )))")"; }
    click 32 "$((x + 1))" "$((y - 1))" # pressed, at 0-based (x + 1, y - 1)
    click 35 "$((x + 1))" "$((y - 1))" # released
    expect_screen '^> +Double-Take +tcp +6325' "a click selects the row under the pointer"
    expect_screen 'evidence: 203\.0\.113\.20 -> 198\.51\.100\.10 tcp 6325' \
        "a click in B -> A selects that direction"
    keys g h
else
    fail "mouse: row 6325 or the B -> A header not found on the screen"
fi

# Resizes at any time: the smallest supported terminal, then a large one.
tm resize-window -t t -x 80 -y 24
expect_screen '^>? +Double-Take +tcp +6320' "80x24: the matrix"
expect_screen 'q quit  \? help  Enter evidence' "80x24: the status line"
# capture-pane prints the pane's 24 rows whatever was painted: the status line must be the last.
screen | tail -n 1 | grep -q '^q quit  ? help' || fail "80x24: the status line is not the 24th row"
tm resize-window -t t -x 200 -y 60
expect_screen 'ESX +tcp +443' "200x60: every row shown"
expect_screen 'evidence: 198\.51\.100\.10 -> 203\.0\.113\.20 tcp 6320' "200x60: the evidence pane"
tm resize-window -t t -x 60 -y 20
expect_screen 'needs at least 80x24' "60x20: says it is too small"
tm resize-window -t t -x 100 -y 30
expect_screen 'q quit' "back to 100x30"

keys q
expect_screen '^EXIT=1' "q quits with the analysis' status (blocking found: 1)"
restored "q"
expect_screen '^tui-prompt\$' "the prompt back after q"

# Two captures at 80x24: the title fits (base names), the header shows where each capture was
# taken and the clock offset, and the attempts pane lists an attempt both saw once, marked
# "both" (7 of them), and those only the source saw (6325 dropped, 445 refused) "1 only".
target=$samples/demo/target.pcap.gz
tm resize-window -t t -x 80 -y 24
run "$fwsight" analyze --ui "$sample" "$target"
expect_screen '^ analyze source\.pcap\.gz \+ target\.pcap\.gz  profile double-take +packets 80$' \
    "two captures: the title whole at 80 columns"
expect_screen '^ A = 198\.51\.100\.10  B = 203\.0\.113\.20   7 attempts seen in both$' \
    "two captures: the pair and the attempts matched"
points='^ captures: 1 at 198\.51\.100\.10, 2 at 203\.0\.113\.20   clock offset \+0\.000007 s$'
expect_screen "$points" "two captures: both capture points and the clock offset"
screen | grep -q 'capture point unknown' && fail "two captures: 'capture point unknown' shown"
keys a Enter
expect_screen '== attempts: all, 9 kept, newest first' "two captures: 9 attempts, not 16"
expect_screen '^ [0-9:.]+  1 only  198\.51\.100\.10:[0-9]+ -> 203\.0\.113\.20:6325  S0  S$' \
    "two captures: tcp 6325 seen by the source only"
n=$(screen | grep -c -- ' -> 203\.0\.113\.20:6320  SF  ShAfFa$')
[ "$n" = 1 ] || fail "two captures: tcp 6320 from A listed $n times, not once"
screen | grep -Eq '^ [0-9:.]+  both    198\.51\.100\.10:[0-9]+ -> 203\.0\.113\.20:6320  SF' ||
    fail "two captures: tcp 6320 from A not marked both"
[ "$(screen | grep -c '  both    ')" = 7 ] || fail "two captures: not 7 attempts marked both"
screen | tail -n 1 | grep -q '^q quit  ? help' ||
    fail "two captures: the status line is not the 24th row"
keys q
expect_screen '^EXIT=1' "two captures: q quits with status 1"
# The same base name in two directories: the title keeps the directory that tells them apart.
mkdir -p "$tmp/srv1" "$tmp/srv2"
cp "$sample" "$tmp/srv1/capture.pcap.gz"
cp "$target" "$tmp/srv2/capture.pcap.gz"
run "$fwsight" analyze --ui "$tmp/srv1/capture.pcap.gz" "$tmp/srv2/capture.pcap.gz"
expect_screen '^ analyze srv1/capture\.pcap\.gz \+ srv2/capture\.pcap\.gz +packets 80$' \
    "two captures of one name: their directories in the title"
keys q
expect_screen '^EXIT=1' "two captures of one name: q quits"
tm resize-window -t t -x 100 -y 30

# NO_COLOR, and Ctrl-C: the terminal is restored too.
run env NO_COLOR=1 "$fwsight" analyze --ui --report "$sample"
expect_screen 'DROPPED 4 SYN' "NO_COLOR: the verdicts in text"
keys C-c
expect_screen '^EXIT=' "Ctrl-C ends the view"
restored "Ctrl-C"
scrollback | grep -q 'Firewall verdicts' || fail "--report prints the report after the view"

# Messages while the view is up: captures with a bad record (the last record's length on the
# wire made one less than its captured length: skipped with a warning, the analysis goes on).
# The warning shows inside the view, on the line under the title, and nothing else is written
# over the layout; after q it is printed on the restored terminal, once; with stderr in a file
# it is byte for byte what the run without the view prints there.
damage() { # damage IN.pcap.gz OUT.pcap: the last record's wire length one less
    python3 - "$1" "$2" << 'EOF'
import gzip, struct, sys
d = bytearray(gzip.open(sys.argv[1]).read())
off = 24
while off < len(d):
    incl = struct.unpack_from('<I', d, off + 8)[0]
    last, off = off, off + 16 + incl
struct.pack_into('<I', d, last + 12, struct.unpack_from('<I', d, last + 8)[0] - 1)
open(sys.argv[2], 'wb').write(d)
EOF
}
damage "$sample" "$tmp/bad.pcap" && damage "$samples/demo/target.pcap.gz" "$tmp/bad2.pcap" ||
    fail "cannot craft the captures with a bad record"
joined() { tm capture-pane -p -J -t t; } # lines the terminal wrapped, joined again
bad="warning: $tmp/bad.pcap: packet 43: captured length 98 above the length on the wire 97"
bad2="warning: $tmp/bad2.pcap: packet 37: captured length 98 above the length on the wire 97"
tail=" (skipped) (1 bad records skipped in all)"
keys "clear; $fwsight analyze --ui $tmp/bad.pcap; echo \"EXIT=\$?\"" Enter # stderr: the pane
# The screen is 100 columns: the check stops where a long temporary directory may clip it.
expect_screen "^ warning: $tmp/bad\.pcap: packet 43: captured length 98 above" \
    "a warning: inside the view"
[ "$(screen | sed -n 2p | cut -c1-40)" = " ${bad:0:39}" ] ||
    fail "a warning: not on the line under the title: $(screen | sed -n 2p)"
screen | head -1 | grep -q '^ fwsight  analyze ' || fail "a warning: the title is not line 1"
# The rest one line down: the change to make, then the host pair and the matrix.
screen | sed -n 3p | grep -qx ' Change to make' &&
    screen | grep -A1 '^ A = ' | sed -n 2p | grep -q '^ pair 1/1   rows 1-' ||
    fail "a warning: the layout below it moved"
screen | grep -q 'fwsight: warning' && fail "a warning: printed over the view"
expect_screen 'q quit  \? help' "a warning: the status line"
keys q
expect_screen '^EXIT=1' "a warning: q quits"
n=$(joined | grep -cxF "fwsight: $bad$tail")
[ "$n" = 1 ] || fail "a warning: printed $n times on the restored terminal, not once"
[ "$(tm display-message -p -t t '#{alternate_on}')" = 0 ] || fail "a warning: alternate screen"
# Two: the newest shown with how many came before it; both printed after, in order.
keys "clear; $fwsight analyze --ui $tmp/bad.pcap $tmp/bad2.pcap; echo \"EXIT=\$?\"" Enter
expect_screen "^ \(\+1 earlier\) warning: $tmp/bad2\.pcap: packet 37: captured" \
    "two warnings: the newest and a count"
screen | grep -q 'fwsight: warning' && fail "two warnings: printed over the view"
keys q
expect_screen '^EXIT=1' "two warnings: q quits"
joined | grep -xF -e "fwsight: $bad$tail" -e "fwsight: $bad2$tail" > "$tmp/shown"
printf 'fwsight: %s\n' "$bad$tail" "$bad2$tail" | cmp -s - "$tmp/shown" ||
    fail "two warnings: not printed once each, in order: $(cat "$tmp/shown")"
# stderr in a file: what the view kept, exactly as without the view.
"$fwsight" analyze "$tmp/bad.pcap" "$tmp/bad2.pcap" > /dev/null 2> "$tmp/plain.err"
keys "clear; $fwsight analyze --ui $tmp/bad.pcap $tmp/bad2.pcap 2> $tmp/ui.err; echo \"EXIT=\$?\"" \
    Enter
expect_screen "^ \(\+1 earlier\) warning: $tmp/bad2\.pcap: packet 37: captured" \
    "stderr in a file: the view shows the warning"
[ -s "$tmp/ui.err" ] && fail "stderr in a file: written while the view is up"
keys q
expect_screen '^EXIT=1' "stderr in a file: q quits"
cmp -s "$tmp/plain.err" "$tmp/ui.err" ||
    fail "stderr in a file: not what analyze without --ui prints: $(head -c 300 "$tmp/ui.err")"

# A full verdict table: the view says so, as the text report does, once, and the message is
# printed after the view. The capture (tests/mk_full_table.py, as in cli_test.sh): 17
# answered SYNs on 16 ports, an hour later 20 unanswered ones on 20 more; under
# --max-verdicts 16 the failures evict the OPEN verdicts, then 4 are not kept. Without the
# view, stderr stays empty.
python3 "$here/../mk_full_table.py" "$tmp/full.pcap" || fail "mk_full_table.py"
full="warning: 4 attempts were not kept and 16 OPEN verdicts on ports outside the profile (17 \
attempts) were evicted (too many ports and hosts): the verdicts are incomplete (raise \
--max-verdicts)"
keys "clear; $fwsight analyze --ui --max-verdicts 16 $tmp/full.pcap; echo \"EXIT=\$?\"" Enter
expect_screen "^ warning: 4 attempts were not kept and 16 OPEN verdicts on ports outside" \
    "a full verdict table: said in the view"
[ "$(screen | sed -n 2p | cut -c1-60)" = " ${full:0:59}" ] ||
    fail "a full verdict table: not on the line under the title: $(screen | sed -n 2p)"
screen | grep -q 'fwsight: warning' && fail "a full verdict table: printed over the view"
keys q
expect_screen '^EXIT=1' "a full verdict table: q quits"
n=$(joined | grep -cxF "fwsight: $full")
[ "$n" = 1 ] || fail "a full verdict table: printed $n times after the view, not once"
"$fwsight" analyze --max-verdicts 16 "$tmp/full.pcap" > /dev/null 2> "$tmp/full.err"
[ -s "$tmp/full.err" ] && fail "a full verdict table: without the view, stderr: $(cat "$tmp/full.err")"

# Every way out prints them after the terminal is restored: SIGTERM, and a crash (SIGSEGV by
# hand), whose handler writes them out before the process dies.
for sig in TERM SEGV; do
    keys "clear; $fwsight analyze --ui $tmp/bad.pcap; echo \"EXIT=\$?\"" Enter
    expect_screen "^ warning: $tmp/bad\\.pcap: packet 43" "SIG$sig with a warning: the view"
    pid=$(pgrep -P "$(tm display-message -p -t t '#{pane_pid}')" -x fwsight | head -1)
    [ -n "$pid" ] && kill -"$sig" "$pid"
    expect_screen '^EXIT=' "SIG$sig with a warning: the view ends"
    n=$(joined | grep -cxF "fwsight: $bad$tail")
    [ "$n" = 1 ] || fail "SIG$sig: the warning printed $n times after the view, not once"
    [ "$(tm display-message -p -t t '#{alternate_on}')" = 0 ] || fail "SIG$sig: alternate screen"
done

# The sanitizers' reports so far: the crash below may write one of its own.
if grep -q "runtime error\|Sanitizer" "$tmp/err" 2> /dev/null; then
    fail "sanitizer report: $(head -c 400 "$tmp/err")"
fi

# SIGTERM, and a crash (SIGSEGV sent by hand): the terminal is restored either way.
for sig in TERM SEGV; do
    run "$fwsight" analyze --ui "$sample"
    expect_screen 'q quit' "SIG$sig: the view opens"
    pid=$(pgrep -P "$(tm display-message -p -t t '#{pane_pid}')" -x fwsight | head -1)
    if [ -n "$pid" ]; then
        kill -"$sig" "$pid"
        expect_screen '^EXIT=' "SIG$sig ends the view"
        restored "SIG$sig"
    else
        fail "SIG$sig: no fwsight process under the pane"
        keys q
    fi
done
: > "$tmp/err" # the crash may leave its own report there

# Line drawing: the rule above the lower pane is box drawing in a UTF-8 locale (double where
# j/k go), and ASCII without one, with not a byte above 0x7f on the screen. The shell's own
# environment has no locale (env -i): each run sets the program's.
nonascii() { screen | LC_ALL=C grep -c $'[\x80-\xff]'; }
run env LANG=C.UTF-8 "$fwsight" analyze --ui "$sample"
expect_screen '^── evidence: 198\.51\.100\.10 -> 203\.0\.113\.20 tcp 6320 \(Double-Take\) (─)+$' \
    "UTF-8: the rule is box drawing, the title text"
keys Tab
expect_screen '^══ evidence: 198\.51\.100\.10 .* (─)+$' "UTF-8: a double rule where j/k go"
screen | grep -q -- '^--\|^==' && fail "UTF-8: an ASCII rule on the screen"
[ "$(nonascii)" = 1 ] || fail "UTF-8: box drawing outside the rule ($(nonascii) lines)"
keys q
expect_screen '^EXIT=1' "UTF-8: q quits"
# No UTF-8: LANG=C, LC_ALL=C over a UTF-8 LANG, and a UTF-8 locale that is not installed.
for env in "LANG=C" "LANG=C.UTF-8 LC_ALL=C" "LANG=xx_YY.UTF-8"; do
    run env "$env" "$fwsight" analyze --ui "$sample" # run joins the words: two settings pass
    expect_screen '^-- evidence: 198\.51\.100\.10 .*\(Double-Take\) -{20,}$' "$env: an ASCII rule"
    keys Tab
    expect_screen '^== evidence: 198\.51\.100\.10 .* -+$' "$env: '==' where j/k go"
    [ "$(nonascii)" = 0 ] ||
        fail "$env: non-ASCII on the screen: $(screen | grep -a -m1 $'[\x80-\xff]')"
    keys q
    expect_screen '^EXIT=1' "$env: q quits"
done
if grep -q "runtime error\|Sanitizer" "$tmp/err" 2> /dev/null; then
    fail "sanitizer report: $(head -c 400 "$tmp/err")"
fi

# Live (root only: it captures on the loopback of a network namespace of its own, where the
# pings go too): the view opens by default on a terminal, counts the packets, and q ends the
# capture with the terminal restored and the report printed.
if [ "$(id -u)" = 0 ] && ip netns add "$ns" 2> /dev/null; then
    nsmade=1
    ip -n "$ns" link set lo up
    run ip netns exec "$ns" "$fwsight" live -i lo --duration 60 -Z nobody
    expect_screen 'fwsight  live lo' "live: the view opens on a terminal"
    ip netns exec "$ns" ping -c 3 -i 0.2 127.0.0.1 > /dev/null 2>&1
    expect_screen 'packets [1-9]' "live: the packets counted"
    keys q
    expect_screen '^EXIT=' "live: q ends the capture"
    restored "live q"
    scrollback | grep -q '^Capture' || fail "live: the report printed after the view"
    # Not root (nobody with CAP_NET_RAW): the privilege step's warning in the view, then after.
    asnobody="setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=+net_raw \
--ambient-caps=+net_raw"
    if command -v setpriv > /dev/null && $asnobody "$fwsight" --version > /dev/null 2>&1; then
        keys "clear; ip netns exec $ns $asnobody $fwsight live -i lo -Z nobody --duration 60; \
echo \"EXIT=\$?\"" Enter
        note="not running as root: -Z nobody ignored (capabilities dropped)"
        expect_screen "^ not running as root: -Z nobody ignored" \
            "live, not root: the warning in the view"
        screen | grep -q "fwsight: $note" && fail "live, not root: the warning over the view"
        keys q
        expect_screen '^EXIT=' "live, not root: q ends the capture"
        # the scrollback too: the report after it can be longer than the pane
        n=$(tm capture-pane -p -J -S -300 -t t | grep -cxF "fwsight: $note")
        [ "$n" = 1 ] || fail "live, not root: the warning printed $n times after, not once"
    fi
fi

if grep -q "runtime error\|Sanitizer" "$tmp/err" 2> /dev/null; then
    fail "sanitizer report: $(head -c 400 "$tmp/err")"
fi
[ "$failures" = 0 ] && echo "tui: all checks passed"
[ "$failures" = 0 ]
