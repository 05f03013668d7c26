#!/usr/bin/env bash
# Renders the app's icon (assets/linux/icons/aisandbox.svg) to the PNG sizes
# of the hicolor theme, into assets/linux/icons/hicolor/NxN/apps/. The PNGs
# are committed, so a build needs no SVG renderer; run this after changing
# the SVG. Needs rsvg-convert (Debian: librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/.."
svg=assets/linux/icons/aisandbox.svg
command -v rsvg-convert >/dev/null || { echo "make-icons: needs rsvg-convert (apt-get install librsvg2-bin)" >&2; exit 1; }
for size in 16 22 24 32 48 64 128 256 512; do
  out=assets/linux/icons/hicolor/${size}x${size}/apps/aisandbox.png
  mkdir -p "$(dirname "$out")"
  rsvg-convert --width "$size" --height "$size" --keep-aspect-ratio "$svg" --output "$out"
  echo "$out"
done
