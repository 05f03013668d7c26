#!/usr/bin/env bash
# `make run`: the app on the first lesson, or, with no display (or no app in
# this build), the same lesson trained in the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
lesson=$(ls lessons/basics/*.toml | sort | head -n 1)

if [ -x "$build/app/aisandbox" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  exec "$build/app/aisandbox" --lesson "$lesson"
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found, so the app cannot open a window: training $lesson in the terminal instead."
else
  echo "This build has no desktop app (ImGui or GLFW was missing when it was configured; run installer/deps.sh and make again): training $lesson in the terminal instead."
fi
exec "$build/app/aisandbox-cli" train "$lesson"
