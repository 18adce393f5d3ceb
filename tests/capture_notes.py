#!/usr/bin/env python3
"""tests/capture_notes.py FWSIGHT SAMPLES_DIR: what the capture itself did, as fwsight reads it.

Checksum offload: samples/checksum-offload was captured with offload on at both hosts, so each
host's own TCP/UDP packets carry unfilled checksums in its capture. With --verify-checksums the
verdicts must still be expected.tsv's (each capture alone and both, in both orders), every
unfilled checksum counted as offloaded (JSON offloaded_l4_checksums, the report's words) and
none as bad. Without --verify-checksums samples_verdicts.py checks the same verdicts.

Drops recorded in a saved pcapng: samples/drop-6320/source.pcap rewritten as pcapng with an
Interface Statistics Block (isb_ifdrop, isb_osdrop, as dumpcap writes at the end) must give
kernel_drops as their sum; with drops, the DROPPED verdict loses a confidence step and names
capture-drops, stays blocking (exit 1), and the report says the tool recorded them; with 0
drops everything is as in the pcap, whose kernel_drops is null. Given with the target's
capture, the combined DROPPED loses its step too, whichever capture comes first.
Exit 1 on any disagreement.
"""
import csv
import json
import os
import struct
import subprocess
import sys
import tempfile

bad = 0


def fail(msg):
    global bad
    print("FAIL " + msg)
    bad += 1


def run(fwsight, args):
    r = subprocess.run([fwsight, "analyze"] + args, capture_output=True, text=True)
    if r.returncode not in (0, 1) or "Sanitizer" in r.stderr:
        fail("fwsight %s exited %d: %s" % (" ".join(args), r.returncode, r.stderr[:300]))
        return None, r
    return r, r


def verdicts(doc):
    return {(v["from"], v["to"], v["proto"], "-" if v["port"] is None else str(v["port"])): v
            for v in doc["verdicts"]}


def offload(fwsight, samples):
    case = os.path.join(samples, "checksum-offload")
    with open(os.path.join(case, "expected.tsv"), newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    src, tgt = os.path.join(case, "source.pcap"), os.path.join(case, "target.pcap")
    runs = {"source_only": [src], "target_only": [tgt], "verdict": [src, tgt],
            "reversed": [tgt, src]}
    for col, files in runs.items():
        r, _ = run(fwsight, ["--json", "--verify-checksums"] + files)
        if r is None:
            continue
        doc = json.loads(r.stdout)
        for c in doc["captures"]:
            if c["bad_l4_checksums"] != 0 or c["offloaded_l4_checksums"] < 2:
                fail("%s: %s: bad %d, offloaded %d checksums, want 0 and at least 2"
                     % (col, c["file"], c["bad_l4_checksums"], c["offloaded_l4_checksums"]))
        got = verdicts(doc)
        for row in rows:
            key = (row["from"], row["to"], row["proto"], row["port"])
            want = row["verdict" if col == "reversed" else col]
            v = got.get(key)
            have = v["verdict"] if v else "UNTESTED"
            if have != want:
                fail("checksum-offload/%s --verify-checksums: %s: %s, want %s"
                     % (col, " ".join(key), have, want))
    r, _ = run(fwsight, ["--verify-checksums", src])
    if r is not None and "checksums offloaded (not damage)" not in r.stdout:
        fail("the report does not say the offloaded checksums are no damage")


def pcap_records(path):
    """(linktype, [(ts_sec, ts_usec, data, wirelen)]) of a little-endian microsecond pcap."""
    data = open(path, "rb").read()
    assert data[:4] == b"\xd4\xc3\xb2\xa1", "want a little-endian microsecond pcap"
    linktype = struct.unpack("<I", data[20:24])[0]
    recs, pos = [], 24
    while pos + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[pos:pos + 16])
        recs.append((sec, usec, data[pos + 16:pos + 16 + incl], orig))
        pos += 16 + incl
    return linktype, recs


