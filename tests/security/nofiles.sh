#!/usr/bin/env bash
# tests/security/nofiles.sh FWSIGHT SAMPLES: fwsight writes no file the user did not name.
# Every command runs with HOME and TMPDIR set to empty directories, from an empty working
# directory (all three world-writable, so that even after the drop to nobody a write would
# succeed and be seen): the help, profiles, analyze (text, JSON, --conn-log to stdout, two
# captures, stdin, a missing file), live with and without -w and its interactive view (tmux),
# test --peer with -w, listen. Afterwards those directories are still empty (no cache, no
# temporary file, no core) and the directory given to -w holds exactly the files named.
# With strace installed, the runs are traced too: no file opened for writing, created,
# renamed, linked or removed anywhere but the named ones. Needs root for the namespaces;
# skipped (77) without it.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SAMPLES=$(cd "${2:?usage: $0 FWSIGHT SAMPLES}" && pwd) || exit 2
source "$HERE/lib.sh"

lab_up
chmod 711 "$WORK"
HOMED="$WORK/home" TMPD="$WORK/tmp" CWD="$WORK/cwd" OUT="$WORK/out" TRACE="$WORK/trace"
mkdir -m 1777 "$HOMED" "$TMPD" "$CWD" "$OUT"
mkdir "$TRACE"
DEMO="$SAMPLES/demo"
STRACE=""
# Installed (scripts/deps.sh) but ptrace may be denied (a container's seccomp): tried first.
if command -v strace >/dev/null && strace -f -qq -o /dev/null true 2>/dev/null; then
    STRACE=strace
else
    log "strace not installed or cannot trace here: only the directory listings are compared"
fi
# The only environment fwsight gets: no XDG_* either, so every default falls on HOME.
# LeakSanitizer cannot work under ptrace: traced, leaks are not looked for (other tests do).
asan=${ASAN_OPTIONS:-}
[ -n "$STRACE" ] && asan="${asan:+$asan:}detect_leaks=0"
ENV=(env -i "PATH=$PATH" "HOME=$HOMED" "TMPDIR=$TMPD" "TERM=screen"
     "ASAN_OPTIONS=$asan" "UBSAN_OPTIONS=${UBSAN_OPTIONS:-}")
ulimit -c unlimited 2>/dev/null  # a crash would leave its core in the working directory

N=0
# fw NS WANT ARGS...: fwsight ARGS in namespace NS ("-" for none) from CWD with ENV, stdin
# from /dev/null, traced when strace is there; its exit status must be WANT.
fw() {
    local ns=$1 want=$2; shift 2
    local pre=() st
    N=$((N + 1))
    [ "$ns" != - ] && pre=(ip netns exec "$ns")
    [ -n "$STRACE" ] && pre+=(strace -f -qq -o "$TRACE/$N" -e trace=%file)
    (cd "$CWD" && "${pre[@]}" "${ENV[@]}" "$FW" "$@" </dev/null >"$WORK/run.out" \
        2>"$WORK/run.err")
    st=$?
    [ "$st" = "$want" ] || fail "fwsight $*: exit $st, wanted $want: $(tail -2 "$WORK/run.err")"
}

fw - 0 --help
fw - 0 --version
for c in analyze live test listen profiles; do fw - 0 help "$c"; done
fw - 0 profiles
fw - 0 profiles double-take
fw - 1 analyze "$DEMO/source.pcap.gz"
fw - 1 analyze --json "$DEMO/source.pcap.gz"
fw - 1 analyze --conn-log - "$DEMO/source.pcap.gz"
fw - 1 analyze "$DEMO/source.pcap.gz" "$DEMO/target.pcap.gz"
(cd "$CWD" && "${ENV[@]}" "$FW" analyze - <"$DEMO/source.pcap.gz" >/dev/null 2>&1)
st=$?
[ "$st" = 1 ] || fail "analyze - (stdin): exit $st, wanted 1"
fw - 2 analyze "$WORK/no-such-file.pcap"
fw "$NS_A" 0 live -i sa0 --no-ui --duration 1
fw "$NS_A" 0 live -i sa0 --no-ui --duration 1 -w "$OUT/named.pcap.gz"
fw "$NS_A" 0 test --peer "$B4" --ports tcp:6399 -w "$OUT/test.pcap"
fw "$NS_B" 0 listen --ports 6320 --duration 1
fw "$NS_A" 3 live -i nosuch0 --no-ui --duration 1

# The view needs a terminal: tmux's, the same environment, until --duration ends it.
if command -v tmux >/dev/null; then
    sock=fwsight-secnf-$$
    tm() { tmux -L "$sock" -f /dev/null "$@"; }
    # shellcheck disable=SC2016 # expanded by cleanup's eval
    SEC_EXTRA_CLEANUP='tm kill-server >/dev/null 2>&1; rm -f "${TMUX_TMPDIR:-/tmp}/tmux-0/$sock"'
    vpre=""
    [ -n "$STRACE" ] && vpre="strace -f -qq -o $TRACE/view -e trace=%file"
    tm new-session -d -s v -x 120 -y 40 "cd $CWD && ip netns exec $NS_A $vpre ${ENV[*]} $FW \
live -i sa0 --duration 2 2>$WORK/view.err; echo \$? >$WORK/view.rc"
    for i in $(seq 150); do [ -s "$WORK/view.rc" ] && break; sleep 0.1; done
    [ "$(cat "$WORK/view.rc" 2>/dev/null)" = 0 ] && ok "live's view ran and ended" ||
        fail "live's view: exit '$(cat "$WORK/view.rc" 2>/dev/null)': $(cat "$WORK/view.err")"
    tm kill-server >/dev/null 2>&1
else
    log "tmux not installed: live's view not run"
fi

for d in "$HOMED" "$TMPD" "$CWD"; do
    left=$(find "$d" -mindepth 1 | head -5)
    [ -z "$left" ] && ok "$(basename "$d"): still empty" ||
        fail "$(basename "$d") is not empty:"$'\n'"$left"
done
got=$(cd "$OUT" && find . -mindepth 1 | sort | tr '\n' ' ')
[ "$got" = "./named.pcap.gz ./test.pcap " ] && ok "-w wrote exactly the files named" ||
    fail "the -w directory holds: $got"

# What the traces say: every open for writing, creation, rename, link or removal that
# succeeded, but those of the named files and of terminals and /dev/null.
if [ -n "$STRACE" ]; then
    bad=$(cat "$TRACE"/* | grep -E '(O_WRONLY|O_RDWR|O_CREAT|O_TRUNC)|^[0-9]+ +(creat|mkdir|mkdirat|rename|renameat2?|link|linkat|symlink|symlinkat|unlink|unlinkat|rmdir|truncate)\(' |
        grep -Ev '= -1 ' | grep -Ev "\"($OUT/named.pcap.gz|$OUT/test.pcap|/dev/null|/dev/tty|/dev/pts/[0-9]+)\"")
    [ -z "$bad" ] && ok "strace: nothing written but the named files" ||
        fail "strace: written outside what was named:"$'\n'"$(head -10 <<<"$bad")"
fi

finish
