#!/usr/bin/env bash
# clang-tidy with the project's .clang-tidy over the given sources (default: every core/**/*.cpp),
# using the compile commands of ${TEFT_BUILD_DIR:-build} (run scripts/build.sh first).
# GCC's precompiled header cannot be read by clang: the commands are copied without it into
# <build>/tidy/, so each file is checked on its own includes. Exits non-zero on any finding.
#   bash scripts/tidy.sh                       # the engine (slow: ~1 min per LibTorch file)
#   bash scripts/tidy.sh core/text/Regex.cpp   # some files
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${TEFT_BUILD_DIR:-build}
JOBS=${TEFT_JOBS:-$(nproc)}
if [[ ! -f "$BUILD_DIR/compile_commands.json" ]]; then
  echo "tidy: no $BUILD_DIR/compile_commands.json: run scripts/build.sh first" >&2
  exit 2
fi
mkdir -p "$BUILD_DIR/tidy"
sed -E 's# -Winvalid-pch -include [^ ]*cmake_pch\.hxx##g' "$BUILD_DIR/compile_commands.json" \
  > "$BUILD_DIR/tidy/compile_commands.json"
if [[ $# -gt 0 ]]; then
  files=("$@")
else
  mapfile -t files < <(find core -name '*.cpp' | sort)
fi
printf '%s\0' "${files[@]}" |
  xargs -0 -n 1 -P "$JOBS" clang-tidy --quiet --warnings-as-errors='*' -p "$BUILD_DIR/tidy"
echo "tidy: ${#files[@]} files clean"
