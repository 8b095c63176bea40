#!/usr/bin/env bash
# The test command: installs what is missing, builds (Release), and runs the whole Qt Test
# suite through CTest, GUI tests offscreen. Works on a fresh Debian 12 machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${TEFT_BUILD_DIR:-build}
export TEFT_TESTDATA_DIR=${TEFT_TESTDATA_DIR:-$PWD/$BUILD_DIR/testdata}
if [[ -f scripts/fetch-test-data.sh ]]; then bash scripts/fetch-test-data.sh; fi
bash scripts/build.sh "$@"
cd "$BUILD_DIR"
QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j"${TEFT_TEST_JOBS:-2}" --timeout 1200
