#!/usr/bin/env bash
# Builds the .deb with CPack from the build tree, checks what it holds, unpacks it into a scratch
# root and checks the unpacked programs start on the LibTorch the package bundles (not the
# build's): `teft --version`, `teft system` (CPU only, then with the CUDA half of LibTorch from
# TEFT_LIBTORCH_DIR) and `teft-studio --screenshot`.
# Usage: check-deb.sh BUILD_DIR HEADLESS(ON|OFF) [TORCH_LIB_DIR]
set -euo pipefail
build=$1
headless=$2
torch_lib=${3:-}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$(date +%s)
(cd "$build" && cpack -G DEB -B "$out" >/dev/null)
deb=$(ls "$out"/teft-studio_*.deb)
echo "built $(basename "$deb"): $(( $(stat -c %s "$deb") >> 20 )) MiB in $(( $(date +%s) - start )) s"
contents=$(dpkg-deb -c "$deb")
need=("./usr/bin/teft" "./usr/lib/teft-studio/libtorch_cpu.so" "./usr/lib/teft-studio/libc10.so"
      "./usr/lib/teft-studio/libgomp.so.1" "./usr/lib/teft-studio/libcudart.so.13"
      "./usr/lib/teft-studio/libcupti.so.13" "./usr/lib/teft-studio/libteft_cuda.so")
if [[ $headless == OFF ]]; then
  need+=("./usr/bin/teft-studio" "./usr/share/applications/teft-studio.desktop"
         "./usr/share/metainfo/io.github.teftstudio.TeftStudio.metainfo.xml"
         "./usr/share/icons/hicolor/scalable/apps/io.github.teftstudio.TeftStudio.svg")
fi
for f in "${need[@]}"; do
  grep -q " $f\$" <<<"$contents" || { echo "missing from the package: $f"; exit 1; }
done
depends=$(dpkg-deb -f "$deb" Depends)
grep -q "libc6" <<<"$depends" || { echo "package Depends lacks the shared-library dependencies: $depends"; exit 1; }
if grep -q "libtorch" <<<"$depends"; then echo "package depends on a libtorch package: $depends"; exit 1; fi

root="$out/root"
dpkg-deb -x "$deb" "$root"
teft="$root/usr/bin/teft"
# The bundled LibTorch, not the build's: every LibTorch library resolves inside the package.
resolved=$(ldd "$teft")
if grep -E "libtorch|libc10" <<<"$resolved" | grep -vq "=> $root/usr/bin/../lib/teft-studio/"; then
  echo "teft resolves LibTorch outside the package:"; grep -E "libtorch|libc10" <<<"$resolved"; exit 1
fi
grep -q "not found" <<<"$resolved" && { echo "unresolved libraries:"; grep "not found" <<<"$resolved"; exit 1; }
version=$(env -u TEFT_LIBTORCH_DIR "$teft" --version)
[[ $version == teft* ]] || { echo "teft --version printed: $version"; exit 1; }
cpu=$(env -u TEFT_LIBTORCH_DIR HOME="$out/home" "$teft" system --json)
grep -q '"loaded": *false' <<<"$cpu" || { echo "teft system without TEFT_LIBTORCH_DIR: $cpu"; exit 1; }
if [[ -n $torch_lib && -f $torch_lib/libtorch_cuda.so ]]; then
  gpu=$(TEFT_LIBTORCH_DIR="$torch_lib" HOME="$out/home" "$teft" system --json)
  grep -q '"loaded": *true' <<<"$gpu" || { echo "teft system with TEFT_LIBTORCH_DIR=$torch_lib: $gpu"; exit 1; }
fi
if [[ $headless == OFF ]]; then
  QT_QPA_PLATFORM=offscreen HOME="$out/home" "$root/usr/bin/teft-studio" --screenshot "$out/shots" >/dev/null 2>&1
  shots=$(find "$out/shots" -name '*.png' -size +1k | wc -l)
  [[ $shots -gt 0 ]] || { echo "teft-studio --screenshot wrote no image"; exit 1; }
fi
echo "package ok: $(basename "$deb") with ${#need[@]} checked files; unpacked teft and teft-studio start on the bundled LibTorch"
