#!/usr/bin/env bash
# bench/live_bench.sh: how many packets per second `fwsight live` takes without kernel drops,
# side by side with `tcpdump -w /dev/null` on the same replay, and what it costs in CPU. Prints
# a Markdown table and the targets it is held to, and writes them to bench/LIVE_RESULTS.md.
#
#   bench/live_bench.sh [--view-only] [FWSIGHT]        (as root)
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
# packets per second for 10 s. CPU: the time the scheduler counted for the capturer's threads
# (/proc/PID/task/*/schedstat, in nanoseconds; else utime + stime from /proc/PID/stat), taken
# before the replay and 1.5 s after it (its start and final report excluded: what the replay
# cost it, draining included), over the replay's duration. The filter itself runs in the
# kernel's softirq, charged to neither. Each rate is run a third time with fwsight -B
# $FW_LIVE_BIG_KIB (default 32768; empty: not), to tell a short buffer from a slow reader.
#
# The view: `fwsight live` with its ncurses view (default filter, -Z nobody) on a terminal of
# its own, a detached tmux session ($FW_VIEW_SIZE, default 120x40, TERM=screen) on a private
# socket with no configuration, for $FW_VIEW_SECONDS s (default 10) with no traffic, then as
# long in the middle of a replay of the replication-like traffic at 10,000 packets per second,
# with the default filter and with --full (every frame on the profile's TCP ports: data that
# changes all the time). CPU: utime + stime of fwsight itself (not tmux) over that window.
# Repaints: bursts of its write(2) calls (/proc/PID/io syscw, read every 10 ms; see
# view_window). --view-only runs just these and the view's latency below, and replaces the
# view's section of bench/LIVE_RESULTS.md, keeping the rest.
#
# The view's latency: the time from the packet that decides a verdict to its cell on the
# screen. The view as above with -w on a terminal of $FW_VIEW_LAT_SIZE (default 200x80) and the
# same probes as the stream's latency below. What is matched is what a user reads: the matrix
# row of the probe's port with CLOSED in its A -> B column ("RPC dynamic (range)  tcp  50007
# CLOSED 1 SYN, 0 answers"), on a screen that shows the pair 192.0.2.1 / 192.0.2.2 (the pairs
# sort by address, so it is the first one, the one the view opens on, once its first probe is
# seen). Each port is a row of its own in the profile's order, after the pair's UNTESTED rows
# (no traffic: 8 before them); at 120x40 the matrix shows 14 rows, at 200x80 all 20 probes
# and those 8. CLOSED changes nothing in the change-to-make block (no firewall to open), so the
# row is the only place it shows. bench/live/latency.py watch reads the screen every 10 ms
# (tmux capture-pane, through one control-mode client) and notes when each row first showed;
# the latency is that time minus the RST's stamp in the -w file, so it includes fwsight's
# settle, its next repaint (every 250 ms while frames come), ncurses' write and tmux reading
# the pty, and up to one look (10 ms, plus the look itself) late. Once with no other traffic,
# once beside the mixed traffic at 10,000 pps.
#
# Latency: the time from the packet that decides a verdict to its line in the stream. fwsight
# live --no-ui -w on B, its stdout read by bench/live/latency.py, which notes when each line
# came; from A (192.0.2.1 on the veth) $FW_LAT_PROBES connects 0.3 s apart to closed ports of B
# (192.0.2.2) in the profile's dynamic RPC range, a new cell each, each refused by a RST: the
# time from that RST's stamp in fwsight's own -w file to its CLOSED verdict line. Once with no
# other traffic, once with the mixed traffic replayed at 10,000 pps beside it.
#
# A full run takes about 4 and a half minutes. Other work on the machine skews every figure:
# the load average is printed with the table.
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
view_only=false
[[ ${1:-} == --view-only ]] && { view_only=true; shift; }
build=${FW_BENCH_BUILD:-$here/../build-bench}
fwsight=${1:-${FWSIGHT:-$build/app/fwsight}}
gen=$build/bench/fwsight-bench-gen
repl_gen=$here/live/repl_gen.py
lat_py=$here/live/latency.py
lat_probes=${FW_LAT_PROBES:-20}
lat_first=50000          # B's closed ports probed: the profile's dynamic RPC range
LA=192.0.2.1 LB=192.0.2.2 # the veth's addresses, for the latency probes only
rates=${FW_LIVE_RATES:-10000 50000 100000 200000 400000 top}
secs=${FW_LIVE_SECONDS:-4}
max_pkts=1500000         # any one replay, whatever the rate
mixed_frames=200000      # looped by tcpreplay when a step needs more
repl_pps=10000 repl_secs=10
repl_frames=$((repl_pps * repl_secs + 20000))
big_kib=${FW_LIVE_BIG_KIB-32768}  # fwsight once more with -B this (empty: not)
settle=1.5               # after the replay, for the capturers to drain (tcpdump's 1 s timeout)
view_secs=${FW_VIEW_SECONDS:-10}
view_size=${FW_VIEW_SIZE:-120x40}
view_warm=1              # s: the view opened, the replay under way, before the window
view_gap_max=255         # ms: the view's 250 ms between repaints, plus its wake-up (see the target)
vl_size=${FW_VIEW_LAT_SIZE:-200x80} # the view's latency: room for every probe's row
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
for t in ip tcpreplay tcprewrite tcpdump python3 tmux; do
    command -v "$t" >/dev/null ||
        { log "$t not installed (apt-get install tcpreplay tcpdump tmux)"; exit 2; }
