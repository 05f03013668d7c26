#!/usr/bin/env bash
# The Windows CLI and a center that serves HTTPS (issue 17): WinHTTP's TLS
# (Windows' own, Wine's here) with the center's certificate. On a PC that
# does not trust the certificate the student is told so and nothing is sent
# (exit 3, the Linux CLI's code); once the certificate's authority is
# trusted (tests/windows/add_root_cert.cpp, as a school's technician adds
# its own authority), the student logs in, a CNN lesson runs and streams
# its events to the end, and a lesson's own table goes up, all over TLS.
# A fresh Wine prefix (a PC of its own); only 127.0.0.1 traffic.
#
# Wine checks a certificate's name against its common name only, not an
# IP address in subjectAltName, so the test's certificate names 127.0.0.1
# in its CN.
#
#   tests/windows/tls_test.sh LINUX_BUILD_DIR WINDOWS_CLI_EXE
set -uo pipefail
build="$(realpath "$1")"
exe="$(realpath "$2")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root" || exit 1
name=tls_test
source tests/windows/lib.sh
need wine python3 openssl x86_64-w64-mingw32-g++-posix
[ -f "$exe" ] || { echo "tls_test: no Windows CLI at $exe: run make windows" >&2; exit 1; }

make_work
use_wine "$work/wine"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
wine "$exe" --version >/dev/null 2>"$work/version.err" || {
  cat "$work/version.err" >&2
  echo "tls_test: aisandbox-cli.exe --version failed under Wine" >&2
  exit 1
}
wineserver -w  # the new prefix finishes setting itself up

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -keyout "$work/key.pem" \
  -out "$work/cert.pem" 2>"$work/openssl.err" || {
  cat "$work/openssl.err" >&2
  exit 1
}
openssl x509 -in "$work/cert.pem" -outform der -out "$work/cert.der"
x86_64-w64-mingw32-g++-posix -std=c++20 -municode -O1 -static -o "$work/add_root_cert.exe" \
  tests/windows/add_root_cert.cpp -lcrypt32 || exit 1
start_center "$build" --tls-cert "$work/cert.pem" --tls-key "$work/key.pem"
case "$url" in
  https://*) echo "center at $url" ;;
  *)
    echo "FAIL: the center did not serve HTTPS ($url)" >&2
    exit 1
    ;;
esac

fail=0

# Not trusted yet: refused, in words, and no login kept.
wine "$exe" --lang en login --center "$url" --class "$class_code" --name 서연 >/dev/null 2>"$work/untrusted.err"
check_exit "a center whose certificate this PC does not trust is refused" $? 3 "$work/untrusted.err"
if tr -d '\r' <"$work/untrusted.err" | grep -q "certificate"; then
  echo "ok: it says: $(tr -d '\r' <"$work/untrusted.err" | head -n1)"
else
  tr -d '\r' <"$work/untrusted.err" >&2
  echo "FAIL: the refusal does not name the certificate" >&2
  fail=1
fi

# Trusted: everything a student does, over TLS.
wine "$work/add_root_cert.exe" "$(winepath -w "$work/cert.der")" || {
  echo "FAIL: the certificate could not be trusted in the Wine prefix" >&2
  exit 1
}
wine "$exe" --lang en login --center "$url" --class "$class_code" --name 서연 --json >"$work/login.out" \
  2>"$work/login.err"
check_exit "login over HTTPS" $? 0 "$work/login.err"
for lesson in lessons/images/02-digits-cnn.toml lessons/industry/05-pohang-air-csv.toml; do
  submit_to_end "$exe" "$lesson" "submit $lesson over HTTPS, followed to the end"
done
[ "$fail" = 0 ] && echo "tls_test: all passed"
exit $fail
