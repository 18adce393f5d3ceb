#!/bin/sh
# tests/samples_rpc.sh FWSIGHT SAMPLES_DIR: fwsight on the real DCE/RPC sample (samples/rpc/,
# made by samples/rpc/lab.sh: Samba's samba-dcerpcd behind an nftables router, rpcclient and
# impacket-rpcdump as clients). For each scenario in SAMPLES_DIR/rpc/*/ it runs
# `fwsight analyze --json` on source.pcap alone, target.pcap alone and both together, and checks
# against expected.tsv: TCP 135 OPEN; the dynamic port named "RPC dynamic (LSA, learned from the
# endpoint mapper at packet N)" with N before the first attempt; its verdict; with the source
# capture alone and with both captures a dropped dynamic port's advice says the endpoint mapper
# on 135 was reachable;
# exit status 1 exactly when something is blocked. No root, no network: python3 only.
set -u
[ $# -eq 2 ] || { echo "usage: $0 FWSIGHT SAMPLES_DIR" >&2; exit 2; }
FWSIGHT=$1 SAMPLES=$2
[ -x "$FWSIGHT" ] || { echo "samples_rpc: $FWSIGHT is not executable" >&2; exit 2; }
[ -d "$SAMPLES/rpc" ] || { echo "samples_rpc: no $SAMPLES/rpc" >&2; exit 2; }
exec python3 - "$FWSIGHT" "$SAMPLES/rpc" <<'PY'
import glob, json, os, re, subprocess, sys

fw, root = sys.argv[1], sys.argv[2]
SERVICE = re.compile(r"^RPC dynamic \(LSA, learned from the endpoint mapper at packet (\d+)\)$")
fails = 0
checks = 0

def fail(msg):
    global fails
    fails += 1
    print("FAIL " + msg)

def analyze(files):
    p = subprocess.run([fw, "analyze", "--json"] + files, capture_output=True, text=True,
                       timeout=60)
    try:
        doc = json.loads(p.stdout)
    except ValueError as e:
        return p.returncode, None, "not JSON (%s); stderr: %s" % (e, p.stderr.strip()[:300])
    return p.returncode, doc, None

dirs = sorted(d for d in glob.glob(os.path.join(root, "*")) if os.path.isfile(os.path.join(d, "expected.tsv")))
if len(dirs) < 2:
    fail("expected at least 2 scenarios under %s, found %d" % (root, len(dirs)))
for d in dirs:
    name = os.path.basename(d)
    rows = []
    with open(os.path.join(d, "expected.tsv")) as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            if line.strip():
                rows.append(dict(zip(head, line.rstrip("\n").split("\t"))))
    dyn = [r for r in rows if r["port"] != "135"]
    if not any(r["port"] == "135" for r in rows) or not dyn:
        fail("%s: expected.tsv needs a 135 row and a dynamic-port row" % name)
        continue
    src, tgt = os.path.join(d, "source.pcap"), os.path.join(d, "target.pcap")
    for label, files, col in (("source", [src], "source_only"), ("target", [tgt], "target_only"),
                              ("both", [src, tgt], "verdict")):
        what = "%s/%s" % (name, label)
        rc, doc, err = analyze(files)
        if doc is None:
            fail("%s: %s" % (what, err))
            continue
        if doc.get("fwsight_json") != 2:
            fail("%s: fwsight_json is %r" % (what, doc.get("fwsight_json")))
        # The endpoint mapper's PDUs were read whole and taught the ports (the source sees
        # the ept_map answer; nothing on the wire is malformed).
        rpc = (doc.get("captures") or [{}])[0].get("dcerpc") or {}
        checks += 1
        if label != "target" and not (rpc.get("pdus", 0) > 0 and rpc.get("ports_learned", 0) >= 1
                                      and rpc.get("malformed") == 0 and rpc.get("truncated") == 0):
            fail("%s: dcerpc counters %r: want PDUs read, ports learned, none malformed" % (what, rpc))
        idx = {}
        for v in doc.get("verdicts", []):
            idx[(v["from"], v["to"], v["proto"], v["port"])] = v
        blocked = False
        for r in rows:
            checks += 1
            key = (r["from"], r["to"], r["proto"], int(r["port"]))
            want = r[col]
            v = idx.get(key)
            if want in ("DROPPED", "REJECTED", "REPLY-DROPPED", "PARTIAL"):
                blocked = True
            if v is None:
                # a learned port is no profile port: without an attempt it has no entry at all
                if not (want == "UNTESTED" and r["port"] != "135"):
                    fail("%s: no verdict for %s %s %s %s (want %s)" % ((what,) + key + (want,)))
                continue
            if v["verdict"] != want:
                fail("%s: %s -> %s %s %s: %s, want %s (%s)" % (what, key[0], key[1], key[2], key[3],
                     v["verdict"], want, v.get("advice")))
            if r["port"] == "135":
                continue
            m = SERVICE.match(v.get("service") or "")
            if not m:
                fail("%s: port %s service %r, want 'RPC dynamic (LSA, learned from the endpoint "
                     "mapper at packet N)'" % (what, r["port"], v.get("service")))
            else:
                learned = int(m.group(1))
                first = None
                for e in v.get("evidence", []):
                    fm = re.match(r"frame (\d+) ", e)
                    if fm:
                        first = int(fm.group(1))
                        break
                if first is None or not 0 < learned < first:
                    fail("%s: port %s learned at packet %d, first attempt at frame %s: learned "
                         "must come first" % (what, r["port"], learned, first))
            if label in ("source", "both") and want == "DROPPED":
                adv = v.get("advice") or ""
                if "endpoint mapper on 135 reachable" not in adv:
                    fail("%s: port %s advice does not say the endpoint mapper on 135 was reachable: %r"
                         % (what, r["port"], adv))
        want_rc = 1 if blocked else 0
        if rc != want_rc:
            fail("%s: exit status %d, want %d" % (what, rc, want_rc))
print("samples_rpc: %d scenario(s), %d check(s), %d failure(s)" % (len(dirs), checks, fails))
sys.exit(1 if fails else 0)
PY
