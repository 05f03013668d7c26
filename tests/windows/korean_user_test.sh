#!/usr/bin/env bash
# A Korean student on Windows (issue 17): under Wine, a user named 학생 (so
# %APPDATA% and %LOCALAPPDATA% hold Hangul), with a teacher's lessons, a
# class's table and photos and a trained model all in folders and files with
# Korean names:
#  - the CLI trains a lesson on its own table (데이터/포항 대기.csv) with the
#    Linux CLI's losses, saves the model under a Korean name, and predicts
#    from it as Linux does;
#  - the app offers the lessons of a Korean folder (--lessons) and the
#    student's own ("My lessons", under C:\users\학생\AppData\Roaming), drawn
#    as the Linux app draws them;
#  - the app trains that lesson, trains on the photos of a Korean folder
#    (--data), and opens the model.
#
#   tests/windows/korean_user_test.sh LINUX_BUILD_DIR BUILD_WINDOWS_DIR
set -uo pipefail
linux_build="$(realpath "$1")"
win_build="$(realpath "$2")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root" || exit 1
name=korean_user_test
source tests/windows/lib.sh
need wine Xvfb python3
cli="$win_build/app/aisandbox-cli.exe"
app="$win_build/app/aisandbox.exe"
for f in "$cli" "$app"; do
  [ -f "$f" ] || { echo "korean_user_test: no $f: run make windows" >&2; exit 1; }
done

make_work
# A prefix of its own whose user is 학생: Wine names the profile after $USER
# when it makes the prefix.
export USER=학생 LOGNAME=학생
use_wine "${AISB_KOREAN_WINEPREFIX:-$win_build/wineprefix-ko}"
wine "$cli" --version >/dev/null 2>"$work/version.err" || {
  cat "$work/version.err" >&2
  echo "korean_user_test: aisandbox-cli.exe --version failed under Wine" >&2
  exit 1
}
# A new prefix goes on setting itself up after the first program ends (a
# window opened meanwhile fails): wait for its server to end.
wineserver -w
profile="$WINEPREFIX/drive_c/users/학생"
[ -d "$profile" ] || { echo "korean_user_test: Wine made no profile for 학생 in $WINEPREFIX" >&2; exit 1; }
start_xvfb
export AISANDBOX_DATA="Z:${root//\//\\}"

fail=0
ok() { echo "ok: $*"; }
bad() {
  echo "FAIL: $*" >&2
  fail=1
}

# The teacher's folder, the class's data and the student's own lesson.
teacher="학생 폴더/수업"
mkdir -p "$work/$teacher/데이터" "$work/학생 폴더/모델"
cp lessons/industry/data/pohang-air.csv "$work/$teacher/데이터/포항 대기.csv"
cp -r lessons/industry/data/pipe-photos "$work/학생 폴더/사진"
table_lesson korean-air "포항의 공기" "csv:데이터/포항 대기.csv" 12 >"$work/$teacher/포항 공기.toml"
cp -r lessons/basics "$work/$teacher/기초"  # a course, its lessons named by course.toml
# The student starts afresh (the prefix is kept between runs).
rm -rf "$profile/AppData/Roaming/AISandbox" "$profile/AppData/Local/AISandbox"
my_lessons_win="$profile/AppData/Roaming/AISandbox/lessons"
my_lessons_linux="$work/xdg-data/aisandbox/lessons"
mkdir -p "$my_lessons_win/데이터" "$my_lessons_linux/데이터"
for d in "$my_lessons_win" "$my_lessons_linux"; do
  table_lesson my-air "나의 공기 수업" "csv:데이터/포항 대기.csv" 12 >"$d/나의 수업.toml"
  cp lessons/industry/data/pohang-air.csv "$d/데이터/포항 대기.csv"
done
cd "$work" || exit 1

# ---------------------------------------------------------------- the CLI
model="학생 폴더/모델/포항 모델.aimodel"
"$linux_build/app/aisandbox-cli" train "$teacher/포항 공기.toml" --json --model "$work/linux.aimodel" \
  2>"$work/train.linux.err" | metrics >"$work/train.linux"
wine "$cli" train "$teacher/포항 공기.toml" --json --model "$model" 2>"$work/train.windows.err" |
  metrics >"$work/train.windows"
if grep -q '^done' "$work/train.linux" && cmp -s "$work/train.linux" "$work/train.windows"; then
  ok "the CLI trains $teacher/포항 공기.toml on 데이터/포항 대기.csv as Linux does: $(tail -n1 "$work/train.windows")"
