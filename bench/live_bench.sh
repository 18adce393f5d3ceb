#!/usr/bin/env bash
# bench/live_bench.sh: how many packets per second `fwsight live` takes without kernel drops,
# side by side with `tcpdump -w /dev/null` on the same replay, and what it costs in CPU. Prints
# a Markdown table and the two targets it is held to, and writes them to bench/LIVE_RESULTS.md.
#
#   bench/live_bench.sh [FWSIGHT]        (as root)
#
# FWSIGHT (or $FWSIGHT) is the fwsight binary, built Release; the generator comes from
# $FW_BENCH_BUILD (default build-bench/ beside bench/). Two network namespaces joined by a veth
# pair; tcpreplay sends from one, the capturer listens on the other end. Each capturer runs
# alone, with its defaults: tcpdump (2 MiB buffer, no filter, every packet written to
# /dev/null) and fwsight live (its default buffer and snaplen, the default filter, -Z nobody).
#
# Mixed traffic: fwsight-bench-gen's capture (198.18.0.0/15 benchmarking addresses rewritten
# by tcprewrite into 198.51.100.0/24 and 203.0.113.0/24; the headers quoted inside ICMP errors
# keep theirs), replayed at each rate of $FW_LIVE_RATES ("top": --topspeed) for at most
# $FW_LIVE_SECONDS s (default 4). Replication-like traffic (bench/live/repl_gen.py) at 10,000
# packets per second for 10 s. CPU: utime + stime of the capturer from /proc/PID/stat, taken
# before the replay and 1.5 s after it (its start and final report excluded: what the replay
# cost it, draining included), over the replay's duration. The filter itself runs in the
# kernel's softirq, charged to neither. Each rate is run a third time with fwsight -B
# $FW_LIVE_BIG_KIB (default 32768; empty: not), to tell a short buffer from a slow reader.
# A full run takes about 3 minutes. Other work on the machine skews every figure: the load
# average is printed with the table.
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${FW_BENCH_BUILD:-$here/../build-bench}
fwsight=${1:-${FWSIGHT:-$build/ui/fwsight}}
gen=$build/bench/fwsight-bench-gen
repl_gen=$here/live/repl_gen.py
rates=${FW_LIVE_RATES:-10000 50000 100000 200000 400000 top}
secs=${FW_LIVE_SECONDS:-4}
max_pkts=1500000         # any one replay, whatever the rate
mixed_frames=200000      # looped by tcpreplay when a step needs more
repl_pps=10000 repl_secs=10
big_kib=${FW_LIVE_BIG_KIB-32768}  # fwsight once more with -B this (empty: not)
settle=1.5               # after the replay, for the capturers to drain (tcpdump's 1 s timeout)
results=$here/LIVE_RESULTS.md

NA="fwlb-$$-a" NB="fwlb-$$-b" VA=lbv0 VB=lbv1
PIDS=()
NSLIST=()
WORK=""

log() { printf 'live_bench.sh: %s\n' "$*" >&2; }
# shellcheck source=../scripts/netns.sh
. "$here/../scripts/netns.sh"


