#!/usr/bin/env bash
# Configures and builds TEFT Studio (Release) into ${TEFT_BUILD_DIR:-build}. Extra arguments go
# to CMake's configure step (e.g. -DTEFT_HEADLESS=ON).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${TEFT_BUILD_DIR:-build}
JOBS=${TEFT_JOBS:-$(nproc)}
cmake -G Ninja -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release "$@"
start=$(date +%s)
cmake --build "$BUILD_DIR" -j"$JOBS"
echo "build: done in $(( $(date +%s) - start )) s"
