#!/bin/bash
# tests/html/html_test.sh: `fwsight analyze --html FILE` without a browser: the page's bytes
# against the golden files beside this script (the demo sample, one capture and both), every
# string from a capture or a profile escaped (a profile whose service names are markup), the
# file policy of capture/cap_out.h (no overwrite without --force, never through a symbolic
# link, not over the capture, the cause named), and a capture on stdin. The browser's view of
# the page is browser_test.sh's.
#
#   html_test.sh FWSIGHT SAMPLES_DIR [--regen]
set -u
fwsight=${1:?usage: html_test.sh FWSIGHT SAMPLES_DIR [--regen]}
samples=${2:?usage: html_test.sh FWSIGHT SAMPLES_DIR [--regen]}
regen=${3:-}
case $fwsight in /*) ;; *) fwsight=$(pwd)/$fwsight ;; esac
samples=$(cd "$samples" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# golden NAME ARGS...: the page of `analyze --html` (run from SAMPLES_DIR, so the file names
# in it are relative) against NAME.html; --regen rewrites it instead.
golden() {
    local name=$1
    shift
    (cd "$samples" && "$fwsight" analyze -q --html "$tmp/$name.html" "$@") 2> "$tmp/$name.err"
    local st=$?
    if [ "$st" != 1 ] || [ -s "$tmp/$name.err" ]; then
        fail "$name: exit $st (expected 1: blocked), stderr: $(head -c 300 "$tmp/$name.err")"
    fi
    if [ "$regen" = --regen ]; then
        cp "$tmp/$name.html" "$here/$name.html"
    elif ! cmp -s "$tmp/$name.html" "$here/$name.html"; then
        fail "$name: the page differs from $name.html (tests/html/html_test.sh ... --regen):"
        diff "$here/$name.html" "$tmp/$name.html" | head -20
    fi
}
golden demo-source demo/source.pcap.gz
golden demo-two demo/source.pcap.gz demo/target.pcap.gz

# Deterministic: a second run gives the same bytes (no time of the run, no address order
# from a hash).
(cd "$samples" && "$fwsight" analyze -q --html "$tmp/again.html" demo/source.pcap.gz)
cmp -s "$tmp/again.html" "$tmp/demo-source.html" || fail "two runs gave different pages"

# The page stands alone: no script, nothing fetched, and the paths of the text report.
page=$tmp/demo-source.html
if grep -Eiq '<script|<link|<img|<iframe|<object|src=|href=|url\(|@import' "$page"; then
    fail "the page references something outside itself or has a script"
fi
for path in 'tcp 445 (Directory)' 'tcp 6325 (Double-Take)' 'icmp echo (failover monitor)'; do
    grep -Fq "203.0.113.20 $path" "$page" || fail "the blocked path '$path' is missing"
done
[ "$(grep -c '<svg class="ladder"' "$page")" = 3 ] || fail "not one ladder per blocked path"

# Who refused, on the lab's captures: a reset forged in the target's name comes from the
# device's lane and the SYN ends there with a bar; an ICMPv6 refusal names its router.
ladder() { # ladder SAMPLE CAPTURES...: the page of samples/SAMPLE in $tmp/SAMPLE.html
    local s=$1
    shift
    (cd "$samples/$s" && "$fwsight" analyze -q --html "$tmp/$s.html" "$@")
}
ladder reset-6320 source.pcap
grep -q '>RST-ACK in the name of 203.0.113.20<' "$tmp/reset-6320.html" &&
    grep -q '<line x1="480" y1="[0-9]*" x2="250" y2="[0-9]*" stroke="#b00020"' \
        "$tmp/reset-6320.html" ||
    fail "the forged reset is not drawn from the device to the requester"
grep -q 'x2="480" y2="[0-9]*" stroke="#b00020" stroke-width="4"' "$tmp/reset-6320.html" ||
    fail "the SYN answered by a forged reset does not end in a refusal at the device"
# ...and named as the text report names it (an unnamed device, basis ttl, adjacent), on the
# path and in the device's lane; never "nobody".
by=$(cd "$samples/reset-6320" && "$fwsight" analyze source.pcap |
    sed -n 's/^    confidence [a-z]*, answered by //p' | head -1)
case $by in *'(ttl, adjacent to the capture point)') ;; *) fail "the report says: '$by'" ;; esac
grep -Fq "answered by $by</p>" "$tmp/reset-6320.html" ||
    fail "the page does not say the device as the report does: '$by'"
lane=$(sed -n '/<g class="device">/,/<\/g>/s/.*>\([^<]*\)<\/text>$/\1/p' "$tmp/reset-6320.html" |
    tr '\n' '|')
[ "$lane" = '?|unnamed device (ttl)|adjacent to the capture point|' ] ||
    fail "the ladder's device lane lacks the basis and distance: '$lane'"
! grep -q nobody "$tmp/reset-6320.html" || fail "the forged reset's page says 'nobody'"
ladder ipv6-reject source.pcap target.pcap
grep -q '>ICMPv6 1/1 admin-prohibited from 2001:db8:1::1<' "$tmp/ipv6-reject.html" ||
    fail "the ICMPv6 refusal is not on the ladder"
ladder drop-6320 source.pcap target.pcap
# the first SYN: frame 2 of capture 1 only, its arrow ending in a cross at the device's lane
grep -q '1:#2  2:&#8212;' "$tmp/drop-6320.html" &&
    grep -q '<path d="M474 94L486 106M' "$tmp/drop-6320.html" ||
    fail "a SYN that never arrived is not drawn lost, seen in capture 1 only"

# Hostile strings: a profile's service names are markup; they must arrive as text.
cat > "$tmp/evil.profile" <<'EOF'
name = evil
service = <script>alert(1)</script>
protocols = tcp
ports = 6325
need = required
purpose = a test

service = "><img src=x onerror=alert(2)>&amp;
protocols = tcp
ports = 445
need = required
purpose = a test
EOF
"$fwsight" analyze -q --profile "$tmp/evil.profile" --html "$tmp/evil.html" \
    "$samples/demo/source.pcap.gz" 2> "$tmp/evil.err"
if grep -Eiq '<script|<img' "$tmp/evil.html"; then
    fail "a service name from the profile reached the page as markup"
fi
grep -Fq '&lt;script&gt;alert(1)&lt;/script&gt;' "$tmp/evil.html" ||
    fail "the <script> service name is not shown escaped: $(head -c 200 "$tmp/evil.err")"
grep -Fq '&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&amp;amp;' "$tmp/evil.html" ||
    fail "the quote/img service name is not shown escaped"

# The file policy: an existing file is kept without --force, replaced with it.
echo "the user's notes" > "$tmp/exists.html"
"$fwsight" analyze -q --html "$tmp/exists.html" "$samples/demo/source.pcap.gz" 2> "$tmp/err"
st=$?
[ "$st" = 2 ] || fail "--html over an existing file exited $st, expected 2"
grep -q "exists.html: File exists (overwritten only with --force)" "$tmp/err" ||
    fail "no cause named for an existing file: $(cat "$tmp/err")"
grep -q "the user's notes" "$tmp/exists.html" || fail "an existing file was changed"
"$fwsight" analyze -q --force --html "$tmp/exists.html" "$samples/demo/source.pcap.gz"
grep -q '<!DOCTYPE html>' "$tmp/exists.html" || fail "--force did not replace the file"
# Never through a symbolic link, even with --force.
echo "target of the link" > "$tmp/victim"
ln -s "$tmp/victim" "$tmp/link.html"
"$fwsight" analyze -q --force --html "$tmp/link.html" "$samples/demo/source.pcap.gz" \
    2> "$tmp/err"
st=$?
[ "$st" = 2 ] || fail "--html through a symlink exited $st, expected 2"
grep -q "symbolic link" "$tmp/err" || fail "the symlink refusal names no cause: $(cat "$tmp/err")"
grep -q "target of the link" "$tmp/victim" || fail "the file behind a symlink was written"
# Never over the capture itself.
cp "$samples/demo/source.pcap.gz" "$tmp/cap.pcap.gz"
"$fwsight" analyze -q --force --html "$tmp/cap.pcap.gz" "$tmp/cap.pcap.gz" 2> "$tmp/err"
[ $? = 2 ] && grep -q "over the capture itself" "$tmp/err" || fail "--html over the capture"
cmp -s "$tmp/cap.pcap.gz" "$samples/demo/source.pcap.gz" || fail "the capture was overwritten"
# A directory that cannot be written: the cause, exit 2.
"$fwsight" analyze -q --html "$tmp/no/such/dir.html" "$samples/demo/source.pcap.gz" \
    2> "$tmp/err"
[ $? = 2 ] && grep -q "cannot write the HTML page: .*No such file or directory" "$tmp/err" ||
    fail "a missing directory: $(cat "$tmp/err")"
# --html - is refused: the page is a file, stdout keeps the report.
"$fwsight" analyze --html - "$samples/demo/source.pcap.gz" > /dev/null 2> "$tmp/err"
[ $? = 2 ] && grep -q -- "--html writes a file" "$tmp/err" || fail "--html - was not refused"

# A capture on stdin cannot be read twice: the page says so, the ladders are still there.
"$fwsight" analyze -q --html "$tmp/stdin.html" - < "$samples/demo/source.pcap.gz" 2> "$tmp/err"
[ $? = 1 ] || fail "--html with stdin: exit status"
grep -q "read from stdin, which cannot be read twice" "$tmp/stdin.html" ||
    fail "the stdin page does not say why its ladders are empty"
[ "$(grep -c '<svg class="ladder"' "$tmp/stdin.html")" = 3 ] || fail "stdin: ladders missing"

if [ "$failures" -gt 0 ]; then
    echo "html_test: $failures failures"
    exit 1
fi
echo "html_test: all passed"
