#!/usr/bin/env bash
# tests/security/privdrop.sh FWSIGHT: every command that captures or binds as root gives root
# up once its device, sockets and files are open, and what it then holds is read from
# /proc/PID/status while it runs (uids, gids, groups, every capability set, no_new_privs):
# live streaming (-Z nobody), live saving with -w (the default user), live's interactive view
# (tmux), test --peer with -w, listen (also on a port below 1024, bound before the drop). The
# -w files end up owned by the user dropped to, even in a directory only root can write,
# while a file --force overwrote keeps its owner, and a symlink at the path is refused. Then the same commands run by
# nobody from a copy of the binary given CAP_NET_RAW,CAP_NET_ADMIN with setcap: they capture
# (the same copy without them cannot) and hold no capability once running. Needs root;
# skipped (77) without it or namespaces.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"

lab_up
NUID=$(id -u nobody) NGID=$(id -g nobody)
mkdir -m 700 "$WORK/root"   # only root can create files here
# owner FILE: "uid:gid"
owner() { stat -c %u:%g "$1" 2>/dev/null; }

# --- live, streaming, -Z nobody -------------------------------------------------------------
start_bg "$WORK/live1" "$NS_A" "$FW" live -i sa0 --no-ui -Z nobody --duration 30
if wait_line "$WORK/live1.err" "capturing on sa0 as uid $NUID" 10 "$BG_PID"; then
    check_dropped "$BG_PID" "live -Z nobody" "$NUID" "$NGID" root
else
    fail "live -Z nobody did not start: $(cat "$WORK/live1.err")"
fi
netns_stop_pid "$BG_PID"

# --- live saving with -w, default user: the file is nobody's ------------------------------
start_bg "$WORK/live2" "$NS_A" "$FW" live -i sa0 --no-ui --duration 30 -w "$WORK/root/live.pcap"
if wait_line "$WORK/live2.err" "capturing on sa0 as uid $NUID, saving to" 10 "$BG_PID"; then
    check_dropped "$BG_PID" "live -w (default user)" "$NUID" "$NGID" root
    [ "$(owner "$WORK/root/live.pcap")" = "$NUID:$NGID" ] &&
        ok "live -w: the file is nobody's while it is written" ||
        fail "live -w: the file is owned by $(owner "$WORK/root/live.pcap") while written"
else
    fail "live -w did not start: $(cat "$WORK/live2.err")"
fi
nsx "$NS_B" ping -c 2 -i 0.2 -q "$A4" >/dev/null 2>&1
pid=$BG_PID
kill -TERM "$pid"
wait_exit "$pid" 10
[ "$RC" = 0 ] || fail "live -w: exit $RC after SIGTERM, wanted 0"
[ "$(owner "$WORK/root/live.pcap")" = "$NUID:$NGID" ] && ok "live -w: the file is nobody's" ||
    fail "live -w: the file is owned by $(owner "$WORK/root/live.pcap") at the end"
n=$("$FW" analyze --json "$WORK/root/live.pcap" 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["captures"][0]["packets"])')
[ "${n:-0}" -ge 2 ] && ok "live -w: the saved file reads back ($n packets)" ||
    fail "live -w: the saved file holds '${n:-}' packets"

# --force over an existing file: it is written, but keeps its owner, root's own included (only
# a file fwsight created is handed over: --force -w /etc/x must not give that name away);
# a symlink at the path is refused.
echo x >"$WORK/root/old.pcap"
echo x >"$WORK/root/linked" && ln "$WORK/root/linked" "$WORK/root/link2"
echo x >"$WORK/root/others" && chown 4242:4242 "$WORK/root/others"
echo x >"$WORK/root/target" && ln -s "$WORK/root/target" "$WORK/root/sym"
# force PATH FILE OWNER WHAT: live --force -w PATH; then FILE must belong to OWNER
force() {
    nsx "$NS_A" "$FW" live -i sa0 --no-ui --duration 1 --force -w "$1" >/dev/null \
        2>"$WORK/force.err"
    local rc=$?
    [ "$rc" = 0 ] && [ "$(owner "$2")" = "$3" ] && ok "live -w --force, $4: owner $3" ||
        fail "live -w --force, $4: exit $rc, owner $(owner "$2"), wanted $3"
}
force "$WORK/root/old.pcap" "$WORK/root/old.pcap" 0:0 "root's own file"
force "$WORK/root/link2" "$WORK/root/linked" 0:0 "a hard-linked file"
force "$WORK/root/others" "$WORK/root/others" 4242:4242 "someone else's file"
# A symlink at the path is refused even with --force: what it points to stays untouched.
nsx "$NS_A" "$FW" live -i sa0 --no-ui --duration 1 --force -w "$WORK/root/sym" >/dev/null \
    2>"$WORK/force.err"