else
  tr -d '\r' <"$work/train.windows.err" >&2
  diff "$work/train.linux" "$work/train.windows" | head -4 >&2
  bad "the CLI under a Korean user does not train the lesson on its Korean-named table as Linux does"
fi
if [ -s "$model" ]; then
  head -n 30 "$teacher/데이터/포항 대기.csv" >"$work/학생 폴더/새 측정.csv"
  "$linux_build/app/aisandbox-cli" predict "$work/linux.aimodel" "$work/학생 폴더/새 측정.csv" 2>&1 |
    sed 's|^.*새 측정\.csv|새 측정.csv|' >"$work/predict.linux"
  wine "$cli" predict "$model" "학생 폴더/새 측정.csv" 2>&1 | tr -d '\r' |
    sed 's|^.*새 측정\.csv|새 측정.csv|' >"$work/predict.windows"
  if [ "$(wc -l <"$work/predict.linux")" -ge 20 ] && cmp -s "$work/predict.linux" "$work/predict.windows"; then
    ok "predict from $model and 새 측정.csv: $(wc -l <"$work/predict.windows") lines, as Linux"
  else
    diff "$work/predict.linux" "$work/predict.windows" | head -6 >&2
    bad "predict from a Korean-named model and table differs from Linux"
  fi
else
  bad "the CLI wrote no model to $model"
fi

# ---------------------------------------------------------------- the app
# The lesson browser: the teacher's Korean folder and the student's own
# lessons (Windows: C:\users\학생\AppData\Roaming\AISandbox\lessons).
timeout 180 wine "$app" --lessons "$teacher" --lang ko --screenshot "$work/browser-windows.png" --frames 40 \
  >"$work/browser.log" 2>&1
if [ -s "$work/browser-windows.png" ]; then
  size="$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print("%dx%d" % struct.unpack(">II", d[16:24]))' \
    "$work/browser-windows.png")"
  XDG_DATA_HOME="$work/xdg-data" XDG_STATE_HOME="$work/xdg-state" "$linux_build/app/aisandbox" --lessons "$teacher" \
    --lang ko --size "$size" --screenshot "$work/browser-linux.png" --frames 40 >/dev/null 2>&1
  if python3 "$root/tests/package/png_compare.py" "$work/browser-windows.png" "$work/browser-linux.png" ${size/x/ } 0.02
  then
    ok "the app lists the lessons of $teacher and the student's own (나의 수업) as Linux does ($size)"
  else
    bad "the app's lesson browser under a Korean user differs from Linux's (pictures kept: KEEP=1)"
    [ -n "${KEEP:-}" ] && cp "$work"/browser-*.png "$root/"
  fi
else
  tr -d '\r' <"$work/browser.log" >&2
  bad "the app drew no lesson browser under a Korean user"
fi

# Training: a lesson of the Korean folder, then the photos of 사진/ (own
# data, one folder per class), then the model the CLI saved.
stats_ok() {  # NAME STATS LOG WHAT
  if python3 - "$2" "$1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]}: state {s['state']}, {s['steps_per_second']:.0f} steps/s")
sys.exit(0 if s["state"] in ("running", "finished") and s["steps_per_second"] > 0 else 1)
PY
  then ok "$4"
  else
    tr -d '\r' <"$3" >&2
    bad "$4"
  fi
}
timeout 180 wine "$app" --lesson "$teacher/포항 공기.toml" --autoplay --speed max --frames 150 \
  --screenshot "$work/lesson.png" --stats "$work/lesson.json" >"$work/lesson.log" 2>&1
stats_ok lesson "$work/lesson.json" "$work/lesson.log" "the app trains $teacher/포항 공기.toml"
timeout 180 wine "$app" --data "학생 폴더/사진" --autoplay --speed max --frames 150 \
  --screenshot "$work/photos.png" --stats "$work/photos.json" >"$work/photos.log" 2>&1
stats_ok photos "$work/photos.json" "$work/photos.log" "the app trains on the photos of 학생 폴더/사진 (own data)"
timeout 180 wine "$app" --model "$model" --frames 30 --screenshot "$work/model.png" --stats "$work/model.json" \
  >"$work/model.log" 2>&1
if python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(0 if s["state"]=="finished" else 1)' \
  "$work/model.json" 2>/dev/null; then
  ok "the app opens $model"
else
  tr -d '\r' <"$work/model.log" >&2
  bad "the app does not open a model saved under a Korean name"
fi
exit $fail
