#!/usr/bin/env python3
"""tests/zeek_conformance.py: compares fwsight's conn.log with Zeek's on the Zeek corpus.

Usage: zeek_conformance.py FWSIGHT CORPUS_DIR [--ratchet FILE] [--update-ratchet] [-v]

For each case of CORPUS_DIR/MANIFEST.tsv it runs
    FWSIGHT analyze TRACE --conn-log OUT.tsv [--verify-checksums]
(--verify-checksums when the case's checksums_ignored is "no", as Zeek ran without -C),
then compares OUT.tsv with the case's expected.tsv the way the corpus README says: rows
inside tunnels are skipped; rows pair by (proto, orig_h, orig_p, resp_h, resp_p), repeated
5-tuples in order; a row found only under the reversed tuple is a direction disagreement;
unmatched rows are missing or extra. It prints each case's differences and the aggregate
agreement, and fails (exit 1) if any figure is below the floor in the ratchet file (the
level already reached: it only ever moves up, with --update-ratchet). Exit 77 (skip) when
the corpus is absent. Standard library only.
"""
import argparse
import os
import subprocess
import sys
import tempfile

RELAXED_DROP = set("XxCcGgTtWw")
METRICS = ("conn_state", "history", "history_relaxed", "packets")


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, ln.split("\t"))) for ln in lines[1:] if ln]


def read_conn_log(path):
    """Zeek's ASCII format: '#fields' names the columns, other '#' lines are metadata."""
    fields, rows = None, []
    with open(path, encoding="utf-8") as f:
        for ln in f.read().splitlines():
            if ln.startswith("#fields"):
                fields = ln.split("\t")[1:]
            elif ln.startswith("#") or not ln:
                continue
            elif fields is not None:
                r = dict(zip(fields, ln.split("\t")))
                rows.append({
                    "proto": r.get("proto", "-"),
                    "orig_h": r.get("id.orig_h"), "orig_p": r.get("id.orig_p"),
                    "resp_h": r.get("id.resp_h"), "resp_p": r.get("id.resp_p"),
                    "conn_state": r.get("conn_state", "-"),
                    "history": r.get("history", "-") or "-",
                    "orig_pkts": r.get("orig_pkts", "-"), "resp_pkts": r.get("resp_pkts", "-"),
                    "ip_proto": r.get("ip_proto", ""),
                })
    return rows


def key(r, reverse=False):
    k = (r["proto"], r["resp_h"], r["resp_p"], r["orig_h"], r["orig_p"]) if reverse else \
        (r["proto"], r["orig_h"], r["orig_p"], r["resp_h"], r["resp_p"])
    if r["proto"] == "unknown_transport" and r.get("ip_proto"):
        k += (r["ip_proto"],)
    return k


def relaxed(h):
    return "".join(c for c in h if c not in RELAXED_DROP) or "-"


def pair_rows(expected, actual):
    """Returns (pairs, direction, missing, extra): pairs of (expected, actual) rows."""
    pool = {}
    for i, a in enumerate(actual):
        pool.setdefault(key(a), []).append(i)
        if a["proto"] == "unknown_transport":  # our log may lack ip_proto
            pool.setdefault(key(dict(a, ip_proto="")), []).append(i)
    used = set()

    def take(k):
        for i in pool.get(k, []):
            if i not in used:
                used.add(i)
                return actual[i]
        return None

    pairs, unmatched = [], []
    for e in expected:
        a = take(key(e)) or (take(key(dict(e, ip_proto=""))) if e["proto"] ==
                             "unknown_transport" else None)
        if a is None:
            unmatched.append(e)
        else:
            pairs.append((e, a))
    direction, missing = [], []
    for e in unmatched:
        a = take(key(e, reverse=True))
        (direction if a is not None else missing).append((e, a))
    extra = [a for i, a in enumerate(actual) if i not in used]
    return pairs, direction, missing, extra


def fmt(r):
    return "%s %s:%s -> %s:%s %s %s %s/%s" % (
        r["proto"], r["orig_h"], r["orig_p"], r["resp_h"], r["resp_p"], r["conn_state"],
        r["history"], r["orig_pkts"], r["resp_pkts"])


