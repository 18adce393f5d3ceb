#!/usr/bin/env bash
# tests/tui/tui_live_netns.sh FWSIGHT: the interactive view of `fwsight live` while the lab
# (tests/live/lib.sh: source -- router dropping TCP 6325 -- target listening) is tried: tmux
# runs `fwsight live -i lv0 -Z nobody` in the source namespace, connection attempts go to the
# open port 6320 and the dropped 6325, and the screen is read back until 6325's row says
# DROPPED and 6320's OPEN while the capture still runs, and the change to make at the top,
# "None" before, names the rule to open once the drop is decided; then `w` asks for a path (no
# -w given)
# and saves from then on, and q ends it with the report printed and the terminal restored;
# with -w, w flushes the file and says how many packets it holds.
# Skipped (77) without root, namespaces or tmux. Every wait is bounded; the tmux server is
# killed and the namespaces removed on every way out (lib.sh's trap, extended here).
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/../live/lib.sh"
command -v tmux >/dev/null || { log "SKIP: tmux not installed"; exit 77; }

sock=fwsight-tuilive-$$
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# the tmux server first (its pane's shell is in our namespace) and its socket, which
# kill-server leaves behind, then lib.sh's cleanup
sockpath="${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
trap 'tm kill-server >/dev/null 2>&1; rm -f "$sockpath"; cleanup' EXIT

lab_up
expect_screen() {
    if wait_for "$1" "${3:-10}"; then
        ok "$2"
    else
        fail "$2: /$1/ not on the screen:"
        screen | sed 's/^/    | /' >&2
    fi
}

# view_closed LABEL: once fwsight live has ended, the terminal is given back as it was (line
# modes on, main screen) and the report follows the view. LABEL prefixes the messages.
view_closed() {
    expect_screen '^icanon echo' "$1: the terminal modes restored"
    [ "$(tm display-message -p -t t '#{alternate_on}')" = 0 ] ||
        fail "$1: still on the alternate screen"
    scrollback | grep -q '^Capture' && ok "$1: the report printed after the view" ||
        fail "$1: no report after the view"
}

# The pane's shell runs in the source namespace: fwsight started from it captures on lv0.
chmod 711 "$WORK"  # the pane saves under it as nobody (-Z), in a sticky subdirectory
mkdir -m 1777 "$WORK/save"
shell="env -i PATH=$PATH HOME=$WORK TERM=screen PS1='tui-prompt\$ ' bash --norc --noprofile"
tm new-session -d -s t -x 120 -y 40 "ip netns exec $NS_S $shell" ||
    { log "SKIP: tmux cannot start a session"; exit 77; }
wait_for 'tui-prompt\$' 5 || { fail "no shell prompt in tmux"; exit 1; }
modes="stty -a | tr -s ' ;\\n' '\\n' | grep -Ex -- '-?(echo|icanon)' | tr '\\n' ' '"
keys "clear; $FWSIGHT live -i lv0 -Z nobody --duration 60 --ports 6320,6325 \
2>> $WORK/err; echo \"EXIT=\$?\"; $modes; echo" Enter
expect_screen 'fwsight  live lv0' "live: the view opens in the source namespace"
expect_screen '^   None: no port was found blocked by a firewall\.$' \
    "live: nothing to change before any attempt"

# Attempts in the background while the view runs: one accepted, one the router drops (the
# source retries the SYN until the timeout).
attempt 6320 2 & PIDS+=($!)
attempt 6325 4 & PIDS+=($!)
expect_screen '^>? +ports +tcp +6325 +DROPPED' "6325 turns DROPPED on the screen" 20
expect_screen '^>? +ports +tcp +6320 +OPEN' "6320 is OPEN on the screen"
# The change to make follows: the silent drop between the hosts, the port to open.
expect_screen '^   On a firewall between them \(it did not name itself\), 198\.51\.100\.10 -> 203\.0\.113\.20:$' \
    "live: the change to make names the device and direction"
expect_screen '^     open TCP 6325 \(ports, DROPPED, (low|medium|high)\)$' \
    "live: the change to make names the port to open"
screen | grep -q 'None: no port was found blocked' && fail "live: 'None' left with a port blocked"
pgrep -x fwsight -P "$(tm display-message -p -t t '#{pane_pid}')" >/dev/null ||
    fail "fwsight no longer runs while its verdicts show"

# w without -w: a prompt for the path; Enter saves from then on, and says so.
keys w
expect_screen 'save the capture from now on to:' "w without -w asks for a path"
keys "$WORK/save/saved.pcap" Enter
expect_screen "saving to $WORK/save/saved.pcap" "w: saving from now on, said on the status line"
attempt 6320 2
sleep 0.5
keys q
expect_screen '^EXIT=1' "q ends the capture with status 1 (blocking found)" 15
view_closed q
n=$("$FWSIGHT" analyze --json "$WORK/save/saved.pcap" 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["captures"][0]["packets"])')
[ "${n:-0}" -gt 0 ] 2>/dev/null && ok "the file saved with w reads back ($n packets)" ||
    fail "the file saved with w: '${n:-}' packets"

# With -w the file is being written already: w flushes it and says how many packets it holds.
keys "clear; $FWSIGHT live -i lv0 -Z nobody --duration 30 --ports 6320 -w $WORK/w.pcap \
2>> $WORK/err; echo \"EXIT=\$?\"" Enter
expect_screen 'fwsight  live lv0' "live -w: the view opens"
attempt 6320 2
expect_screen '^>? +ports +tcp +6320 +OPEN' "live -w: 6320 OPEN"
keys w
expect_screen "saved [1-9][0-9]* packets to $WORK/w.pcap" "w with -w flushes and says so"
keys q
expect_screen '^EXIT=0' "live -w: q ends it (nothing blocked: 0)" 15

# Ctrl-C and SIGTERM during the view end the capture as q does: the terminal restored, the
# report printed, the -w file complete and readable.
for sig in INT TERM; do
    keys "clear; $FWSIGHT live -i lv0 -Z nobody --duration 30 --ports 6320 \
-w $WORK/$sig.pcap 2>> $WORK/err; echo \"EXIT=\$?\"; $modes; echo" Enter
    expect_screen 'fwsight  live lv0' "SIG$sig: the view opens"
    attempt 6320 2
    expect_screen '^>? +ports +tcp +6320 +OPEN' "SIG$sig: 6320 OPEN"
    if [ $sig = INT ]; then
        keys C-c
    else
        pid=$(pgrep -x fwsight -P "$(tm display-message -p -t t '#{pane_pid}')")
        [ -n "$pid" ] && kill -TERM "$pid"
    fi
    expect_screen '^EXIT=0' "SIG$sig ends the capture with the status of its verdicts" 15
    view_closed "SIG$sig"
    v=$("$FWSIGHT" analyze --json --ports 6320 "$WORK/$sig.pcap" 2>/dev/null | python3 -c '
import json, sys
print(" ".join(v["verdict"] for v in json.load(sys.stdin)["verdicts"]
               if v["port"] == 6320 and v["verdict"] != "UNTESTED"))')
    [ "$v" = "OPEN" ] && ok "SIG$sig: the -w file reads back with 6320 OPEN" ||
        fail "SIG$sig: the -w file gives '$v' for 6320"
done
if grep -q "runtime error\|Sanitizer" "$WORK/err" 2>/dev/null; then
    fail "sanitizer report: $(head -c 400 "$WORK/err")"
fi
finish
