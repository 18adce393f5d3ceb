#!/bin/bash
# scripts/test.sh: installs what the tests need (scripts/deps.sh --test), builds with
# AddressSanitizer and UndefinedBehaviorSanitizer in build-test/, and runs every test through CTest: unit,
# golden, CLI, corpus robustness and Zeek conformance (the last two use ../shared/corpus and
# are skipped without it). Then the libFuzzer targets, built with clang in build-fuzz/ (only
# they: the unit tests are not built twice), each run for a short smoke test (tests/fuzz/).
# Exit status: 0 when both CTest runs passed.
set -eu
cd "$(dirname "$0")/.."
bash scripts/deps.sh --test
jobs=${FW_JOBS:-2}
cmake -S . -B build-test -DFW_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
cmake --build build-test -j"$jobs"
# Leaks are bugs too; a sanitizer report anywhere fails the test that produced it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
ctest --test-dir build-test --output-on-failure -j"$jobs" || status=$?

# The fuzz smoke runs one after the other: each is bounded in runs and time (about 30 s).
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DFW_FUZZ=ON
cmake --build build-fuzz -j"$jobs" --target fuzz_all
ctest --test-dir build-fuzz -R '^fuzz_' --output-on-failure || status=1
exit "$status"
