#!/usr/bin/env python3
"""tests/samples_verdicts.py FWSIGHT SAMPLES_DIR: fwsight's verdicts on the lab's real captures.

For every SAMPLES_DIR/*/expected.tsv, runs `fwsight analyze --json` on source.pcap alone and on
target.pcap alone (or their .gz) and compares each expected row with the "verdicts" entry for
(from, to, proto, port): column source_only, resp. target_only ("-" port: ICMP echo, null in
the JSON). answered_by is compared too when the verdict equals the ground truth and the JSON
names an address (a forged RST hides its maker's address: fwsight reports none). The exit
status must be 1 exactly when a verdict is DROPPED, REPLY-DROPPED, REJECTED or PARTIAL.
Exit 1 on any disagreement.
"""
import csv
import glob
import json
import os
import subprocess
import sys

BLOCKING = {"DROPPED", "REPLY-DROPPED", "REJECTED", "PARTIAL"}


def main():
    fwsight, samples = sys.argv[1], sys.argv[2]
    agree = bad = 0

    def fail(msg):
        nonlocal bad
        print("FAIL " + msg)
        bad += 1

    for exp in sorted(glob.glob(os.path.join(samples, "*", "expected.tsv"))):
        case = os.path.dirname(exp)
        name = os.path.basename(case)
        with open(exp, newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        for side in ("source", "target"):
            cap = os.path.join(case, side + ".pcap")
            if not os.path.exists(cap):
                cap += ".gz"
            if not os.path.exists(cap):
                fail("%s: no %s capture" % (name, side))
                continue
            run = subprocess.run([fwsight, "analyze", "--json", cap], capture_output=True,
                                 text=True)
            if run.returncode not in (0, 1) or "Sanitizer" in run.stderr:
                fail("%s/%s: fwsight exited %d: %s" % (name, side, run.returncode,
                                                        run.stderr[:300]))
                continue
            verdicts = json.loads(run.stdout)["verdicts"]
            blocking = any(v["verdict"] in BLOCKING for v in verdicts)
            if run.returncode != (1 if blocking else 0):
                fail("%s/%s: exit status %d with%s blocking verdicts"
                     % (name, side, run.returncode, "" if blocking else " no"))
            got = {(v["from"], v["to"], v["proto"],
                    "-" if v["port"] is None else str(v["port"])): v for v in verdicts}
            for r in rows:
                key = (r["from"], r["to"], r["proto"], r["port"])
                want = r["source_only"] if side == "source" else r["target_only"]
                v = got.get(key)
                gv = v["verdict"] if v else "(none)"
                gb = v["answered_by"] if v else None
                if gv != want:
                    fail("%s/%s: %s: got %s, want %s" % (name, side, " ".join(key), gv, want))
                elif gv == r["verdict"] and gb is not None and gb != r["answered_by"]:
                    fail("%s/%s: %s %s: answered_by %s, want %s"
                         % (name, side, " ".join(key), gv, gb, r["answered_by"]))
                else:
                    agree += 1
    print("samples_verdicts: %d agree, %d disagree" % (agree, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