def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def option(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def as_pcapng(pcap, out, ifdrop, osdrop):
    """pcap rewritten as pcapng (microseconds), ending with an ISB as dumpcap writes one."""
    linktype, recs = pcap_records(pcap)
    parts = [block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)),
             block(1, struct.pack("<HHI", linktype, 0, 0))]
    for sec, usec, data, orig in recs:
        ts = sec * 1000000 + usec
        parts.append(block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xffffffff, len(data),
                                          orig) + data))
    ts = recs[-1][0] * 1000000 + recs[-1][1]
    opts = option(4, struct.pack("<Q", len(recs)))
    if ifdrop is not None:
        opts += option(5, struct.pack("<Q", ifdrop))
    if osdrop is not None:
        opts += option(7, struct.pack("<Q", osdrop))
    parts.append(block(5, struct.pack("<III", 0, ts >> 32, ts & 0xffffffff) + opts +
                       option(0, b"")))
    with open(out, "wb") as f:
        f.write(b"".join(parts))


CONF = {"high": 0, "medium": 1, "low": 2}


def drops(fwsight, samples, tmp):
    pcap = os.path.join(samples, "drop-6320", "source.pcap")
    key = ("198.51.100.10", "203.0.113.20", "tcp", "6320")
    plain, _ = run(fwsight, ["--json", pcap])
    if plain is None:
        return
    doc = json.loads(plain.stdout)
    if doc["captures"][0]["kernel_drops"] is not None:
        fail("a pcap file's kernel_drops is %s, want null" % doc["captures"][0]["kernel_drops"])
    base = verdicts(doc)[key]
    if base["verdict"] != "DROPPED" or base["lookalike"] is not None:
        fail("drop-6320 as pcap: %s %s, want DROPPED without look-alike"
             % (base["verdict"], base["lookalike"]))
    for ifdrop, osdrop, want in ((0, None, 0), (3, None, 3), (None, 2, 2), (4, 5, 9)):
        ng = os.path.join(tmp, "drops-%s-%s.pcapng" % (ifdrop, osdrop))
        as_pcapng(pcap, ng, ifdrop, osdrop)
        r, raw = run(fwsight, ["--json", ng])
        if r is None:
            continue
        doc = json.loads(r.stdout)
        got = doc["captures"][0]["kernel_drops"]
        what = "pcapng with isb_ifdrop %s, isb_osdrop %s" % (ifdrop, osdrop)
        if got != want:
            fail("%s: kernel_drops %s, want %d" % (what, got, want))
        v = verdicts(doc)[key]
        step = 1 if want > 0 else 0
        want_conf = min(CONF[base["confidence"]] + step, 2)
        if v["verdict"] != "DROPPED" or CONF[v["confidence"]] != want_conf or \
                v["lookalike"] != ("capture-drops" if want else None) or not v["blocking"]:
            fail("%s: %s, confidence %s, lookalike %s, blocking %s; want DROPPED one step below "
                 "%s, %s, blocking" % (what, v["verdict"], v["confidence"], v["lookalike"],
                                       v["blocking"], base["confidence"],
                                       "capture-drops" if want else "none"))
        if raw.returncode != 1:
            fail("%s: exit status %d, want 1" % (what, raw.returncode))
        text, _ = run(fwsight, [ng])
        line = "drops        %d lost while capturing, as the capturing tool recorded them" % want
        if text is not None and line not in text.stdout:
            fail("%s: the report has no line '%s'" % (what, line))
        os.unlink(ng)
    # Two captures: the drops of either weigh on the combined verdicts too, in either order.
    tgt = os.path.join(samples, "drop-6320", "target.pcap")
    r, _ = run(fwsight, ["--json", pcap, tgt])
    base2 = verdicts(json.loads(r.stdout))[key] if r is not None else None
    ng = os.path.join(tmp, "drops-both.pcapng")
    as_pcapng(pcap, ng, 3, None)
    for files in ([ng, tgt], [tgt, ng]):
        r, _ = run(fwsight, ["--json"] + files)
        if r is None or base2 is None:
            continue
        v = verdicts(json.loads(r.stdout))[key]
        if v["verdict"] != "DROPPED" or v["lookalike"] != "capture-drops" or \
                CONF[v["confidence"]] != min(CONF[base2["confidence"]] + 1, 2):
            fail("%s: %s, confidence %s (without drops %s), lookalike %s; want DROPPED one step "
                 "lower, capture-drops" % (" ".join(os.path.basename(f) for f in files),
                                           v["verdict"], v["confidence"], base2["confidence"],
                                           v["lookalike"]))
    os.unlink(ng)


def main():
    fwsight, samples = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="capture_notes.")
    offload(fwsight, samples)
    drops(fwsight, samples, tmp)
    os.rmdir(tmp)
    print("capture_notes: %d disagree" % bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