done
needed=("$fwsight" "$gen")
for t in "${needed[@]}"; do
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
python3 "$repl_gen" "$repl_frames" "$WORK/repl.pcap" || exit 2

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
ip -n "$NA" addr add "$LA/24" dev "$VA" && ip -n "$NB" addr add "$LB/24" dev "$VB" || exit 2

# started PID FILE TEXT: waits (at most 5 s) for TEXT in FILE, the stderr of the capturer PID
# started; false if it never came (or PID ended first).
started() {
    local _
    for _ in $(seq 50); do
        grep -q "$3" "$2" 2>/dev/null && return 0
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    grep -q "$3" "$2" 2>/dev/null
}

# cpu_ns PID: the CPU time its threads have had, in nanoseconds (/proc/PID/task/*/schedstat,
# the scheduler's own count; without it, utime + stime from /proc/PID/stat, whose 10 ms ticks
# are a quarter of what a 1% process takes in a 4 s replay).
cpu_ns() {
    local s f t ns=0 found=false
    for t in /proc/"$1"/task/*/schedstat; do
        read -r s _ <"$t" 2>/dev/null || continue
        ns=$((ns + s))
        found=true
    done
    if $found; then echo "$ns"; return; fi
    s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
    s=${s##*) }
    read -r -a f <<<"$s"
    echo $(( (f[11] + f[12]) * 1000000000 / $(getconf CLK_TCK) ))
}
link_drops() { ip netns exec "$NB" cat "/sys/class/net/$VB/statistics/rx_dropped"; }

# run_one TOOL CAPTURE RATE COUNT MAX_S [FWSIGHT-OPTION...]: one replay (at most MAX_S seconds)
# with one capturer; sets R_SENT R_PPS R_GOT R_DROP R_CPU R_LINK ("-": could not be measured).
run_one() {
    local tool=$1 cap=$2 rate=$3 count=$4 max_s=$5 out=$WORK/run pid ready loops speed
    shift 5
    local c0 c1 l0 l1 tr
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
    if ! started "$pid" "$out.stderr" "$ready"; then
        log "$tool did not start:"; cat "$out.stderr" >&2
        netns_stop_pid "$pid"
        return 1
    fi
    sleep 0.3
    loops=$(( (count + mixed_frames - 1) / mixed_frames ))
    if [[ $rate == top ]]; then speed=(--topspeed); else speed=(--pps="$rate"); fi
    l0=$(link_drops)
    c0=$(cpu_ns "$pid")
    tr=$(ip netns exec "$NA" tcpreplay -i "$VA" --preload-pcap "${speed[@]}" --limit="$count" \
            --loop="$loops" --duration="$max_s" "$cap" 2>&1)
    sleep "$settle"
    c1=$(cpu_ns "$pid")
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
    R_CPU=$(awk -v d=$((c1 - c0)) -v t="$sent_s" 'BEGIN { printf "%.2f", 100 * d / 1e9 / t }')
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

# replay_beside RATE: the mixed traffic at RATE pps in the background, for as long as the
# latency probes take and some (none at rate 0); its PID in TR_PID ("" when none).
replay_beside() {
    local rate=$1 secs
    TR_PID=""
    ((rate > 0)) || return 0
    secs=$(awk -v n="$lat_probes" 'BEGIN { printf "%d", n * 0.3 + 4 }')
    ip netns exec "$NA" tcpreplay -i "$VA" --pps="$rate" --limit=$((rate * secs)) \
        --loop=$(( (rate * secs + mixed_frames - 1) / mixed_frames )) --duration="$secs" \
        "$WORK/mixed.pcap" >/dev/null 2>&1 &
    TR_PID=$!
    PIDS+=("$TR_PID")
}

# latency_one RATE: fwsight live --no-ui -w on B while A's probes are refused (see the top),
# with the mixed traffic replayed at RATE pps beside them (0: none); sets L_N (verdict lines
# matched), L_M (RSTs), and the median, 90th percentile and maximum in ms: L_MED L_P90 L_MAX.
latency_one() {
    local rate=$1 out=$WORK/lat pid reader tr_pid="" secs
    L_N=- L_M=- L_MED=- L_P90=- L_MAX=-
    rm -f "$out".*
    mkfifo "$out.fifo" || return 1
    python3 "$lat_py" stamp "$out.lines" <"$out.fifo" &
    reader=$!
    PIDS+=("$reader")
    ip netns exec "$NB" "$fwsight" live -i "$VB" --no-ui -w "$out.pcap" --duration 60 \
        -Z nobody >"$out.fifo" 2>"$out.stderr" &
    pid=$!
    PIDS+=("$pid")
    if ! started "$pid" "$out.stderr" "capturing on"; then
        log "fwsight (latency) did not start:"; cat "$out.stderr" >&2
        netns_stop_pid "$pid"
        netns_stop_pid "$reader"
        return 1
    fi
    replay_beside "$rate"
    tr_pid=$TR_PID
    sleep 1
    ip netns exec "$NA" python3 "$lat_py" probe "$LB" "$lat_first" "$lat_probes" 0.3
    sleep 1.5
    netns_stop_pid "$pid"
    [[ -n $tr_pid ]] && netns_stop_pid "$tr_pid"
    wait_exit "$reader" 5
    tcpdump -tt -n -r "$out.pcap" "src host $LB and tcp[tcpflags] & tcp-rst != 0" \
        >"$out.rst" 2>/dev/null
    read -r L_N L_M L_MED L_P90 L_MAX < <(python3 "$lat_py" report "$out.rst" "$out.lines")
    [[ -n ${L_MAX:-} ]] || { L_N=- L_M=- L_MED=- L_P90=- L_MAX=-; return 1; }
}

# view_window PID SECONDS: "CPU REPAINTS RATE GAP WRITES BYTES" of PID over the next SECONDS: CPU
# as % of one core (utime + stime, /proc/PID/stat); the repaints seen, their mean interval (GAP,
# ms, first to last: not rounded to the window) and 1 / it (RATE); the rest per second. Writes:
# its write(2) calls (/proc/PID/io syscw), bytes: what they carried (wchar). While the view is
# open fwsight writes nothing but ncurses sending a repaint to the terminal, a few calls within
# a millisecond or so (ncurses writes as it goes), and nothing for a repaint that changed
# nothing on the screen.
# Repaints: those bursts, found by reading syscw every 10 ms: a sample that grew after one that
# did not starts one (repaints are 250 ms apart at the closest, keys aside).
view_window() {
    python3 - "$1" "$2" <<'PY'
import os, sys, time
pid, secs = sys.argv[1], float(sys.argv[2])
def ticks():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])
def io():
    d = dict(l.split(": ") for l in open(f"/proc/{pid}/io").read().splitlines())
    return int(d["syscw"]), int(d["wchar"])
t0, c0, (w0, b0) = time.monotonic(), ticks(), io()
last, grew, bursts = w0, False, []
while time.monotonic() - t0 < secs:
    time.sleep(0.01)
    now, w = time.monotonic(), io()[0]
    if w > last and not grew:
        bursts.append(now)
    grew, last = w > last, w
t, c1, (w1, b1) = time.monotonic() - t0, ticks(), io()
gap = (bursts[-1] - bursts[0]) / (len(bursts) - 1) if len(bursts) > 1 else 0
print(f"{100 * (c1 - c0) / os.sysconf('SC_CLK_TCK') / t:.1f} {len(bursts)} "
      f"{f'{1 / gap:.2f} {1000 * gap:.1f}' if gap else '- -'} {(w1 - w0) / t:.1f} "
      f"{(b1 - b0) / t:.0f}")
PY
}

# view_start [FWSIGHT-OPTION...]: fwsight live with its view, alone in a detached tmux session
# (a private socket in WORK, no configuration read), in namespace B; sets V_PID (fwsight
# itself: the pane's shell execs env, env execs ip, ip netns exec execs fwsight) and V_TMUX (the
# tmux server), both in PIDS. Its stderr, which the view does not use, goes to a file:
# "capturing on" there says that the capture runs, as in run_one. The terminal: $view_term
# when set, else $view_size.
view_start() {
    local cmd tm=(tmux -S "$WORK/tmux" -f /dev/null)
    V_PID="" V_TMUX=""
    cmd=$(printf 'exec env TERM=screen ip netns exec %q %q live -i %q --duration 60 -Z nobody' \
              "$NB" "$fwsight" "$VB")
    (($#)) && cmd+=$(printf ' %q' "$@")
    cmd+=$(printf ' 2>%q' "$WORK/view.stderr")
    rm -f "$WORK/view.stderr"
    local size=${view_term:-$view_size}
    "${tm[@]}" new-session -d -s view -x "${size%x*}" -y "${size#*x}" "$cmd" || return 1
    V_TMUX=$("${tm[@]}" display-message -p -t view '#{pid}' 2>/dev/null) && PIDS+=("$V_TMUX")
    V_PID=$("${tm[@]}" display-message -p -t view '#{pane_pid}' 2>/dev/null) && PIDS+=("$V_PID")
    if ! started "$V_PID" "$WORK/view.stderr" "capturing on" ||
       [[ $(cat "/proc/$V_PID/comm" 2>/dev/null) != fwsight ]]; then
        log "fwsight live (view) did not start:"; cat "$WORK/view.stderr" >&2
        view_stop
        return 1
    fi
}

view_stop() { # fwsight (its view closes, its report goes to the pane), then the tmux server
    [[ -n $V_PID ]] && netns_stop_pid "$V_PID"
    if [[ -n $V_TMUX ]]; then
        tmux -S "$WORK/tmux" kill-server 2>/dev/null
        netns_stop_pid "$V_TMUX"
    fi
    V_PID="" V_TMUX=""
}

# view_one RATE [FWSIGHT-OPTION...]: the view for view_secs s, in the middle of a replay of the
# replication-like traffic at RATE packets per second (0: no traffic at all); sets V_SENT and
# view_window's six, V_CPU V_NR V_RPS V_GAP V_WPS V_BPS ("-": could not be measured). The replay
# starts view_warm s before the window and ends view_warm s after it, read as it goes (no
# --preload-pcap: a preload would fall inside the window).
view_one() {
    local rate=$1 tr_pid="" tr count win
    shift
    V_SENT=- V_CPU=- V_NR=- V_RPS=- V_GAP=- V_WPS=- V_BPS=-
    view_start "$@" || return 1
    sleep "$view_warm" # the first screen painted
    if ((rate > 0)); then
        count=$((rate * (view_secs + 2 * view_warm)))
        ip netns exec "$NA" tcpreplay -i "$VA" --pps="$rate" --limit="$count" \
            --loop=$(( (count + repl_frames - 1) / repl_frames )) \
            --duration=$((view_secs + 2 * view_warm + 1)) "$WORK/repl.pcap" >"$WORK/view.tr" 2>&1 &
        tr_pid=$!
        PIDS+=("$tr_pid")
        sleep "$view_warm"
    fi
    win=$(view_window "$V_PID" "$view_secs")
    if [[ -n $tr_pid ]]; then
        wait "$tr_pid"
        tr=$(cat "$WORK/view.tr")
        V_SENT="$(sed -n 's/.*Actual: \([0-9]*\) packets.*/\1/p' <<<"$tr") / "
        V_SENT+=$(sed -n 's/.*Rated: .* Mbps, \([0-9.]*\) pps.*/\1/p' <<<"$tr" |
                      awk '{ printf "%d", $1 + 0.5 }')
    else
        V_SENT="0"
    fi
    if [[ -z $win ]] || ! kill -0 "$V_PID" 2>/dev/null; then
        log "fwsight live (view) ended before the window did:"; cat "$WORK/view.stderr" >&2
        view_stop
        V_SENT=-
        return 1
    fi
    view_stop
    read -r V_CPU V_NR V_RPS V_GAP V_WPS V_BPS <<<"$win"
    return 0
}

