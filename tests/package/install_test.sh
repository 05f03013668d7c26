#!/usr/bin/env bash
# The packages as a school's IT person and a center's operator install them:
# `apt-get install ./*.deb` into a clean Debian 12 (debootstrap minbase),
# then, in there, with the installed programs only:
#   - every program's --version names libtorch (the worker's module loads);
#   - aisandbox-cli checks the installed lessons and trains one on libtorch;
#   - the app draws the lesson browser in Korean under Xvfb, as the build's
#     own app draws it here (the fonts and GL came with the package), and its
#     About box;
#   - the center's unit passes `systemd-analyze verify`; the center runs as
#     its user, as the unit starts it, with the installed config, answers
#     /api/v1/health and runs a student's job through the installed worker;
#   - removing the center keeps its data, purging deletes it; the rest goes.
#
#   tests/package/install_test.sh DEBS_DIR WORK_DIR BUILD_APP
#
# The clean root is made once and cached (debootstrap minbase, apt's lists
# and the .debs apt downloads), under ${XDG_CACHE_HOME:-~/.cache}/aisandbox/,
# keyed by the mirror and the test's own tools; each run installs into a
# fresh copy of it, so a warm run needs no network. No debootstrap, no root
# or no mirror: the test fails and says which.
set -euo pipefail

