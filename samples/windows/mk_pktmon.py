#!/usr/bin/env python3
"""samples/windows/mk_pktmon.py [--one-interface] [SOURCE] [OUT]: a pcapng file laid out as
`pktmon etl2pcap` writes one, made from a real lab capture (default
samples/demo/source.pcap.gz, taken on the source server 198.51.100.10; output
samples/windows/pktmon.pcapng).

pktmon (Windows' packet monitor) logs a packet at every networking component it passes, so
one packet sent or received by the server appears two or three times, with the same bytes a
few microseconds apart. This file reproduces that, following the pcapng spec
(draft-ietf-opsawg-pcapng) and what is documented of pktmon's output:

- one interface (IDB) per component the packets were logged at, named like pktmon's
  components (`pktmon list`), each with its own link type and clock resolution: the NIC
  (Ethernet, nanoseconds), a filter driver (Ethernet, microseconds, the pcapng default) and
  the TCP/IP stack (raw IP, without the Ethernet header, in 100 ns units as ETW stamps them);
- a packet received is logged at the NIC, then the filter, then TCP/IP; a packet sent at
  TCP/IP, then the filter (at both of its edges: the same interface twice), then the NIC;
- every packet block carries pktmon's per-packet comment ("PktGroupId G, PktNumber 1,
  Appearance A, Direction Tx , Type Ethernet , Component C, Edge E, Filter 1, OriginalSize
  N, LoggedSize N"), the direction in epb_flags, a packet id and a queue option;
- comments on the section and the interfaces, statistics blocks and a custom block at the
  end, which a reader must step over.

pktmon's documentation also warns that its pcapng output "doesn't distinguish between
different networking components": with --one-interface every copy is written on a single
Ethernet interface, and only the packet comments tell the copies of one packet (the same
PktGroupId and PktNumber, a later Appearance) from a host's retransmissions.

fwsight must give the same verdicts on it as on the plain capture (tests/windows_pktmon.sh).
The output is the same on every run. Prints the number of packet blocks and of copies.
"""
import gzip
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "demo", "source.pcap.gz")
OUT = os.path.join(HERE, "pktmon.pcapng")
HOST4 = bytes([198, 51, 100, 10])
HOST6 = bytes.fromhex("20010db8000100000000000000000010")

# (name, description, link type, ticks per second or None for the default microseconds,
#  pktmon component id)
NIC, FILTER, TCPIP = 0, 1, 2
IFACES = [
    ("Microsoft Hyper-V Network Adapter", "NIC: miniport", 1, 10**9, 11),
    ("WFP Native MAC Layer LightWeight Filter-0000", "filter driver", 1, None, 12),
    ("TCPIP", "protocol: IP-level packets, no link header", 101, 10**7, 13),
]


def opt(code, value):
    pad = (4 - len(value) % 4) % 4
    return struct.pack("<HH", code, len(value)) + value + b"\0" * pad


def block(btype, body):
    body += b"\0" * ((4 - len(body) % 4) % 4)
    length = 12 + len(body)
    return struct.pack("<II", btype, length) + body + struct.pack("<I", length)


def shb():
    opts = (opt(1, b"made by samples/windows/mk_pktmon.py in the layout of pktmon etl2pcap, "
                   b"from samples/demo/source.pcap.gz")
            + opt(2, b"x86_64") + opt(3, b"Windows Server 2022 (simulated)")
            + opt(4, b"mk_pktmon.py") + opt(0, b""))
    return block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + opts)


def idb(name, desc, linktype, units, comp):
    opts = opt(2, name.encode()) + opt(3, desc.encode())
    opts += opt(1, b"pktmon component %d" % comp)
    if units == 10**9:
        opts += opt(9, bytes([9]))
    elif units == 10**7:
        opts += opt(9, bytes([7]))
    opts += opt(0, b"")
    return block(1, struct.pack("<HHI", linktype, 0, 0) + opts)


