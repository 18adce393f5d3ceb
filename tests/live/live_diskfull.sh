#!/usr/bin/env bash
# tests/live/live_diskfull.sh FWSIGHT: the disk fills while `fwsight live -w` saves (a 16 KiB
# tmpfs, in a private mount namespace so that no mount outlives the test): exit 3, a message
# that says the disk is full, the report of what was seen, and a file that readers still read
# up to where the disk ran out.
if [ -z "${FW_LIVE_MNTNS:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "$0: SKIP: needs root" >&2; exit 77; }
    command -v unshare >/dev/null || { echo "$0: SKIP: no unshare" >&2; exit 77; }
    FW_LIVE_MNTNS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"

lab_up
mkdir "$WORK/full"
mount -t tmpfs -o size=16k tmpfs "$WORK/full" || { log "SKIP: cannot mount a tmpfs"; exit 77; }
MOUNTED="$WORK/full"
OUT="$WORK/run"
FILE="$WORK/full/out.pcap"
start_live "$OUT" -i lv0 -w "$FILE" --duration 12 || exit 1
attempt 6320 2 || fail "the lab: connecting to the open port 6320 failed"
# ~200 KB of ICMP (always captured): far more than the 16 KiB the disk holds
nsx "$NS_S" ping -q -c 100 -i 0.01 -s 1000 -W 1 "$T4" >/dev/null 2>&1
wait_exit "$LIVE_PID" 15
expect_stopped "$OUT" "the disk is full" "out.pcap: .*No space left on device" \
    "READ ERROR.*No space"
n=$(tshark -r "$FILE" 2>/dev/null | wc -l)
[ "$n" -ge 3 ] && ok "tshark reads $n packets of the full disk's file" ||
    fail "tshark reads $n packets"
"$FWSIGHT" analyze --json "$FILE" >"$WORK/an.json" 2>/dev/null
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["captures"][0]["packets"] >= 3, d["captures"][0]
assert any(v["port"] == 6320 and v["verdict"] == "OPEN" for v in d["verdicts"])
' "$WORK/an.json" && ok "analyze reads what was saved: 6320 OPEN" ||
    fail "analyze of the saved file"
finish
