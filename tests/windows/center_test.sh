#!/usr/bin/env bash
# The Windows CLI and a compute center (issue 17): a Linux aisandbox-center
# with its worker, started here on a free 127.0.0.1 port with a data folder
# of its own, and the cross-built aisandbox-cli.exe under Wine talking to it
# through WinHTTP (runtime/net/http_client_winhttp.cpp). A student logs in
# (the login kept under %APPDATA%\AISandbox), submits a CNN lesson and
# follows it to the end with its final metrics; lessons whose data goes up
# first (a CSV table, a folder of photos) run too; a detached run is
# watched and its model fetched (the same bytes as the Linux CLI gets); the
# teacher publishes a lesson and lists the roster. Hostile and failing
# cases: an answer cut short, a wrong personal code, a bad address, the
# center gone, each with the Linux CLI's exit code (and words, where the
# Linux CLI can be asked the same). Only 127.0.0.1 traffic. The saved login
# in the Wine prefix is removed before and after.
#
#   tests/windows/center_test.sh LINUX_BUILD_DIR WINDOWS_CLI_EXE
set -uo pipefail
build="$(realpath "$1")"
exe="$(realpath "$2")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root" || exit 1
center_bin="$build/app/aisandbox-center"
worker_bin="$build/app/aisandbox-worker"
linux_cli="$build/app/aisandbox-cli"
name=center_test
source tests/windows/lib.sh
need wine python3
for f in "$center_bin" "$worker_bin" "$linux_cli"; do
  [ -x "$f" ] || { echo "center_test: no $f: build aisandbox-center aisandbox-worker aisandbox-cli" >&2; exit 1; }
done
[ -f "$exe" ] || { echo "center_test: no Windows CLI at $exe: run make windows" >&2; exit 1; }

make_work
fake_pid=""
trap 'cleanup_work; [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null' EXIT

# The same Wine prefix as cli_test.sh (made once; its first start takes ~10 s).
use_wine "${AISB_WINEPREFIX:-$(dirname "$exe")/../wineprefix}"
# No proxy for Wine's WinHTTP to pick up from this machine's environment.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
if ! wine "$exe" --version >"$work/version.txt" 2>"$work/version.err"; then
  cat "$work/version.err" >&2
  echo "center_test: aisandbox-cli.exe --version failed under Wine" >&2
  exit 1
fi
# Where the Windows CLI keeps its login: %APPDATA%\AISandbox\center.toml.
appdata_win="$(wine cmd /c echo %APPDATA% 2>/dev/null | tr -d '\r')"
appdata="$(winepath -u "$appdata_win" 2>/dev/null)"
[ -n "$appdata" ] && [ -d "$appdata" ] || { echo "center_test: Wine has no %APPDATA% ($appdata_win)" >&2; exit 1; }
saved="$appdata/AISandbox/center.toml"
rm -f "$saved"

start_center "$build"
echo "center at $url (class $class_code)"

fail=0

# Logging in as a student: a token, and the login kept under %APPDATA%.
wine "$exe" --lang en login --center "$url" --class "$class_code" --name 민지 --json \
  >"$work/login.out" 2>"$work/login.err"
check_exit "login to the center" $? 0 "$work/login.out" "$work/login.err"
if python3 -c '
import json, sys, tomllib
token = json.loads(open(sys.argv[1]).read())["token"]
kept = tomllib.load(open(sys.argv[2], "rb"))
assert len(token) == 64 and kept["token"] == token and kept["url"] == sys.argv[3] and kept["name"] == "민지"
' "$work/login.out" "$saved" "$url" 2>"$work/kept.err"; then
  echo "ok: the login is kept in $appdata_win\\AISandbox\\center.toml"
else
  tr -d '\r' <"$work/login.out" >&2
  cat "$work/kept.err" >&2
  echo "FAIL: no token, or no login kept at $saved" >&2
  fail=1
fi

