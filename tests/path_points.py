#!/usr/bin/env python3
"""tests/path_points.py FWSIGHT SAMPLES_DIR [-v]: fwsight against what every capture of the path
lab (samples/path-lab.sh) should conclude, capture by capture.

For every SAMPLES_DIR/path-*/points.tsv, runs `fwsight analyze --json` on each capture named
in its `capture` column alone (and on `source.pcap+target.pcap` together) and compares, per
row (from, to, proto, port): the verdict; answered_by where the row names one ("-": the
capture cannot name the device, so the JSON must say null); the JSON's `answered_by_basis`
against `basis` where the row has one; and each capture's `capture_point` against the row's
(any address of a host, or "in-path"); and for every blocked row of one capture alone, `where`
(on which side of the capture point it failed): for a capture on the path the JSON's `where`,
for a host's capture "after" (the JSON says none: only what lies beyond a host can block it).
Prints one line per disagreement (-v: every comparison) and a table of agreement per column;
exit 1 on any disagreement.

CTest runs it (path_points).
"""
import csv
import glob
import json
import os
import subprocess
import sys


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    fwsight, samples = sys.argv[1], sys.argv[2]
    verbose = "-v" in sys.argv[3:]
    tally = {}  # column -> [agree, disagree]

    def count(col, ok, msg):
        t = tally.setdefault(col, [0, 0])
        t[0 if ok else 1] += 1
        if not ok or verbose:
            print(("ok   " if ok else "FAIL ") + msg)

    for pts in sorted(glob.glob(os.path.join(samples, "path-*", "points.tsv"))):
        case = os.path.dirname(pts)
        name = os.path.basename(case)
        with open(pts, newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        for cap in sorted({r["capture"] for r in rows}):
            files = [os.path.join(case, c) for c in cap.split("+")]
            run = subprocess.run([fwsight, "analyze", "--json"] + files, capture_output=True,
                                 text=True)
            if run.returncode not in (0, 1):
                count("run", False, "%s/%s: exit %d: %s" % (name, cap, run.returncode,
                                                            run.stderr[:200]))
                continue
            doc = json.loads(run.stdout)
            got = {(v["from"], v["to"], v["proto"],
                    "-" if v["port"] is None else str(v["port"])): v for v in doc["verdicts"]}
            mine = [r for r in rows if r["capture"] == cap]
            want_point = mine[0]["capture_point"]
            gp_in_path = doc["captures"][0].get("capture_point") == "in-path"
            if want_point != "-":
                gp = doc["captures"][0].get("capture_point")
                count("capture_point", gp in want_point.split(","),
                      "%s/%s: capture point %s, want %s" % (name, cap, gp, want_point))
            for r in mine:
                key = (r["from"], r["to"], r["proto"], r["port"])
                v = got.get(key)
                what = "%s/%s: %s" % (name, cap, " ".join(key))
                gv = v["verdict"] if v else "(none)"
                count("verdict", gv == r["verdict"], "%s: verdict %s, want %s"
                      % (what, gv, r["verdict"]))
                if v is not None and gv == r["verdict"] and r["where"] != "-" and "+" not in cap:
                    gw = v.get("where", "after" if gp_in_path is False else None)
                    count("where", gw == r["where"], "%s: where %s, want %s"
                          % (what, gw, r["where"]))
                if v is None or gv != r["verdict"] or r["verdict"] not in ("REJECTED",):
                    continue
                want_by = None if r["answered_by"] == "-" else r["answered_by"]
                count("answered_by", v.get("answered_by") == want_by,
                      "%s: answered_by %s, want %s" % (what, v.get("answered_by"), want_by))
                if r["basis"] != "-":
                    gb = v.get("answered_by_basis")
                    count("basis", gb == r["basis"], "%s: answered_by_basis %s, want %s"
                          % (what, gb, r["basis"]))
    print("path_points:", ", ".join("%s %d/%d" % (k, a, a + b)
                                    for k, (a, b) in sorted(tally.items())))
    return 1 if any(b for _, b in tally.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
