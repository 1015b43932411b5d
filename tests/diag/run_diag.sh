#!/bin/sh
# run_diag.sh: runs one diagnostics test of acc.
#
# A test is an .ac file with a comment line (its first line, in tests/diag)
#     // EXPECT-ERROR: <line>:<col>: error: <message>
# or, inside a block comment,  * EXPECT-ERROR: <line>:<col>: error: <message>
# acc must reject it: exit status 1, no output file, and on stderr the line
#     <file>:<line>:<col>: error: <message>
# (file as given on acc's command line) followed by the source line and a
# caret line whose '^' stands under column <col> of that source line.
# After a #line directive in the input the expectation names the presumed
# place, file first:  // EXPECT-ERROR: <file>:<line>:<col>: error: <message>
# (then the line shown must be a line of the test, the caret under <col>).
#
#   run_diag.sh --acc ACC --work DIR TEST.ac
#   run_diag.sh --acc ACC --work DIR --usage     bad usage exits 2, a missing
#                                                input exits 1 with a message
set -u

acc= work= usage=0
die() { echo "run_diag: $*" >&2; exit 2; }
fail() {
    echo "FAIL: $*" >&2
    if [ -s "$work/stderr" ]; then
        echo "acc's stderr was:" >&2
        cat "$work/stderr" >&2
    fi
    exit 1
}

while [ $# -gt 0 ]; do
    case $1 in
    --acc) acc=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --usage) usage=1; shift ;;
    -*) die "unknown option $1" ;;
    *) break ;;
    esac
done
[ -n "$acc" ] && [ -n "$work" ] || die "--acc and --work are required"
rm -rf "$work" && mkdir -p "$work" || die "cannot create $work"

# Runs acc with the given arguments; sets $status, stderr in $work/stderr.
run_acc() {
    "$acc" "$@" >"$work/stdout" 2>"$work/stderr"
    status=$?
}

if [ $usage -eq 1 ]; then
    run_acc --bogus "$work/none.ac" -o "$work/out.c"
    [ $status -eq 2 ] || fail "acc --bogus: exit status $status, expected 2"
    [ -s "$work/stderr" ] || fail "acc --bogus: no message on stderr"
    [ ! -e "$work/out.c" ] || fail "acc --bogus created out.c"

    run_acc
    [ $status -eq 2 ] || fail "acc without input: exit status $status, expected 2"

    run_acc "$work/missing.ac" -o "$work/out.c"
    [ $status -eq 1 ] || fail "acc missing.ac: exit status $status, expected 1"
    grep -q "missing.ac" "$work/stderr" || fail "acc missing.ac: the message does not name the file"
    [ ! -e "$work/out.c" ] || fail "acc missing.ac created out.c"
    echo "PASS: usage"
    exit 0
fi

[ $# -eq 1 ] || die "usage: run_diag.sh --acc ACC --work DIR TEST.ac"
src=$1
[ -f "$src" ] || die "no such test: $src"

expect=$(sed -n 's#^\(//\| \*\) *EXPECT-ERROR: ##p' "$src" | head -n 1)
[ -n "$expect" ] || die "$src: no line '// EXPECT-ERROR: <line>:<col>: error: <message>'"
case $expect in
[0-9]*)
    line=${expect%%:*}
    rest=${expect#*:}
    want="$src:$expect" ;;
*)  # a presumed place (#line): file:line:col
    line=
    rest=${expect#*:}
    rest=${rest#*:}
    want=$expect ;;
esac
col=${rest%%:*}

run_acc "$src" -o "$work/out.c"
[ $status -eq 1 ] || fail "exit status $status, expected 1"
[ ! -e "$work/out.c" ] || fail "acc created out.c despite the error"

# Locate the exact error line, then check the source line and caret after it.
at=$(grep -n -F -x -e "$want" "$work/stderr" | head -n 1 | cut -d: -f1)
[ -n "$at" ] || fail "stderr has no line
$want"
shown=$(sed -n "$((at + 1))p" "$work/stderr")
if [ -n "$line" ]; then
    srcline=$(sed -n "${line}p" "$src")
elif grep -qxF -e "$shown" "$src"; then
    srcline=$shown
else
    srcline=
fi
caret=$(sed -n "$((at + 2))p" "$work/stderr")
awk -v shown="$shown" -v srcline="$srcline" -v caret="$caret" -v col="$col" 'BEGIN {
    p = index(shown, srcline)
    if (srcline == "" || p == 0) {
        print "the line after the error is not source line:\n" srcline > "/dev/stderr"
        exit 1
    }
    want = p + col - 1
    if (substr(caret, want, 1) != "^" || substr(caret, 1, want - 1) !~ /^[ \t]*$/) {
        print "caret not under column " col ":\n" shown "\n" caret > "/dev/stderr"
        exit 1
    }
}' || fail "$src: bad source line or caret"
echo "PASS: $src"
