#!/bin/sh
# The export tests run ONNX files in ONNX Runtime, which Debian does not
# package: the npm package onnxruntime-node carries its CPU runtime. This
# installs it into DIR (the build folder's npm/) once; `--ignore-scripts`
# skips its install script, which would only download GPU providers. Run by
# ctest as the fixture of the ONNX tests.
#
#   install_onnxruntime.sh DIR
set -eu
dir=$1
version=1.30.0
works() {
  node -e "require(process.argv[1])" "$dir/node_modules/onnxruntime-node" >/dev/null 2>&1
}
if [ -f "$dir/node_modules/onnxruntime-node/package.json" ] &&
   grep -q "\"version\": \"$version\"" "$dir/node_modules/onnxruntime-node/package.json" && works; then
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "install_onnxruntime: npm is missing (installer/deps.sh installs it)" >&2; exit 1; }
mkdir -p "$dir"
[ -f "$dir/package.json" ] || echo '{"private": true, "description": "ONNX Runtime for the export tests"}' > "$dir/package.json"
npm install --prefix "$dir" --ignore-scripts --no-audit --no-fund --loglevel=error "onnxruntime-node@$version"
if ! works; then
  echo "install_onnxruntime: onnxruntime-node was installed in $dir but does not load" >&2
  exit 1
fi
