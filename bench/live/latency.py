#!/usr/bin/env python3
"""bench/live/latency.py: the time from the packet that decides a verdict to its line in the
stream of `fwsight live`, or to its cell on the view's screen, for bench/live_bench.sh.

  latency.py stamp OUT            copies stdin's lines to OUT, each after the time it was read
                                  (seconds since the epoch): when the stream's reader got it
  latency.py probe HOST FIRST N GAP
                                  N TCP connects to HOST's closed ports FIRST.., GAP s apart;
                                  each is refused by a RST, which decides a CLOSED verdict
  latency.py report RESETS LINES  RESETS: `tcpdump -tt -n` lines of those RSTs (from fwsight's
                                  own -w file: the kernel's stamps, the ones fwsight read);
                                  LINES: stamp's file. Prints "N M MEDIAN P90 MAX": the M
                                  RSTs, the N of them whose port got its verdict line, and
                                  the times from RST to line, in ms
  latency.py watch SOCKET SESSION A B SECONDS OUT
                                  for at most SECONDS, every 10 ms, the screen of the tmux
                                  SESSION on SOCKET (-S); on a screen whose pair line is
                                  "A = A  B = B", every matrix row "tcp PORT CLOSED" (the A -> B
                                  column) not seen before: "TIME PORT" to OUT, TIME when the
                                  screen was read. Ends early when the session does
  latency.py report-view RESETS SEEN
                                  as report, with watch's file for the lines
"""
import re
import signal
import socket
import subprocess
import sys
import time


def stamp(out):
    with open(out, "w") as f:
        for line in sys.stdin:
            f.write(f"{time.time():.6f} {line}")
            f.flush()


def probe(host, first, n, gap):
    for i in range(n):
        s = socket.socket()
        s.settimeout(1)
        try:
            s.connect((host, first + i))
        except OSError:
            pass  # refused: what was wanted
        s.close()
        time.sleep(gap)


def look(client, session):
    """The screen's lines, through the control-mode client; None once the session has ended."""
    client.stdin.write(f"capture-pane -p -t {session}\n")
    client.stdin.flush()
    screen, inside = [], False
    for line in iter(client.stdout.readline, ""):  # notices (%output...) come between blocks
        if line.startswith("%begin"):  # flags 1: the reply to this client's own command
            inside, screen = line.split()[-1] == "1", []
        elif inside and line.startswith(("%end", "%error")):
            return screen
        elif inside:
            screen.append(line)
    return None


def watch(sock, session, a, b, secs, out):
    """One tmux client in control mode (-C) for all the looks: a new `tmux capture-pane` process
    per look costs about 7 ms of CPU (70% of a core at one look per 10 ms, taken from the
    capturer on a small machine); a capture-pane sent on the control client's stdin about 0.2
    ms. The control client does not size the window: it keeps the session's."""
    pair = re.compile(rf"\bA = {re.escape(a)} +B = {re.escape(b)}\b")
    row = re.compile(r"\btcp +(\d+) +CLOSED\b")
    client = subprocess.Popen(["tmux", "-S", sock, "-C", "attach", "-t", session],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              errors="replace")  # %output passes the pane's bytes, cut anywhere
    seen, looks, t0 = set(), 0, time.time()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stopped: the count still written
    with open(out, "w") as f:
        try:
            while time.time() - t0 < secs:
                screen = look(client, session)
                if screen is None:
                    break
                now = time.time()
                looks += 1
                if any(pair.search(line) for line in screen):
                    for m in (row.search(line) for line in screen):
                        if m and int(m[1]) not in seen:
                            seen.add(int(m[1]))
                            f.write(f"{now:.6f} {m[1]}\n")
                            f.flush()
                time.sleep(0.01)
        finally:
            f.write(f"# {looks} looks in {time.time() - t0:.1f} s\n")
            client.kill()
            client.wait()


def report(resets, lines, view=False):
    rst = {}
    for line in open(resets):
        m = re.match(r"(\d+\.\d+) IP [\d.]+\.(\d+) > ", line)
        if m and int(m[2]) not in rst:
            rst[int(m[2])] = float(m[1])
    got = []
    line_re = (r"(\d+\.\d+) (\d+)$" if view
               else r"(\d+\.\d+) \d\d:\d\d:\d\d verdict tcp/(\d+) .*: CLOSED")
    for line in open(lines):
        m = re.match(line_re, line)
        if m and int(m[2]) in rst:
            got.append(1000 * (float(m[1]) - rst.pop(int(m[2]))))
    if not got:
        print(f"0 {len(rst)} - - -")
        return
    got.sort()
    p90 = got[min(len(got) - 1, int(0.9 * len(got)))]
    print(f"{len(got)} {len(got) + len(rst)} {got[len(got) // 2]:.0f} {p90:.0f} {got[-1]:.0f}")


if __name__ == "__main__":
    if sys.argv[1] == "stamp":
        stamp(sys.argv[2])
    elif sys.argv[1] == "probe":
        probe(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    elif sys.argv[1] == "watch":
        watch(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], float(sys.argv[6]), sys.argv[7])
    elif sys.argv[1] == "report-view":
        report(sys.argv[2], sys.argv[3], view=True)
    else:
        report(sys.argv[2], sys.argv[3])
