#!/usr/bin/env bash
# tests/live/live_outfiles.sh FWSIGHT: every file fwsight writes follows one policy, here for
# `analyze --conn-log` (`-w` has its own in tests/security/privdrop.sh, and the view's w shares
# the same opening code): an existing file is not overwritten without --force, a symbolic link
# is never followed (not even with --force), and a full disk (a 16 KiB tmpfs in a private mount
# namespace) is named with its cause while the capture is still coming in on stdin, not once it
# has all been read. About 5 s.
if [ -z "${FW_LIVE_MNTNS:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "$0: SKIP: needs root" >&2; exit 77; }
    command -v unshare >/dev/null || { echo "$0: SKIP: no unshare" >&2; exit 77; }
    FW_LIVE_MNTNS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
set -u -o pipefail
FWSIGHT=${1:?usage: $0 PATH/TO/fwsight}
WORK=$(mktemp -d /tmp/fwsight-outfiles.XXXXXX)
MOUNTED=""
FAILS=0
log()  { printf '%s\n' "$(basename "$0"): $*" >&2; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok()   { log "ok: $*"; }
cleanup() {
    [ -n "$MOUNTED" ] && umount "$MOUNTED" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

# A capture of N UDP requests 0.05 s apart, each from its own port: with UDP's 60 s timeout the
# first connections end (and reach the conn.log) 60 s of capture time in, then one per packet.
mkcap() {
    python3 - "$1" "$2" <<'PY'
import struct, sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(n):
        udp = struct.pack("!HHHH", 10000 + i % 50000, 6320, 16, 0) + b"fwsight!"
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xffff, 0, 64, 17, 0,
                         bytes([198, 51, 100, 10]), bytes([203, 0, 113, 20]))
        fr = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip + udp
        t = 1700000000 * 1000000 + i * 50000
        f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(fr), len(fr)) + fr)
PY
}
mkcap "$WORK/small.pcap" 50

# --- no overwrite, no symbolic link ----------------------------------------------------------
echo "evidence" >"$WORK/old.log"
"$FWSIGHT" analyze -q "$WORK/small.pcap" --conn-log "$WORK/old.log" 2>"$WORK/err"
rc=$?
[ "$rc" = 2 ] && grep -q "old.log: File exists (overwritten only with --force)" "$WORK/err" &&
    [ "$(cat "$WORK/old.log")" = evidence ] &&
    ok "an existing conn.log: refused (exit 2), left as it was" ||
    fail "an existing conn.log: exit $rc, $(cat "$WORK/err")"
"$FWSIGHT" analyze -q "$WORK/small.pcap" --conn-log "$WORK/old.log" --force 2>"$WORK/err"
rc=$?
{ [ "$rc" = 0 ] || [ "$rc" = 1 ]; } && grep -q "^#fields" "$WORK/old.log" &&
    ok "an existing conn.log with --force: replaced" || fail "--force: exit $rc, $(cat "$WORK/err")"
echo "victim" >"$WORK/victim"
ln -s victim "$WORK/link.log"
for force in "" --force; do
    # shellcheck disable=SC2086
    "$FWSIGHT" analyze -q "$WORK/small.pcap" --conn-log "$WORK/link.log" $force 2>"$WORK/err"
    rc=$?
    [ "$rc" = 2 ] && grep -q "link.log: is a symbolic link (will not write through it)" \
        "$WORK/err" && [ "$(cat "$WORK/victim")" = victim ] &&
        ok "a symbolic link as conn.log ${force:-without --force}: refused, its target untouched" ||
        fail "symlink ${force}: exit $rc, $(cat "$WORK/err"), victim: $(cat "$WORK/victim")"
done

# --- a full disk, said at once ---------------------------------------------------------------
mkdir "$WORK/full"
mount -t tmpfs -o size=16k tmpfs "$WORK/full" || { log "SKIP: cannot mount a tmpfs"; exit 77; }
MOUNTED="$WORK/full"
mkcap "$WORK/big.pcap" 12000
# The first 8000 packets (about 5000 records: far beyond 16 KiB), then wait for the message
# with stdin still open, then the rest: a message that only comes at the end is too late.
python3 - "$FWSIGHT" "$WORK/big.pcap" "$WORK/full/conn.log" <<'PY'
import os, subprocess, sys, time
fw, cap, log = sys.argv[1:4]
data = open(cap, "rb").read()
cut = 24 + 8000 * (16 + 58)
p = subprocess.Popen([fw, "analyze", "-q", "-", "--conn-log", log], stdin=subprocess.PIPE,
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
os.set_blocking(p.stderr.fileno(), False)
p.stdin.write(data[:cut]); p.stdin.flush()
err, end, early = b"", time.time() + 10, False
while time.time() < end:
    try:
        err += p.stderr.read() or b""
    except BlockingIOError:
        pass
    if b"No space left on device" in err:
        early = True
        break
    time.sleep(0.05)
p.stdin.write(data[cut:]); p.stdin.close()
p.wait(timeout=30)
os.set_blocking(p.stderr.fileno(), True)
err += p.stderr.read() or b""
text = err.decode()
print(text, file=sys.stderr, end="")
assert early, "no 'No space left on device' while the capture was still coming in"
assert p.returncode == 2, p.returncode
assert text.count("No space left on device") == 1, "said more than once"
assert "conn.log: writing the conn.log failed: No space left on device (at packet" in text
PY
[ $? = 0 ] && ok "a full disk under the conn.log: named at once, with its cause, once, exit 2" ||
    fail "a full disk under the conn.log"
[ "$FAILS" = 0 ] && { log "all passed"; exit 0; }
log "$FAILS failure(s)"
exit 1
