#!/usr/bin/env python3
"""samples/path-verify.py [DIR]: checks with tshark that the path lab's captures hold the
evidence their points.tsv claims, for every refusal a capture alone should attribute: the reset
or ICMP error itself with the TTL (hop limit) its router count gives; for `link-layer`, that
frame sent from the router's MAC and the ARP reply / neighbour advertisement tying that MAC to
the address; for `ttl`, no ICMP error from the same distance, for `ttl+icmp-source` at least
one. No root, sends nothing. DIR defaults to this directory (its path-*/ folders).
"""
import csv
import glob
import os
import subprocess
import sys

# The routers' MACs and addresses, as samples/path-lab-model.sh sets them.
MAC = {"198.51.100.1": "02:00:00:00:01:01", "2001:db8:1::1": "02:00:00:00:01:01",
       "192.0.2.1": "02:00:00:00:01:02", "2001:db8:3::1": "02:00:00:00:01:02",
       "192.0.2.2": "02:00:00:00:02:01", "2001:db8:3::2": "02:00:00:00:02:01",
       "203.0.113.1": "02:00:00:00:02:02", "2001:db8:2::1": "02:00:00:00:02:02"}


def frames(path, flt):
    r = subprocess.run(["tshark", "-n", "-r", path, "-Y", flt], capture_output=True,
                       text=True, check=False)
    if r.returncode != 0:
        sys.exit("path-verify: tshark failed on %s [%s]: %s" % (path, flt, r.stderr[:200]))
    return sum(1 for line in r.stdout.splitlines() if line.strip())


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    checked = bad = 0
    for pts in sorted(glob.glob(os.path.join(top, "path-*", "points.tsv"))):
        case = os.path.dirname(pts)
        with open(pts, newline="") as f:
            rows = [r for r in csv.DictReader(f, delimiter="\t")
                    if r["verdict"] == "REJECTED" and "+" not in r["capture"]]
        for r in rows:
            path = os.path.join(case, r["capture"])
            v6 = ":" in r["from"]
            ip = "ipv6" if v6 else "ip"
            ttl = "%s == %d" % ("ipv6.hlim" if v6 else "ip.ttl", 64 - int(r["routers"]))
            l4 = "%s.dstport == %s" % (r["proto"], r["port"])
            icmp_err = "(icmp.type == 3 or icmpv6.type == 1)"
            if r["basis"] == "icmp-source":
                what = "%s && %s && %s.src == %s && %s" % (icmp_err, ttl, ip, r["answered_by"], l4)
            else:
                what = "tcp.flags.reset == 1 && tcp.srcport == %s && %s && %s.src == %s" % (
                    r["port"], ttl, ip, r["to"])
            ok = frames(path, what) >= 1
            if r["basis"] == "link-layer":
                mac = MAC[r["answered_by"]]
                tie = ("icmpv6.nd.na.target_address == %s && eth.src == %s" if v6 else
                       "arp.opcode == 2 && arp.src.proto_ipv4 == %s && arp.src.hw_mac == %s")
                ok = ok and frames(path, what + " && eth.src == " + mac) >= 1 and \
                    frames(path, tie % (r["answered_by"], mac)) >= 1
            elif r["basis"] in ("ttl", "ttl+icmp-source"):
                same_distance = frames(path, "%s && %s" % (icmp_err, ttl)) >= 1
                ok = ok and same_distance == (r["basis"] == "ttl+icmp-source")
            checked += 1
            if not ok:
                bad += 1
                print("FAIL %s: %s -> %s %s %s: no evidence for %s (%s router(s))"
                      % (os.path.relpath(path, top), r["from"], r["to"], r["proto"], r["port"],
                         r["basis"], r["routers"]))
    print("path-verify: %d refusals checked, %d without their evidence" % (checked, bad))
    return 1 if bad or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
