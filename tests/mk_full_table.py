#!/usr/bin/env python3
"""tests/mk_full_table.py OUT: writes the capture that fills a verdict table of 16 cells
(--max-verdicts 16, the least), as a classic pcap on Ethernet.

17 answered SYNs (SYN, then SYN-ACK) from 198.51.100.10 to 203.0.113.20 on 16 ports outside the
profile (40001 to 40016, then 40001 again); an hour later, when every answered flow has ended,
20 unanswered SYNs on 20 more such ports (41001 to 41020). Under --max-verdicts 16 the 16 OPEN
cells fill the table, the first 16 failures each evict one (16 cells, 17 attempts) and the last
4 find only failures: not kept. Shared by tests/cli_test.sh (the JSON counters, the text
warning) and tests/tui/tui_test.sh (the warning in the view).
"""
import struct
import sys


def frame(t, src, dst, sport, dport, flags):
    """One pcap record: Ethernet, IPv4 (DF, TTL 64), TCP with the flags; t in microseconds."""
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0x4000, 64, 6, 0, bytes(src), bytes(dst))
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 0x50, flags, 65535, 0, 0)
    pkt = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + tcp
    return struct.pack("<IIII", t // 1000000, t % 1000000, len(pkt), len(pkt)) + pkt


def main(path):
    c, s = (198, 51, 100, 10), (203, 0, 113, 20)
    out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
    t = 1700000000 * 1000000
    for i, port in enumerate([40001 + i for i in range(16)] + [40001]):
        out.append(frame(t, c, s, 50000 + i, port, 0x02))
        t += 1000
        out.append(frame(t, s, c, port, 50000 + i, 0x12))
        t += 1000
    t += 3600 * 1000000
    for i in range(20):
        out.append(frame(t, c, s, 51000 + i, 41001 + i, 0x02))
        t += 1000
    with open(path, "wb") as f:
        f.write(b"".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: mk_full_table.py OUT")
    main(sys.argv[1])
