#!/usr/bin/env python3
"""tests/mk_full_table.py OUT: writes the capture that fills a verdict table of 16 cells
(--max-verdicts 16, the least), as a classic pcap on Ethernet.

17 answered SYNs (SYN, then SYN-ACK) from 198.51.100.10 to 203.0.113.20 on 16 ports outside the
profile (40001 to 40016, then 40001 again); an hour later, when every answered flow has ended,
20 unanswered SYNs on 20 more such ports (41001 to 41020), each retransmitted a second later. Under --max-verdicts 16 the 16 OPEN
cells fill the table, the first 16 failures each evict one (16 cells, 17 attempts) and the last
4 find only failures: not kept. Shared by tests/cli_test.sh (the JSON counters, the text
warning) and tests/tui/tui_test.sh (the warning in the view).

tests/mk_full_table.py --pair OUT1 OUT2: two captures of one test, one on each server, that each
fit 16 cells while their verdicts together do not (tests/cli_test.sh: the combined table's
counters). OUT1 is taken on 198.51.100.10, OUT2 on 203.0.113.20 with its clock 1.5 s ahead;
the far side's packets arrive with TTL 62, so each capture point is told. Both see 7 answered
SYNs from 198.51.100.10 to 203.0.113.20 on 6 ports (42001 to 42006, then 42001 again); an hour
later OUT1 alone sees 10 unanswered SYNs from 198.51.100.10 to 192.0.2.30 (ports 43001 to
43010) and OUT2 alone 10 from 192.0.2.31 to 203.0.113.20 (ports 44001 to 44010): 16 cells
each. Together, 6 OPEN cells and 20 failures: the failures fill the table, evict the 6 OPEN
cells (7 attempts), and the last 4 are not kept.

tests/mk_full_table.py --wide OUT: a report too long to print whole without --all (whatever
the table size): from 198.51.100.10, unanswered SYNs (each retransmitted a second later) to
203.0.113.20 on 100 ports outside the profile (30001 to 30100: 100 matrix rows of one host
pair) and to 20 more hosts on TCP 6320 (192.0.2.101 to 192.0.2.120: 21 host pairs, 120 blocked
paths in all).
"""
import struct
import sys

CLIENT, SERVER = (198, 51, 100, 10), (203, 0, 113, 20)
HOUR = 3600 * 1000000


def frame(t, src, dst, sport, dport, flags, ttl=64):
    """One pcap record: Ethernet, IPv4 (DF), TCP with the flags; t in microseconds."""
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0x4000, ttl, 6, 0, bytes(src), bytes(dst))
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 0x50, flags, 65535, 0, 0)
    pkt = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + tcp
    return struct.pack("<IIII", t // 1000000, t % 1000000, len(pkt), len(pkt)) + pkt


def write(path, records):
    header = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    with open(path, "wb") as f:
        f.write(header + b"".join(records))


def full(path):
    out = []
    t = 1700000000 * 1000000
    for i, port in enumerate([40001 + i for i in range(16)] + [40001]):
        out.append(frame(t, CLIENT, SERVER, 50000 + i, port, 0x02))
        t += 1000
        out.append(frame(t, SERVER, CLIENT, port, 50000 + i, 0x12))
        t += 1000
    t += HOUR
    for again in (0, 1):  # each SYN retransmitted a second later: unanswered, not cut short
        for i in range(20):
            out.append(frame(t, CLIENT, SERVER, 51000 + i, 41001 + i, 0x02))
            t += 1000
        t += 1000000
    write(path, out)


def pair(path1, path2):
    """Each packet as each server saw it: its own sent with TTL 64, the rest received with 62;
    the second server's clock 1.5 s ahead, the wire 200 us each way."""
    at = (CLIENT, SERVER)
    skew = (0, 1500000)
    caps = ([], [])

    def seen(i, t, src, dst, sport, dport, flags):
        ttl = 64 if src == at[i] else 62
        caps[i].append(frame(t + skew[i], src, dst, sport, dport, flags, ttl))

    t = 1700000000 * 1000000
    for i, port in enumerate([42001 + i for i in range(6)] + [42001]):
        seen(0, t, CLIENT, SERVER, 52000 + i, port, 0x02)
        seen(1, t + 200, CLIENT, SERVER, 52000 + i, port, 0x02)
        seen(1, t + 300, SERVER, CLIENT, port, 52000 + i, 0x12)
        seen(0, t + 500, SERVER, CLIENT, port, 52000 + i, 0x12)
        t += 2000
    t += HOUR
    for again in (0, 1):  # each SYN retransmitted a second later: unanswered, not cut short
        for i in range(10):
            seen(0, t, CLIENT, (192, 0, 2, 30), 53000 + i, 43001 + i, 0x02)
            seen(1, t + 500, (192, 0, 2, 31), SERVER, 54000 + i, 44001 + i, 0x02)
            t += 1000
        t += 1000000
    write(path1, caps[0])
    write(path2, caps[1])


def wide(path):
    out = []
    t = 1700000000 * 1000000
    for again in (0, 1):
        for i in range(100):
            out.append(frame(t, CLIENT, SERVER, 55000 + i, 30001 + i, 0x02))
            t += 1000
        for i in range(20):
            out.append(frame(t, CLIENT, (192, 0, 2, 101 + i), 56000 + i, 6320, 0x02))
            t += 1000
        t += 1000000
    write(path, out)


if __name__ == "__main__":
    if len(sys.argv) == 2:
        full(sys.argv[1])
    elif len(sys.argv) == 3 and sys.argv[1] == "--wide":
        wide(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "--pair":
        pair(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: mk_full_table.py OUT | --pair OUT1 OUT2 | --wide OUT")
