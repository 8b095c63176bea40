#!/usr/bin/env bash
# The test command: installs what is missing (Debian packages, the Python environment with
# LibTorch and the references), builds (Release, warnings as errors; TEFT_WERROR=OFF: without),
# and runs the whole Qt Test suite through CTest, GUI tests offscreen; then the sanitizer build:
# the engine and its tests with AddressSanitizer and UndefinedBehaviorSanitizer
# (scripts/sanitize.sh, into build-asan; TEFT_SKIP_SANITIZE=1 skips it). Works on a fresh
# Debian 12 machine. The real tokenizers the tests read are in ../shared/testdata beside the
# checkout ($TEFT_TESTDATA_DIR overrides); where that folder is absent their rows SKIP and say so
# (the comparisons on the tokenizers that tests/reference/make_tokenizers.py trains still run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${TEFT_BUILD_DIR:-build}
bash scripts/build.sh -DTEFT_WERROR="${TEFT_WERROR:-ON}" "$@"
(
  cd "$BUILD_DIR"
  QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j"${TEFT_TEST_JOBS:-2}" --timeout 1200
)
if [[ "${TEFT_SKIP_SANITIZE:-0}" == 1 ]]; then
  echo "test: sanitizer build skipped (TEFT_SKIP_SANITIZE=1)"
else
  bash scripts/sanitize.sh
fi
