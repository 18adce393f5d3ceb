#!/usr/bin/env python3
"""lab_peer.py: listener and prober for samples/lab.sh (stdlib only, bounded in time).

  lab_peer.py listen [--tcp LIST] [--udp LIST] [--max-time S] [--ready-file PATH]
      Accepts on the TCP ports (and closes at once) and answers every UDP datagram
      on the UDP ports with one reply, on all IPv4 and IPv6 addresses, for at most
      --max-time seconds (default 120) or until SIGTERM/SIGINT.

  lab_peer.py probe --to ADDR [--from-label ADDR] [--tcp LIST] [--udp LIST] [--icmp]
                    [--tcp-wait S] [--udp-wait S]
      TCP: non-blocking connect to every port at once, waiting --tcp-wait (3.5 s:
      the kernel sends the SYN at 0 s and retransmits at 1 s and 3 s).
      UDP: one request per port, waits --udp-wait (1 s) for an answer or an ICMP error.
      ICMP: ping -c 3 -i 0.2 -W 1.
      Prints one line per attempt, tab-separated: from to proto port outcome detail
      outcome: answered | refused | unreachable | timeout | error

  The listener also takes --tcp-hold LIST (listen(--backlog, default 1) and never accept:
  the accept queue fills), --tcp-serve LIST (accept and keep the connection; answer every
  chunk read with a short "ok N" line; with --close-after BYTES, answer nothing and close
  --close-delay seconds after BYTES have been read: the listener closes first, so its socket
  ends in TIME-WAIT).

  The look-alike probes (several connections, bursts, streams, port reuse, SYN floods)
  are in lab_lookalike.py.

LIST is comma-separated ports and ranges: 6320,6325,135-139.
"""
import argparse
import errno
import os
import selectors
import signal
import socket
import subprocess
import sys
import time

HARD_MAX = 300.0  # no run of this program lasts longer than this, whatever the arguments


def ports(spec):
    out = []
    for part in (spec or "").split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            lo, hi = part.split("-", 1)
            out.extend(range(int(lo), int(hi) + 1))
        else:
            out.append(int(part))
    for p in out:
        if not 0 < p < 65536:
            raise SystemExit("bad port %d" % p)
    return out


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


# ---------------------------------------------------------------- listen

def listen(args):
    stop = {"now": False}

    def on_signal(_sig, _frm):
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sel = selectors.DefaultSelector()
    socks = []
    for p in ports(args.tcp):
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", p))
        s.listen(64)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, ("tcp", p))
        socks.append(s)
    for p in ports(args.tcp_hold):
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", p))
        s.listen(args.backlog)  # never accepted: the kernel's accept queue fills
        socks.append(s)
    for p in ports(args.tcp_serve):
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", p))
        s.listen(64)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, ("serve", p))
        socks.append(s)
    for p in ports(args.udp):
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", p))
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, ("udp", p))
        socks.append(s)
    if args.ready_file:
        with open(args.ready_file, "w") as f:
            f.write("%d\n" % os.getpid())
    deadline = time.monotonic() + min(args.max_time, HARD_MAX)
    served = 0
    conns = {}  # served connection -> [bytes read, close time or None]
    while not stop["now"] and time.monotonic() < deadline and served < 10000:
        now = time.monotonic()
        for c, st in list(conns.items()):
            if st[1] is not None and now >= st[1]:
                sel.unregister(c)
                c.close()  # the listener closes first: its socket goes to TIME-WAIT
                del conns[c]
        for key, _ in sel.select(timeout=0.05 if conns else 0.2):
            kind, _p = key.data
            try:
                if kind == "serve":
                    c, _a = key.fileobj.accept()
                    c.setblocking(False)
                    sel.register(c, selectors.EVENT_READ, ("conn", _p))
                    conns[c] = [0, None]
                elif kind == "conn":
                    c = key.fileobj
                    data = c.recv(65536)
                    if not data:
                        sel.unregister(c)
                        c.close()
                        del conns[c]
                        continue
                    st = conns[c]
                    st[0] += len(data)
                    if args.close_after <= 0:
                        c.send(b"ok %d\n" % st[0])
                    elif st[0] >= args.close_after and st[1] is None:
                        st[1] = time.monotonic() + args.close_delay
                    continue
                elif kind == "tcp":
                    c, _a = key.fileobj.accept()
                    c.close()  # the handshake is the test; close sends a FIN
                else:
                    data, peer = key.fileobj.recvfrom(2048)
                    key.fileobj.sendto(b"fwsight-lab reply\n", peer)
                served += 1
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                pass
    for c in conns:
        c.close()
    for s in socks:
        s.close()
    return 0


# ---------------------------------------------------------------- probe

def errname(e):
    return errno.errorcode.get(e, str(e))


def classify(err):
    if err == 0:
        return "answered"
    if err == errno.ECONNREFUSED:
        return "refused"
    if err in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES, errno.EPERM):
        return "unreachable"
    if err == errno.ETIMEDOUT:
        return "timeout"
    return "error"