rc=$?
[ "$rc" = 3 ] && grep -q 'sym: is a symbolic link (will not write through it)' "$WORK/force.err" &&
    [ "$(cat "$WORK/root/target")" = x ] && [ "$(owner "$WORK/root/target")" = 0:0 ] &&
    ok "live -w --force through a symlink: refused, target untouched" ||
    fail "live -w --force through a symlink: exit $rc, $(cat "$WORK/force.err")"
# An existing file without --force is a usage error (2, with the hint); a file that cannot be
# created is the capture's (3, no hint).
# wopen PATH STATUS HINT(yes|no) WHAT
wopen() {
    nsx "$NS_A" "$FW" live -i sa0 --no-ui --duration 1 -w "$1" >/dev/null 2>"$WORK/wopen.err"
    local rc=$? hint=no
    grep -q 'overwritten only with --force' "$WORK/wopen.err" && hint=yes
    [ "$rc" = "$2" ] && [ "$hint" = "$3" ] && ok "live -w $4: exit $2" ||
        fail "live -w $4: exit $rc (wanted $2), hint $hint: $(cat "$WORK/wopen.err")"
}
wopen "$WORK/root/old.pcap" 2 yes "over an existing file"
wopen "$WORK/root/no/such/dir.pcap" 3 no "in a missing directory"

# --- live's interactive view (tmux) ---------------------------------------------------------
if command -v tmux >/dev/null; then
    sock=fwsight-sec-$$
    tm() { tmux -L "$sock" -f /dev/null "$@"; }
    # shellcheck disable=SC2016 # expanded by cleanup's eval
    SEC_EXTRA_CLEANUP='tm kill-server >/dev/null 2>&1; rm -f "${TMUX_TMPDIR:-/tmp}/tmux-0/$sock"'
    # nothing else runs in A now: the namespace's only process is fwsight
    tm new-session -d -s v -x 120 -y 40 "ip netns exec $NS_A env TERM=screen $FW live -i sa0 \
-Z nobody --duration 30 2>$WORK/view.err"
    if wait_line "$WORK/view.err" "capturing on sa0 as uid $NUID" 10 $$; then
        pid=$(ip netns pids "$NS_A")
        for i in $(seq 50); do
            tm capture-pane -p -t v | grep -q "fwsight  live sa0" && break
            sleep 0.1
        done
        tm capture-pane -p -t v | grep -q "fwsight  live sa0" && ok "view: on the screen" ||
            fail "view: the interactive view did not show"
        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = fwsight ] &&
            check_dropped "$pid" "live's view" "$NUID" "$NGID" root ||
            fail "view: no fwsight process in the namespace ('$pid')"
        tm send-keys -t v q
        for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && fail "view: still running after q"
    else
        fail "live's view did not start: $(cat "$WORK/view.err")"
    fi
    tm kill-server >/dev/null 2>&1
else
    log "tmux not installed: live's view not checked"
fi

# --- test --peer, with -w ------------------------------------------------------------------
# Nothing listens on B's 6399: each round is quick, six rounds half a second apart keep it
# running long enough to be read.
start_bg "$WORK/test1" "$NS_A" "$FW" test --peer "$B4" --ports tcp:6399 --rounds 6 \
    -w "$WORK/root/test.pcap"
if wait_line "$WORK/test1.err" "fwsight test: probing $B4" 10 "$BG_PID"; then
    check_dropped "$BG_PID" "test --peer (default user)" "$NUID" "$NGID" root
else
    fail "test --peer did not start: $(cat "$WORK/test1.err")"
fi
wait_exit "$BG_PID" 30
[ "$RC" = 0 ] || fail "test --peer: exit $RC, wanted 0: $(tail -3 "$WORK/test1.err")"
grep -q "round 6: tcp 6399: " "$WORK/test1.err" && ok "test --peer: probed as nobody, 6 rounds" ||
    fail "test --peer: the probes did not all run: $(tail -3 "$WORK/test1.err")"
[ "$(owner "$WORK/root/test.pcap")" = "$NUID:$NGID" ] && ok "test -w: the file is nobody's" ||
    fail "test -w: the file is owned by $(owner "$WORK/root/test.pcap")"
start_bg "$WORK/test2" "$NS_A" "$FW" test --peer "$B4" --ports tcp:6399 --rounds 6 -Z nobody
if wait_line "$WORK/test2.err" "fwsight test: probing $B4" 10 "$BG_PID"; then
    check_dropped "$BG_PID" "test --peer -Z nobody" "$NUID" "$NGID" root
else
    fail "test --peer -Z nobody did not start: $(cat "$WORK/test2.err")"
fi
netns_stop_pid "$BG_PID"

