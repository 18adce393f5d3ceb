#!/bin/bash
# tests/golden/regen.sh: rewrites every golden case's capture (from mkcases.c) and expected
# outputs (from the current fwsight). Review the diff before committing: it is the test.
#
#   tests/golden/regen.sh [BUILD_DIR]     (default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
cmake --build "$build" --target fwsight golden_mkcases
# The two-capture case is a real lab sample, not mkcases.c's: the source's capture as it is,
# the target's with its clock moved 2.5 s ahead (the lab's captures share one clock).
two=$here/two-captures-reply-dropped
mkdir -p "$two"
cp "$here/../../samples/reply-dropped-6320/source.pcap" "$two/capture.pcap"
python3 - "$here/.." "$here/../../samples/reply-dropped-6320/target.pcap" "$two" <<'EOF'
import os, sys
sys.path.insert(0, sys.argv[1])
from samples_verdicts import shifted_copy
os.replace(shifted_copy(sys.argv[2], 2500000, sys.argv[3]), os.path.join(sys.argv[3], "capture2.pcap"))
EOF
# The path case: three points of the path-near-far lab sample, the source, the link between
# the two routers and the target (the order along the path is the one of the names here).
path=$here/path-three-points
mkdir -p "$path"
cp "$here/../../samples/path-near-far/source.pcap" "$path/capture.pcap"
cp "$here/../../samples/path-near-far/rtr1-mid.pcap" "$path/capture2.pcap"
cp "$here/../../samples/path-near-far/target.pcap" "$path/capture3.pcap"
exec bash "$here/run.sh" "$build/app/fwsight" "$here" --regen --mkcases "$build/tests/golden_mkcases"
