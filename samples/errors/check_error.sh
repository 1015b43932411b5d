#!/bin/sh
# check_error.sh: runs acc on a sample it must refuse, and checks the error.
#
#   check_error.sh ACC FILE.ac
#
# FILE.ac says in a comment which diagnostic acc gives, as a line
#     <name>.ac:<line>:<col>: error: <message>
# acc must exit with status 1, create no output file, and print that line
# on stderr with <name>.ac replaced by FILE.ac as given on the command line.
set -u

[ $# -eq 2 ] || { echo "usage: check_error.sh ACC FILE.ac" >&2; exit 2; }
acc=$1 src=$2
base=$(basename "$src")
tail=$(sed -n "s/^ \* *$base\(:[0-9]*:[0-9]*: error: .*\)$/\1/p" "$src" | head -n 1)
[ -n "$tail" ] || { echo "check_error: $src names no '$base:<line>:<col>: error: ...' line" >&2; exit 2; }
want="$src$tail"

work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
"$acc" "$src" -o "$work/out.c" 2>"$work/stderr" >/dev/null
status=$?
fail() { echo "FAIL: $*" >&2; echo "acc's stderr:" >&2; cat "$work/stderr" >&2; exit 1; }
[ "$status" -eq 1 ] || fail "acc exited with status $status, expected 1"
[ ! -e "$work/out.c" ] || fail "acc created an output file despite the error"
grep -q -F -x -e "$want" "$work/stderr" || fail "no line
$want"
echo "PASS: $want"
