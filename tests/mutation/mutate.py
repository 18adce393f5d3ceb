#!/usr/bin/env python3
"""tests/mutation/mutate.py: corrupts one capture file the way a damaged disk, a cut download or
a buggy writer would, deterministically from a seed. mutation_test.py imports it; on its own it
rebuilds one mutant so that a failure can be replayed:

    mutate.py INPUT SEED OUTPUT      prints what was changed

The mutator knows the framing (pcap file and record headers, pcapng blocks and their fields,
the gzip wrapper) so that it can aim at lengths, link types and byte orders, not only at
packet bytes: random bytes alone almost never get past the first length check. Each mutant
gets one to three of these operations:

  bytes     like `editcap -E`: each byte of packet data replaced with probability p
  field     one header field (magic, version, snaplen, link type, caplen, wire length,
            timestamp, block type and length, byte-order magic, interface id, if_tsresol,
            option length...) set to an edge value: 0, 1, all ones, off by one, huge, swapped
  resize    a record's or an EPB's captured length changed with its bytes, framing kept
            (captured length 0, above the wire length, above the snapshot length, large)
  truncate  the file cut: inside a header, mid-record, at a record boundary, anywhere
  dup/drop  a whole record or block, or a random span, duplicated elsewhere or removed
  bits      a few bit flips anywhere

A .gz input is unpacked and its capture mutated and packed again, or its compressed bytes
are damaged (bytes, header flags, CRC and size trailer, truncation, trailing garbage, a
second member), or both. The same (input bytes, seed) always give the same mutant."""
import gzip
import random
import struct
import sys
import zlib

# Link types fwsight decodes (analyze/decode.c) and a few it does not: a wrong but supported
# link type makes the decoders read one header as another.
LINKTYPES = [0, 1, 9, 12, 14, 50, 51, 101, 104, 105, 108, 113, 127, 228, 229, 276,
             2, 6, 147, 65535]
PCAP_MAGICS = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1]
TSRESOL = [0, 1, 6, 9, 19, 20, 63, 64, 0x7f, 0x80, 0x80 | 1, 0x80 | 30, 0x80 | 44, 0x80 | 63, 0x80 | 64,
           0xff]


class Layout:
    """Where things are in one capture: fields (offset, size, byte order, kind), packet data
    spans (offset, length), and units: records or blocks (offset, length, type, where their
    length field is)."""

    def __init__(self):
        self.fields, self.data, self.units = [], [], []

    def field(self, off, size, order, kind):
        self.fields.append((off, size, order, kind))


def rd(buf, off, size, order):
    return int.from_bytes(buf[off:off + size], order)