def epb(iface, ts_us, data, wirelen, comment, outbound, packet_id):
    units = IFACES[iface][3] or 10**6
    ticks = ts_us * units // 10**6
    pad = (4 - len(data) % 4) % 4
    opts = (opt(1, comment.encode()) + opt(2, struct.pack("<I", 2 if outbound else 1))
            + opt(5, struct.pack("<Q", packet_id)) + opt(6, struct.pack("<I", 0)) + opt(0, b""))
    body = struct.pack("<IIIII", iface, ticks >> 32, ticks & 0xFFFFFFFF, len(data), wirelen)
    return block(6, body + data + b"\0" * pad + opts)


def isb(iface, ts_us, received):
    units = IFACES[iface][3] or 10**6
    ticks = ts_us * units // 10**6
    opts = opt(4, struct.pack("<Q", received)) + opt(0, b"")
    return block(5, struct.pack("<III", iface, ticks >> 32, ticks & 0xFFFFFFFF) + opts)


def read_pcap(path):
    data = (gzip.open if path.endswith(".gz") else open)(path, "rb").read()
    assert data[:4] == b"\xd4\xc3\xb2\xa1", "a little-endian microsecond pcap is expected"
    assert struct.unpack_from("<I", data, 20)[0] == 1, "an Ethernet capture is expected"
    pos, out = 24, []
    while pos + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack_from("<IIII", data, pos)
        out.append((sec * 10**6 + usec, data[pos + 16:pos + 16 + incl], orig))
        pos += 16 + incl
    return out


def is_ip(frame):
    return len(frame) >= 14 and frame[12:14] in (b"\x08\x00", b"\x86\xdd")


def sent_by_host(frame, host_mac):
    if frame[12:14] == b"\x08\x00":
        return frame[26:30] == HOST4
    if frame[12:14] == b"\x86\xdd":
        return frame[22:38] == HOST6
    return frame[6:12] == host_mac


def main():
    global IFACES
    args = sys.argv[1:]
    if args[:1] == ["--one-interface"]:
        args = args[1:]
        IFACES = [("PktMon", "every component", 1, 10**9, 0)] * 3
    source = args[0] if len(args) > 0 else SOURCE
    out_path = args[1] if len(args) > 1 else OUT
    packets = read_pcap(source)
    host_mac = next(f[6:12] for _, f, _ in packets if is_ip(f) and sent_by_host(f, b""))
    one = len(set(IFACES)) == 1
    out = [shb()] + [idb(*i) for i in IFACES[:1 if one else 3]]
    blocks = 0
    for n, (ts, frame, wirelen) in enumerate(packets):
        tx = sent_by_host(frame, host_mac)
        group = 2251799813685248 + 4096 * n  # pktmon's ids are large; one per packet here
        if tx:
            path = [(TCPIP, 1, 0), (FILTER, 1, 4), (FILTER, 2, 6), (NIC, 1, 9)]
        else:
            path = [(NIC, 1, 0), (FILTER, 1, 3), (TCPIP, 1, 7)]
        for appearance, (iface, edge, delay_us) in enumerate(path, 1):
            linktype = IFACES[iface][2]
            if linktype == 101 and not is_ip(frame):
                continue  # ARP never reaches the IP layer
            data = frame[14:] if linktype == 101 else frame
            size = wirelen - (14 if linktype == 101 else 0)
            comment = ("PktGroupId %d, PktNumber 1, Appearance %d, Direction %s , Type %s , "
                       "Component %d, Edge %d, Filter 1, OriginalSize %d, LoggedSize %d"
                       % (group, appearance, "Tx" if tx else "Rx",
                          "IP" if linktype == 101 else "Ethernet", IFACES[iface][4], edge,
                          size, len(data)))
            out.append(epb(0 if one else iface, ts + delay_us, data, size, comment, tx,
                           group + appearance))
            blocks += 1
    end = packets[-1][0] + 1000
    out += [isb(i, end, len(packets)) for i in range(1 if one else len(IFACES))]
    out.append(block(0x00000BAD, struct.pack("<I", 32473) + b"pktmon-like\0"))  # custom block
    with open(out_path, "wb") as f:
        f.write(b"".join(out))
    print("%d packets, %d packet blocks, %d copies" % (len(packets), blocks,
                                                          blocks - len(packets)))


if __name__ == "__main__":
    main()
