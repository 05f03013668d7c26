#!/usr/bin/env bash
# make bench: builds nothing itself (make does), runs the comparisons.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 bench/compare.py
echo
python3 bench/gpu.py
echo
python3 bench/cnn_cpu.py
echo
python3 bench/app.py
echo
python3 bench/center.py
echo
python3 bench/csv.py
echo
python3 bench/images.py