# view_latency_one RATE: the view with -w on a terminal of vl_size, read every 10 ms by
# latency.py watch while A's probes are refused (see the top), with the mixed traffic replayed
# at RATE pps beside them (0: none); sets W_N (rows seen), W_M (RSTs), W_MED W_P90 W_MAX (ms)
# and W_LOOKS (the watcher's looks at the screen, "N looks in S s").
view_latency_one() {
    local rate=$1 out=$WORK/vlat watcher tr_pid="" secs
    W_N=- W_M=- W_MED=- W_P90=- W_MAX=- W_LOOKS=-
    rm -f "$out".*
    view_term=$vl_size view_start -w "$out.pcap" || return 1
    secs=$(awk -v n="$lat_probes" 'BEGIN { printf "%d", n * 0.3 + 4 }')
    python3 "$lat_py" watch "$WORK/tmux" view "$LA" "$LB" $((secs + 2)) "$out.seen" &
    watcher=$!
    PIDS+=("$watcher")
    replay_beside "$rate"
    tr_pid=$TR_PID
    sleep 1
    ip netns exec "$NA" python3 "$lat_py" probe "$LB" "$lat_first" "$lat_probes" 0.3
    sleep 1.5
    netns_stop_pid "$watcher"
    if ! kill -0 "$V_PID" 2>/dev/null; then
        log "fwsight live (view latency) ended before the probes did:"
        cat "$WORK/view.stderr" >&2
        view_stop
        [[ -n $tr_pid ]] && netns_stop_pid "$tr_pid"
        return 1
    fi
    view_stop
    [[ -n $tr_pid ]] && netns_stop_pid "$tr_pid"
    W_LOOKS=$(sed -n 's/^# //p' "$out.seen")
    tcpdump -tt -n -r "$out.pcap" "src host $LB and tcp[tcpflags] & tcp-rst != 0" \
        >"$out.rst" 2>/dev/null
    read -r W_N W_M W_MED W_P90 W_MAX < <(python3 "$lat_py" report-view "$out.rst" "$out.seen")
    [[ -n ${W_MAX:-} ]] || { W_N=- W_M=- W_MED=- W_P90=- W_MAX=-; return 1; }
}

