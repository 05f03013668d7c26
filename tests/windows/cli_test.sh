#!/usr/bin/env bash
# The Windows CLI under Wine (issue 17): the cross-built aisandbox-cli.exe
# checks the shipped playground lessons (training their solutions to their
# goals), and trains each one with exactly the losses the Linux CLI gets,
# epoch by epoch, digit for digit: the data and our dense path are
# deterministic across compilers and C libraries (runtime/core/detmath.hpp).
# A lesson in a folder with a Korean name trains too.
#
#   tests/windows/cli_test.sh LINUX_CLI WINDOWS_CLI_EXE
set -uo pipefail
linux_cli="$(realpath "$1")"
exe="$(realpath "$2")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root" || exit 1
name=cli_test
source tests/windows/lib.sh
need wine python3
[ -x "$linux_cli" ] || { echo "cli_test: no Linux CLI at $linux_cli" >&2; exit 1; }
[ -f "$exe" ] || { echo "cli_test: no Windows CLI at $exe: run make windows" >&2; exit 1; }

make_work
# A Wine prefix of the build's own, made once (its first start takes ~10 s).
use_wine "${AISB_WINEPREFIX:-$(dirname "$exe")/../wineprefix}"
wine "$exe" --version >"$work/version.txt" 2>"$work/version.err" || {
  cat "$work/version.err" >&2
  echo "cli_test: aisandbox-cli.exe --version failed under Wine" >&2
  exit 1
}
tr -d '\r' <"$work/version.txt"

fail=0
lessons=(lessons/basics/0*.toml lessons/industry/01-smart-farm.toml)

# A class's own table in the encodings Korean Excel saves: CP949 (the
# Windows build converts it with the system's code page 949, Linux with
# iconv) and UTF-16 with a byte-order mark.
mkdir -p "$work/tables"
cp lessons/industry/data/pohang-air.csv "$work/tables/air-cp949.csv"
iconv -f CP949 -t UTF-16 "$work/tables/air-cp949.csv" >"$work/tables/air-utf16.csv"
for enc in cp949 utf16; do
  table_lesson "windows-$enc" "$enc 표" "csv:air-$enc.csv" 20 >"$work/tables/$enc.toml"
done
# Relative to the repository, as the lessons are.
rel="$(realpath --relative-to="$root" "$work/tables")"
lessons+=("$rel/cp949.toml" "$rel/utf16.toml")

# Checked, and their solutions trained to their goals.
if ! wine "$exe" --lang en lesson check "${lessons[@]}" >"$work/check.txt" 2>&1; then
  tr -d '\r' <"$work/check.txt"
  echo "FAIL: lesson check under Wine" >&2
  fail=1
fi
if grep -qi "warning\|error" "$work/check.txt"; then
  tr -d '\r' <"$work/check.txt"
  echo "FAIL: lesson check under Wine reported problems" >&2
  fail=1
fi

for lesson in "${lessons[@]}"; do
  name="$(basename "$lesson" .toml)"
  "$linux_cli" train "$lesson" --json 2>"$work/$name.linux.err" | metrics >"$work/$name.linux"
  wine "$exe" train "$lesson" --json 2>"$work/$name.windows.err" | metrics >"$work/$name.windows"
  if [ ! -s "$work/$name.linux" ] || ! grep -q '^done' "$work/$name.linux"; then
    cat "$work/$name.linux.err" >&2
    echo "FAIL: $lesson: the Linux CLI did not finish" >&2
    fail=1
  elif ! cmp -s "$work/$name.linux" "$work/$name.windows"; then
    tr -d '\r' <"$work/$name.windows.err" >&2
    echo "FAIL: $lesson: Windows and Linux differ (first differing epoch below, Linux then Windows)" >&2
    diff "$work/$name.linux" "$work/$name.windows" | head -4 >&2 || true
    fail=1
  else
    echo "ok: $lesson: $(wc -l <"$work/$name.linux") epochs alike; final: $(tail -n1 "$work/$name.windows")"
  fi
done

# A byte CP949 does not have: the same error at the same line on both.
{ head -n 40 lessons/industry/data/pohang-air.csv; printf '2024-11-02 16:00,\xff\xff,1,2,3,4,5,6,7,8\r\n'; } \
  >"$work/tables/air-cp949.csv"
"$linux_cli" --lang en train "$rel/cp949.toml" >/dev/null 2>"$work/bad.linux"
# (Windows writes its own folder separator in the file's path.)
wine "$exe" --lang en train "$rel/cp949.toml" 2>&1 >/dev/null | tr -d '\r' | tr '\\' / >"$work/bad.windows"
if grep -q "line 41\|:41:" "$work/bad.linux" && cmp -s "$work/bad.linux" "$work/bad.windows"; then
  echo "ok: a byte CP949 does not have: $(head -n1 "$work/bad.windows")"
else
  echo "FAIL: a bad CP949 byte: Linux said, then Windows:" >&2
  cat "$work/bad.linux" "$work/bad.windows" >&2
  fail=1
fi

# A student's folder with a Korean name.
mkdir -p "$work/학생 폴더"
cp lessons/basics/01-single-neuron.toml "$work/학생 폴더/첫 수업.toml"
if (cd "$work" && wine "$exe" train "학생 폴더/첫 수업.toml" --json 2>"$work/korean.err" | metrics >"$work/korean.out") &&
   grep -q '^done' "$work/korean.out"; then
  echo "ok: a lesson under 학생 폴더/ trains"
else
  tr -d '\r' <"$work/korean.err" >&2
  echo "FAIL: a lesson in a folder with a Korean name does not train under Wine" >&2
  fail=1
fi
exit $fail