def probe_tcp(to, plist, wait):
    fam = family_of(to)
    sel = selectors.DefaultSelector()
    pending = {}
    t0 = time.monotonic()
    results = {}
    for p in plist:
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setblocking(False)
        rc = s.connect_ex((to, p))
        if rc in (0, errno.EINPROGRESS):
            sel.register(s, selectors.EVENT_WRITE, p)
            pending[p] = s
        else:
            results[p] = (classify(rc), errname(rc), 0.0)
            s.close()
    deadline = t0 + wait
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=max(0.0, deadline - time.monotonic())):
            p = key.data
            s = key.fileobj
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            results[p] = (classify(err), errname(err) if err else "connected",
                          time.monotonic() - t0)
            sel.unregister(s)
            s.close()
            del pending[p]
    for p, s in pending.items():
        results[p] = ("timeout", "no answer in %.1fs" % wait, wait)
        sel.unregister(s)
        s.close()
    return [(p,) + results[p] for p in plist]


def probe_udp(to, plist, wait):
    fam = family_of(to)
    sel = selectors.DefaultSelector()
    pending = {}
    results = {}
    t0 = time.monotonic()
    for p in plist:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.setblocking(False)
        try:
            s.connect((to, p))
            s.send(b"fwsight-lab probe\n")
        except OSError as e:
            results[p] = (classify(e.errno), errname(e.errno), 0.0)
            s.close()
            continue
        sel.register(s, selectors.EVENT_READ, p)
        pending[p] = s
    deadline = t0 + wait
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=max(0.0, deadline - time.monotonic())):
            p = key.data
            s = key.fileobj
            try:
                s.recv(2048)
                results[p] = ("answered", "reply", time.monotonic() - t0)
            except BlockingIOError:
                continue
            except OSError as e:
                results[p] = (classify(e.errno), errname(e.errno), time.monotonic() - t0)
            sel.unregister(s)
            s.close()
            del pending[p]
    for p, s in pending.items():
        results[p] = ("timeout", "no answer in %.1fs" % wait, wait)
        sel.unregister(s)
        s.close()
    return [(p,) + results[p] for p in plist]


def probe_icmp(to):
    cmd = ["ping", "-6" if ":" in to else "-4", "-n", "-c", "3", "-i", "0.2", "-W", "1", to]
    t0 = time.monotonic()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        out = r.stdout + r.stderr
    except subprocess.TimeoutExpired:
        return ("error", "ping timed out", time.monotonic() - t0)
    received = 0
    errors = 0
    for line in out.splitlines():
        if "packets transmitted" in line:
            for f in line.split(","):
                f = f.strip()
                if f.endswith("received"):
                    received = int(f.split()[0])
                if f.endswith("errors"):
                    errors = int(f.split()[0].lstrip("+"))
    detail = "%d/3 replies" % received
    if errors:
        reasons = sorted({l.split(" ", 4)[-1] for l in out.splitlines() if l.startswith("From ")})
        detail += ", %d errors (%s)" % (errors, "; ".join(reasons))
        return ("unreachable" if received == 0 else "answered", detail, time.monotonic() - t0)
    return ("answered" if received == 3 else ("timeout" if received == 0 else "partial"),
            detail, time.monotonic() - t0)


def probe(args):
    start = time.monotonic()
    frm = args.from_label or "-"
    lines = []
    if args.tcp:
        for p, outcome, detail, el in probe_tcp(args.to, ports(args.tcp), min(args.tcp_wait, 10)):
            lines.append((frm, args.to, "tcp", str(p), outcome, "%s (%.2fs)" % (detail, el)))
    if args.udp:
        for p, outcome, detail, el in probe_udp(args.to, ports(args.udp), min(args.udp_wait, 5)):
            lines.append((frm, args.to, "udp", str(p), outcome, "%s (%.2fs)" % (detail, el)))
    if args.icmp:
        outcome, detail, el = probe_icmp(args.to)
        lines.append((frm, args.to, "icmp", "-", outcome, "%s (%.2fs)" % (detail, el)))
    for l in lines:
        print("\t".join(l))
    sys.stdout.flush()
    if time.monotonic() - start > HARD_MAX:
        return 1
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    l = sub.add_parser("listen")
    l.add_argument("--tcp", default="")
    l.add_argument("--udp", default="")
    l.add_argument("--max-time", type=float, default=120.0)
    l.add_argument("--ready-file")
    l.add_argument("--tcp-hold", default="")
    l.add_argument("--backlog", type=int, default=1)
    l.add_argument("--tcp-serve", default="")
    l.add_argument("--close-after", type=int, default=0)
    l.add_argument("--close-delay", type=float, default=0.0)
    p = sub.add_parser("probe")
    p.add_argument("--to", required=True)
    p.add_argument("--from-label")
    p.add_argument("--tcp", default="")
    p.add_argument("--udp", default="")
    p.add_argument("--icmp", action="store_true")
    p.add_argument("--tcp-wait", type=float, default=3.5)
    p.add_argument("--udp-wait", type=float, default=1.0)
    a = ap.parse_args()
    signal.signal(signal.SIGALRM, lambda *_: sys.exit(3))
    signal.alarm(int(HARD_MAX) + 5)
    return listen(a) if a.cmd == "listen" else probe(a)


if __name__ == "__main__":
    sys.exit(main())