debs=$(realpath "$1")
work=$(realpath -m "$2")
build_app=$3
t0=$SECONDS
step() { echo "install_test: [$((SECONDS - t0)) s] $*"; }
fail() {
  echo "install_test: FAIL: $*" >&2
  exit 1
}

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot, mounts): run as root, as CI does"
command -v debootstrap >/dev/null || fail "debootstrap is not installed (installer/deps.sh installs it)"
command -v python3 >/dev/null || fail "python3 is needed to read the screenshots and ask the center"
shopt -s nullglob
packages=("$debs"/*.deb)
[ ${#packages[@]} -eq 3 ] || fail "expected 3 packages in $debs, found ${#packages[@]}"

# The mirror this machine's apt uses (AISB_DEBIAN_MIRROR and
# AISB_DEBIAN_SECURITY override): Debian 12, main, updates and security.
sources=(/etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list)
urls=$(cat "${sources[@]}" 2>/dev/null | grep -v '^\s*#' | grep -oE 'https?://[^ ]+' || true)
mirror=${AISB_DEBIAN_MIRROR:-$(grep -vE 'security|nodesource|google|docker' <<<"$urls" | grep -E '/debian/?$' | head -n 1 || true)}
security=${AISB_DEBIAN_SECURITY:-$(grep -E '/debian-security/?$' <<<"$urls" | head -n 1 || true)}
[ -n "$mirror" ] || fail "no Debian mirror in /etc/apt/sources.list*; set AISB_DEBIAN_MIRROR (e.g. http://deb.debian.org/debian)"
suite=bookworm
# The test's own tools in the clean root: a virtual X server for the app,
# systemd for systemd-analyze. The packages bring everything else.
tools=(xvfb systemd man-db)

cache=${XDG_CACHE_HOME:-$HOME/.cache}/aisandbox
key=$(printf '%s\n' 1 "$mirror" "$security" "$suite" minbase "${tools[*]}" | sha256sum | cut -c1-12)
base=$cache/debian12-$key
archives=$cache/debian12-$key-archives
root=$work/root
mkdir -p "$cache" "$archives/partial" "$work"
rm -f "$work"/*.log "$work"/*.png "$work"/*.jsonl

mounts=()
pids=()
cleanup() {
  local p m
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    m=${mounts[i]}
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  # Never delete through a mount that is still there.
  if [ -d "$root" ] && ! grep -qF " $root/" /proc/mounts && [ -z "${AISB_KEEP_ROOT:-}" ]; then
    rm -rf "$root"
  fi
}
trap cleanup EXIT

mount_in() {  # mount_in TARGET ARGS...: a mount under the root, undone at exit
  local target=$1
  shift
  mount "$@" "$target"
  mounts+=("$target")
}

# The filesystems a Debian system expects: /proc, a small /dev of the host's
# devices, apt's archive folder from the cache.
enter() {
  local r=$1 d
  mount_in "$r/proc" -t proc proc
  mount_in "$r/dev" -t tmpfs -o mode=0755,size=64k tmpfs
  for d in null zero full random urandom tty; do
    touch "$r/dev/$d"
    mount_in "$r/dev/$d" --bind "/dev/$d"
  done
  mkdir -p "$r/dev/pts" "$r/dev/shm"
  mount_in "$r/dev/shm" -t tmpfs -o mode=1777 tmpfs
  ln -sf /proc/self/fd "$r/dev/fd"
  mount_in "$r/var/cache/apt/archives" --bind "$archives"
}
leave() {
  local m
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    m=${mounts[i]}
    umount "$m" || umount -l "$m"
  done
  mounts=()
}

in_root() {  # a command in the root, with a clean environment
  chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "$@"
}

# --- the clean root, made once ------------------------------------------
if [ ! -f "$base/.complete" ]; then
  step "making a clean Debian 12 root (debootstrap minbase from $mirror) into $base"
  rm -rf "$base" "$base.tmp"
  # Other roots of this test (an older key) are not needed any more.
  for old in "$cache"/debian12-*; do
    [ "$old" = "$archives" ] || rm -rf "$old"
  done
  mkdir -p "$archives/partial"
  debootstrap --variant=minbase --cache-dir="$archives" "$suite" "$base.tmp" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -20 "$work/debootstrap.log"
    fail "debootstrap could not make a Debian 12 root from $mirror (network or mirror unavailable?); log: $work/debootstrap.log"
  }
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$mirror" "$suite" "$suite"
    if [ -n "$security" ]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$security" "$suite"
    fi
  } >"$base.tmp/etc/apt/sources.list.d/debian.sources"
  rm -f "$base.tmp/etc/apt/sources.list"
  cp /etc/hosts /etc/resolv.conf "$base.tmp/etc/" 2>/dev/null || true
  root=$base.tmp
  enter "$root"
  in_root apt-get update -q >"$work/apt-update.log" 2>&1 || {
    tail -20 "$work/apt-update.log"
    fail "apt-get update in the clean root failed (network or mirror unavailable?)"
  }
  in_root apt-get install -y -q --no-install-recommends "${tools[@]}" >"$work/apt-tools.log" 2>&1 || {
    tail -20 "$work/apt-tools.log"
    fail "could not install the test's tools (${tools[*]}) into the clean root"
  }
  leave
  touch "$base.tmp/.complete"
  mv "$base.tmp" "$base"
  root=$work/root
  step "clean root ready"
else
  step "reusing the clean root $base"
fi

# --- a fresh copy of it, and the packages installed as a user would -----
rm -rf "$root"
cp -a "$base" "$root"
enter "$root"
mkdir -p "$root/tmp/debs"
cp "${packages[@]}" "$root/tmp/debs/"
step "apt-get install ./*.deb"
in_root sh -c 'cd /tmp/debs && apt-get install -y -q ./*.deb' >"$work/apt-install.log" 2>&1 || {
  tail -30 "$work/apt-install.log"
  fail "apt-get install ./*.deb failed in a clean Debian 12 (log: $work/apt-install.log)"
}
grep -E '^(Setting up|Unpacking) aisandbox' "$work/apt-install.log" || true
step "installed: $(grep -c '^Setting up' "$work/apt-install.log") packages set up"

# --- every program's --version ------------------------------------------
for prog in aisandbox aisandbox-cli aisandbox-worker aisandbox-center; do
  v=$(in_root "$prog" --version) || fail "$prog --version failed: $v"
  echo "$v" | sed "s/^/  /"
  grep -q "^$prog [0-9]" <<<"$v" || fail "$prog --version does not begin with its name and version: $v"
done
grep -q "libtorch [0-9]" <<<"$(in_root aisandbox-cli --version)" ||
  fail "aisandbox-cli --version names no libtorch version: the engine module did not load"
grep -q "worker /usr/bin/aisandbox-worker: aisandbox-worker [0-9].*libtorch [0-9]" <<<"$(in_root aisandbox-center --version)" ||
  fail "aisandbox-center --version does not name the installed worker and its libtorch"

# --- the CLI: check the installed lessons, train one on libtorch --------
step "aisandbox-cli lesson check /usr/share/aisandbox/lessons"
in_root aisandbox-cli lesson check /usr/share/aisandbox/lessons || fail "the installed lessons do not pass lesson check"
lesson=/usr/share/aisandbox/lessons/basics/02-xor-hidden-layer.toml
[ -f "$root$lesson" ] || fail "$lesson is not installed"
step "aisandbox-cli train $lesson (libtorch)"
in_root aisandbox-cli train "$lesson" --epochs 30 --engine torch --json >"$work/train.jsonl" ||
  fail "training an installed lesson failed: $(tail -3 "$work/train.jsonl")"
tail -n 1 "$work/train.jsonl" | grep -q '"type":"done".*"reason":"completed"\|"reason":"completed".*"type":"done"' ||
  fail "training did not end completed: $(tail -n 1 "$work/train.jsonl")"
grep -q '"type":"started"' "$work/train.jsonl" || fail "no started event"

# --- the man pages and the CLI's completion, as installed ------------------
for prog in aisandbox aisandbox-cli aisandbox-worker aisandbox-center; do
  in_root man -w "$prog" >/dev/null || fail "no man page for $prog"
done
in_root man -P cat aisandbox-cli 2>/dev/null | grep -q "aisandbox-cli train" || fail "man aisandbox-cli lacks its commands"
completion=$(in_root bash -c '. /usr/share/bash-completion/completions/aisandbox-cli
  COMP_WORDS=(aisandbox-cli train x.toml --device ""); COMP_CWORD=4; _aisandbox_cli; echo "${COMPREPLY[*]}"')
[ "$completion" = "auto cpu cuda" ] || fail "bash completion of 'train --device' gave '$completion'"

# --- the app: the lesson browser in Korean, as the build's app draws it ---
size=960x600
# start_x BASE LOG [WRAPPER...]: an Xvfb (run through WRAPPER, as in_root)
# on the first display number from about BASE that it can take; its name
# in x_display (:N), or x_display empty.
start_x() {
  local base=$1 log=$2 n xpid
  shift 2
  x_display=
  for n in $(seq $((base + $$ % 300)) $((base + 20 + $$ % 300))); do
    "$@" Xvfb ":$n" -screen 0 ${size}x24 -nolisten tcp >"$log" 2>&1 &
    xpid=$!
    sleep 1.5
    if kill -0 "$xpid" 2>/dev/null; then
      pids+=("$xpid")
      x_display=:$n
      return
    fi
  done
}
start_x 200 "$work/xvfb.log" in_root
display=$x_display
[ -n "$display" ] || fail "Xvfb would not start in the root: $(tail -3 "$work/xvfb.log")"
shoot() {  # shoot NAME ARGS...: the installed app's screenshot, in /tmp of the root
  local name=$1
  shift
  in_root env DISPLAY="$display" LIBGL_ALWAYS_SOFTWARE=1 XDG_STATE_HOME=/tmp/state XDG_DATA_HOME=/tmp/data \
    XDG_CONFIG_HOME=/tmp/config aisandbox --size $size --frames 40 "$@" --screenshot "/tmp/$name.png" \
    >"$work/$name.log" 2>&1 || fail "the installed app failed to draw $name: $(tail -5 "$work/$name.log")"
  cp "$root/tmp/$name.png" "$work/$name.png"
}
step "the installed app draws the lesson browser in Korean, and its About box"
shoot browser-ko --lang ko
shoot about-ko --lang ko --open about
# The same screen from the build's own app (its fonts and GL are this
# machine's, which the screenshot tests hold to what they should be).
start_x 600 "$work/xvfb-host.log"
host_x=$x_display
[ -n "$host_x" ] || fail "Xvfb would not start here: $(tail -3 "$work/xvfb-host.log")"
state=$(mktemp -d)
env -u AISANDBOX_DATA DISPLAY="$host_x" LIBGL_ALWAYS_SOFTWARE=1 XDG_STATE_HOME="$state" XDG_DATA_HOME="$state" \
  XDG_CONFIG_HOME="$state" "$build_app" --lang ko --size $size --frames 40 --screenshot "$work/browser-ko-build.png" \
  >"$work/browser-ko-build.log" 2>&1 || fail "the build's app failed to draw the browser: $(tail -5 "$work/browser-ko-build.log")"
rm -rf "$state"
python3 "$(dirname "$0")/png_compare.py" "$work/browser-ko.png" "$work/browser-ko-build.png" ${size/x/ } 0.02 ||
  fail "the installed app's Korean browser is not the build's (fonts or GL missing?): $work/browser-ko.png"
python3 "$(dirname "$0")/png_compare.py" "$work/about-ko.png" "$work/browser-ko.png" ${size/x/ } 1.0 ||
  fail "the About box screenshot is blank: $work/about-ko.png"

# A copy of the program away from any prefix finds nothing, says where it
# looked, and finds everything through $AISANDBOX_DATA.
mkdir -p "$root/opt/elsewhere/bin"
cp "$root/usr/bin/aisandbox" "$root/opt/elsewhere/bin/"
if in_root env DISPLAY="$display" LIBGL_ALWAYS_SOFTWARE=1 /opt/elsewhere/bin/aisandbox --frames 2 \
  --screenshot /tmp/none.png >"$work/elsewhere.log" 2>&1; then
  fail "a copy of the app with no data found some: $(cat "$work/elsewhere.log")"
fi
grep -F "looked in /opt/elsewhere/share/aisandbox/assets" "$work/elsewhere.log" | grep -qF 'AISANDBOX_DATA' ||
  fail "the app without its data does not say where it looked: $(cat "$work/elsewhere.log")"
in_root env DISPLAY="$display" LIBGL_ALWAYS_SOFTWARE=1 AISANDBOX_DATA=/usr/share/aisandbox /opt/elsewhere/bin/aisandbox \
  --lang ko --size $size --frames 40 --screenshot /tmp/elsewhere.png >>"$work/elsewhere.log" 2>&1 ||
  fail "the app with AISANDBOX_DATA failed: $(tail -3 "$work/elsewhere.log")"
cp "$root/tmp/elsewhere.png" "$work/"
python3 "$(dirname "$0")/png_compare.py" "$work/elsewhere.png" "$work/browser-ko.png" ${size/x/ } 0.02 ||
  fail "the app with AISANDBOX_DATA does not draw the same lessons"

# --- the center: its unit, its user, its config, its service ------------
unit=/lib/systemd/system/aisandbox-center.service
step "systemd-analyze verify $unit"
in_root systemd-analyze verify "$unit" >"$work/verify.log" 2>&1 || {
  cat "$work/verify.log"
  fail "systemd-analyze verify failed on $unit"
}
if grep -i "aisandbox" "$work/verify.log"; then fail "systemd-analyze verify has remarks on the unit"; fi
passwd=$(in_root getent passwd aisandbox-center) || fail "the package made no user aisandbox-center"
IFS=: read -r _ _ uid gid _ home shell <<<"$passwd"
[ "$home" = /var/lib/aisandbox-center ] && [ "$shell" = /usr/sbin/nologin ] || fail "the user is not a system user: $passwd"
# (Numbers: the root's users are not this machine's.)
[ "$(stat -c '%u %a' "$root/var/lib/aisandbox-center")" = "$uid 700" ] ||
  fail "/var/lib/aisandbox-center is $(stat -c 'uid %u, mode %a' "$root/var/lib/aisandbox-center"), not aisandbox-center's ($uid), 700"
[ "$(stat -c '%g %a' "$root/etc/aisandbox/center.toml")" = "$gid 640" ] ||
  fail "/etc/aisandbox/center.toml is $(stat -c 'gid %g, mode %a' "$root/etc/aisandbox/center.toml"), not group aisandbox-center's ($gid), 640"
conffiles=$(in_root dpkg-query -W -f='${Conffiles}' aisandbox-center)
for f in /etc/aisandbox/center.toml /etc/default/aisandbox-center; do
  grep -qF " $f " <<<"$conffiles" || fail "$f is not a conffile"
done

# As the unit starts it: its user, its ExecStart with /etc/default's
# options; only the port is this test's (an operator edits the same line).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -i "s/--listen 127.0.0.1:8470/--listen 127.0.0.1:$port/" "$root/etc/default/aisandbox-center"
exec_start=$(sed -n 's/^ExecStart=//p' "$root$unit")
[ -n "$exec_start" ] || fail "the unit has no ExecStart"
step "the center as its user: $exec_start (port $port)"
chroot --userspec=aisandbox-center:aisandbox-center "$root" /usr/bin/env -i PATH=/usr/bin:/bin \
  HOME=/var/lib/aisandbox-center LANG=C.UTF-8 /bin/sh -c "set -a; . /etc/default/aisandbox-center; set +a; exec $exec_start" \
  >"$work/center.log" 2>&1 &
center=$!
pids+=("$center")
url=http://127.0.0.1:$port
health=
for _ in $(seq 1 60); do
  health=$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())' \
    "$url/api/v1/health" 2>/dev/null) && break
  kill -0 "$center" 2>/dev/null || fail "the center exited: $(tail -5 "$work/center.log")"
  sleep 0.5
done
echo "  health: $health"
grep -q '"ok":true' <<<"${health// /}" || fail "no health from the center at $url: $(tail -5 "$work/center.log")"
[ "$(awk '/^Uid:/ {print $2}' "/proc/$center/status")" = "$uid" ] || fail "the center does not run as aisandbox-center"
[ -f "$root/var/lib/aisandbox-center/center.db" ] || fail "the center keeps no database in /var/lib/aisandbox-center"

step "a student's job through the installed center and worker"
# The first class as docs/install.md makes it.
class=$(in_root runuser -u aisandbox-center -- aisandbox-center class create "설치 시험" --data /var/lib/aisandbox-center) ||
  fail "class create failed: $class"
code=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["class_code"])' "$class")
in_root env XDG_CONFIG_HOME=/tmp/student aisandbox-cli login --center "$url" --class "$code" --name 민지 >/dev/null ||
  fail "aisandbox-cli login to the installed center failed"
in_root env XDG_CONFIG_HOME=/tmp/student aisandbox-cli submit "$lesson" --epochs 20 --json >"$work/submit.jsonl" ||
  fail "the job at the installed center failed: $(tail -3 "$work/submit.jsonl"; tail -5 "$work/center.log")"
tail -n 1 "$work/submit.jsonl" | grep -q '"reason":"completed"' || fail "the center's job did not complete: $(tail -n 1 "$work/submit.jsonl")"
kill -TERM "$center"
wait "$center" || true

# --- remove keeps the data, purge deletes it -----------------------------
step "apt-get remove aisandbox-center"
in_root apt-get remove -y -q aisandbox-center >"$work/remove.log" 2>&1 || fail "apt-get remove failed: $(tail -5 "$work/remove.log")"
grep -F "kept the center's data" "$work/remove.log" || fail "remove does not say that it keeps the data"
[ -f "$root/var/lib/aisandbox-center/center.db" ] || fail "apt-get remove deleted the center's data"
[ -f "$root/etc/aisandbox/center.toml" ] || fail "apt-get remove deleted the configuration (a conffile)"
in_root getent passwd aisandbox-center >/dev/null || fail "apt-get remove deleted the user"
[ ! -e "$root/usr/bin/aisandbox-center" ] || fail "apt-get remove left the program"
step "apt-get purge aisandbox-center"
in_root apt-get purge -y -q aisandbox-center >"$work/purge.log" 2>&1 || fail "apt-get purge failed: $(tail -5 "$work/purge.log")"
grep -F "deleting the center's data" "$work/purge.log" || fail "purge does not say that it deletes the data"
[ ! -e "$root/var/lib/aisandbox-center" ] || fail "apt-get purge left /var/lib/aisandbox-center"
[ ! -e "$root/etc/aisandbox" ] || fail "apt-get purge left /etc/aisandbox"
step "apt-get purge aisandbox aisandbox-worker"
in_root apt-get purge -y -q aisandbox aisandbox-worker >"$work/purge-app.log" 2>&1 || fail "apt-get purge of the app failed"
for p in /usr/share/aisandbox /usr/lib/aisandbox /usr/bin/aisandbox /usr/bin/aisandbox-worker; do
  [ ! -e "$root$p" ] || fail "$p is still there after purge"
done
# --- a lab's way (docs/install.md): a local apt repository ----------------
step "apt-get install aisandbox from a local repository, as a lab does"
mkdir -p "$root/srv/aisandbox"
cp "$debs"/aisandbox_*.deb "$debs"/aisandbox-worker_*.deb "$root/srv/aisandbox/"
(cd "$root/srv/aisandbox" && dpkg-scanpackages --multiversion . /dev/null 2>/dev/null | gzip -9c >Packages.gz) ||
  fail "dpkg-scanpackages failed (dpkg-dev)"
echo "deb [trusted=yes] file:/srv/aisandbox ./" >"$root/etc/apt/sources.list.d/aisandbox.list"
# Only this list is read again: the run needs no network.
in_root apt-get update -q -o Dir::Etc::sourcelist=sources.list.d/aisandbox.list -o Dir::Etc::sourceparts=- \
  -o APT::Get::List-Cleanup=0 >"$work/repo.log" 2>&1 || fail "apt-get update of the local repository failed: $(tail -5 "$work/repo.log")"
in_root apt-get install -y -q aisandbox >>"$work/repo.log" 2>&1 || fail "apt-get install aisandbox from the repository failed: $(tail -5 "$work/repo.log")"
for p in aisandbox aisandbox-worker; do
  in_root dpkg-query -W -f='${Status}' "$p" | grep -q "install ok installed" ||
    fail "apt-get install aisandbox from the repository did not install $p"
done
in_root aisandbox-cli --version | grep -q "libtorch [0-9]" || fail "aisandbox-cli from the repository does not run"
step "PASS (screenshots in $work)"
