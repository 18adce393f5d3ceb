#!/usr/bin/env python3
"""tests/samples_verdicts.py FWSIGHT SAMPLES_DIR: fwsight's verdicts on the lab's real captures.

For every SAMPLES_DIR/*/expected.tsv, runs `fwsight analyze --json` on source.pcap alone, on
target.pcap alone (or their .gz), and on both together (`analyze source target`, and the other
way round), and compares each expected row with the "verdicts" entry for (from, to, proto,
port): column source_only, target_only, resp. verdict, the ground truth ("-" port: ICMP echo,
null in the JSON). Both together must also have combined the captures, estimated a clock
offset and found each capture's host; and again with the target's clock moved by SHIFT_US,
whose offset must be found within 5 ms, with the same verdicts. answered_by is compared too
when the verdict equals the ground truth and the JSON names an address (a forged RST hides its
maker's address: fwsight reports none). The lookalike column is compared with the verdict's
"lookalike" (null in the JSON is "-") where the capture sees the ground truth's verdict; a
column of SIDE=NAME pairs (comma-separated; SIDE source, target or both, which stands for the
two orders and the shifted run too) names it per run, "-" for the runs it does not name (a
capture of one direction is a look-alike in its own run, not with the other capture). A verdict
blocks when it is DROPPED, REPLY-DROPPED, REJECTED, PARTIAL, STALLED or UNREACHABLE and no
look-alike but capture drops explains it; its "blocking" must say so, and the exit status must be
1 exactly when one blocks. A row expected UNTESTED may also be absent (a pair that is not under
test gets no UNTESTED entries). The order of the two captures must change no verdict: every
verdict of `analyze source target` (kind, confidence, look-alike, who answered, blocking) must be
the same in `analyze target source`, scenarios in PENDING included. Scenarios named in
SAMPLES_DIR/PENDING (one a line, # comments) are skipped with a "pending:" line: their
captures are there before fwsight can tell their causes.
Exit 1 on any disagreement.
"""
import csv
import glob
import gzip
import json
import os
import struct
import subprocess
import sys
import tempfile

# The second machine's clock, in the shifted run: ahead by this much (the lab's two captures
# share one clock; real servers do not).
SHIFT_US = -(83 * 1000000 + 250000)