# view_section: the view's part of LIVE_RESULTS.md, a section of its own (--view-only replaces
# it in place).
view_section() {
    echo "## The view: CPU and repaints"
    echo
    echo "Made by \`bench/live_bench.sh${view_flag}\` on $view_started;"
    echo "load average $vload0 at the start, $vload1 at the end."
    echo "\`fwsight live -i $VB -Z nobody\` with its view, in a detached tmux" \
         "$(tmux -V | cut -d' ' -f2) session"
    echo "of $view_size (TERM=screen) in namespace B:"
    echo "$view_secs s with no traffic at all, then $view_secs s in the middle of a replay of the"
    echo "replication-like traffic at $repl_pps pps, with the default filter (about a dozen frames a"
    echo "second pass it, in three bunches) and with \`--full\` (every frame on the profile's TCP"
    echo "ports: what the view shows changes all the time)."
    echo
    echo "CPU: fwsight's own user + system time (/proc/PID/stat; not tmux's) over the $view_secs s,"
    echo "% of one core. Tty writes/s: its write(2) calls (/proc/PID/io syscw); bytes/s: what they"
    echo "carried (wchar). While the view is open fwsight writes nothing but ncurses sending a"
    echo "repaint to the terminal: a few calls within a millisecond or so, none for a repaint that"
    echo "changed nothing on the screen. Repaints: those bursts of writes, told apart by reading"
    echo "syscw every 10 ms (a sample that grew after one that did not starts one), so the repaints"
    echo "the terminal received; interval: their mean interval, first to last (not rounded to the"
    echo "window); repaints/s: 1 / interval. By design the view repaints once a second when only"
    echo "its clock and counters move, and every 250 ms while frames arrive (fwsight's LIVE_TICK_US"
    echo "and LIVE_PAINT_US), on a fixed beat: a wake-up's lateness does not add up."
    echo
    echo "| run ($view_secs s) | sent / pps | fwsight CPU % of one core | repaints | interval (ms) | repaints/s | tty writes/s | bytes/s to the tty |"
    echo "|---|---|---|---|---|---|---|---|"
    echo "| view, no traffic | ${vi[0]} | ${vi[1]} | ${vi[2]} | ${vi[4]} | ${vi[3]} | ${vi[5]} | ${vi[6]} |"
    echo "| view, replication-like at $repl_pps pps | ${vr[0]} | ${vr[1]} | ${vr[2]} | ${vr[4]} | ${vr[3]} | ${vr[5]} | ${vr[6]} |"
    echo "| view --full, replication-like at $repl_pps pps | ${vf[0]} | ${vf[1]} | ${vf[2]} | ${vf[4]} | ${vf[3]} | ${vf[5]} | ${vf[6]} |"
    echo
    echo "Targets:"
    echo
    echo "- the view with no traffic under 2% of one core: ${vi[1]}%: **$vverdict1**"
    echo "- 4 repaints a second while what it shows keeps changing (\`--full\`): a mean interval"
    echo "  of at most $view_gap_max ms (250 ms and some slack for a late wake-up): ${vf[4]} ms,"
    echo "  ${vf[3]}/s:"
    echo "  **$vverdict2** (with the default filter it repaints when a bunch of frames comes in:"
    echo "  ${vr[3]}/s)"
    echo "- every probe's cell on the screen within a second of its deciding packet (below):"
    echo "  **$vverdict3**"
    echo
    echo "### The view: from the deciding packet to the cell on the screen"
    echo
    echo "The same view with \`-w\`, on a terminal of $vl_size; from A, $lat_probes TCP connects"
    echo "to closed ports of B in the profile's dynamic RPC range ($lat_first and up), 0.3 s"
    echo "apart, each refused by a RST that decides a CLOSED verdict in a new cell. What is timed"
    echo "is what a user reads: the matrix row of the port with CLOSED in its A -> B column"
    echo "(\"RPC dynamic (range)  tcp  50007  CLOSED 1 SYN, 0 answers\"), on the screen of the"
    echo "pair $LA / $LB (the first pair by address, the one the view opens on). The"
    echo "screen is read every 10 ms (tmux capture-pane through one control-mode client); the"
    echo "time from the RST's stamp in fwsight's own -w file to the first look that showed the"
    echo "row, in ms (up to one look late). It includes the settle, the wait for the next repaint"
    echo "(every 250 ms while frames arrive), ncurses' writes and tmux reading them."
    echo
    echo "| traffic beside the probes | cells seen / RSTs | median | 90th percentile | max |" \
         "looks at the screen |"
    echo "|---|---|---|---|---|---|"
    echo "| none | ${wi[0]} / ${wi[1]} | ${wi[2]} | ${wi[3]} | ${wi[4]} | ${wi[5]} |"
    echo "| mixed at 10000 pps | ${wm[0]} / ${wm[1]} | ${wm[2]} | ${wm[3]} | ${wm[4]} | ${wm[5]} |"
    echo
    echo "Target: the cell visible within one second of its deciding packet, every probe, both"
    echo "runs: **$vverdict3**"
}

