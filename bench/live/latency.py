#!/usr/bin/env python3
"""bench/live/latency.py: the time from the packet that decides a verdict to its line in the
stream of `fwsight live`, for bench/live_bench.sh.

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
"""
import re
import socket
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


def report(resets, lines):
    rst = {}
    for line in open(resets):
        m = re.match(r"(\d+\.\d+) IP [\d.]+\.(\d+) > ", line)
        if m and int(m[2]) not in rst:
            rst[int(m[2])] = float(m[1])
    got = []
    for line in open(lines):
        m = re.match(r"(\d+\.\d+) \d\d:\d\d:\d\d verdict tcp/(\d+) .*: CLOSED", line)
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
    else:
        report(sys.argv[2], sys.argv[3])