def shifted_copy(path, shift_us, out_dir):
    """A copy of the pcap at path (maybe .gz) with every timestamp moved by shift_us."""
    data = (gzip.open if path.endswith(".gz") else open)(path, "rb").read()
    magic = data[:4]
    order = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    nsec = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    unit = 10**9 if nsec else 10**6
    shift = shift_us * (1000 if nsec else 1)
    out = bytearray(data[:24])
    pos = 24
    while pos + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(order + "IIII", data[pos:pos + 16])
        t = sec * unit + frac + shift
        out += struct.pack(order + "IIII", t // unit, t % unit, incl, orig)
        out += data[pos + 16:pos + 16 + incl]
        pos += 16 + incl
    dst = os.path.join(out_dir, "shifted-" + os.path.basename(path).replace(".gz", ""))
    with open(dst, "wb") as f:
        f.write(out)
    return dst

def want_lookalike(row, side):
    """The look-alike the row expects in the run named side (see the top)."""
    spec = row.get("lookalike", "-")
    if "=" not in spec:
        return spec
    per = dict(p.split("=", 1) for p in spec.split(","))
    return per.get("both" if side in ("both", "reversed", "shifted") else side, "-")


BLOCKING = {"DROPPED", "REPLY-DROPPED", "REJECTED", "PARTIAL", "STALLED", "UNREACHABLE"}


def blocks(v):
    return v["verdict"] in BLOCKING and v.get("lookalike") in (None, "capture-drops")


def pending_names(samples):
    """The scenario names listed in samples/PENDING (a missing file lists none)."""
    try:
        with open(os.path.join(samples, "PENDING")) as f:
            lines = [l.split("#", 1)[0].strip() for l in f]
    except FileNotFoundError:
        return set()
    return {l for l in lines if l}


def capture_of(case, side):
    cap = os.path.join(case, side + ".pcap")
    return cap if os.path.exists(cap) else cap + ".gz"


def verdict_table(fwsight, files):
    """(from, to, proto, port) -> what must not depend on the order of the captures."""
    run = subprocess.run([fwsight, "analyze", "--json"] + files, capture_output=True, text=True)
    if run.returncode not in (0, 1):
        return None
    return {(v["from"], v["to"], v["proto"], v["port"]):
            (v["verdict"], v["confidence"], v.get("lookalike"), v["answered_by"],
             v.get("blocking"), v.get("inferred"))
            for v in json.loads(run.stdout)["verdicts"]}


def order_differences(fwsight, case):
    """Each verdict that differs between `analyze source target` and `analyze target source`."""
    files = [capture_of(case, "source"), capture_of(case, "target")]
    if not all(os.path.exists(f) for f in files):
        return []
    fwd, rev = verdict_table(fwsight, files), verdict_table(fwsight, files[::-1])
    if fwd is None or rev is None:
        return ["fwsight failed on the pair"]
    return ["source first %s, target first %s: %s" % (fwd.get(k), rev.get(k),
                                                       " ".join(str(x) for x in k))
            for k in sorted(set(fwd) | set(rev), key=str) if fwd.get(k) != rev.get(k)]


def main():
    fwsight, samples = sys.argv[1], sys.argv[2]
    pending = pending_names(samples)
    tmp = tempfile.mkdtemp(prefix="samples_verdicts.")
    agree = bad = 0

    def fail(msg):
        nonlocal bad
        print("FAIL " + msg)
        bad += 1

    for exp in sorted(glob.glob(os.path.join(samples, "*", "expected.tsv"))):
        case = os.path.dirname(exp)
        name = os.path.basename(case)
        for msg in order_differences(fwsight, case):
            fail("%s: %s" % (name, msg))
        if name in pending:
            print("pending: %s (listed in PENDING, not compared)" % name)
            continue
        with open(exp, newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        caps = {}
        for side in ("source", "target"):
            cap = os.path.join(case, side + ".pcap")
            if not os.path.exists(cap):
                cap += ".gz"
            if os.path.exists(cap):
                caps[side] = [cap]
            else:
                fail("%s: no %s capture" % (name, side))
        if len(caps) == 2:
            caps["both"] = caps["source"] + caps["target"]
            caps["reversed"] = caps["target"] + caps["source"]
            caps["shifted"] = caps["source"] + [shifted_copy(caps["target"][0], SHIFT_US, tmp)]
        for side, files in caps.items():
            run = subprocess.run([fwsight, "analyze", "--json"] + files, capture_output=True,
                                 text=True)
            if run.returncode not in (0, 1) or "Sanitizer" in run.stderr:
                fail("%s/%s: fwsight exited %d: %s" % (name, side, run.returncode,
                                                        run.stderr[:300]))
                continue
            doc = json.loads(run.stdout)
            verdicts = doc["verdicts"]
            if side == "shifted":
                off = (doc.get("correlation") or {}).get("clock_offset_us")
                if off is None or abs(off - SHIFT_US) > 5000:
                    fail("%s/shifted: clock offset %s, want %d +- 5 ms" % (name, off, SHIFT_US))
            if side in ("both", "reversed", "shifted"):
                corr = doc.get("correlation") or {}
                points = [c["capture_point"] for c in doc["captures"]]
                if not corr.get("combined") or corr.get("clock_offset_us") is None:
                    fail("%s/both: captures not combined: %s" % (name, corr))
                if len(points) != 2 or None in points or points[0] == points[1]:
                    fail("%s/both: capture points %s" % (name, points))
            for v in verdicts:
                if v.get("blocking") != blocks(v):
                    fail("%s/%s: %s %s %s %s: blocking %s" % (name, side, v["from"], v["to"],
                         v["proto"], v["verdict"], v.get("blocking")))
            blocking = any(blocks(v) for v in verdicts)
            if run.returncode != (1 if blocking else 0):
                fail("%s/%s: exit status %d with%s blocking verdicts"
                     % (name, side, run.returncode, "" if blocking else " no"))
            got = {(v["from"], v["to"], v["proto"],
                    "-" if v["port"] is None else str(v["port"])): v for v in verdicts}
            for r in rows:
                key = (r["from"], r["to"], r["proto"], r["port"])
                want = {"source": r["source_only"], "target": r["target_only"],
                        "both": r["verdict"], "reversed": r["verdict"],
                        "shifted": r["verdict"]}[side]
                v = got.get(key)
                gv = v["verdict"] if v else ("UNTESTED" if want == "UNTESTED" else "(none)")
                gb = v["answered_by"] if v else None
                if gv != want:
                    fail("%s/%s: %s: got %s, want %s" % (name, side, " ".join(key), gv, want))
                elif gv == r["verdict"] and gb is not None and gb != r["answered_by"]:
                    fail("%s/%s: %s %s: answered_by %s, want %s"
                         % (name, side, " ".join(key), gv, gb, r["answered_by"]))
                elif v is not None and "lookalike" in v and gv == r["verdict"] and \
                        (v["lookalike"] or "-") != want_lookalike(r, side):
                    fail("%s/%s: %s %s: lookalike %s, want %s"
                         % (name, side, " ".join(key), gv, v["lookalike"],
                            want_lookalike(r, side)))
                else:
                    agree += 1
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    os.rmdir(tmp)
    print("samples_verdicts: %d agree, %d disagree" % (agree, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
