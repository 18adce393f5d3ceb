# tests/tui/lib.sh: what the tmux tests of the view share, sourced after they set $sock (the
# private tmux server's name) and define fail(): tmux on that server, the screen of window t
# read back, keys sent to it, and bounded waits for what the screen shows.

tm() { tmux -L "$sock" -f /dev/null "$@"; }
screen() { tm capture-pane -p -t t; }
scrollback() { tm capture-pane -p -S -300 -t t; }
keys() { tm send-keys -t t "$@"; }
# wait_for PATTERN [SECONDS]: until the screen matches the extended regex, at most SECONDS
# (default 10).
wait_for() {
    local i limit=$(( ${2:-10} * 10 ))
    for ((i = 0; i < limit; i++)); do
        screen | grep -Eq -- "$1" && return 0
        sleep 0.1
    done
    return 1
}
# wait_gone PATTERN [SECONDS]: until the screen no longer matches, at most SECONDS.
wait_gone() {
    local i limit=$(( ${2:-10} * 10 ))
    for ((i = 0; i < limit; i++)); do
        screen | grep -Eq -- "$1" || return 0
        sleep 0.1
    done
    return 1
}
# expect_screen PATTERN WHAT: fails with the screen shown when it does not appear in 10 s.
expect_screen() {
    if ! wait_for "$1"; then
        fail "$2: /$1/ not on the screen:"
        screen | sed 's/^/    | /'
    fi
}
