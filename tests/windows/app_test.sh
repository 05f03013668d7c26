#!/usr/bin/env bash
# The Windows app under Wine and Xvfb (issue 17): aisandbox.exe opens a
# lesson in Korean and in English and draws the same picture as the Linux
# app at the same size (both through Mesa's llvmpipe; the fonts are the
# bundled Nanum ones), and trains a lesson while it draws.
#
#   tests/windows/app_test.sh LINUX_APP WINDOWS_APP_EXE
set -uo pipefail
linux_app="$(realpath "$1")"
exe="$(realpath "$2")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root" || exit 1
name=app_test
source tests/windows/lib.sh
need wine Xvfb python3
[ -f "$exe" ] || { echo "app_test: no Windows app at $exe: run make windows" >&2; exit 1; }

make_work
start_xvfb
use_wine "${AISB_WINEPREFIX:-$(dirname "$exe")/../wineprefix}"
# The lessons and assets of this tree (an installed app finds them beside it).
export AISANDBOX_DATA="Z:${root//\//\\}"

fail=0
lesson=lessons/basics/02-xor-hidden-layer.toml
for lang in ko en; do
  timeout 180 wine "$exe" --lesson "$lesson" --lang "$lang" --screenshot "$work/windows-$lang.png" --frames 60 \
    >"$work/windows-$lang.log" 2>&1
  rc=$?
  # Wine 8 itself crashed once in a few runs as a GL program ended, after
  # the picture was written: the picture is what is checked.
  [ "$rc" -ne 0 ] && [ -s "$work/windows-$lang.png" ] && echo "note: wine ended with $rc after the app wrote its picture"
  if [ ! -s "$work/windows-$lang.png" ]; then
    tr -d '\r' <"$work/windows-$lang.log" >&2
    echo "FAIL: the Windows app drew no screenshot ($lang)" >&2
    fail=1
    continue
  fi
  # The window's client area under Wine (its title bar takes some of the
  # screen): the Linux app draws at the same size.
  size="$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print("%dx%d" % struct.unpack(">II", d[16:24]))' \
    "$work/windows-$lang.png")"
  XDG_STATE_HOME="$work/state" "$linux_app" --lesson "$lesson" --lang "$lang" --size "$size" \
    --screenshot "$work/linux-$lang.png" --frames 60 >/dev/null 2>&1
  if python3 tests/package/png_compare.py "$work/windows-$lang.png" "$work/linux-$lang.png" ${size/x/ } 0.02; then
    echo "ok: the Windows app draws the XOR lesson in $lang as Linux does ($size)"
  else
    echo "FAIL: the Windows app's $lang picture differs from Linux's" >&2
    fail=1
  fi
done

# Training while it draws: the fast path at full speed, frames drawn whole.
stats="$work/stats.json"
timeout 180 wine "$exe" --lesson lessons/basics/04-spiral-features.toml --autoplay --speed max --frames 240 \
  --screenshot "$work/train.png" --stats "$stats" >"$work/train.log" 2>&1
if python3 - "$stats" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"ok: the Windows app trained: {s['steps_per_second']:.0f} steps/s, state {s['state']}, "
      f"frame p50 {s['frame_ms_p50']:.1f} ms, partial redraw {s['partial_redraw']}")
sys.exit(0 if s["steps_per_second"] > 0 and s["state"] in ("running", "finished") else 1)
PY
then :; else
  tr -d '\r' <"$work/train.log" >&2
  echo "FAIL: the Windows app did not train the spiral lesson" >&2
  fail=1
fi
exit $fail