def parse_pcap(buf):
    lay = Layout()
    order = 'little' if buf[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else 'big'
    for off, size, kind in ((0, 4, 'magic'), (4, 2, 'version'), (6, 2, 'version'),
                            (8, 4, 'int'), (12, 4, 'int'), (16, 4, 'snaplen'),
                            (20, 4, 'linktype')):
        if off + size <= len(buf):
            lay.field(off, size, order, kind)
    off = 24
    while off + 16 <= len(buf):
        caplen = rd(buf, off + 8, 4, order)
        for i, kind in enumerate(('time', 'frac', 'caplen', 'wirelen')):
            lay.field(off + 4 * i, 4, order, kind)
        lay.data.append((off + 16, min(caplen, len(buf) - off - 16)))
        lay.units.append((off, min(16 + caplen, len(buf) - off), 'record', off + 8))
        off += 16 + caplen
    return lay


def parse_pcapng_options(buf, lay, off, end, order):
    while off + 4 <= end:
        code, olen = rd(buf, off, 2, order), rd(buf, off + 2, 2, order)
        lay.field(off, 2, order, 'optcode')
        lay.field(off + 2, 2, order, 'optlen')
        if code == 0 or off + 4 + olen > end:
            return
        if code == 9 and olen >= 1:
            lay.field(off + 4, 1, order, 'tsresol')
        elif code == 14 and olen >= 8:
            lay.field(off + 4, 8, order, 'int')
        off += 4 + (olen + 3) // 4 * 4


def parse_pcapng(buf):
    lay = Layout()
    order, off = 'little', 0
    while off + 12 <= len(buf):
        if buf[off:off + 4] == b'\x0a\x0d\x0d\x0a':
            order = 'big' if buf[off + 8:off + 12] == b'\x1a\x2b\x3c\x4d' else 'little'
        btype, blen = rd(buf, off, 4, order), rd(buf, off + 4, 4, order)
        lay.field(off, 4, order, 'blocktype')
        lay.field(off + 4, 4, order, 'blocklen')
        if blen < 12 or blen % 4 or off + blen > len(buf):
            break
        end = off + blen - 4
        lay.field(end, 4, order, 'blocklen')
        lay.units.append((off, blen, btype, off + 4))
        if btype == 0x0A0D0D0A and blen >= 28:
            lay.field(off + 8, 4, order, 'bom')
            lay.field(off + 12, 2, order, 'version')
            lay.field(off + 14, 2, order, 'version')
            lay.field(off + 16, 8, order, 'int')
            parse_pcapng_options(buf, lay, off + 24, end, order)
        elif btype == 1 and blen >= 20:
            lay.field(off + 8, 2, order, 'linktype')
            lay.field(off + 12, 4, order, 'snaplen')
            parse_pcapng_options(buf, lay, off + 16, end, order)
        elif btype in (2, 6) and blen >= 32:
            lay.field(off + 8, 4 if btype == 6 else 2, order, 'ifid')
            for i, kind in ((12, 'time'), (16, 'time'), (20, 'caplen'), (24, 'wirelen')):
                lay.field(off + i, 4, order, kind)
            caplen = min(rd(buf, off + 20, 4, order), blen - 32)
            lay.data.append((off + 28, caplen))
            parse_pcapng_options(buf, lay, off + 28 + (caplen + 3) // 4 * 4, end, order)
        elif btype == 3 and blen >= 16:
            lay.field(off + 8, 4, order, 'wirelen')
            lay.data.append((off + 12, blen - 16))
        else:
            lay.data.append((off + 8, blen - 12))
        off += blen
    return lay


def parse(buf):
    if buf[:4] == b'\x0a\x0d\x0d\x0a':
        return parse_pcapng(buf)
    if len(buf) >= 4 and int.from_bytes(buf[:4], 'little') in PCAP_MAGICS:
        return parse_pcap(buf)
    return Layout()  # not a capture (any more): the blind operations still apply


def edge_value(rng, size, old, kind):
    top = (1 << (8 * size)) - 1
    if kind == 'magic' and rng.random() < 0.7:
        return rng.choice(PCAP_MAGICS)
    if kind == 'linktype' and rng.random() < 0.7:
        v = rng.choice(LINKTYPES)
        return v | (rng.choice([0, 0x1000000, 0x4000000, 0x10000000]) if size == 4 else 0)
    if kind == 'tsresol' and rng.random() < 0.8:
        return rng.choice(TSRESOL)
    if kind == 'bom' and rng.random() < 0.7:
        return int.from_bytes(old.to_bytes(4, 'little'), 'big')
    choices = [0, 1, 2, top, top >> 1, (top >> 1) + 1, (old + 1) & top, (old - 1) & top,
               (old + rng.randint(1, 64)) & top, rng.randint(0, top),
               int.from_bytes(old.to_bytes(size, 'little'), 'big')]
    if size >= 4:
        choices += [0xffff, 0x10000, 0x40000, 0x40001, 0x7fffff00, old << 1 & top]
    if kind == 'blocklen' and size == 4:
        choices += [8, 12, 16, 28, 32, (old + 4) & top, (old - 4) & top, old | 3]
    if kind == 'frac':
        choices += [999999, 1000000, 999999999, 1000000000]
    return rng.choice(choices)


def op_bytes(buf, lay, rng):
    spans = lay.data if lay.data and rng.random() < 0.85 else [(0, len(buf))]
    total = sum(n for _, n in spans)
    if total == 0:
        return 'bytes: none to change'
    p = rng.choice([0.001, 0.005, 0.02, 0.05, 0.2])
    count = max(1, min(total, int(total * p * rng.uniform(0.5, 1.5))))
    for idx in rng.sample(range(total), count):
        for off, n in spans:
            if idx < n:
                buf[off + idx] = rng.randrange(256)
                break
            idx -= n
    return f'bytes: {count} of {total} (p={p})'


def op_field(buf, lay, rng):
    if not lay.fields:
        return op_bits(buf, lay, rng)
    if rng.random() < 0.5:  # by kind: the one snaplen matters as much as a hundred caplens
        kind = rng.choice(sorted({f[3] for f in lay.fields}))
        off, size, order, kind = rng.choice([f for f in lay.fields if f[3] == kind])
    else:
        off, size, order, kind = rng.choice(lay.fields)
    old = rd(buf, off, size, order)
    new = edge_value(rng, size, old, kind)
    buf[off:off + size] = new.to_bytes(size, order)
    return f'field: {kind} at byte {off}: {old:#x} -> {new:#x}'


def op_resize(buf, lay, rng):
    """Changes a record's captured length and its bytes together: the framing holds, the
    record lies (caplen 0, above the wire length or the snapshot length, large)."""
    units = [u for u in lay.units if u[2] in ('record', 6)]
    if not units:
        return op_field(buf, lay, rng)
    off, length, kind, _ = rng.choice(units)
    pcap = kind == 'record'
    order = parse_order(buf, off, pcap)
    cap_at = off + (8 if pcap else 20)
    old = rd(buf, cap_at, 4, order)
    new = rng.choice([0, 1, max(old - 1, 0), old + 1, old + 100, 65535, 65536, 262145,
                      rng.randint(0, 3000)])
    hdr = 16 if pcap else 28
    old_room = old if pcap else (old + 3) // 4 * 4
    new_room = new if pcap else (new + 3) // 4 * 4
    start = off + hdr
    if start + old_room > len(buf):
        return op_truncate(buf, lay, rng)
    filler = bytes(rng.randrange(256) for _ in range(min(new_room, 64))) * (new_room // 64 + 1)
    buf[start:start + old_room] = (bytes(buf[start:start + old_room]) + filler)[:new_room]
    buf[cap_at:cap_at + 4] = new.to_bytes(4, order)
    if not pcap:
        blen = rd(buf, off + 4, 4, order) + new_room - old_room
        buf[off + 4:off + 8] = blen.to_bytes(4, order)
        buf[off + blen - 4:off + blen] = blen.to_bytes(4, order)
    return f'resize: {"record" if pcap else "EPB"} at byte {off}: caplen {old} -> {new}'


def parse_order(buf, off, pcap):
    if pcap:
        return 'little' if buf[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else 'big'
    lay_order = 'little'
    pos = 0
    while pos + 12 <= off:  # the byte order of the section the block is in
        if buf[pos:pos + 4] == b'\x0a\x0d\x0d\x0a':
            lay_order = 'big' if buf[pos + 8:pos + 12] == b'\x1a\x2b\x3c\x4d' else 'little'
        blen = rd(buf, pos + 4, 4, lay_order)
        if blen < 12:
            break
        pos += blen
    return lay_order


def cut_point(buf, lay, rng):
    r = rng.random()
    if lay.units and r < 0.5:  # inside a record: its header, its length field, its data
        off, length, _, len_at = rng.choice(lay.units)
        return min(len(buf) - 1, rng.choice([off + 1, len_at + 2, off + rng.randrange(length)]))
    if lay.units and r < 0.7:
        off, length, _, _ = rng.choice(lay.units)
        return min(len(buf) - 1, off + length + rng.choice([-1, 0, 0, 1]))
    if r < 0.8:
        return rng.randrange(min(len(buf), 40))  # inside the file header
    return rng.randrange(len(buf))


def op_truncate(buf, lay, rng):
    if len(buf) < 2:
        return 'truncate: too short'
    at = max(0, cut_point(buf, lay, rng))
    del buf[at:]
    return f'truncate: at byte {at}'


def pick_span(buf, lay, rng):
    if lay.units and rng.random() < 0.6:
        i = rng.randrange(len(lay.units))
        j = min(len(lay.units), i + rng.choice([1, 1, 1, 2, 5]))
        off = lay.units[i][0]
        end = lay.units[j - 1][0] + lay.units[j - 1][1]
        return off, end
    off = rng.randrange(len(buf))
    return off, min(len(buf), off + rng.choice([1, 2, 4, 8, 16, 100, 1000]))


def op_dup(buf, lay, rng):
    if not buf:
        return 'dup: empty'
    off, end = pick_span(buf, lay, rng)
    if rng.random() < 0.2:
        span = bytes(rng.randrange(256) for _ in range(end - off))
        what = 'garbage'
    else:
        span = bytes(buf[off:end])
        what = f'bytes {off}..{end}'
    at = rng.choice([u[0] for u in lay.units] or [0]) if rng.random() < 0.5 else \
        rng.randrange(len(buf) + 1)
    buf[at:at] = span
    return f'dup: {what} ({len(span)} bytes) inserted at byte {at}'


def op_drop(buf, lay, rng):
    if not buf:
        return 'drop: empty'
    off, end = pick_span(buf, lay, rng)
    del buf[off:end]
    return f'drop: bytes {off}..{end}'


def op_bits(buf, lay, rng):
    if not buf:
        return 'bits: empty'
    n = rng.randint(1, 8)
    for _ in range(n):
        buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
    return f'bits: {n} flipped'


OPS = [(op_bytes, 30), (op_field, 28), (op_resize, 8), (op_truncate, 12), (op_dup, 9),
       (op_drop, 9), (op_bits, 4)]


def mutate_capture(data, rng, notes):
    buf = bytearray(data)
    for _ in range(rng.choices([1, 2, 3], [5, 3, 2])[0]):
        op = rng.choices([o for o, _ in OPS], [w for _, w in OPS])[0]
        notes.append(op(buf, parse(buf), rng))  # parsed again: the last change moved things
    return bytes(buf)


def gunzip(data):
    """All members that inflate cleanly; None when not even the first does."""
    out, rest = b'', data
    while rest[:2] == b'\x1f\x8b':
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out += d.decompress(rest)
        except zlib.error:
            return out or None
        if not d.eof:
            return out or None
        rest = d.unused_data
    return out


def mutate_gzip_bytes(data, rng, notes):
    buf = bytearray(data)
    what = rng.choice(['bytes', 'bytes', 'truncate', 'header', 'trailer', 'garbage', 'member'])
    if what == 'bytes':
        lay = Layout()
        lay.data = [(10, max(0, len(buf) - 18))]  # the deflate stream
        notes.append('gzip ' + op_bytes(buf, lay, rng))
    elif what == 'truncate':
        at = rng.choice([rng.randrange(len(buf)), len(buf) - rng.randint(1, 8), rng.randrange(12)])
        del buf[max(at, 0):]
        notes.append(f'gzip truncate: at byte {max(at, 0)}')
    elif what == 'header':
        at = rng.choice([2, 3, 3, 8, 9, rng.randrange(10)])
        buf[at] = rng.choice([0, 0xff, rng.randrange(256), buf[at] ^ 1 << rng.randrange(8)])
        notes.append(f'gzip header: byte {at} = {buf[at]:#x}')
    elif what == 'trailer' and len(buf) >= 8:
        at = len(buf) - rng.randint(1, 8)
        buf[at] ^= 1 << rng.randrange(8)
        notes.append(f'gzip trailer: bit flipped in byte {at}')
    elif what == 'garbage':
        tail = bytes(rng.randrange(256) for _ in range(rng.choice([1, 10, 100])))
        buf += rng.choice([tail, b'\x1f\x8b' + tail])
        notes.append('gzip: trailing garbage')
    else:
        inner = gunzip(bytes(buf)) or b''
        second = gzip.compress(mutate_capture(inner, rng, notes) if inner else b'', mtime=0)
        buf += second
        notes.append('gzip: a second member appended')
    return bytes(buf)


def mutate(data, seed):
    """The mutant of data for seed, and what was done to it."""
    rng = random.Random(seed)
    notes = []
    if data[:2] == b'\x1f\x8b':
        inner = gunzip(data)
        how = rng.choice(['inner', 'inner', 'outer', 'both']) if inner else 'outer'
        if how in ('inner', 'both'):
            data = gzip.compress(mutate_capture(inner, rng, notes),
                                 compresslevel=rng.choice([1, 6, 9]), mtime=0)
        if how in ('outer', 'both'):
            data = mutate_gzip_bytes(data, rng, notes)
        notes.insert(0, f'gzip {how}:')
        return data, ' '.join(notes)
    out = mutate_capture(data, rng, notes)
    return out, '; '.join(notes)


def main(argv):
    if len(argv) != 4:
        sys.stderr.write('usage: mutate.py INPUT SEED OUTPUT\n')
        return 2
    with open(argv[1], 'rb') as f:
        data = f.read()
    out, notes = mutate(data, int(argv[2]))
    with open(argv[3], 'wb') as f:
        f.write(out)
    print(notes)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