view_started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
vload0=$(cut -d' ' -f1-3 /proc/loadavg)
view_one 0
vi=("$V_SENT" "$V_CPU" "$V_NR" "$V_RPS" "$V_GAP" "$V_WPS" "$V_BPS")
log "view, no traffic: ${vi[*]}"
view_one "$repl_pps"
vr=("$V_SENT" "$V_CPU" "$V_NR" "$V_RPS" "$V_GAP" "$V_WPS" "$V_BPS")
log "view, replication-like: ${vr[*]}"
view_one "$repl_pps" --full
vf=("$V_SENT" "$V_CPU" "$V_NR" "$V_RPS" "$V_GAP" "$V_WPS" "$V_BPS")
log "view --full, replication-like: ${vf[*]}"
view_latency_one 0
wi=("$W_N" "$W_M" "$W_MED" "$W_P90" "$W_MAX" "$W_LOOKS")
log "view latency, no other traffic: ${wi[*]}"
view_latency_one 10000
wm=("$W_N" "$W_M" "$W_MED" "$W_P90" "$W_MAX" "$W_LOOKS")
log "view latency, mixed traffic at 10000 pps: ${wm[*]}"
vload1=$(cut -d' ' -f1-3 /proc/loadavg)
vverdict1=$(awk -v c="${vi[1]}" 'BEGIN { print (c != "-" && c + 0 < 2) ? "PASS" : "FAIL" }')
# 4 a second as the view does it: a 250 ms beat, with some slack for a late wake-up
vverdict2=$(awk -v g="${vf[4]}" -v m="$view_gap_max" \
                'BEGIN { print (g != "-" && g + 0 <= m) ? "PASS" : "FAIL" }')
