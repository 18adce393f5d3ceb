#!/usr/bin/env python3
"""lab_lookalike.py: the probes of samples/lab.sh's look-alike scenarios (stdlib only, bounded
in time). Each prints one tab-separated line per attempt, as lab_peer.py probe does:
from to proto port outcome detail. Listeners and the plain probes are lab_peer.py's.

  lab_lookalike.py conns --to ADDR --port P [--count N] [--burst K] [--interval S] [--hold S]
      N connections to one port, the first K at once, then one per S seconds, all kept open
      until --hold seconds after the start; one line per connection.
  lab_lookalike.py udpburst --to ADDR --port P [--count N] [--interval S] [--wait S]
      N UDP requests S apart, each from its own socket; one line: how many were answered,
      refused (ICMP port unreachable) or left silent.
  lab_lookalike.py stream --to ADDR --port P [--first N1] [--delay S] [--bytes N] [--wait S]
                         [--go-file PATH]
      connects, sends N1 bytes and waits for the answer (when N1 > 0), waits for PATH to
      exist (when given), waits S seconds, sends N bytes and waits up to --wait seconds
      for an answer: "stalled" when the connection opened but the last data got none.
  lab_lookalike.py reuse --to ADDR --port P --sport SP [--bytes N] [--wait S] [--sent-file F]
      connects from port SP, sends N bytes (then writes F), waits for the listener to
      close, closes, and at once connects again from the same port SP (SO_REUSEADDR);
      one line for the second connection.
  lab_lookalike.py flood --to ADDR[,ADDR] --port P [--count N] [--from-label L[,L]]
      N non-blocking connects to one port of each address as fast as possible (N SYNs
      each), then exits at once.

"""
import argparse
import errno
import os
import selectors
import signal
import socket
import sys
import time

from lab_peer import HARD_MAX, classify, errname, family_of


def out(frm, to, proto, port, outcome, detail):
    print("\t".join((frm, to, proto, str(port), outcome, detail)))
    sys.stdout.flush()


def conns(args):
    """Several connections to one port, kept open: fills a listener's accept queue."""
    fam = family_of(args.to)
    t0 = time.monotonic()
    count = min(args.count, 50)
    due = [0.0 if i < args.burst else (i - args.burst + 1) * args.interval for i in range(count)]
    socks = []  # [socket, started, (outcome, what, at) or None]
    deadline = t0 + min(args.hold, 30)
    sel = selectors.DefaultSelector()
    while time.monotonic() < deadline:
        now = time.monotonic() - t0
        while len(socks) < count and due[len(socks)] <= now:
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex((args.to, args.port))
            x = [s, time.monotonic() - t0, None]
            sel.register(s, selectors.EVENT_WRITE, x)
            socks.append(x)
        nxt = due[len(socks)] if len(socks) < count else deadline - t0
        for key, _ in sel.select(timeout=max(0.0, min(nxt, deadline - t0) - now)):
            x = key.data
            err = x[0].getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            x[2] = (classify(err), (errname(err) if err else "connected"), time.monotonic() - t0)
            sel.unregister(x[0])
    sel.close()
    for i, (s, started, res) in enumerate(socks):
        outcome, what, at = res or ("timeout", "no answer", None)
        out(args.from_label or "-", args.to, "tcp", args.port, outcome,
            "connection %d started at %.2fs: %s%s" % (i + 1, started, what,
                                                     "" if at is None else " at %.2fs" % at))
        s.close()
    return 0


def udpburst(args):
    """A burst of UDP requests, one socket each (as a naive tester or a scanner sends them)."""
    fam = family_of(args.to)
    t0 = time.monotonic()
    socks = []
    for i in range(min(args.count, 100)):
        time.sleep(max(0.0, t0 + i * args.interval - time.monotonic()))
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.setblocking(False)
        s.connect((args.to, args.port))
        s.send(b"fwsight-lab probe\n")
        socks.append(s)
    time.sleep(max(0.0, t0 + (len(socks) - 1) * args.interval + min(args.wait, 5)
                   - time.monotonic()))
    counts = {"answered": 0, "refused": 0, "silent": 0, "error": 0}
    for s in socks:
        try:
            s.recv(2048)
            counts["answered"] += 1
        except BlockingIOError:
            counts["silent"] += 1
        except OSError as e:
            counts["refused" if e.errno == errno.ECONNREFUSED else "error"] += 1
        s.close()
    outcome = ("answered" if counts["answered"] else "refused" if counts["refused"]
               else "timeout")
    out(args.from_label or "-", args.to, "udp", args.port, outcome,
        "%d requests %.0f ms apart: %d answered, %d refused, %d silent, %d other errors"
        % (len(socks), args.interval * 1000, counts["answered"], counts["refused"],
           counts["silent"], counts["error"]))
    return 0


def recv_some(s, wait):
    s.settimeout(max(0.01, wait))
    try:
        return s.recv(2048)
    except socket.timeout:
        return None


