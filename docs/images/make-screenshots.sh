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
  DISPLAY=:93 XDG_STATE_HOME=$state XDG_DATA_HOME=$state "$app" --size 1440x900 "$@" --screenshot "$out/$name.png"
  echo "$out/$name.png"
}
shot browser-ko --lang ko --frames 30
shot playground-en --lang en --playground --autoplay --frames 400
shot lesson-xor-ko --lang ko --lesson lessons/basics/02-xor-hidden-layer.toml --autoplay --frames 300
shot lesson-steel-dark-en --lang en --theme dark --lesson lessons/images/03-steel-defects.toml --autoplay --speed max --frames 900
shot authoring-ko --lang ko --edit lessons/basics/06-overfitting.toml --frames 30