# every probe's cell seen, none later than a second after its RST
vverdict3=$(awk -v n1="${wi[0]}" -v m1="${wi[1]}" -v x1="${wi[4]}" -v n2="${wm[0]}" \
                -v m2="${wm[1]}" -v x2="${wm[4]}" 'BEGIN {
    ok = n1 != "-" && n1 == m1 && n1 > 0 && x1 + 0 <= 1000 &&
         n2 != "-" && n2 == m2 && n2 > 0 && x2 + 0 <= 1000
    print ok ? "PASS" : "FAIL" }')
if $view_only; then
    # The rest of the file stays: all of it up to the view's section, trailing blank lines off.
    view_flag=" --view-only"
    {
        [[ -f $results ]] && awk '/^## The view/ { exit } { l[n++] = $0 }
            END { while (n > 0 && l[n - 1] == "") n--; for (i = 0; i < n; i++) print l[i] }' \
            "$results" && echo
        view_section
    } >"$results.tmp" && mv "$results.tmp" "$results"
    view_section
    [[ $vverdict1 == FAIL || $vverdict2 == FAIL || $vverdict3 == FAIL ]] && exit 1
    exit 0
fi
view_flag=""

started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
load0=$(cut -d' ' -f1-3 /proc/loadavg)
rows=()
declare -A fw_cpu td_cpu
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
    fw_cpu[$rate]=${f[4]} td_cpu[$rate]=${t[4]}
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

