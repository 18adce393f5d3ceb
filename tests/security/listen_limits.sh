#!/usr/bin/env bash
# tests/security/listen_limits.sh FWSIGHT: `fwsight listen --max-conns 10` in namespace B, peers
# 198.51.100.10 and .11 in A, each limit end to end, from the client's side and in the log:
# one peer holding 10 connections gets 8 (the other 2 are closed at once: per-peer cap), a
# second peer then gets 2 of 3 (global cap), all of them are closed after 5 s idle; a
# connection kept alive by a byte every half second is closed at the time limit, one sending
# 100 KiB at the byte limit; nothing is ever sent back on TCP; a UDP answer is never longer
# than the datagram it answers (0, 1, 14 ... 8000 bytes), and the summary at SIGTERM counts
# each. Needs root; skipped (77) without it or namespaces. Every loop is bounded.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"

lab_up
start_bg "$WORK/listen" "$NS_B" "$FW" listen --ports 6320 --max-conns 10 --duration 60
LPID=$BG_PID
wait_line "$WORK/listen.out" "listening on 2 ports" 10 "$LPID" ||
    { fail "listen did not start: $(cat "$WORK/listen.err")"; finish; }
LOG="$WORK/listen.out"
# count REGEX: lines of the log matching it
count() { grep -Ec -- "$1" "$LOG"; }

# --- per-peer and global caps on connections held at once, then the idle close -----------
nsx "$NS_A" python3 - "$B4" "$A4" "$A4B" >"$WORK/conns.txt" <<'EOF_PY'
import select, socket, sys, time
server, peer1, peer2 = sys.argv[1:4]

def connect(src):
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(3)
    s.connect((server, 6320))
    return s

def closed_within(socks, seconds):
    """The sockets the server closed (EOF or reset) within seconds; what each one received."""
    closed, got, end = set(), 0, time.time() + seconds
    while len(closed) < len(socks) and time.time() < end:
        r, _, _ = select.select([s for s in socks if s not in closed], [], [], 0.2)
        for s in r:
            try:
                data = s.recv(4096)
            except ConnectionResetError:
                data = b""
            got += len(data)
            if not data:
                closed.add(s)
    return closed, got

first = [connect(peer1) for _ in range(10)]
c1, g1 = closed_within(first, 1.5)
second = [connect(peer2) for _ in range(3)]
c2, g2 = closed_within(second, 1.5)
held = [s for s in first + second if s not in c1 | c2]
c3, g3 = closed_within(held, 10)   # idle: closed by the server after 5 s
print(f"peer1 closed {len(c1)} of 10; peer2 closed {len(c2)} of 3; "
      f"idle closed {len(c3)} of {len(held)}; received {g1 + g2 + g3} bytes")
EOF_PY
want="peer1 closed 2 of 10; peer2 closed 1 of 3; idle closed 10 of 10; received 0 bytes"
got=$(cat "$WORK/conns.txt")
[ "$got" = "$want" ] && ok "client side: $want" || fail "client side: '$got', wanted '$want'"
n=$(count "tcp 6320 from $A4 port [0-9]+: accepted$")
[ "$n" = 8 ] && ok "8 connections from one peer accepted" || fail "$n accepted from $A4, wanted 8"
n=$(count "tcp 6320 from $A4 port [0-9]+: accepted and closed: connection limit \(8 per peer\)")
[ "$n" = 2 ] && ok "2 closed at once over the per-peer cap, logged" ||
    fail "$n closed over the per-peer cap logged, wanted 2"
n=$(count "tcp 6320 from $A4B port [0-9]+: accepted$")
[ "$n" = 2 ] && ok "2 from the second peer accepted" || fail "$n accepted from $A4B, wanted 2"
n=$(count "tcp 6320 from $A4B port [0-9]+: accepted and closed: connection limit \(--max-conns 10\)")
[ "$n" = 1 ] && ok "1 closed at once over the global cap, logged" ||
    fail "$n closed over the global cap logged, wanted 1"
