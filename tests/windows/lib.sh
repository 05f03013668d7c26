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
  trap cleanup_work EXIT
}
cleanup_work() {
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
