#!/usr/bin/env python3
"""tests/path_segments.py FWSIGHT SAMPLES_DIR: `fwsight analyze` with the six captures of a
path lab sample (samples/path-lab.sh: both hosts and every router interface), in several
orders, must give the same report whatever the order of the arguments, and name, for each
blocked path listed below, the captures its requests (and a refusal) last pass and the ones
they never reach. The expectations follow from the lab's rules (samples/README.md): a router
that drops or refuses sits between its two interfaces' captures; the captures of one link
(a host and the router port facing it) see the same TTLs and share a hop.

CTest runs it (path_segments).
"""
import json
import os
import random
import subprocess
import sys

SRC, TGT = "198.51.100.10", "203.0.113.20"
SRC6, TGT6 = "2001:db8:1::10", "2001:db8:2::20"
NEAR_SRC = ["rtr1-src.pcap", "source.pcap"]   # hop 0 from the source
MID = ["rtr1-mid.pcap", "rtr2-mid.pcap"]       # the link between the routers
NEAR_TGT = ["rtr2-tgt.pcap", "target.pcap"]

# sample -> [(from, to, proto, port, requests seen at, never reach, refusal first at)]
EXPECT = {
    "path-far": [
        (SRC, TGT, "tcp", 6320, MID, NEAR_TGT, MID),        # rtr2 forges the reset
        (SRC, TGT, "tcp", 6325, MID, NEAR_TGT, MID),        # rtr2's admin-prohibited
        (SRC, TGT, "tcp", 6326, NEAR_SRC, MID, None),       # rtr1 drops
        (SRC, TGT, "udp", 6326, NEAR_SRC, MID, None),
        (TGT, SRC, "tcp", 6320, NEAR_TGT, MID, NEAR_TGT),   # the other way: rtr2 first
        (TGT, SRC, "tcp", 6326, MID, NEAR_SRC, None),
        (SRC6, TGT6, "tcp", 6320, MID, NEAR_TGT, MID),
        (TGT6, SRC6, "tcp", 6326, MID, NEAR_SRC, None),
    ],
    "path-near-far": [
        (SRC, TGT, "tcp", 6320, NEAR_SRC, MID, NEAR_SRC),   # rtr1 forges it
        (SRC, TGT, "tcp", 6325, MID, NEAR_TGT, MID),        # rtr2 forges it
        (SRC6, TGT6, "tcp", 6325, MID, NEAR_TGT, MID),
    ],
}


def run(fwsight, case, files):
    r = subprocess.run([fwsight, "analyze", "--json"] + files, cwd=case, capture_output=True,
                       text=True)
    if r.returncode not in (0, 1):
        raise SystemExit("%s: exit %d: %s" % (case, r.returncode, r.stderr[:300]))
    return r.stdout


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    fwsight, samples = os.path.abspath(sys.argv[1]), sys.argv[2]
    rng = random.Random(12)  # fixed: the same orders on every run
    failed = checked = 0
    for name, rows in EXPECT.items():
        case = os.path.join(samples, name)
        files = sorted(NEAR_SRC + MID + NEAR_TGT)
        orders = [files, files[::-1]] + [rng.sample(files, len(files)) for _ in range(2)]
        outs = [run(fwsight, case, o) for o in orders]
        for o, out in zip(orders[1:], outs[1:]):
            if out != outs[0]:
                print("FAIL %s: the report differs with the captures in the order %s"
                      % (name, " ".join(o)))
                failed += 1
        doc = json.loads(outs[0])
        segs = {(s["from"], s["to"], s["proto"], s["port"]): s for s in doc["path"]["segments"]}
        for frm, to, proto, port, seen, lost, refusal in rows:
            checked += 1
            what = "%s: %s -> %s %s %s" % (name, frm, to, proto, port)
            s = segs.get((frm, to, proto, port))
            if s is None:
                print("FAIL %s: no segment" % what)
                failed += 1
                continue
            req = s["requests"] or {}
            got = (sorted(req.get("seen_at", [])), sorted(req.get("not_seen_at", [])),
                   bool(req.get("vanish")))
            if got != (sorted(seen), sorted(lost), True):
                print("FAIL %s: requests %s, want seen at %s and never reaching %s"
                      % (what, got, seen, lost))
                failed += 1
            ref = s["refusal"]
            got_ref = sorted(ref["seen_at"]) if ref else None
            if got_ref != (sorted(refusal) if refusal else None):
                print("FAIL %s: refusal first at %s, want %s" % (what, got_ref, refusal))
                failed += 1
    print("path_segments: %d blocked paths checked, %d failures" % (checked, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