cleanup() {
    netns_down
    [[ -n $WORK ]] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

[[ $(id -u) == 0 ]] || { log "needs root (network namespaces)"; exit 2; }
for t in ip tcpreplay tcprewrite tcpdump python3; do
    command -v "$t" >/dev/null || { log "$t not installed (apt-get install tcpreplay tcpdump)"; exit 2; }
done
for t in "$fwsight" "$gen"; do
    [[ -x $t ]] || { log "$t: not built (cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release" \
                         "-DFW_TESTS=OFF && cmake --build build-bench)"; exit 2; }
done
id nobody >/dev/null 2>&1 || { log "no user 'nobody'"; exit 2; }
WORK=$(mktemp -d /tmp/fwsight-live-bench.XXXXXX)

# The captures: made once per run, in the page cache (mixed ~135 MB, replication ~125 MB).
"$gen" "$mixed_frames" "$WORK/mixed-orig.pcap" --seed 1 >&2 || exit 2
tcprewrite --pnat=198.18.0.0/16:198.51.100.0/24,198.19.0.0/16:203.0.113.0/24 --fixcsum \
    -i "$WORK/mixed-orig.pcap" -o "$WORK/mixed.pcap" 2>/dev/null || exit 2
rm -f "$WORK/mixed-orig.pcap"
python3 "$repl_gen" $((repl_pps * repl_secs + 20000)) "$WORK/repl.pcap" || exit 2

# The lab: lbv0 in A, lbv1 in B, no addresses, IPv6 off (no DAD or solicitations to count).
ip netns add "$NA" || { log "cannot create a network namespace"; exit 2; }
NSLIST+=("$NA")
ip netns add "$NB" || exit 2
NSLIST+=("$NB")
ip -n "$NA" link add "$VA" type veth peer name "$VB" netns "$NB" || exit 2
for ns in "$NA" "$NB"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 || exit 2
done
ip -n "$NA" link set "$VA" up && ip -n "$NB" link set "$VB" up || exit 2

cpu_ticks() { # PID: utime + stime in clock ticks
    local s f
    s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
    s=${s##*) }
    read -r -a f <<<"$s"
    echo $((f[11] + f[12]))
}
link_drops() { ip netns exec "$NB" cat "/sys/class/net/$VB/statistics/rx_dropped"; }

# run_one TOOL CAPTURE RATE COUNT MAX_S [FWSIGHT-OPTION...]: one replay (at most MAX_S seconds)
# with one capturer; sets R_SENT R_PPS R_GOT R_DROP R_CPU R_LINK ("-": could not be measured).
run_one() {
    local tool=$1 cap=$2 rate=$3 count=$4 max_s=$5 out=$WORK/run pid ready loops speed
    shift 5
    local c0 c1 l0 l1 tr hz
    R_SENT=- R_PPS=- R_GOT=- R_DROP=- R_CPU=- R_LINK=-
    rm -f "$out".*
    if [[ $tool == tcpdump ]]; then
        ready="listening on"
        ip netns exec "$NB" tcpdump -i "$VB" -n -w /dev/null >"$out.stdout" 2>"$out.stderr" &
    else
        ready="capturing on"
        # --duration bounds it should the TERM below be missed; ip netns exec execs, so $! is
        # the capturer itself
        ip netns exec "$NB" "$fwsight" live -i "$VB" --no-ui --json --duration 60 -Z nobody \
            "$@" >"$out.stdout" 2>"$out.stderr" &
    fi
    pid=$!
    PIDS+=("$pid")
    for _ in $(seq 50); do
        grep -q "$ready" "$out.stderr" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q "$ready" "$out.stderr" 2>/dev/null; then
        log "$tool did not start:"; cat "$out.stderr" >&2
        netns_stop_pid "$pid"
        return 1
    fi
    sleep 0.3
    loops=$(( (count + mixed_frames - 1) / mixed_frames ))
    if [[ $rate == top ]]; then speed=(--topspeed); else speed=(--pps="$rate"); fi
    l0=$(link_drops)
    c0=$(cpu_ticks "$pid")
    tr=$(ip netns exec "$NA" tcpreplay -i "$VA" --preload-pcap "${speed[@]}" --limit="$count" \
            --loop="$loops" --duration="$max_s" "$cap" 2>&1)
    sleep "$settle"
    c1=$(cpu_ticks "$pid")
    l1=$(link_drops)
    netns_stop_pid "$pid"
    R_SENT=$(sed -n 's/.*Actual: \([0-9]*\) packets.*/\1/p' <<<"$tr")
    R_PPS=$(sed -n 's/.*Rated: .* Mbps, \([0-9.]*\) pps.*/\1/p' <<<"$tr")
    local sent_s
    sent_s=$(sed -n 's/.*Actual: .* sent in \([0-9.]*\) seconds.*/\1/p' <<<"$tr")
    if [[ -z $R_SENT || -z $sent_s ]]; then
        log "tcpreplay failed:"; printf '%s\n' "$tr" >&2
        return 1
    fi
    hz=$(getconf CLK_TCK)
    R_CPU=$(awk -v d=$((c1 - c0)) -v hz="$hz" -v t="$sent_s" \
                'BEGIN { printf "%.1f", 100 * d / hz / t }')
    R_LINK=$((l1 - l0))
    R_PPS=$(awk -v p="$R_PPS" 'BEGIN { printf "%d", p + 0.5 }')
    if [[ $tool == tcpdump ]]; then
        R_GOT=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$out.stderr")
        R_DROP=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$out.stderr")
    else
        read -r R_GOT R_DROP < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
c = d.get("captures", [d])[0] if isinstance(d.get("captures"), list) else d
print(c["packets"], c["kernel_drops"])' "$out.stdout" 2>/dev/null)
    fi
    if [[ -z ${R_GOT:-} || -z ${R_DROP:-} ]]; then
        log "$tool: no counts in its output:"; tail -5 "$out.stderr" >&2
        R_GOT=- R_DROP=-
        return 1
    fi
    return 0
}

started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
load0=$(cut -d' ' -f1-3 /proc/loadavg)
rows=()
td_ok_max="" verdict1=PASS
for rate in $rates; do
    if [[ $rate == top ]]; then count=$max_pkts; else count=$((rate * secs)); fi
    ((count > max_pkts)) && count=$max_pkts
    run_one tcpdump "$WORK/mixed.pcap" "$rate" "$count" $((secs + 1))
    t=("$R_SENT" "$R_PPS" "$R_GOT" "$R_DROP" "$R_CPU" "$R_LINK")
    run_one fwsight "$WORK/mixed.pcap" "$rate" "$count" $((secs + 1))
    f=("$R_SENT" "$R_PPS" "$R_GOT" "$R_DROP" "$R_CPU" "$R_LINK")
    big=""
    if [[ -n $big_kib ]]; then
        run_one fwsight "$WORK/mixed.pcap" "$rate" "$count" $((secs + 1)) -B "$big_kib"
        big=" $R_SENT / $R_PPS | $R_GOT | $R_DROP | $R_CPU |"
        f[5]+=" / $R_LINK"
    fi
    label=$rate
    [[ $rate == top ]] && label=topspeed
    rows+=("| $label | ${t[0]} / ${t[1]} | ${t[2]} | ${t[3]} | ${t[4]} | ${f[0]} / ${f[1]} | ${f[2]} | ${f[3]} | ${f[4]} |$big ${t[5]} / ${f[5]} |")
    log "$label: tcpdump ${t[*]} | fwsight ${f[*]} |$big"
    if [[ ${t[3]} == 0 ]]; then
        td_ok_max=$label
        [[ ${f[3]} == 0 ]] || verdict1=FAIL
    fi
done
[[ -z $td_ok_max ]] && verdict1="n/a (tcpdump dropped at every rate)"

run_one tcpdump "$WORK/repl.pcap" "$repl_pps" $((repl_pps * repl_secs)) $((repl_secs + 1))
rt=("$R_SENT" "$R_PPS" "$R_GOT" "$R_DROP" "$R_CPU" "$R_LINK")
run_one fwsight "$WORK/repl.pcap" "$repl_pps" $((repl_pps * repl_secs)) $((repl_secs + 1))
rf=("$R_SENT" "$R_PPS" "$R_GOT" "$R_DROP" "$R_CPU" "$R_LINK")
verdict2=$(awk -v c="${rf[4]}" 'BEGIN { print (c != "-" && c + 0 < 5) ? "PASS" : "FAIL" }')
load1=$(cut -d' ' -f1-3 /proc/loadavg)

{
    echo "# fwsight live: packets per second without kernel drops"
    echo
    echo "Made by \`bench/live_bench.sh\` on $started."
    echo
    echo "- kernel $(uname -r), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'))"
    echo "- load average $load0 at the start, $load1 at the end: other work on the machine"
    echo "  skews every figure, and tcpreplay takes most of a core at the top rates"
    echo "- $(tcpdump --version 2>&1 | head -1), $(tcpdump --version 2>&1 | sed -n 2p),"
    echo "  $(tcpreplay --version 2>&1 | head -1 | sed 's/version: /version /')"
    echo
    echo "Mixed traffic ($mixed_frames frames of fwsight-bench-gen --seed 1, looped), replayed"
    echo "over a veth pair between two namespaces for at most ${secs} s a rate; each capturer"
    echo "alone on the same replay, with its defaults: tcpdump \`-w /dev/null\` (2 MiB buffer,"
    echo "every packet), fwsight \`live --no-ui --json -Z nobody\` (16 MiB buffer, 2 KiB snaplen, default"
    echo "filter: SYN/FIN/RST, UDP on the profile's ports, ICMP). Sent: packets / achieved pps"
    echo "(tcpreplay). Got: packets the capturer received. Drops: the kernel's (pcap_stats)."
    echo "CPU: the capturer's user + system time for the replay (draining included) over the"
    echo "replay's duration, % of one core (the BPF filter runs in softirq, charged to neither)."
    echo "Link drops: the veth's rx_dropped, lost before any capturer could see them (tcpdump run / fwsight run(s))."
    [[ -n $big_kib ]] && echo "fwsight -B $big_kib: the same with a $big_kib KiB kernel buffer, for comparison."
    echo
    if [[ -n $big_kib ]]; then
        echo "| rate (pps) | sent / pps | tcpdump got | tcpdump drops | tcpdump CPU % | sent / pps | fwsight got | fwsight drops | fwsight CPU % | sent / pps | fwsight -B $big_kib got | drops | CPU % | link drops |"
        echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    else
        echo "| rate (pps) | sent / pps | tcpdump got | tcpdump drops | tcpdump CPU % | sent / pps | fwsight got | fwsight drops | fwsight CPU % | link drops |"
        echo "|---|---|---|---|---|---|---|---|---|---|"
    fi
    printf '%s\n' "${rows[@]}"
    echo
    echo "Replication-like traffic (bench/live/repl_gen.py: three 6320 streams of full-size"
    echo "segments, acks, a 6325 control channel, pings, short job connections) at $repl_pps pps"
    echo "for $repl_secs s:"
    echo
    echo "| capturer | sent / pps | got | drops | CPU % of one core |"
    echo "|---|---|---|---|---|"
    echo "| tcpdump | ${rt[0]} / ${rt[1]} | ${rt[2]} | ${rt[3]} | ${rt[4]} |"
    echo "| fwsight | ${rf[0]} / ${rf[1]} | ${rf[2]} | ${rf[3]} | ${rf[4]} |"
    echo
    echo "Targets:"
    echo
    echo "- no more drops than tcpdump at the rates where tcpdump drops none (up to"
    echo "  ${td_ok_max:-none}): **$verdict1**"
    echo "- default filter, replication-like traffic at $repl_pps pps, under 5% of one core:"
    echo "  ${rf[4]}%: **$verdict2**"
} >"$results.tmp" && mv "$results.tmp" "$results"
cat "$results"
[[ $verdict1 == FAIL || $verdict2 == FAIL ]] && exit 1
exit 0