# --- listen, on a port only root may bind -------------------------------------------------
start_bg "$WORK/listen1" "$NS_B" "$FW" listen --ports tcp:135,6320 --duration 30
if wait_line "$WORK/listen1.out" "listening on 3 ports" 10 "$BG_PID"; then
    check_dropped "$BG_PID" "listen (default user)" "$NUID" "$NGID" root
    nsx "$NS_A" python3 -c 'import socket,sys; socket.create_connection((sys.argv[1], 135), 3)' \
        "$B4" || fail "listen: cannot connect to 135 after the drop"
    wait_line "$WORK/listen1.out" "tcp 135 from $A4 port [0-9]+: accepted" 5 "$BG_PID" &&
        ok "listen: 135 bound before the drop, served after" || fail "listen: 135 not logged"
else
    fail "listen did not start: $(cat "$WORK/listen1.err")"
fi
netns_stop_pid "$BG_PID"
start_bg "$WORK/listen2" "$NS_B" "$FW" listen --ports 6320 --duration 30 -Z nobody
if wait_line "$WORK/listen2.out" "listening on 2 ports" 10 "$BG_PID"; then
    check_dropped "$BG_PID" "listen -Z nobody" "$NUID" "$NGID" root
else
    fail "listen -Z nobody did not start: $(cat "$WORK/listen2.err")"
fi
netns_stop_pid "$BG_PID"
nsx "$NS_B" "$FW" listen --ports 6320 --duration 1 -Z fwsight-no-such-user >"$WORK/l3.out" \
    2>"$WORK/l3.err"
rc=$?
[ "$rc" = 3 ] && grep -q "fwsight listen: -Z fwsight-no-such-user: no such user" "$WORK/l3.err" &&
    ! grep -q "listening on" "$WORK/l3.out" && ok "listen -Z unknown user: exit 3, never serves" ||
    fail "listen -Z unknown user: exit $rc, $(cat "$WORK/l3.err")"

# --- a copy of the binary with file capabilities, run by nobody ----------------------------
if command -v setcap >/dev/null && command -v setpriv >/dev/null; then
    chmod 755 "$WORK"
    mkdir -m 755 "$WORK/capbin" "$WORK/plainbin"
    mkdir -m 700 "$WORK/nob" && chown "$NUID:$NGID" "$WORK/nob"
    cp "$FW" "$WORK/capbin/fwsight" && cp "$FW" "$WORK/plainbin/fwsight"
    chmod 755 "$WORK/capbin/fwsight" "$WORK/plainbin/fwsight"
    setcap cap_net_raw,cap_net_admin+ep "$WORK/capbin/fwsight" || exit 2
    asnobody=(setpriv --reuid="$NUID" --regid="$NGID" --clear-groups)
    capfw="$WORK/capbin/fwsight"

    start_bg "$WORK/cap1" "$NS_A" "${asnobody[@]}" "$capfw" live -i sa0 --no-ui --duration 30 \
        -w "$WORK/nob/cap.pcap"
    if wait_line "$WORK/cap1.err" "capturing on sa0 as uid $NUID" 10 "$BG_PID"; then
        check_dropped "$BG_PID" "setcap live -w" "$NUID" "$NGID" setcap
        [ "$(owner "$WORK/nob/cap.pcap")" = "$NUID:$NGID" ] && ok "setcap live -w: nobody's file" ||
            fail "setcap live -w: the file is owned by $(owner "$WORK/nob/cap.pcap")"
    else
        fail "setcap live did not start: $(cat "$WORK/cap1.err")"
    fi
    netns_stop_pid "$BG_PID"

    nsx "$NS_A" "${asnobody[@]}" "$WORK/plainbin/fwsight" live -i sa0 --no-ui --duration 1 \
        >/dev/null 2>"$WORK/plain.err"
    rc=$?
    [ "$rc" = 3 ] && ok "the same binary without file capabilities cannot capture (exit 3)" ||
        fail "without file capabilities: exit $rc, $(cat "$WORK/plain.err")"

    start_bg "$WORK/cap2" "$NS_A" "${asnobody[@]}" "$capfw" test --peer "$B4" --ports tcp:6399 \
        --rounds 6
    if wait_line "$WORK/cap2.err" "fwsight test: probing $B4" 10 "$BG_PID"; then
        check_dropped "$BG_PID" "setcap test --peer" "$NUID" "$NGID" setcap
    else
        fail "setcap test did not start: $(cat "$WORK/cap2.err")"
    fi
    netns_stop_pid "$BG_PID"

    start_bg "$WORK/cap3" "$NS_B" "${asnobody[@]}" "$capfw" listen --ports 6320 --duration 30
    if wait_line "$WORK/cap3.out" "listening on 2 ports" 10 "$BG_PID"; then
        check_dropped "$BG_PID" "setcap listen" "$NUID" "$NGID" setcap
    else
        fail "setcap listen did not start: $(cat "$WORK/cap3.err")"
    fi
    netns_stop_pid "$BG_PID"
else
    fail "setcap or setpriv not installed: the file-capability paths were not checked"
fi

finish
