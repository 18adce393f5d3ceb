#!/usr/bin/env bash
# bench/soak.sh: a long `fwsight live --no-ui` run under steady load, to show that its memory
# stays flat and what it costs in CPU. Not a timed test: run it by hand, as root, on an
# otherwise quiet machine, and read bench/SOAK_RESULTS.md.
#
#   bench/soak.sh [FWSIGHT]      (as root; FW_SOAK_MINUTES=60 by default)
#
# Two network namespaces joined by a veth pair: A (198.51.100.10) opens steady new TCP
# connections to B's listener on 6320 ($FW_SOAK_CONN_RATE a second, default 20) and floods B's
# TCP 6325, which B's nftables input chain drops, with SYNs from changing source ports
# ($FW_SOAK_FLOOD_PPS, default 10000, replayed by tcpreplay). fwsight live runs in B on its end
# of the veth, with its default filter, -Z nobody, -w to a .pcap.gz in the work folder
# (deleted at the end: its size is reported), the stream into a file (its size too). Every
# $FW_SOAK_SAMPLE_S seconds (default 60) the script reads fwsight's VmRSS and VmHWM and its CPU
# (utime + stime) over the interval from /proc, and the last status line's kernel drops.
# The first sample comes one interval after the start; the load runs from the start to the end.
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
fwsight=${1:-${FWSIGHT:-$here/../build-rel/app/fwsight}}
minutes=${FW_SOAK_MINUTES:-60}
conn_rate=${FW_SOAK_CONN_RATE:-20}
flood_pps=${FW_SOAK_FLOOD_PPS:-10000}
sample_s=${FW_SOAK_SAMPLE_S:-60}
results=${FW_SOAK_RESULTS:-$here/SOAK_RESULTS.md}
NA="fwsk-$$-a" NB="fwsk-$$-b" VA=skv0 VB=skv1
A4=198.51.100.10 B4=203.0.113.20
PIDS=()
NSLIST=()
WORK=""

log() { printf 'soak.sh: %s\n' "$*" >&2; }
# shellcheck source=../scripts/netns.sh
. "$here/../scripts/netns.sh"

cleanup() {
    netns_down
    [[ -n $WORK ]] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

[[ $(id -u) == 0 ]] || { log "needs root (network namespaces)"; exit 2; }
for t in ip nft tcpreplay python3; do
    command -v "$t" >/dev/null || { log "$t not installed"; exit 2; }
done
[[ -x $fwsight ]] || { log "$fwsight: not built (cmake -S . -B build-rel" \
                           "-DCMAKE_BUILD_TYPE=Release && cmake --build build-rel)"; exit 2; }
[[ $minutes =~ ^[0-9]+$ && $minutes -ge 1 && $minutes -le 1440 ]] ||
    { log "FW_SOAK_MINUTES: 1 to 1440, not '$minutes'"; exit 2; }
secs=$((minutes * 60))
WORK=$(mktemp -d /tmp/fwsight-soak.XXXXXX)
chmod 755 "$WORK"

ip netns add "$NA" || { log "cannot create a network namespace"; exit 2; }
NSLIST+=("$NA")
ip netns add "$NB" || exit 2
NSLIST+=("$NB")
ip -n "$NA" link add "$VA" type veth peer name "$VB" netns "$NB" || exit 2
for ns in "$NA" "$NB"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 || exit 2
    ip -n "$ns" link set lo up
done
ip -n "$NA" addr add "$A4/32" dev "$VA" && ip -n "$NB" addr add "$B4/32" dev "$VB" || exit 2
ip -n "$NA" link set "$VA" up && ip -n "$NB" link set "$VB" up || exit 2
ip -n "$NA" route add "$B4/32" dev "$VA" && ip -n "$NB" route add "$A4/32" dev "$VB" || exit 2
# Enough room for the flood's half-open connections and their answers in B.
ip netns exec "$NB" nft -f - <<'NFT' || exit 2
table inet fwsoak {
    chain input {
        type filter hook input priority 0; policy accept;
        tcp dport 6325 drop
    }
}
NFT
mac_a=$(ip -n "$NA" -o link show "$VA" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
mac_b=$(ip -n "$NB" -o link show "$VB" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
ip -n "$NA" neigh replace "$B4" lladdr "$mac_b" dev "$VA" nud permanent || exit 2
ip -n "$NB" neigh replace "$A4" lladdr "$mac_a" dev "$VB" nud permanent || exit 2

# Five seconds of flood: SYNs to B's 6325 from A's source ports 10000 to 59999, replayed in a
# loop (the same ports again every 5 s, as a flood that cycles through the port range).
python3 - "$WORK/flood.pcap" $((flood_pps * 5)) "$mac_a" "$mac_b" "$A4" "$B4" <<'PY' || exit 2
import socket, struct, sys
path, n, mac_a, mac_b, a, b = sys.argv[1], int(sys.argv[2]), *sys.argv[3:]
def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
sa, da = socket.inet_aton(a), socket.inet_aton(b)
eth = bytes.fromhex(mac_b.replace(":", "")) + bytes.fromhex(mac_a.replace(":", "")) + b"\x08\x00"
with open(path, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(n):
        sport = 10000 + i % 50000
        tcp = struct.pack("!HHIIBBHHH", sport, 6325, 1000 + i, 0, 5 << 4, 0x02, 64240, 0, 0)
        tcp = tcp[:16] + struct.pack("!H", csum(sa + da + struct.pack("!BBH", 0, 6, 20) + tcp)) \
            + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, i & 0xffff, 0, 64, 6, 0, sa, da)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        frame = eth + ip + tcp
        t = i * 5000000 // n
        f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(frame), len(frame)) + frame)
PY

# B's listener on 6320: accepts and closes, bounded by the run's length.
ip netns exec "$NB" python3 -c '
import socket, select, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 6320)); s.listen(256)
end = time.time() + float(sys.argv[1])
while time.time() < end:
    r, _, _ = select.select([s], [], [], 0.5)
    if r:
        c, _ = s.accept(); c.close()
