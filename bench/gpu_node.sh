#!/usr/bin/env bash
# On an NVIDIA machine with PyTorch installed: build what a GPU node runs (the
# CLI, the worker, their tests) against PyTorch's libtorch, run those tests,
# then bench/gpu.py. Needs no Debian -dev package when third_party/ holds
# nlohmann/, toml++/, CLI/ and googletest/ (see README, "Building for a GPU").
#
#   bash bench/gpu_node.sh            # BUILD=build-cuda by default
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-cuda}
prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)') || {
  echo "gpu_node.sh: python3 cannot import torch; install PyTorch with CUDA first" >&2
  exit 2
}
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
start=$(date +%s)
cmake -S . -B "$BUILD" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
  -DAISB_BUILD_APP=OFF -DAISB_BUILD_CENTER=OFF -DAISB_WARNINGS_AS_ERRORS=OFF || exit 1
keep_going=(-k)
[ ${#generator[@]} -gt 0 ] && keep_going=(-k 0)  # every compile error in one go
cmake --build "$BUILD" -j"$(nproc)" -- "${keep_going[@]}" || exit 1
echo "built in $(($(date +%s) - start)) s"
"$BUILD"/app/aisandbox-cli --version
ctest --test-dir "$BUILD" -j"$(nproc)" --output-on-failure --timeout 300
tests=$?
BUILD=$BUILD python3 bench/gpu.py "$@"
exit $((tests || $?))
