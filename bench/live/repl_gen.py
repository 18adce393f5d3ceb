#!/usr/bin/env python3
"""bench/live/repl_gen.py N OUT.pcap: writes N frames of replication-like traffic as a classic
microsecond pcap, the same bytes every time (no randomness), for bench/live_bench.sh.

What replication between a Double-Take source and target looks like on the wire: three long
TCP streams from the source to the target's 6320 carrying full-size segments, the target
acking every second one; a control channel on 6325 with a small message each way ten times a
second; once a second the target's failover ping and a small UDP 6320 exchange; every 5,000
frames a short job connection on 6320 (handshake, request, answer, FIN both ways). Timestamps
are 100 us apart (10,000 frames per second), which tcpreplay's --pps overrides anyway.
Addresses are documentation ones (source 198.51.100.10, target 203.0.113.20).
"""
import struct
import sys

SRC, TGT = bytes([198, 51, 100, 10]), bytes([203, 0, 113, 20])
SRC_MAC, TGT_MAC = bytes.fromhex("02000000000a"), bytes.fromhex("020000000014")
T0_US = 1700000000000000
STEP_US = 100
MSS = 1460
PAYLOAD = bytes((i * 7 + 3) & 0xFF for i in range(MSS))  # fixed: its sum is computed once
SMALL = PAYLOAD[:200]


def csum_add(data, acc=0):
    if len(data) % 2:
        data += b"\0"
    acc += sum(struct.unpack("!%dH" % (len(data) // 2), data))
    return acc


def csum_fold(acc):
    while acc >> 16:
        acc = (acc & 0xFFFF) + (acc >> 16)
    return (~acc) & 0xFFFF


PAY_SUM = {MSS: csum_add(PAYLOAD), 200: csum_add(SMALL), 0: 0}


class Ip:
    """One side's IPv4 identification counter."""

    def __init__(self):
        self.ip_id = {SRC: 1, TGT: 30001}

    def header(self, src, dst, proto, l4_len):
        ident = self.ip_id[src]
        self.ip_id[src] = (ident + 1) & 0xFFFF
        ttl = 128  # Windows servers
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + l4_len, ident, 0x4000, ttl, proto, 0,
                        src, dst)
        return h[:10] + struct.pack("!H", csum_fold(csum_add(h))) + h[12:]


def eth(src, dst):
    return (TGT_MAC + SRC_MAC if src == SRC else SRC_MAC + TGT_MAC) + b"\x08\x00"


def pad(frame):
    return frame + b"\0" * (60 - len(frame)) if len(frame) < 60 else frame


class Tcp:
    """One TCP connection from the source's port sport to the target's port dport."""

    def __init__(self, ip, sport, dport, iss_c, iss_s):
        self.ip, self.sport, self.dport = ip, sport, dport
        self.seq = {SRC: iss_c, TGT: iss_s}

    def frame(self, src, flags, plen=0):
        dst = TGT if src == SRC else SRC
        sp, dp = (self.sport, self.dport) if src == SRC else (self.dport, self.sport)
        seq = self.seq[src]
        ack = self.seq[dst] if flags & 0x10 else 0
        hdr = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 64240, 0, 0)
        pay = PAYLOAD[:plen]
        pseudo = src + dst + struct.pack("!BBH", 0, 6, 20 + plen)
        c = csum_fold(csum_add(pseudo) + csum_add(hdr) + PAY_SUM[plen])
        hdr = hdr[:16] + struct.pack("!H", c) + hdr[18:]
        self.seq[src] = (seq + plen + (1 if flags & 0x03 else 0)) & 0xFFFFFFFF
        return pad(eth(src, dst) + self.ip.header(src, dst, 6, 20 + plen) + hdr + pay)


def udp(ip, src, sport, dport, plen):
    dst = TGT if src == SRC else SRC
    pay = SMALL[:plen]
    hdr = struct.pack("!HHHH", sport, dport, 8 + plen, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, 8 + plen)
    c = csum_fold(csum_add(pseudo) + csum_add(hdr) + csum_add(pay)) or 0xFFFF
    hdr = hdr[:6] + struct.pack("!H", c)
    return pad(eth(src, dst) + ip.header(src, dst, 17, 8 + plen) + hdr + pay)


def echo(ip, src, reply, seq):
    dst = TGT if src == SRC else SRC
    pay = SMALL[:32]
    msg = struct.pack("!BBHHH", 0 if reply else 8, 0, 0, 0x0d7a, seq) + pay
    msg = msg[:2] + struct.pack("!H", csum_fold(csum_add(msg))) + msg[4:]
    return pad(eth(src, dst) + ip.header(src, dst, 1, len(msg)) + msg)


def frames():
    """Yields the frames forever; the caller stops after N."""
    ip = Ip()
    streams = [Tcp(ip, 49700 + i, 6320, 1000000 * (i + 1), 7000000 * (i + 1)) for i in range(3)]
    ctl = Tcp(ip, 49710, 6325, 90000000, 95000000)
    for t in streams + [ctl]:
        yield t.frame(SRC, 0x02)
        yield t.frame(TGT, 0x12)
        yield t.frame(SRC, 0x10)
    n, job_port, ping_seq = 0, 50000, 0
    while True:
        n += 1
        s = streams[n % 3]
        yield s.frame(SRC, 0x18, MSS)
        if n % 2 == 0:
            yield s.frame(TGT, 0x10)
        if n % 700 == 0:  # ~10 a second at 10,000 frames a second
            yield ctl.frame(SRC, 0x18, 200)
            yield ctl.frame(TGT, 0x18, 200)
        if n % 6700 == 0:  # ~once a second
            ping_seq += 1
            yield echo(ip, TGT, False, ping_seq)
            yield echo(ip, SRC, True, ping_seq)
            yield udp(ip, SRC, 6320, 6320, 64)
            yield udp(ip, TGT, 6320, 6320, 64)
        if n % 3300 == 0:  # a short job connection every ~5,000 frames
            job_port = job_port + 1 if job_port < 60000 else 50000
            j = Tcp(ip, job_port, 6320, 123456 * n & 0xFFFFFFFF, 654321 * n & 0xFFFFFFFF)
            yield j.frame(SRC, 0x02)
            yield j.frame(TGT, 0x12)
            yield j.frame(SRC, 0x10)
            yield j.frame(SRC, 0x18, 200)
            yield j.frame(TGT, 0x18, 200)
            yield j.frame(SRC, 0x11)
            yield j.frame(TGT, 0x11)
            yield j.frame(SRC, 0x10)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: repl_gen.py N OUT.pcap")
    count = int(sys.argv[1])
    with open(sys.argv[2], "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        ts = T0_US
        for i, f in enumerate(frames()):
            if i >= count:
                break
            out.write(struct.pack("<IIII", ts // 1000000, ts % 1000000, len(f), len(f)) + f)
            ts += STEP_US


if __name__ == "__main__":
    main()
