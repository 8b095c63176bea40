#!/usr/bin/env bash
# Builds the .deb with CPack from the build tree and checks what it installs.
# Usage: check-deb.sh BUILD_DIR HEADLESS(ON|OFF)
set -euo pipefail
build=$1
headless=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
(cd "$build" && cpack -G DEB -B "$out" >/dev/null)
deb=$(ls "$out"/teft-studio_*.deb)
contents=$(dpkg-deb -c "$deb")
need=("./usr/bin/teft")
if [[ $headless == OFF ]]; then
  need+=("./usr/bin/teft-studio" "./usr/share/applications/teft-studio.desktop"
         "./usr/share/metainfo/io.github.teftstudio.TeftStudio.metainfo.xml"
         "./usr/share/icons/hicolor/scalable/apps/io.github.teftstudio.TeftStudio.svg")
fi
for f in "${need[@]}"; do
  grep -q " $f\$" <<<"$contents" || { echo "missing from the package: $f"; exit 1; }
done
dpkg-deb -f "$deb" Depends | grep -q libtorch || { echo "package does not depend on libtorch"; exit 1; }
echo "package ok: $(basename "$deb") with ${#need[@]} checked files"
