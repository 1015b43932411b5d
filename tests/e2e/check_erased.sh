#!/bin/sh
# check_erased.sh: runs the erased twin of every sync test in this directory
# (plain C, no acc and no runtime needed) and reports the failures.
#   sh tests/e2e/check_erased.sh [work-dir]
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-${TMPDIR:-/tmp}/acc-e2e-erased}
cc=${CC:-gcc}
failed=0
for t in "$here"/*.ac; do
    head -n 1 "$t" | grep -q '^// acc-test: sync$' || continue
    name=$(basename "$t" .ac)
    sh "$here/run_e2e.sh" --erased --cc "$cc" --work "$work/$name" "$t" || failed=$((failed + 1))
done
echo "$failed failed"
[ $failed -eq 0 ]
