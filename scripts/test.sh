#!/bin/bash
# scripts/test.sh: installs what the tests need (scripts/deps.sh), builds with AddressSanitizer
# and UndefinedBehaviorSanitizer in build-test/, and runs every test through CTest: unit,
# golden, CLI, corpus robustness and Zeek conformance (the last two use ../shared/corpus and
# are skipped without it). Exit status: CTest's.
set -eu
cd "$(dirname "$0")/.."
bash scripts/deps.sh
jobs=${FW_JOBS:-2}
cmake -S . -B build-test -DFW_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
cmake --build build-test -j"$jobs"
# Leaks are bugs too; a sanitizer report anywhere fails the test that produced it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir build-test --output-on-failure -j"$jobs"