n=$(count "tcp 6320 from ($A4|$A4B) port [0-9]+: closed: idle for 5 s")
[ "$n" = 10 ] && ok "the 10 held connections closed idle, logged" ||
    fail "$n idle closes logged, wanted 10"

# --- a connection kept busy is closed at the time limit; a flood at the byte limit --------
# closed_once MODE WHAT REASON: one connection from A is closed by listen with nothing echoed,
# and the log has one close for REASON (a regex). MODE busy: a byte every half second, 20 s at
# most (the limit is 10 s); flood: 100 KiB at once, then 4 s at most for the close.
closed_once() {
    local want="closed True; received 0 bytes" got n
    nsx "$NS_A" python3 - "$B4" "$1" >"$WORK/$1.txt" <<'EOF_PY'
import select, socket, sys
server, mode = sys.argv[1:3]
s = socket.create_connection((server, 6320), timeout=3)
if mode == "flood":
    try:
        s.sendall(b"y" * 102400)
    except OSError:
        pass
rounds, wait = (40, 0.5) if mode == "busy" else (20, 0.2)
got, closed = 0, False
for _ in range(rounds):
    r, _, _ = select.select([s], [], [], wait)
    if r:
        try:
            data = s.recv(4096)
        except ConnectionResetError:
            data = b""
        got += len(data)
        if not data:
            closed = True
            break
    if mode == "busy":
        try:
            s.sendall(b"x")
        except OSError:
            closed = True
            break
print(f"closed {closed}; received {got} bytes")
EOF_PY
    got=$(cat "$WORK/$1.txt")
    [ "$got" = "$want" ] && ok "$2: closed, nothing echoed" || fail "$2: '$got', wanted '$want'"
    n=$(count "tcp 6320 from $A4 port [0-9]+: closed: $3")
    [ "$n" = 1 ] && ok "$2: the close logged" || fail "$2: $n closes logged, wanted 1"
}
closed_once busy "a busy connection" "open for 10 s \(time limit\)"
closed_once flood "100 KiB sent" "more than 65536 bytes received \(byte limit\)"

# --- UDP: never more than the request -------------------------------------------------------
nsx "$NS_A" python3 - "$B4" >"$WORK/udp.txt" <<'EOF_PY'
import socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(2)
full = b"fwsight listen\n"
for size in (0, 1, 14, 15, 16, 100, 1400, 8000):
    u.sendto(b"z" * size, (sys.argv[1], 6320))
    try:
        data, src = u.recvfrom(65535)
    except socket.timeout:
        data, src = None, None
    if size == 0:
        ok = data is None or data == b""
    else:
        ok = data == full[:size] and src[1] == 6320
    print(size, "ok" if ok and (data is None or len(data) <= size) else f"BAD {data!r}")
EOF_PY
want=$(printf '%s ok\n' 0 1 14 15 16 100 1400 8000)
got=$(cat "$WORK/udp.txt")
[ "$got" = "$want" ] && ok "UDP answers no longer than the request, 0 to 8000 bytes" ||
    fail "UDP answers:"$'\n'"$got"
for size in 1 8000; do
    n=$(count "udp 6320 from $A4 port [0-9]+: $size bytes, answered$")
    [ "$n" = 1 ] && ok "UDP $size bytes logged" || fail "$n log lines for the $size-byte datagram"
done

# --- the summary counts every limit ---------------------------------------------------------
kill -TERM "$LPID"
wait_exit "$LPID" 10
[ "$RC" = 0 ] || fail "listen: exit $RC after SIGTERM, wanted 0"
want="stopped (Terminated): 12 TCP connections accepted, 3 closed at once over the limits, 10 "
want+="closed idle, 2 closed at the time or byte limit, 8 UDP datagrams (0 not answered: rate "
want+="limit)"
grep -qF -- "fwsight listen: $want" "$LOG" && ok "summary: $want" ||
    fail "summary: $(tail -1 "$LOG")"$'\n'"wanted: $want"

finish
