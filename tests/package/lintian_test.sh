#!/usr/bin/env bash
# lintian on the three packages: no error, and every warning explained in
# installer/README.md (the tag's name in its "lintian" section).
#   tests/package/lintian_test.sh DEBS_DIR installer/README.md
set -euo pipefail
debs=$1 readme=$2
command -v lintian >/dev/null || {
  echo "lintian_test: FAIL: lintian is not installed (installer/deps.sh installs it)" >&2
  exit 1
}
shopt -s nullglob
files=("$debs"/*.deb)
[ ${#files[@]} -eq 3 ] || { echo "lintian_test: FAIL: expected 3 packages in $debs, found ${#files[@]}" >&2; exit 1; }
out=$(lintian --tag-display-limit 0 "${files[@]}" 2>&1) || true
echo "$out"
# The section of the README that explains the warnings.
explained=$(awk '/^## .*[Ll]intian/ {s = 1; next} /^## / {s = 0} s' "$readme")
status=0
while read -r kind pkg tag _; do
  pkg=${pkg%:}
  case "$kind" in
    E:)
      echo "lintian_test: FAIL: error $tag in $pkg" >&2
      status=1
      ;;
    W:)
      if ! grep -qF -- "$tag" <<<"$explained"; then
        echo "lintian_test: FAIL: warning $tag in $pkg is not explained in $readme (section on lintian)" >&2
        status=1
      fi
      ;;
  esac
done <<<"$out"
# The desktop entry and the AppStream metainfo, as the package installs them.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$debs"/aisandbox_*.deb "$tmp"
desktop=("$tmp"/usr/share/applications/*.desktop)
metainfo=("$tmp"/usr/share/metainfo/*.metainfo.xml)
[ ${#desktop[@]} -eq 1 ] && [ ${#metainfo[@]} -eq 1 ] || {
  echo "lintian_test: FAIL: aisandbox has ${#desktop[@]} desktop entries and ${#metainfo[@]} metainfo files, not 1 and 1" >&2
  status=1
}
for f in "${desktop[@]}"; do
  if ! command -v desktop-file-validate >/dev/null; then
    echo "lintian_test: FAIL: desktop-file-validate is not installed (installer/deps.sh installs desktop-file-utils)" >&2
    status=1
  elif ! desktop-file-validate "$f"; then
    echo "lintian_test: FAIL: $(basename "$f") does not pass desktop-file-validate" >&2
    status=1
  fi
done
for f in "${metainfo[@]}"; do
  if ! command -v appstreamcli >/dev/null; then
    echo "lintian_test: FAIL: appstreamcli is not installed (installer/deps.sh installs appstream)" >&2
    status=1
  elif ! appstreamcli validate --no-net "$f"; then
    echo "lintian_test: FAIL: $(basename "$f") does not pass appstreamcli validate" >&2
    status=1
  fi
done
errors=$(grep -c '^E: ' <<<"$out" || true)
warnings=$(grep -c '^W: ' <<<"$out" || true)
echo "lintian_test: $errors error(s), $warnings warning(s) over ${#files[@]} packages"
exit $status
