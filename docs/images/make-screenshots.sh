#!/usr/bin/env bash
# Renders the README's screenshots with the app itself, under Xvfb:
#   docs/images/make-screenshots.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
app=${1:-build}/app/aisandbox
out=docs/images
state=$(mktemp -d)
Xvfb :93 -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb; rm -rf "$state"' EXIT
sleep 1
shot() {  # name, then the app's arguments
  local name=$1; shift
  DISPLAY=:93 XDG_STATE_HOME=$state XDG_DATA_HOME=$state XDG_CONFIG_HOME=${XDG_CONFIG_HOME:-$state/none} "$app" --size 1440x900 "$@" --screenshot "$out/$name.png"
  echo "$out/$name.png"
}
shot browser-ko --lang ko --frames 30
shot playground-en --lang en --playground --autoplay --frames 400
shot lesson-xor-ko --lang ko --lesson lessons/basics/02-xor-hidden-layer.toml --autoplay --frames 300
shot lesson-steel-dark-en --lang en --theme dark --lesson lessons/images/03-steel-defects.toml --autoplay --speed max --frames 900
shot authoring-ko --lang ko --edit lessons/basics/06-overfitting.toml --frames 30
shot lesson-battery-ko --lang ko --lesson lessons/industry/02-battery-lstm.toml --autoplay --frames 480

# The compute center: a center on loopback, a few students' runs, one
# student's lesson at the center, and the teacher's class view.
center=${1:-build}/app/aisandbox-center
cli=${1:-build}/app/aisandbox-cli
data=$state/center
class=$("$center" class create "포항고 2-3" --data "$data")
code=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["class_code"])' "$class")
teacher=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["teacher_token"])' "$class")
"$center" serve --data "$data" --listen 127.0.0.1:18479 >/dev/null &
center_pid=$!
trap 'kill $xvfb $center_pid; rm -rf "$state"' EXIT
sleep 0.5
url=http://127.0.0.1:18479
for pair in 민지:basics/04-spiral-features 지수:basics/03-circle-width 서연:basics/02-xor-hidden-layer 도윤:industry/01-smart-farm; do
  name=${pair%%:*}; lesson=${pair#*:}
  XDG_CONFIG_HOME=$state/$name "$cli" login --center $url --class "$code" --name "$name" >/dev/null
  XDG_CONFIG_HOME=$state/$name "$cli" submit "lessons/$lesson.toml" >/dev/null
done
XDG_CONFIG_HOME=$state/하준 "$cli" login --center $url --class "$code" --name 하준 >/dev/null
XDG_CONFIG_HOME=$state/하준 shot center-run-en --lang en --lesson lessons/basics/04-spiral-features.toml --device center --autoplay --frames 300
mkdir -p "$state/teacher/aisandbox"
printf 'url = "%s"\ntoken = "%s"\nrole = "teacher"\nname = "포항고 2-3"\n' $url "$teacher" > "$state/teacher/aisandbox/center.toml"
XDG_CONFIG_HOME=$state/teacher shot class-view-ko --lang ko --open class --frames 90
