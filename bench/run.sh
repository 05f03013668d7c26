#!/usr/bin/env bash
# make bench: builds nothing itself (make does), runs the comparisons.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 bench/compare.py