' $((secs + 30)) &
PIDS+=($!)

# fwsight: ip netns exec execs it, so $! is fwsight itself.
ip netns exec "$NB" "$fwsight" live -i "$VB" --no-ui -Z nobody -w "$WORK/soak.pcap.gz" \
    --duration $((secs + 5)) >"$WORK/stream.txt" 2>"$WORK/stderr.txt" &
fw_pid=$!
PIDS+=("$fw_pid")
for _ in $(seq 100); do
    grep -q "capturing on" "$WORK/stderr.txt" 2>/dev/null && break
    sleep 0.1
done
grep -q "capturing on" "$WORK/stderr.txt" || { cat "$WORK/stderr.txt" >&2; exit 2; }

# The load, each bounded by the run's length.
ip netns exec "$NA" python3 -c '
import socket, sys, time
b, rate, secs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
start = time.time(); n = 0
while time.time() - start < secs:
    s = socket.socket(); s.settimeout(1)
    try:
        s.connect((b, 6320))
    except OSError:
        pass
    s.close(); n += 1
    time.sleep(max(0, start + n / rate - time.time()))
' "$B4" "$conn_rate" "$secs" &
PIDS+=($!)
ip netns exec "$NA" timeout $((secs + 2)) tcpreplay -q -i "$VA" --pps="$flood_pps" \
    --loop=$(((secs + 4) / 5)) "$WORK/flood.pcap" >"$WORK/tcpreplay.txt" 2>&1 &
PIDS+=($!)

hz=$(getconf CLK_TCK)
cpu_ticks() {
    local s f
    s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
    s=${s##*) }
    read -r -a f <<<"$s"
    echo $((f[11] + f[12]))
}
kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status" 2>/dev/null; }

rows=()
t0=$(date +%s)
c_prev=$(cpu_ticks "$fw_pid")
t_prev=$t0
log "running $minutes min: $conn_rate connections/s, $flood_pps SYN/s to a dropped port"
while :; do
    next=$((t_prev + sample_s))
    while [[ $(date +%s) -lt $next ]] && kill -0 "$fw_pid" 2>/dev/null; do sleep 1; done
    kill -0 "$fw_pid" 2>/dev/null || break
    now=$(date +%s)
    c=$(cpu_ticks "$fw_pid")
    cpu=$(awk -v d=$((c - c_prev)) -v hz="$hz" -v s=$((now - t_prev)) \
        'BEGIN {printf "%.1f", 100 * d / hz / s}')
    rss=$(kib "$fw_pid" VmRSS) hwm=$(kib "$fw_pid" VmHWM)
    st=$(grep ' status: ' "$WORK/stream.txt" | tail -1)
    pk=$(sed -n 's/.*status: \([0-9]*\) packets captured.*/\1/p' <<<"$st")
    kd=$(sed -n 's/.* \([0-9]*\) dropped by the kernel.*/\1/p' <<<"$st")
    rows+=("| $(((now - t0) / 60)):$(printf %02d $(((now - t0) % 60))) | ${pk:--} | ${kd:--} |\
 $rss | $hwm | $cpu% |")
    log "${rows[-1]}"
    c_prev=$c t_prev=$now
    [[ $((now - t0)) -ge $secs ]] && break
done
kill -TERM "$fw_pid" 2>/dev/null
wait_exit "$fw_pid" 60
report_pk=$(sed -n 's/^  packets *\([0-9]*\).*/\1/p' "$WORK/stream.txt" | tail -1)
drops=$(grep -m1 '^  drops' "$WORK/stream.txt" | sed 's/^  drops *//')
stream_kib=$(($(stat -c %s "$WORK/stream.txt") / 1024))
file_mib=$(awk -v b="$(stat -c %s "$WORK/soak.pcap.gz")" 'BEGIN {printf "%.1f", b / 1048576}')
summaries=$(grep -c 'more attempts this second' "$WORK/stream.txt")
lines=$(wc -l <"$WORK/stream.txt")
first_rss=$(cut -d'|' -f5 <<<"${rows[0]:-}" | tr -d ' ')
last_rss=$(cut -d'|' -f5 <<<"${rows[-1]:-}" | tr -d ' ')

{
    echo "# fwsight live soak"
    echo
    echo "Written by \`bench/soak.sh\` on $(date -u +%Y-%m-%d) ($(uname -m)," \
        "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)."
    echo "$minutes min of $conn_rate new TCP connections a second to an open port and" \
        "$flood_pps SYN/s to a port dropped by nftables, \`fwsight live --no-ui -Z nobody" \
        "-w soak.pcap.gz\` with its default filter; exit status $RC."
    echo
    echo "| time (min:s) | packets captured | kernel drops | VmRSS KiB | VmHWM KiB | CPU (one core) |"
    echo "|--:|--:|--:|--:|--:|--:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "- RSS at the first sample ${first_rss:-?} KiB, at the last ${last_rss:-?} KiB."
    echo "- Report: ${report_pk:-?} packets; drops: ${drops:-?}."
    echo "- Stream: $lines lines ($stream_kib KiB), of which $summaries flood summaries" \
        "(\"N more attempts this second\")."
    echo "- Saved file: $file_mib MiB (gzip)."
} >"$results"
cat "$results"
