#!/bin/bash
# scripts/build-and-run.sh: installs what building and running fwsight need (scripts/deps.sh
# --build: no compiler for the fuzzers, no test or lab tools), builds it in build/ without the
# tests, and analyses a bundled sample capture, to show that it all works. Tests are
# scripts/test.sh's.
set -eu
cd "$(dirname "$0")/.."
bash scripts/deps.sh --build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFW_TESTS=OFF
cmake --build build -j2
# The namespace lab's mixed scenario (samples/demo: one port open, one dropped, one refused
# by a router, echo replies lost), as captured on the source.
sample=samples/demo/source.pcap.gz
echo
echo "$ build/app/fwsight analyze $sample"
# Exit 1 will mean "blocking found", the right answer for this sample: not a failure here.
build/app/fwsight analyze "$sample" || [ $? = 1 ]
