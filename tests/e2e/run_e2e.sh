#!/bin/sh
# run_e2e.sh: runs one end-to-end test of acc.
#
# A test is one self-checking .ac file (or a directory of .ac files whose
# main.ac carries the checks) ending in the block
#     /* EXPECTED
#     ...the exact stdout...
#     */
# and optionally starting with directives:
#     // acc-test: sync        no concurrency: the erased twin must match too
#     // acc-test: exit N      expected exit status (default 0)
#     // acc-test: args A B    command-line arguments (split at blanks)
#     // acc-test: stack KB     run the transpiled program with `ulimit -s KB`
#                               (proves await depth does not use the C stack;
#                               four times KB under AddressSanitizer)
#     // acc-test: stderr TEXT  the program's stderr must contain TEXT
#                               (glibc's assert message, ...)
#
# Two modes:
#   run_e2e.sh --acc ACC --lib LIBACC --inc INCDIR --cc CC --kind gcc|clang|tcc
#              --work DIR [--cflags FLAGS] [--ld LINKER] [--runner CMD]
#              [--timeout S] TEST
#       transpile every .ac with acc, compile the C with CC (gcc and clang at
#       -std=c11 -pedantic -Wall -Wextra -Werror), link with libacc.a (using
#       LINKER as the link driver when given, else CC), run (under CMD, e.g.
#       "valgrind -q --leak-check=full --error-exitcode=99", when given).
#   run_e2e.sh --erased --cc CC --work DIR [--timeout S] TEST
#       build the sync file as plain C with the keywords erased (erase.h).
# Anything written to stderr by acc or the compiler (a warning) fails the test,
# as does a wrong exit status or any difference from EXPECTED (shown as a diff).
set -u

here=$(cd "$(dirname "$0")" && pwd)
acc= lib= inc= cc=cc kind=gcc work= cflags= timeout_s=30 erased=0 ld= runner=

die() { echo "run_e2e: $*" >&2; exit 2; }
fail() { echo "FAIL: $*" >&2; exit 1; }

while [ $# -gt 1 ]; do
    case $1 in
    --acc) acc=$2; shift 2 ;;
    --lib) lib=$2; shift 2 ;;
    --inc) inc=$2; shift 2 ;;
    --cc) cc=$2; shift 2 ;;
    --ld) ld=$2; shift 2 ;;
    --runner) runner=$2; shift 2 ;;
    --kind) kind=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --cflags) cflags=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --erased) erased=1; shift ;;
    *) die "unknown option $1" ;;
    esac
