#!/bin/sh
# check.sh PYTHON: asyncify.py on rules.c must write exactly rules.ac.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$1" "$here/../asyncify.py" "$here/rules.c" -o "$out"
diff -u "$here/rules.ac" "$out"
echo "PASS: asyncify rules"