# A CNN lesson submitted and followed to its end: every event in order, a
# metrics event for each epoch, and `done` completed with the last metrics.
epochs=3
lesson=lessons/images/02-digits-cnn.toml
timeout 300 wine "$exe" --lang en submit "$lesson" --epochs "$epochs" --json >"$work/submit.out" 2>"$work/submit.err"
check_exit "submit $lesson --epochs $epochs --json, followed to the end" $? 0 "$work/submit.err"
if tr -d '\r' <"$work/submit.out" | python3 -c '
import json, sys
epochs = int(sys.argv[1])
events = [json.loads(l) for l in sys.stdin if l.strip()]
assert events, "no events"
seqs = [e["seq"] for e in events]
assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), "events out of order or repeated"
metrics = [e for e in events if e["type"] == "metrics"]
assert [m["epoch"] for m in metrics][-1] == epochs, "not every epoch has its metrics"
done = events[-1]
assert done["type"] == "done" and done["reason"] == "completed", done
last = metrics[-1]
assert isinstance(last["test_accuracy"], float) and 0.0 <= last["test_accuracy"] <= 1.0, last
assert isinstance(last["train_loss"], float) and last["train_loss"] > 0, last
print("ok: %d events; epoch %d: train_loss %.4f, test_accuracy %.3f" % (len(events), last["epoch"], last["train_loss"], last["test_accuracy"]))
' "$epochs"; then
  :
else
  tr -d '\r' <"$work/submit.out" | tail -n 5 >&2
  echo "FAIL: the run did not complete with its final metrics" >&2
  fail=1
fi

# The same without --json: the progress view, exit 0.
timeout 300 wine "$exe" --lang en submit "$lesson" --epochs 1 >"$work/submit-view.out" 2>"$work/submit-view.err"
check_exit "submit --epochs 1 (progress view)" $? 0 "$work/submit-view.out" "$work/submit-view.err"

# A lesson's own data goes up first (a PUT of the file in pieces, after a
# HEAD): a CSV table as it is, and a folder of photos packed as a tar in
# %LOCALAPPDATA%\AISandbox\cache; each run then completes at the center.
for own in lessons/industry/05-pohang-air-csv.toml lessons/industry/06-pipe-photos.toml; do
  submit_to_end "$exe" "$own" "submit $own (its data uploaded)"
done

# --detach, then watch from the first event to the end, then the run's
# model fetched into a folder with a Korean name: the same bytes the Linux
# CLI fetches with the same token.
token="$(tr -d '\r' <"$work/login.out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
wine "$exe" --lang en submit "$lesson" --epochs 2 --detach >"$work/detach.out" 2>"$work/detach.err"
check_exit "submit --detach" $? 0 "$work/detach.err"
job="$(tr -d '\r' <"$work/detach.out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["job"])' 2>/dev/null)"
timeout 300 wine "$exe" --lang en watch "$job" --json >"$work/watch.out" 2>"$work/watch.err"
check_exit "watch $job" $? 0 "$work/watch.err"
tr -d '\r' <"$work/watch.out" | tail -n1 | grep -q '"reason":"completed"' || {
  echo "FAIL: watch did not follow $job to its end" >&2
  fail=1
}
mkdir -p "$work/학생 폴더"
wine "$exe" --lang en model "$job" -o "$work/학생 폴더/숫자.aimodel" >/dev/null 2>"$work/model.err"
check_exit "model $job -o 학생 폴더/숫자.aimodel" $? 0 "$work/model.err"
LANG=C LC_ALL=C "$linux_cli" --lang en model "$job" --center "$url" --token "$token" -o "$work/linux.aimodel" \
  >/dev/null 2>&1
if [ -s "$work/linux.aimodel" ] && cmp -s "$work/linux.aimodel" "$work/학생 폴더/숫자.aimodel"; then
  echo "ok: the model file is the one the Linux CLI fetches ($(stat -c %s "$work/linux.aimodel") bytes)"
else
  echo "FAIL: the model fetched under Wine differs from the Linux CLI's, or is missing" >&2
  fail=1
fi

# The teacher's side (class_command.cpp): the teacher's token, a lesson
# published to the class, the roster.
wine "$exe" --lang en login --center "$url" --teacher "$teacher_token" >/dev/null 2>"$work/teacher.err"
check_exit "login --teacher" $? 0 "$work/teacher.err"
wine "$exe" --lang en class publish "$lesson" --json >"$work/publish.out" 2>"$work/publish.err"
check_exit "class publish $lesson" $? 0 "$work/publish.err"
grep -q '"digits-cnn"' "$work/publish.out" || { echo "FAIL: the published lesson is not in the answer" >&2; fail=1; }
wine "$exe" --lang en class roster --json >"$work/roster.out" 2>"$work/roster.err"
check_exit "class roster" $? 0 "$work/roster.err"
grep -q '민지' "$work/roster.out" || { echo "FAIL: 민지 is not on the roster" >&2; fail=1; }

