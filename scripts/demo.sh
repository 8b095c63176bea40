#!/usr/bin/env bash
# The main job on the built-in demo: installs what is missing, builds the command line, and
# runs `teft demo` (corpus, foundation model, expert identification, three miners, two
# validation rounds, merge, and the comparison with full fine-tuning). Extra arguments go to
# `teft demo` (e.g. --json).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${TEFT_BUILD_DIR:-build}
cmake -G Ninja -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD_DIR" -j"$(nproc)" --target teft
exec "$BUILD_DIR/app/cli/teft" demo "$@"