latency_one 0
li=("$L_N" "$L_M" "$L_MED" "$L_P90" "$L_MAX")
log "latency, no other traffic: ${li[*]}"
latency_one 10000
lm=("$L_N" "$L_M" "$L_MED" "$L_P90" "$L_MAX")
log "latency, mixed traffic at 10000 pps: ${lm[*]}"
# every probe's verdict line, none later than a second after its RST
verdict5=$(awk -v n1="${li[0]}" -v m1="${li[1]}" -v x1="${li[4]}" -v n2="${lm[0]}" \
               -v m2="${lm[1]}" -v x2="${lm[4]}" 'BEGIN {
    ok = n1 != "-" && n1 == m1 && n1 > 0 && x1 + 0 <= 1000 &&
         n2 != "-" && n2 == m2 && n2 > 0 && x2 + 0 <= 1000
    print ok ? "PASS" : "FAIL" }')
# the CPU targets: at 10,000 pps under 1% of a core; at 100,000 at most twice tcpdump's
verdict3="n/a (10000 not among the rates)" verdict4="n/a (100000 not among the rates)"
[[ -n ${fw_cpu[10000]:-} ]] &&
    verdict3=$(awk -v c="${fw_cpu[10000]}" 'BEGIN { print (c != "-" && c + 0 < 1) ? "PASS" : "FAIL" }')