# Hostile and failing cases, with the Linux CLI's exit codes and words.
# A "center" that promises 1000 bytes and closes after 12: exit 3, cut short.
cat >"$work/fake.py" <<'FAKE'
import socket, threading
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print(s.getsockname()[1], flush=True)
def serve(c):
    data = b""
    while b"\r\n\r\n" not in data:
        got = c.recv(65536)
        if not got:
            return c.close()
        data += got
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n"
              b"Connection: close\r\n\r\n{\"token\": \"ab")
    c.shutdown(socket.SHUT_WR)
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
FAKE
python3 "$work/fake.py" >"$work/fake.port" &
fake_pid=$!
for _ in $(seq 50); do [ -s "$work/fake.port" ] && break; sleep 0.1; done
fake_url="http://127.0.0.1:$(cat "$work/fake.port")"
wine "$exe" --lang en login --center "$fake_url" --class X --name y >/dev/null 2>"$work/cut.err"
status=$?
LANG=C LC_ALL=C XDG_CONFIG_HOME="$work/linux-home" "$linux_cli" --lang en login --center "$fake_url" --class X \
  --name y >/dev/null 2>"$work/cut-linux.err"
check_exit "an answer cut short is Unreachable" "$status" 3 "$work/cut.err"
if diff <(tr -d '\r' <"$work/cut.err" | grep aisandbox-cli) "$work/cut-linux.err" >/dev/null; then
  echo "ok: the same words as on Linux: $(tr -d '\r' <"$work/cut.err" | grep aisandbox-cli)"
else
  echo "FAIL: an answer cut short: Windows said, then Linux:" >&2
  tr -d '\r' <"$work/cut.err" >&2
  cat "$work/cut-linux.err" >&2
  fail=1
fi
kill "$fake_pid" 2>/dev/null
wait "$fake_pid" 2>/dev/null
fake_pid=""
# A wrong personal code: the center refuses (exit 1), in the same words as
# the Linux CLI gets.
wine "$exe" --lang en login --center "$url" --class "$class_code" --name 민지 --code WRONG-CODE \
  >"$work/wrong.out" 2>"$work/wrong.err"
status=$?
LANG=C LC_ALL=C XDG_CONFIG_HOME="$work/linux-home" "$linux_cli" --lang en login --center "$url" \
  --class "$class_code" --name 민지 --code WRONG-CODE >"$work/wrong-linux.out" 2>"$work/wrong-linux.err"
linux_status=$?
check_exit "a wrong personal code is refused" "$status" "$linux_status" "$work/wrong.err"
if [ "$status" = 1 ] && diff <(tr -d '\r' <"$work/wrong.err") "$work/wrong-linux.err" >/dev/null; then
  echo "ok: the same words as on Linux: $(tr -d '\r' <"$work/wrong.err" | head -n1)"
else
  echo "FAIL: a wrong code: Windows said, then Linux:" >&2
  tr -d '\r' <"$work/wrong.err" >&2
  cat "$work/wrong-linux.err" >&2
  fail=1
fi
# An address that is not a center's: exit 2, as on Linux.
wine "$exe" --lang en login --center not-a-url --class X --name y >/dev/null 2>"$work/bad-url.err"
check_exit "a bad address is a usage error" $? 2 "$work/bad-url.err"

# The center gone: exit 3 (Unreachable) for login and for submit.
stop_center
wine "$exe" --lang en submit "$lesson" --epochs 1 >/dev/null 2>"$work/gone.err"
status=$?
check_exit "submit to a center that is gone is Unreachable" "$status" 3 "$work/gone.err"
grep -q "127.0.0.1" "$work/gone.err" && echo "ok: it says: $(tr -d '\r' <"$work/gone.err" | head -n1)"
wine "$exe" --lang en login --center "$url" --class "$class_code" --name 민지 >/dev/null 2>"$work/gone-login.err"
check_exit "login to a center that is gone is Unreachable" $? 3 "$work/gone-login.err"

rm -f "$saved"
[ "$fail" = 0 ] && echo "center_test: all passed"
exit $fail
