#!/usr/bin/env bash
# Installs everything TEFT Studio needs to build, test, package and benchmark: the Debian
# packages (as root or through sudo), then the project's Python environment with LibTorch from
# the torch wheel and the reference libraries (scripts/python-env.sh, outside the repository).
# Idempotent and non-interactive: a second run downloads nothing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-svg-dev libqt6opengl6-dev
  qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-translations-l10n
  libgl-dev libxkbcommon-dev
  libsqlite3-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libpcre2-dev libsodium-dev libicu-dev libcurl4-openssl-dev
  fonts-dejavu-core fonts-wqy-microhei dpkg-dev file zstd
  python3 python3-venv
)
# The wheel's LibTorch is built with CUDA 13.0, and its CMake package wants the CUDA toolkit of the
# same release to configure against (headers and nvcc; nothing here runs CUDA code). Our machines
# have it in /usr/local/cuda; elsewhere install NVIDIA's cuda-toolkit-13-0 (see README).
if [[ ! -x /usr/local/cuda/bin/nvcc ]] && ! command -v nvcc >/dev/null 2>&1; then
  echo "setup: WARNING: no CUDA toolkit (nvcc) found; the build needs CUDA 13.0's (README: Requirements)" >&2
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup: all ${#PACKAGES[@]} Debian packages already installed"
else
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
bash "$(dirname "${BASH_SOURCE[0]}")/python-env.sh" >/dev/null