def stream(args):
    """Connect, a small request answered, then more data: does it get through?"""
    fam = family_of(args.to)
    t0 = time.monotonic()
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(4)
    frm = args.from_label or "-"
    try:
        s.connect((args.to, args.port))
    except OSError as e:
        err = e.errno if e.errno else errno.ETIMEDOUT
        out(frm, args.to, "tcp", args.port, classify(err), errname(err))
        return 0
    what = "connected at %.2fs" % (time.monotonic() - t0)
    if args.first > 0:
        s.sendall(b"a" * args.first)
        r = recv_some(s, 2)
        what += "; %d bytes %s" % (args.first, "answered" if r else "unanswered")
    if args.go_file:  # the lab changes the firewall between the handshake and the data
        end = time.monotonic() + 15
        while not os.path.exists(args.go_file) and time.monotonic() < end:
            time.sleep(0.02)
    time.sleep(min(args.delay, 10))
    s.setblocking(False)
    sent = 0
    end = time.monotonic() + min(args.wait, 10)
    data = b"b" * args.bytes
    got = None
    while time.monotonic() < end and got is None:
        if sent < len(data):
            try:
                sent += s.send(data[sent:])
            except BlockingIOError:
                pass
        try:
            got = s.recv(2048) or b""
        except BlockingIOError:
            time.sleep(0.02)
    what += "; then %d of %d bytes written, %s" % (
        sent, len(data), "answered" if got else "no answer in %.1fs" % args.wait)
    out(frm, args.to, "tcp", args.port, "answered" if got else "stalled", what)
    s.close()
    return 0


def reuse(args):
    """The listener closes first (its socket sits in TIME-WAIT); reconnect from the same port."""
    fam = family_of(args.to)
    frm = args.from_label or "-"
    any_addr = "::" if fam == socket.AF_INET6 else "0.0.0.0"
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((any_addr, args.sport))
    s.settimeout(5)
    s.connect((args.to, args.port))
    s.sendall(b"c" * args.bytes)  # moves the listener's rcv_nxt past the next ISN
    if args.sent_file:
        with open(args.sent_file, "w") as f:
            f.write("%d\n" % args.bytes)
    s.settimeout(min(args.wait, 20))
    try:
        while s.recv(65536):
            pass
    except socket.timeout:
        out(frm, args.to, "tcp", args.port, "error", "the listener did not close")
        return 1
    s.close()
    time.sleep(0.05)  # our LAST-ACK is answered: the 4-tuple is free on this side
    t0 = time.monotonic()
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((any_addr, args.sport))
    s.settimeout(5)
    try:
        s.connect((args.to, args.port))
        out(frm, args.to, "tcp", args.port, "answered",
            "reconnected from port %d at once: connected after %.2fs"
            % (args.sport, time.monotonic() - t0))
    except OSError as e:
        err = e.errno if e.errno else errno.ETIMEDOUT
        out(frm, args.to, "tcp", args.port, classify(err), errname(err))
    s.close()
    return 0


def flood(args):
    """N SYNs to one port of each address as fast as connect() goes, then exit at once (a scan
    cut short: one process, so the SYNs to every address are the capture's last packets)."""
    tos = args.to.split(",")
    frms = (args.from_label or "").split(",")
    lines = []
    socks = []
    for i, to in enumerate(tos):
        t0 = time.monotonic()
        for _ in range(min(args.count, 200)):
            s = socket.socket(family_of(to), socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex((to, args.port))
            socks.append(s)
        lines.append((frms[i] if i < len(frms) else "-", to, "%d SYNs in %.1f ms, no wait"
                      % (min(args.count, 200), (time.monotonic() - t0) * 1000)))
    for frm, to, what in lines:
        out(frm, to, "tcp", args.port, "sent", what)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, extra in (("conns", (("--count", int, 6), ("--burst", int, 3),
                                    ("--interval", float, 1.0), ("--hold", float, 5.0))),
                        ("udpburst", (("--count", int, 20), ("--interval", float, 0.01),
                                      ("--wait", float, 1.0))),
                        ("stream", (("--first", int, 0), ("--delay", float, 1.0),
                                    ("--bytes", int, 300), ("--wait", float, 4.0))),
                        ("reuse", (("--sport", int, 40000), ("--bytes", int, 0),
                                   ("--wait", float, 10.0))),
                        ("flood", (("--count", int, 100),))):
        q = sub.add_parser(name)
        q.add_argument("--to", required=True)
        q.add_argument("--from-label")
        q.add_argument("--port", type=int, required=True)
        for opt, typ, dflt in extra:
            q.add_argument(opt, type=typ, default=dflt)
        if name == "reuse":
            q.add_argument("--sent-file", help="written once the bytes are in the send buffer")
        if name == "stream":
            q.add_argument("--go-file", help="wait for this file before the data (at most 15 s)")
    a = ap.parse_args()
    signal.signal(signal.SIGALRM, lambda *_: sys.exit(3))
    signal.alarm(int(HARD_MAX) + 5)
    return {"conns": conns, "udpburst": udpburst, "stream": stream, "reuse": reuse,
            "flood": flood}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
