#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages AI Sandbox needs, and only those that are
# missing. Safe to run again and again; says what it installs.
#
#   installer/deps.sh           build and test dependencies
#   installer/deps.sh --bench   the same (the benchmarks' peers, PyTorch from Python and Node.js, are test dependencies now)
#   installer/deps.sh --check   only list what is missing (exit 1 if anything is)
set -euo pipefail

build=(build-essential cmake make pkg-config ccache)
# A class's own data: CSV (libcsv), images (stb_image), image folders as tars
# (libarchive), their content hashes (OpenSSL's SHA-256).
runtime=(libtorch-dev libopenblas0 libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libcsv-dev libarchive-dev libstb-dev libssl-dev)
# Exporting a trained model to ONNX: ONNX's own protobuf messages.
runtime+=(libonnx-dev libprotobuf-dev)
# HTTP: the client the CLI and the app use (libcurl: proxies, the system's
# certificates); the compute center's server (Boost.Beast over Asio, headers
# only), its store (SQLite), TLS, token and code hashing (OpenSSL), and the
# Unicode normalisation (NFC) of students' names (utf8proc).
center=(libcurl4-openssl-dev libboost-dev libsqlite3-dev libssl-dev libutf8proc-dev)
# The desktop app: window, GL, Dear ImGui with its GLFW/OpenGL3 backends,
# stb (PNG screenshots), md4c (lesson text), Korean fonts; Xvfb and Mesa's
# software renderer so its tests draw real frames on a machine with no screen.
gui=(libimgui-dev libglfw3-dev libgl-dev libstb-dev libmd4c-dev fonts-nanum xvfb libgl1-mesa-dri libglx-mesa0)
# The center's tests run a real one-node Slurm (munge, slurmctld, slurmd),
# make a TLS certificate with openssl, and put the center behind nginx as an
# operator would (a reverse proxy that ends TLS).
tests=(libgtest-dev libgmock-dev libbenchmark-dev coreutils munge slurmctld slurmd slurm-client openssl nginx)
# The export tests run what they export: model.py under PyTorch with Pillow
# and NumPy for images; ONNX's checker;
# the notebook in a Jupyter kernel (nbclient, ipykernel, matplotlib); Node.js
# and npm for ONNX Runtime (onnxruntime-node, which the tests install from
# npm into the build folder). NodeSource's nodejs carries its own npm, which
# Debian's npm package would conflict with.
tests+=(python3-torch python3-numpy python3-pil python3-onnx python3-nbclient
        python3-nbformat python3-ipykernel python3-matplotlib nodejs)
command -v npm >/dev/null 2>&1 || tests+=(npm)
# The Debian packages (`make package`, tests/package): man pages from the
# programs' --help (help2man), CPack's dpkg-shlibdeps (dpkg-dev), lintian,
# a clean Debian 12 to install them into (debootstrap), the center's unit
# checked (systemd-analyze, in systemd), the desktop entry and AppStream
# metainfo checked (desktop-file-utils, appstream); rsvg-convert
# (librsvg2-bin) renders the icon's PNGs (installer/make-icons.sh).
tests+=(help2man dpkg-dev lintian debootstrap systemd desktop-file-utils appstream librsvg2-bin)
# Windows (make windows, make test-windows): the MinGW-w64 cross-compiler
# (posix threads), NSIS for its installer, and Wine to run what it builds;
# dpkg-dev (above) unpacks the Debian source packages the Windows libraries
# are built from.
windows=(g++-mingw-w64-x86-64-posix wine wine64 nsis)
# The benchmarks' peers (PyTorch from Python, Node.js) are in the tests' list now.
bench=()

want=("${build[@]}" "${runtime[@]}" "${center[@]}" "${gui[@]}" "${tests[@]}" "${windows[@]}")
check_only=0
for arg in "$@"; do
  case "$arg" in
    --bench) want+=("${bench[@]}") ;;
    --check) check_only=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "deps.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

missing=()
for pkg in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#want[@]} packages are installed"
  exit 0
fi
echo "deps: missing ${#missing[@]} package(s): ${missing[*]}"
[ "$check_only" -eq 1 ] && exit 1

if ! command -v apt-get >/dev/null 2>&1; then
  echo "deps: this script needs apt-get (Debian or Ubuntu); install the packages above by hand" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "deps: not root and no sudo: run this script as root" >&2
    exit 1
  fi
  sudo=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
echo "deps: apt-get update"
"${sudo[@]}" apt-get update -q
echo "deps: installing ${missing[*]}"
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "deps: done"