[[ -n ${fw_cpu[100000]:-} ]] &&
    verdict4=$(awk -v c="${fw_cpu[100000]}" -v t="${td_cpu[100000]}" \
                   'BEGIN { print (c != "-" && t != "-" && c + 0 <= 2 * t) ? "PASS" : "FAIL" }')
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
    echo "From the packet that decides a verdict to its line in the stream: $lat_probes TCP"
    echo "connects from A to closed ports of B, 0.3 s apart, each refused by a RST that decides"
    echo "a CLOSED verdict (a new cell each); the time from the RST's stamp in fwsight's own -w"
    echo "file to the moment the stream's reader got the verdict line, in ms:"
    echo
    echo "| traffic beside the probes | verdict lines / RSTs | median | 90th percentile | max |"
    echo "|---|---|---|---|---|"
    echo "| none | ${li[0]} / ${li[1]} | ${li[2]} | ${li[3]} | ${li[4]} |"
    echo "| mixed at 10000 pps | ${lm[0]} / ${lm[1]} | ${lm[2]} | ${lm[3]} | ${lm[4]} |"
    echo
    echo "Targets:"
    echo
    echo "- no more drops than tcpdump at the rates where tcpdump drops none (up to"
    echo "  ${td_ok_max:-none}): **$verdict1**"
    echo "- default filter, replication-like traffic at $repl_pps pps, under 5% of one core:"
    echo "  ${rf[4]}%: **$verdict2**"
    echo "- mixed traffic at 10000 pps under 1% of one core: ${fw_cpu[10000]:--}%: **$verdict3**"
    echo "- mixed traffic at 100000 pps at most twice tcpdump's CPU: ${fw_cpu[100000]:--}% against"
    echo "  ${td_cpu[100000]:--}%: **$verdict4**"
    echo "- every probe's verdict line within a second of its deciding packet: **$verdict5**"
    echo
    view_section
} >"$results.tmp" && mv "$results.tmp" "$results"
cat "$results"
for v in "$verdict1" "$verdict2" "$verdict3" "$verdict4" "$verdict5" "$vverdict1" "$vverdict2" \
         "$vverdict3"; do
    [[ $v == FAIL ]] && exit 1
done
exit 0
