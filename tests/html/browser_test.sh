#!/bin/bash
# tests/html/browser_test.sh: the page of `fwsight analyze --html` as a real browser reads it.
# Headless Chromium renders the demo sample's page (one capture, then both) and dumps the DOM
# it built; dom_check.py asserts it: the summary ("the change to make") first and in the words
# of the text report's "Change to make", every blocked path of the JSON report present with
# exactly one SVG ladder holding its arrows and naming the device as the text report does, an
# in-path capture shown so, and nothing that would fetch or run anything (script, link, img,
# src, href, url()). The same for two lab samples: resets forged far away (path-far) and a
# capture on the router (path-inpath). Then a screenshot of the two-capture page, checked to be
# a PNG; with --save DIR it is copied to DIR/html-report.png (the README's,
# docs/html-report.png). Skipped (77) without chromium. About 15 s.
#
#   browser_test.sh FWSIGHT SAMPLES_DIR [--save DIR]
set -u
fwsight=${1:?usage: browser_test.sh FWSIGHT SAMPLES_DIR [--save DIR]}
samples=${2:?usage: browser_test.sh FWSIGHT SAMPLES_DIR [--save DIR]}
save=
[ "${3:-}" = --save ] && save=${4:?--save needs a directory}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "browser_test: SKIP: chromium is not installed (scripts/deps.sh --test installs it)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Its sandbox refuses to run as root; only then is it turned off (the page is our own file).
sandbox=()
[ "$(id -u)" = 0 ] && sandbox=(--no-sandbox)
# browse ARGS...: one headless run, its own profile directory, bounded in time.
browse() {
    timeout 30 "$browser" --headless "${sandbox[@]}" --user-data-dir="$tmp/profile" \
        --disable-gpu --no-first-run --no-default-browser-check --disable-extensions \
        --disable-background-networking --disable-sync --hide-scrollbars "$@" \
        2>> "$tmp/chromium.log"
}

# page NAME CAPTURES...: the page, the DOM the browser built from it, and the check.
page() {
    local name=$1
    shift
    (cd "$samples" && "$fwsight" analyze -q --html "$tmp/$name.html" "$@") ||
        [ $? = 1 ] || { fail "$name: fwsight failed"; return; }
    (cd "$samples" && "$fwsight" analyze --json "$@") > "$tmp/$name.json"
    (cd "$samples" && "$fwsight" analyze "$@") > "$tmp/$name.txt"
    if ! browse --dump-dom "file://$tmp/$name.html" > "$tmp/$name.dom" ||
        ! [ -s "$tmp/$name.dom" ]; then
        fail "$name: chromium did not dump the DOM: $(tail -c 400 "$tmp/chromium.log")"
        return
    fi
    python3 "$here/dom_check.py" "$tmp/$name.dom" "$tmp/$name.json" "$tmp/$name.txt" ||
        fail "$name: DOM check"
}
page one demo/source.pcap.gz
page two demo/source.pcap.gz demo/target.pcap.gz
# Resets forged 1 router away (ttl+icmp-source) and ICMP refusals, IPv4 and IPv6; then a
# capture on the router between the hosts with others' traffic mixed in (in-path), whose
# forged reset is named by its link-layer source.
page far path-far/source.pcap
page inpath path-inpath/rtr1-mixed.pcap

# The screenshot: the first screens of the two-capture page (summary, matrix, first ladders).
if browse --window-size=1000,2100 --screenshot="$tmp/html-report.png" \
    "file://$tmp/two.html" > /dev/null; then
    python3 - "$tmp/html-report.png" <<'EOF' || fail "the screenshot is no PNG of the page"
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
assert (w, h) == (1000, 2100), (w, h)
assert len(data) > 50000, "too small to hold the page: %d bytes" % len(data)
EOF
    [ -n "$save" ] && cp "$tmp/html-report.png" "$save/html-report.png"
else
    fail "chromium took no screenshot: $(tail -c 400 "$tmp/chromium.log")"
fi

if [ "$failures" -gt 0 ]; then
    echo "browser_test: $failures failures"
    exit 1
fi
echo "browser_test: all passed"
