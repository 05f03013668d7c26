#!/usr/bin/env bash
# A help2man include file with every subcommand's own --help, found by
# walking the "Subcommands:" lists of the program's help (so the man page
# says exactly what this build does).
#   installer/man/subcommands.sh PROGRAM NAME OUT.h2m
set -euo pipefail
prog=$1 name=$2 out=$3

subcommands() {  # the subcommands listed in a --help text
  awk '/^Subcommands:/ {s = 1; next} /^[^ ]/ {s = 0} s && /^  [a-z]/ {print $1}' <<<"$1" | awk '!seen[$0]++'
}

section() {  # a subsection with one command's help, verbatim
  local words=("$@") help
  help=$("$prog" "${words[@]}" --help)
  printf '.SS "%s %s"\n.nf\n' "$name" "${words[*]}"
  # roff: a backslash is \e; a line may not start with . or '
  sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" <<<"$help"
  printf '.fi\n'
  local sub
  for sub in $(subcommands "$help"); do
    section "${words[@]}" "$sub"
  done
}

{
  echo "[COMMANDS]"
  for sub in $(subcommands "$("$prog" --help)"); do
    section "$sub"
  done
} >"$out.tmp"
mv "$out.tmp" "$out"
