#!/usr/bin/env bash
# The package tests' fixture: the Debian packages of this build, made by
# CPack exactly as `make package` makes them, into a folder of their own.
#   tests/package/build_debs.sh BUILD_DIR OUT_DIR
set -euo pipefail
build=$1 out=$2
rm -rf "$out"
mkdir -p "$out"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$out/cpack" >"$out/cpack.log" 2>&1 || {
  tail -40 "$out/cpack.log"
  echo "build_debs: cpack failed (whole log: $out/cpack.log)" >&2
  exit 1
}
mv "$out"/cpack/*.deb "$out"/
rm -rf "$out/cpack"
for pkg in aisandbox aisandbox-worker aisandbox-center; do
  deb=$(ls "$out"/${pkg}_*.deb 2>/dev/null | head -n 1)
  [ -n "$deb" ] || { echo "build_debs: no ${pkg}_*.deb in $out" >&2; exit 1; }
  echo "$(basename "$deb"): $(dpkg-deb -f "$deb" Depends)"
done
