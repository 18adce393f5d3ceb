#!/bin/bash
# tests/golden/regen.sh: rewrites every golden case's capture (from mkcases.c) and expected
# outputs (from the current fwsight). Review the diff before committing: it is the test.
#
#   tests/golden/regen.sh [BUILD_DIR]     (default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
cmake --build "$build" --target fwsight golden_mkcases
exec bash "$here/run.sh" "$build/ui/fwsight" "$here" --regen --mkcases "$build/tests/golden_mkcases"