done
[ $# -eq 1 ] || die "usage: run_e2e.sh [options] TEST.ac|TESTDIR"
test=$1
[ -n "$work" ] || die "--work is required"

# The file carrying directives and EXPECTED, and the sources to build.
if [ -d "$test" ]; then
    main_src=$test/main.ac
    sources=$(ls "$test"/*.ac)
else
    main_src=$test
    sources=$test
fi
[ -f "$main_src" ] || die "no such test: $main_src"

rm -rf "$work" && mkdir -p "$work" || die "cannot create $work"

directive() { sed -n "s|^// acc-test: $1\( \(.*\)\)\{0,1\}\$|\2|p" "$main_src" | head -n 1; }
has_directive() { grep -q "^// acc-test: $1\( \|\$\)" "$main_src"; }

awk 'f && /^\*\/$/ { exit } f { print } /^\/\* EXPECTED$/ { f = 1 }' \
    "$main_src" >"$work/expected"
grep -q '^/\* EXPECTED$' "$main_src" || die "$main_src has no /* EXPECTED block"
want_status=$(directive exit)
[ -n "$want_status" ] || want_status=0
args=$(directive args)
stack_kb=$(directive stack)
want_stderr=$(directive stderr)
[ $erased -eq 0 ] || stack_kb=
# Under AddressSanitizer each C frame is several times larger (redzones,
# -O0) and its allocator refills through a deep call chain at the deepest
# point: the stack bound in bytes is what the plain builds check; the
# sanitized run checks memory, with four times the stack (at 256 KiB it
# overflowed now and then, by where the allocator happened to refill).
case " $cflags " in
*-fsanitize=address*) [ -z "$stack_kb" ] || stack_kb=$((stack_kb * 4)) ;;
esac

# Runs "$@" with its stderr in $work/$log; fails the test if it exits nonzero
# or writes anything to stderr (warnings count as failures).
quiet() {
    log=$1; shift
    "$@" 2>"$work/$log"
    rc=$?
    if [ $rc -ne 0 ] || [ -s "$work/$log" ]; then
        echo "command: $*" >&2
        cat "$work/$log" >&2
        fail "$log: exit status $rc$([ -s "$work/$log" ] && echo ', output on stderr')"
    fi
}

if [ $erased -eq 1 ]; then
    has_directive sync || die "$main_src is not marked '// acc-test: sync'"
    quiet erased.log "$cc" -std=gnu11 -Wall -Wextra -Werror $cflags -x c \
        -Dasync= -Dawait= -include "$here/erase.h" $sources -o "$work/prog"
else
    [ -n "$acc" ] && [ -n "$lib" ] && [ -n "$inc" ] || die "--acc, --lib and --inc are required"
    case $kind in
    gcc | clang) std_flags="-std=c11 -pedantic -Wall -Wextra -Werror" ;;
    tcc) std_flags= ;;
    *) die "unknown --kind $kind" ;;
    esac
    objs=
    for src in $sources; do
        base=$(basename "$src" .ac)
        quiet "acc-$base.log" "$acc" "$src" -o "$work/$base.c"
        [ -s "$work/$base.c" ] || fail "acc wrote no $work/$base.c"
        # The .c lands in $work: the .ac's own directory stays on the path for "..." includes.
        quiet "cc-$base.log" "$cc" $std_flags $cflags -I"$(dirname "$src")" -I"$inc" \
            -c "$work/$base.c" -o "$work/$base.o"
        objs="$objs $work/$base.o"
    done
    if [ -n "$ld" ]; then
        # tcc's objects carry no .note.GNU-stack; say the stack is not executable.
        quiet link.log "$ld" $cflags -Wl,-z,noexecstack $objs "$lib" -lpthread -o "$work/prog"
    else
        case $lib in
        *.so|*.so.*) rpath="-Wl,-rpath=$(dirname "$lib")" ;;
        *) rpath="" ;;
        esac
        quiet link.log "$cc" $cflags $objs "$lib" $rpath -lpthread -o "$work/prog"
    fi
fi

# shellcheck disable=SC2086  # args are split at blanks, without quoting
(cd "$work" && { [ -z "$stack_kb" ] || ulimit -s "$stack_kb"; } &&
    exec timeout -k 5 "$timeout_s" $runner ./prog $args) >"$work/stdout" 2>"$work/stderr"
status=$?
ok=1
if [ $status -eq 124 ] || [ $status -eq 137 ]; then
    echo "program timed out after ${timeout_s}s" >&2
    ok=0
elif [ "$status" != "$want_status" ]; then
    echo "exit status $status, expected $want_status" >&2
    ok=0
fi
if [ -n "$want_stderr" ] && ! grep -qF -e "$want_stderr" "$work/stderr"; then
    echo "stderr does not contain: $want_stderr" >&2
    ok=0
fi
if ! diff -u "$work/expected" "$work/stdout" >"$work/diff"; then
    echo "stdout differs from EXPECTED (--- expected, +++ actual):" >&2
    cat "$work/diff" >&2
    ok=0
fi
if [ $ok -eq 0 ]; then
    if [ -s "$work/stderr" ]; then
        echo "program stderr:" >&2
        cat "$work/stderr" >&2
    fi
    fail "$main_src ($([ $erased -eq 1 ] && echo erased || echo "$kind"))"
fi
echo "PASS: $main_src"
