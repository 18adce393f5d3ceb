#!/bin/bash
# tests/tui/screenshots.sh: the README's text screenshots of the interactive view, made again
# from the committed demo capture: tmux runs `fwsight analyze --ui samples/demo/source.pcap.gz`
# at 100x30 in a UTF-8 locale (box drawing; LANG=C to see the ASCII rules), sends the keys of
# each view and prints the screen, indented by four spaces (a Markdown code block) with trailing
# blanks trimmed and each run of empty lines shown as one, after a line naming the view and its
# keys:
#   the first screen (the change to make over the matrix, j: tcp 6325 selected, its evidence
#   below), the change to make whole (c), the evidence of tcp 445 on the whole screen (/445
#   then Enter twice), all the attempts (a), and the help (?).
# The capture's own times make every run print the same.
#
#   tests/tui/screenshots.sh FWSIGHT [LANG]     (from anywhere; LANG defaults to C.UTF-8)
set -u
fwsight=$(realpath "${1:?usage: screenshots.sh FWSIGHT [LANG]}")
lang=${2:-C.UTF-8}
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v tmux > /dev/null || { echo "screenshots.sh: needs tmux" >&2; exit 1; }
sock=fwsight-shots-$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }
sockpath="${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
cleanup() { tm kill-server > /dev/null 2>&1; rm -f "$sockpath"; }
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

# wait_for PATTERN: until the screen matches the extended regex, at most 10 s.
wait_for() {
    local i
    for ((i = 0; i < 100; i++)); do
        tm capture-pane -p -t s | grep -Eq -- "$1" && return 0
        sleep 0.1
    done
    echo "screenshots.sh: /$1/ never on the screen" >&2
    exit 1
}

# shot NAME READY KEYS...: a fresh view, the keys sent one at a time (each must be read before
# the next, or curses takes Esc and the next key for one Alt key), then the screen once READY
# (a regex) shows.
shot() {
    local name=$1 ready=$2
    shift 2
    tm send-keys -t s "clear; '$fwsight' analyze --ui samples/demo/source.pcap.gz" Enter
    wait_for 'q quit  \? help'
    for k in "$@"; do
        tm send-keys -t s "$k"
        sleep 0.3
    done
    wait_for "$ready"
    echo "$name (keys: ${*:-none})"
    echo
    tm capture-pane -p -t s | sed -e 's/[[:space:]]*$//' -e '/./s/^/    /' | cat -s
    echo
    tm send-keys -t s q
    wait_for '^shot\$ *$'
}

shell="env -i PATH=$PATH HOME=/tmp HISTFILE=/dev/null TERM=screen LANG=$lang PS1='shot\$ ' bash --norc --noprofile"
tm new-session -d -s s -x 100 -y 30 -c "$root" "$shell"
wait_for '^shot\$'
shot "The first screen: the change to make, then the matrix, tcp 6325 selected" \
    'evidence: .* tcp 6325' j
shot "c: the change to make whole" 'change to make \(c or Esc' c
shot "Enter: the evidence and advice of tcp 445 on the whole screen" 'advice: ' / 4 4 5 Enter Enter
shot "a: all the attempts, newest first" 'attempts: all' a
shot "?: the help" 'fwsight: keys' '?'
