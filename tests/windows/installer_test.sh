#!/usr/bin/env bash
# The Windows installer under Wine (issue 17): AISandbox-*-Setup.exe
# installs silently (/S) for every user of the PC (/AllUsers, as a lab
# deploys it) and for one user (the default); the installed CLI checks the
# installed lessons and trains one; the installed app finds its lessons,
# assets and fonts beside itself and draws; the Start menu has its entries;
# the uninstaller (/S) removes the program and leaves the person's files.
#
# The installed app's lesson browser is held to the Linux app's picture.
#
#   tests/windows/installer_test.sh SETUP_EXE LINUX_APP
set -uo pipefail
setup="$(realpath "$1")"
linux_app="$(realpath "$2")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root" || exit 1
name=installer_test
source tests/windows/lib.sh
need wine Xvfb python3
[ -f "$setup" ] || { echo "installer_test: no installer at $setup: run make windows" >&2; exit 1; }

make_work
start_xvfb
# A fresh Wine prefix: a PC that never had AI Sandbox.
use_wine "$work/wine"
unset AISANDBOX_DATA
fail=0
check() {  # check DESCRIPTION COMMAND...
  local what="$1"
  shift
  if "$@" >"$work/out.txt" 2>&1; then
    echo "ok: $what"
  else
    tr -d '\r' <"$work/out.txt" | tail -n 20 >&2
    echo "FAIL: $what" >&2
    fail=1
  fi
}

for mode in AllUsers CurrentUser; do
  check "silent install (/S /$mode)" wine "$setup" /S "/$mode"
  if [ "$mode" = AllUsers ]; then
    dir="$WINEPREFIX/drive_c/Program Files/AISandbox"
    menu="$WINEPREFIX/drive_c/ProgramData/Microsoft/Windows/Start Menu/Programs/AI Sandbox"
  else
    dir="$(find "$WINEPREFIX/drive_c/users" -maxdepth 6 -type d -path '*AppData/Local/Programs/AISandbox' | head -n1)"
    menu="$(find "$WINEPREFIX/drive_c/users" -maxdepth 8 -type d -path '*Start Menu/Programs/AI Sandbox' | head -n1)"
  fi
  if [ -z "$dir" ] || [ ! -f "$dir/bin/aisandbox.exe" ] || [ ! -f "$dir/bin/aisandbox-cli.exe" ] ||
     [ ! -d "$dir/share/aisandbox/lessons" ] || [ ! -f "$dir/bin/fonts/NanumBarunGothic.ttf" ]; then
    echo "FAIL: /$mode: the programs, lessons or fonts are not where they belong (${dir:-nowhere})" >&2
    fail=1
    continue
  fi
  echo "ok: /$mode installed into ${dir#"$WINEPREFIX/"}"
  if ls "$menu"/*.lnk >/dev/null 2>&1 && [ "$(ls "$menu"/*.lnk | wc -l)" -eq 2 ]; then
    echo "ok: /$mode: Start menu: $(cd "$menu" && ls *.lnk | paste -sd, -)"
  else
    echo "FAIL: /$mode: no Start menu entries in ${menu:-nowhere}" >&2
    fail=1
  fi
  cli="$dir/bin/aisandbox-cli.exe"
  lessons="$dir/share/aisandbox/lessons"
  check "/$mode: the installed CLI checks the installed lessons" wine "$cli" --lang en lesson check --no-train "$lessons"
  check "/$mode: the installed CLI trains a lesson to its goal" \
    bash -c 'wine "$1" --lang en train "$2/basics/02-xor-hidden-layer.toml" | tr -d "\r" | grep -q "goal met"' _ "$cli" "$lessons"
  # Its lessons, assets and fonts found beside it: the same lesson browser
  # as the Linux app's (at the size of the window's client area under Wine).
  shot="$work/browser-$mode.png"
  timeout 180 wine "$dir/bin/aisandbox.exe" --lang ko --screenshot "$shot" --frames 30 >"$work/app.log" 2>&1
  rc=$?
  # Wine 8 itself crashed once in a few runs as a GL program ended, after
  # the picture was written: the picture is what is checked.
  [ "$rc" -ne 0 ] && [ -s "$shot" ] && echo "note: /$mode: wine ended with $rc after the app wrote its picture"
  if [ -s "$shot" ]; then
    size="$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print("%dx%d" % struct.unpack(">II", d[16:24]))' "$shot")"
    XDG_STATE_HOME="$work/linux-state" XDG_DATA_HOME="$work/linux-data" "$linux_app" --lang ko --size "$size" \
      --screenshot "$work/linux-browser.png" --frames 30 >/dev/null 2>&1
    check "/$mode: the installed app finds its lessons, assets and fonts, and draws the browser as Linux does" \
      python3 tests/package/png_compare.py "$shot" "$work/linux-browser.png" ${size/x/ } 0.02
  else
    tr -d '\r' <"$work/app.log" >&2
    echo "FAIL: /$mode: the installed app drew nothing" >&2
    fail=1
  fi
  # Uninstalling: the program goes, the person's files stay.
  mkdir -p "$WINEPREFIX/drive_c/users/Public/keep" && touch "$WINEPREFIX/drive_c/users/Public/keep/mine.txt"
  check "/$mode: silent uninstall" wine "$dir/uninstall.exe" /S "/$mode"
  # NSIS's uninstaller runs on from a copy of itself in %TEMP%: wait for it.
  for _ in $(seq 1 150); do [ -e "$dir/bin/aisandbox.exe" ] || [ -d "$menu" ] || break; sleep 0.2; done
  if [ -e "$dir/bin/aisandbox.exe" ] || [ -d "$menu" ]; then
    echo "FAIL: /$mode: the uninstaller left the program or its Start menu entries" >&2
    fail=1
  elif [ ! -f "$WINEPREFIX/drive_c/users/Public/keep/mine.txt" ]; then
    echo "FAIL: /$mode: the uninstaller removed files that are not its own" >&2
    fail=1
  else
    echo "ok: /$mode: uninstalled"
  fi
done
exit $fail
