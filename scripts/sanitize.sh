#!/usr/bin/env bash
# The sanitizer build: the engine (teft_core) and its tests (tests/core and the fuzz corpus
# replays of tests/fuzz, CTest label "core")
# built with AddressSanitizer and UndefinedBehaviorSanitizer, warnings as errors, then run.
# scripts/test.sh calls it after the main test suite (TEFT_SKIP_SANITIZE=1 skips it there); on its
# own it assumes scripts/setup.sh has run. Build folder: ${TEFT_SANITIZE_BUILD_DIR:-build-asan}.
#
# -O1 -g1 (line tables for the reports; asserts stay on). LibTorch, libgomp and Qt are not
# instrumented: the run-time options below and the suppression files in scripts/sanitizers/ say
# what that costs, each with its reason. A finding in our code is a bug: fix it, do not suppress it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD_DIR=${TEFT_SANITIZE_BUILD_DIR:-build-asan}
JOBS=${TEFT_JOBS:-$(nproc)}
start=$(date +%s)
cmake -G Ninja -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DTEFT_SANITIZE=address,undefined -DTEFT_WERROR=ON \
  -DTEFT_HEADLESS=ON -DTEFT_BUILD_BENCH=OFF -DTEFT_BUILD_TESTS=ON
# The engine's tests are the executables named after tests/core/test_*.cpp.
targets=(teft_core)
for src in tests/core/test_*.cpp; do
  targets+=("$(basename "$src" .cpp)")
done
# ...and the fuzz targets' replay executables (tests/fuzz: CTest fuzz_replay_*, labelled "core").
for src in tests/fuzz/fuzz_*.cpp; do
  targets+=("$(basename "$src" .cpp)")
done
cmake --build "$BUILD_DIR" -j"$JOBS" --target "${targets[@]}"
echo "sanitize: built in $(( $(date +%s) - start )) s"

SUPP="$ROOT/scripts/sanitizers"
# Leaks are checked (suppressions: third-party code only); initialisation order across our files too.
# allocator_may_return_null=1: a request larger than the address space (tests/core/test_errors.cpp)
#   returns null to LibTorch's allocator, which raises an error, instead of ASan stopping the whole
#   test binary; what kind that error is under ASan differs, so test_errors checks it only without.
export ASAN_OPTIONS="detect_leaks=1:check_initialization_order=1:allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$SUPP/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$SUPP/ubsan.supp${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
cd "$BUILD_DIR"
test_start=$(date +%s)
ctest -L '^core$' --output-on-failure -j"${TEFT_TEST_JOBS:-2}" --timeout 1800
echo "sanitize: tests passed in $(( $(date +%s) - test_start )) s (all: $(( $(date +%s) - start )) s)"
