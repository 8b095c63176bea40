#!/usr/bin/env bash
# The fuzzing build and runs (libFuzzer, clang-14 from Debian): tests/fuzz/fuzz_<target>.cpp, one
# target per reader of untrusted input. Build folder build-fuzz/ (not in git).
#
#   scripts/fuzz.sh build                  configure and build every target
#   scripts/fuzz.sh list                   the targets
#   scripts/fuzz.sh run TARGET SECONDS     fuzz one target (built first if missing; `build` updates)
#   scripts/fuzz.sh all SECONDS            fuzz every target for SECONDS each, two at a time
#
# Only the readers' sources are compiled with coverage and -fsanitize=fuzzer,address,undefined;
# the rest of the engine comes from the normal build's libteft_core.a (build/, or
# $TEFT_FUZZ_CORE_ARCHIVE), which must exist: `ninja -C build teft_core`.
# A run starts from the seed corpus tests/fuzz/corpus/<target>/ and writes new inputs to
# build-fuzz/corpus/<target>/; inputs that crash, leak or time out go to
# build-fuzz/findings/<target>/ (crash-*, leak-*, timeout-*, oom-*). Curate each into
# tests/fuzz/corpus/<target>/ under a name saying what it exposed, once the reader is fixed: the
# CTest tests fuzz_replay_<target> replay that folder in every build (scripts/sanitize.sh too).
# Each run prints "fuzz: <target> <seconds> s, <executions> executions, <findings> findings" and
# keeps libFuzzer's log in build-fuzz/logs/<target>.log. Runs are niced (FUZZ_NICE, default 15)
# and use libFuzzer's fork mode (one process at a time), so a finding is saved and the run goes on.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD_DIR=${TEFT_FUZZ_BUILD_DIR:-build-fuzz}
CXX_FUZZ=${TEFT_FUZZ_CXX:-clang++-14}
ARCHIVE=${TEFT_FUZZ_CORE_ARCHIVE:-$ROOT/build/core/libteft_core.a}
NICE=${FUZZ_NICE:-15}

targets() { for src in tests/fuzz/fuzz_*.cpp; do basename "$src" .cpp | sed 's/^fuzz_//'; done; }

# Longest input per target: big enough for the seeds (tokenizer.json ~7 KB), small enough to stay fast.
max_len() {
  case "$1" in
    tokenizer_json) echo 16384 ;;
    model_config) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

build() {
  if [[ ! -f "$ARCHIVE" ]]; then
    echo "fuzz: $ARCHIVE is missing: build the engine first (ninja -C build teft_core)" >&2
    exit 1
  fi
  if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
    cmake -G Ninja -S . -B "$BUILD_DIR" -DCMAKE_CXX_COMPILER="$CXX_FUZZ" \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
      -DTEFT_FUZZ=ON -DTEFT_FUZZ_CORE_ARCHIVE="$ARCHIVE" \
      -DTEFT_HEADLESS=ON -DTEFT_BUILD_BENCH=OFF -DTEFT_BUILD_TESTS=ON
  fi
  local all=()
  for t in $(targets); do all+=("fuzz_$t"); done
  ninja -C "$BUILD_DIR" "${all[@]}"
}

run() {
  local target=$1 seconds=$2
  local exe="$BUILD_DIR/tests/fuzz/fuzz_$target"
  [[ -x "$exe" ]] || { echo "fuzz: no target $target (scripts/fuzz.sh list)" >&2; exit 2; }
  local corpus="$BUILD_DIR/corpus/$target" findings="$BUILD_DIR/findings/$target" log="$BUILD_DIR/logs/$target.log"
  mkdir -p "$corpus" "$findings" "$BUILD_DIR/logs"
  local before
  before=$(find "$findings" -type f | wc -l)
  local start
  start=$(date +%s)
  # UBSan stops at the first finding; ASan reports a tiny input's huge allocation (-malloc_limit_mb,
  # = -rss_limit_mb) instead of returning null; leaks are findings too.
  ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
    nice -n "$NICE" "$exe" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len="$(max_len "$target")" \
      -timeout=10 -print_final_stats=1 -print_funcs=0 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 \
      -ignore_ooms=1 -artifact_prefix="$findings/" "$corpus" "tests/fuzz/corpus/$target" >"$log" 2>&1 || true
  local execs found
  # Fork mode: the last "#N:" status line counts the executions of every job.
  execs=$(grep -Eo '^#[0-9]+:' "$log" | tail -1 | tr -dc '0-9')
  found=$(( $(find "$findings" -type f | wc -l) - before ))
  echo "fuzz: $target $(( $(date +%s) - start )) s, $execs executions, $found findings"
}

case "${1:-}" in
  build) build ;;
  list) targets ;;
  run)
    [[ $# -eq 3 ]] || { echo "usage: $0 run TARGET SECONDS" >&2; exit 2; }
    [[ -x "$BUILD_DIR/tests/fuzz/fuzz_$2" ]] || build
    run "$2" "$3"
    ;;
  all)
    [[ $# -eq 2 ]] || { echo "usage: $0 all SECONDS" >&2; exit 2; }
    for t in $(targets); do [[ -x "$BUILD_DIR/tests/fuzz/fuzz_$t" ]] || { build; break; }; done
    export -f run max_len
    export BUILD_DIR NICE
    targets | xargs -P 2 -I{} bash -c 'run {} '"$2"
    ;;
  *)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
