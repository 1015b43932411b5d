#!/bin/sh
# run_cli.sh: checks acc's command line (SPEC section 1) on cli/cli_main.ac:
# --version, --help, output to stdout (no -o, and -o -), -I and -D passed
# to the parser, -MD -MF depfiles, #line directives and --no-line, and that
# the output starts with the input's own first line and keeps code outside
# async functions byte for byte, and -o naming a pipe or a device writes into it.  The generated C is compiled and run.
#   run_cli.sh --acc ACC --lib LIBACC --inc INCDIR --cc CC --work DIR [--cflags F]
set -u
acc= lib= inc= cc=cc work= cflags=
while [ $# -gt 0 ]; do
    case $1 in
    --acc) acc=$2; shift 2 ;;
    --lib) lib=$2; shift 2 ;;
    --inc) inc=$2; shift 2 ;;
    --cc) cc=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --cflags) cflags=$2; shift 2 ;;
    *) echo "run_cli: unknown option $1" >&2; exit 2 ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
src=$here/cli/cli_main.ac
rm -rf "$work" && mkdir -p "$work" || exit 2
failures=0
check() { # check DESCRIPTION COMMAND...: COMMAND must succeed
    what=$1; shift
    if "$@" >"$work/check.out" 2>&1; then
        echo "ok: $what"
    else
        echo "FAIL: $what"
        cat "$work/check.out"
        failures=$((failures + 1))
    fi
}
# Compiles and runs generated C file $1; its output must be "42 42".
runs() {
    "$cc" -std=c11 -pedantic -Wall -Wextra -Werror $cflags -I"$here/cli" -DVALUE=7 -I"$inc" "$1" "$lib" -lpthread -o "$1.prog" &&
        [ "$("$1.prog")" = "42 42" ]
}

check "--version exits 0 and prints something" sh -c '"$1" --version >"$2/v" && [ -s "$2/v" ]' sh "$acc" "$work"
check "--help exits 0 and prints something" sh -c '"$1" --help >"$2/h" && [ -s "$2/h" ]' sh "$acc" "$work"

check "-I and -D reach the parser, -o file" "$acc" -I "$here/cli" -DVALUE=7 "$src" -o "$work/a.c"
check "the output compiles and runs" runs "$work/a.c"
check "no -o writes to stdout" sh -c '"$1" -I "$2" -DVALUE=7 "$3" >"$4/b.c"' sh "$acc" "$here/cli" "$src" "$work"
check "-o - writes to stdout" sh -c '"$1" -I "$2" -DVALUE=7 "$3" -o - >"$4/c.c"' sh "$acc" "$here/cli" "$src" "$work"
check "stdout output equals the -o output" cmp "$work/a.c" "$work/b.c"
check "-o - output equals the -o output" cmp "$work/a.c" "$work/c.c"
check "the output starts with the input's first line" \
    sh -c '[ "$(head -n 1 "$1")" = "$(head -n 1 "$2")" ]' sh "$work/a.c" "$src"
check "code outside async functions is copied byte for byte" \
    grep -q -F -x 'int   weird_spacing (void)  {  return   42 ; }  /* copied byte for byte */' "$work/a.c"
check "#line directives name the .ac file" grep -q "^#line [0-9]* \".*cli_main.ac\"" "$work/a.c"

check "--no-line" "$acc" --no-line -I "$here/cli" -DVALUE=7 "$src" -o "$work/d.c"
check "--no-line output has no #line" sh -c '! grep -q "^#line" "$1"' sh "$work/d.c"
check "--no-line output compiles and runs" runs "$work/d.c"

check "-MD -MF" "$acc" -MD -MF "$work/e.d" -I "$here/cli" -DVALUE=7 "$src" -o "$work/e.c"
check "the depfile names the output and the included header" \
    sh -c 'grep -q "e\.c *:" "$1" && grep -q "cli_inc\.h" "$1" && grep -q "cli_main\.ac" "$1"' sh "$work/e.d"

check "without -D the #error fails with exit 1" sh -c '"$1" -I "$2" "$3" -o "$4/f.c" 2>/dev/null; [ $? -eq 1 ] && [ ! -e "$4/f.c" ]' sh "$acc" "$here/cli" "$src" "$work"

check "-o naming the input itself is refused (exit 2), the input kept" sh -c 'cp "$1" "$2/same.ac" && "$3" -I "$4" -DVALUE=7 "$2/same.ac" -o "$2/same.ac" 2>/dev/null; [ $? -eq 2 ] && cmp -s "$1" "$2/same.ac"' sh "$src" "$work" "$acc" "$here/cli"
check "the output file's mode is 0666 less the umask" sh -c 'umask 027 && rm -f "$4/m.c" && "$1" -I "$2" -DVALUE=7 "$3" -o "$4/m.c" && [ "$(stat -c %a "$4/m.c")" = 640 ]' sh "$acc" "$here/cli" "$src" "$work"
check "-o naming a pipe writes into it and keeps it a pipe (never renamed over, as /dev/null must not be)" \
    sh -c 'rm -f "$4/fifo" && mkfifo "$4/fifo" && { timeout 20 cat "$4/fifo" >"$4/fifo.c" & } &&
           "$1" -I "$2" -DVALUE=7 "$3" -o "$4/fifo"; s=$?; wait; [ $s -eq 0 ] && [ -p "$4/fifo" ] &&
           cmp -s "$4/a.c" "$4/fifo.c"' sh "$acc" "$here/cli" "$src" "$work"

[ $failures -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
