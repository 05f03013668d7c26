# What the Windows tests under Wine share (sourced by tests/windows/*.sh,
# which set `name` first): the tools they need, a work folder that goes at
# exit with the X server and the Wine server, and Wine's settings.

# need TOOL...: ends the test when one is missing.
need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$name: $tool is missing: run installer/deps.sh" >&2; exit 1; }
  done
}

# make_work: $work, a new folder; at exit the Wine server and Xvfb (if
# started) end and the folder goes.
make_work() {
  work="$(mktemp -d)"
  xvfb_pid=""
  center_pid=""
  trap cleanup_work EXIT
  trap 'exit 130' INT TERM
}
cleanup_work() {
  stop_center
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
  wineserver -k 2>/dev/null
  rm -rf "$work"
}

# start_xvfb: an X server of its own (the number it picks is free), as
# $DISPLAY.
start_xvfb() {
  local fd display
  exec {fd}<> <(:)
  Xvfb -displayfd "$fd" -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  read -r -t 20 display <&"$fd" || { echo "$name: Xvfb did not start" >&2; exit 1; }
  export DISPLAY=":$display"
}

# use_wine PREFIX: Wine with this prefix, no Mono or Gecko installers and no
# messages from Wine itself. A server left by an earlier run of the prefix
# belongs to another display (or none): its windows would not open on ours.
use_wine() {
  export WINEPREFIX="$1" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  mkdir -p "$WINEPREFIX"
  wineserver -k 2>/dev/null
}

# metrics < EVENTS: each epoch's losses and accuracies from `train --json`,
# as JSON numbers (shortest round trip), one line an epoch.
metrics() {
  tr -d '\r' | python3 -c '
import json, sys
for line in sys.stdin:
    if not line.strip():
        continue
    e = json.loads(line)
    if e["type"] in ("metrics", "done"):
        print(e["type"], e["epoch"], e["step"], *(repr(e.get(k)) for k in ("train_loss", "test_loss", "train_accuracy", "test_accuracy")))
'
}

# table_lesson ID TITLE SOURCE EPOCHS: a lesson with a small dense network
# on a copy of lessons/industry/data/pohang-air.csv at SOURCE ("csv:...").
table_lesson() {
  cat <<LESSON
format = 1
id = "$1"
title.en = "$2"
title.ko = "$2"
[dataset]
source = "$3"
target = "PM2.5"
features = ["기온", "습도", "풍속", "측정소"]
missing = "drop"
test_fraction = 0.25
seed = 1
[model]
task = "regression"
layers = [{ type = "dense", units = 8, activation = "tanh" }]
[training]
optimizer = "adam"
learning_rate = 0.01
batch_size = 32
epochs = $4
seed = 1
LESSON
}

# check_exit WHAT STATUS WANTED [FILE...]: ok, or FAIL with the files
# (a program's output) shown and fail=1.
check_exit() {
  local what="$1" status="$2" wanted="$3"
  shift 3
  if [ "$status" = "$wanted" ]; then
    echo "ok: $what (exit $status)"
  else
    for f in "$@"; do tr -d '\r' <"$f" >&2; done
    echo "FAIL: $what: exit $status, wanted $wanted" >&2
    fail=1
  fi
}

# submit_to_end EXE LESSON WHAT: the Windows CLI submits LESSON for one
# epoch to the center it is logged in to and follows it to the end; ok, or
# FAIL ("WHAT") and fail=1.
submit_to_end() {
  local exe="$1" lesson="$2" what="$3" out="$work/$(basename "$2" .toml)"
  timeout 300 wine "$exe" --lang en submit "$lesson" --epochs 1 --json >"$out.out" 2>"$out.err"
  check_exit "$what" $? 0 "$out.err"
  if ! tr -d '\r' <"$out.out" | tail -n1 | grep -q '"reason":"completed"'; then
    tr -d '\r' <"$out.out" | tail -n 3 >&2
    echo "FAIL: $lesson did not complete at the center" >&2
    fail=1
  fi
}

# start_center LINUX_BUILD_DIR [SERVE_OPTION...]: a center of the Linux
# build with one local worker, on a free 127.0.0.1 port, its data in
# $work/center: small limits, a heartbeat every 0.2 s, and a class
# "포항고 2-3". Sets url, center_pid, class_code and teacher_token.
start_center() {
  local build="$1" data="$work/center"
  shift
  mkdir -p "$data"
  cat >"$data/center.toml" <<'SETTINGS'
[limits]
max_samples = 5000
max_queued_per_student = 3
requests_per_minute = 100000
[stream]
heartbeat_seconds = 0.2
poll_ms = 20
[local]
workers = 1
[worker]
checkpoint_seconds = 0.1
SETTINGS
  "$build/app/aisandbox-center" class create "포항고 2-3" --data "$data" >"$work/class.json" 2>"$work/class.err" || {
    cat "$work/class.err" >&2
    echo "FAIL: aisandbox-center class create" >&2
    exit 1
  }
  class_code="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["class_code"])' "$work/class.json")"
  teacher_token="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["teacher_token"])' \
    "$work/class.json")"
  "$build/app/aisandbox-center" serve --data "$data" --listen 127.0.0.1:0 --worker "$build/app/aisandbox-worker" \
    "$@" >"$work/center.out" 2>"$work/center.err" &
  center_pid=$!
  url=""
  for _ in $(seq 100); do
    url="$(grep -Eo 'https?://127\.0\.0\.1:[0-9]*' "$work/center.out" | head -n1)"
    [ -n "$url" ] && break
    kill -0 "$center_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$url" ]; then
    cat "$work/center.out" "$work/center.err" >&2
    echo "FAIL: the center did not start" >&2
    exit 1
  fi
}

stop_center() {
  if [ -n "${center_pid:-}" ]; then
    kill "$center_pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$center_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$center_pid" 2>/dev/null
    wait "$center_pid" 2>/dev/null
    center_pid=""
  fi
}