def run_case(fwsight, corpus, case, tmp, verbose):
    trace = os.path.join(corpus, case["trace"])
    out = os.path.join(tmp, case["test"] + ".conn.log")
    cmd = [fwsight, "analyze", trace, "--conn-log", out]
    if case["checksums_ignored"] == "no":
        cmd.append("--verify-checksums")
    try:
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
        err = p.stderr.decode("utf-8", "replace").strip()
        ok = p.returncode in (0, 1) and os.path.exists(out)
    except subprocess.TimeoutExpired:
        ok, err = False, "timed out"
    expected = [r for r in read_tsv(os.path.join(corpus, "cases", case["test"], "expected.tsv"))
                if r.get("in_tunnel") != "yes"]
    actual = read_conn_log(out) if ok else []
    if not ok:
        print("%s: fwsight failed (%s): %s" % (case["test"], " ".join(cmd), err[:300]))
    return expected, actual


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fwsight")
    ap.add_argument("corpus")
    ap.add_argument("--ratchet", default=os.path.join(os.path.dirname(__file__),
                                                      "zeek_ratchet.txt"))
    ap.add_argument("--update-ratchet", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    manifest = os.path.join(args.corpus, "MANIFEST.tsv")
    if not os.path.exists(manifest):
        print("corpus not found at %s (no MANIFEST.tsv): skipped" % args.corpus)
        return 77
    cases = read_tsv(manifest)
    tot = {"rows": 0, "compared": 0, "direction": 0, "missing": 0, "extra": 0}
    agree = dict.fromkeys(METRICS, 0)
    with tempfile.TemporaryDirectory(prefix="fwsight-zeek-") as tmp:
        for case in cases:
            expected, actual = run_case(args.fwsight, args.corpus, case, tmp, args.verbose)
            pairs, direction, missing, extra = pair_rows(expected, actual)
            tot["rows"] += len(expected)
            tot["compared"] += len(pairs)
            tot["direction"] += len(direction)
            tot["missing"] += len(missing)
            tot["extra"] += len(extra)
            notes = []
            for e, a in pairs:
                same = {
                    "conn_state": e["conn_state"] == a["conn_state"],
                    "history": e["history"] == a["history"],
                    "history_relaxed": relaxed(e["history"]) == relaxed(a["history"]),
                    "packets": (e["orig_pkts"], e["resp_pkts"]) == (a["orig_pkts"],
                                                                    a["resp_pkts"]),
                }
                for m in METRICS:
                    agree[m] += same[m]
                if not all(same.values()):
                    notes.append("  differs:   zeek %s\n             ours %s" % (fmt(e), fmt(a)))
            notes += ["  direction: zeek %s\n             ours %s" % (fmt(e), fmt(a))
                      for e, a in direction]
            notes += ["  missing:   zeek %s" % fmt(e) for e, _ in missing]
            notes += ["  extra:     ours %s" % fmt(a) for a in extra]
            if notes:
                print("%s (%d rows)" % (case["test"], len(expected)))
                print("\n".join(notes))
    n = max(tot["compared"], 1)
    pct = {m: 100.0 * agree[m] / n for m in METRICS}
    print("\n%d expected rows (outside tunnels), %d compared; %d direction disagreements, "
          "%d missing, %d extra" % (tot["rows"], tot["compared"], tot["direction"],
                                    tot["missing"], tot["extra"]))
    for m in METRICS:
        print("  %-16s %6.2f%%  (%d/%d)" % (m, pct[m], agree[m], tot["compared"]))
    compared_pct = 100.0 * tot["compared"] / max(tot["rows"], 1)
    print("  %-16s %6.2f%%" % ("rows compared", compared_pct))

    figures = dict(pct, compared=compared_pct)
    floors = {}
    if os.path.exists(args.ratchet):
        with open(args.ratchet, encoding="utf-8") as f:
            for ln in f:
                ln = ln.split("#")[0].split()
                if len(ln) == 2:
                    floors[ln[0]] = float(ln[1])
    if args.update_ratchet:
        with open(args.ratchet, "w", encoding="utf-8") as f:
            f.write("# Floors for tests/zeek_conformance.py: the agreement already reached, in\n"
                    "# percent of compared rows. Raise them with --update-ratchet, never lower.\n")
            for m, v in figures.items():
                f.write("%s %.2f\n" % (m, max(int(v * 100) / 100.0, floors.get(m, 0.0))))
        print("ratchet written to %s" % args.ratchet)
        return 0
    failed = [m for m, floor in floors.items() if figures.get(m, 0.0) + 1e-9 < floor]
    for m in failed:
        print("FAIL: %s %.2f%% is below the floor %.2f%%" % (m, figures[m], floors[m]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
