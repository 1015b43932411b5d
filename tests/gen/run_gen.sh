#!/bin/sh
# run_gen.sh: the differential test of acc on generated programs.
#
#   run_gen.sh --acc ACC --lib LIBACC --inc INCDIR --erase ERASE_H --cc CC
#              --work DIR [--cflags FLAGS] FIRST_SEED COUNT
#
# For each seed: gen_programs.py writes a random sync .ac program; acc
# transpiles it and CC builds it against the runtime; CC also builds the
# erased twin (async and await defined away); both run, and their outputs
# must be identical.  A failing seed leaves its files in DIR/SEED.
set -u
here=$(dirname "$0")
acc= lib= inc= erase= cc=cc work= cflags=
while [ $# -gt 2 ]; do
    case $1 in
    --acc) acc=$2 ;; --lib) lib=$2 ;; --inc) inc=$2 ;; --erase) erase=$2 ;;
    --cc) cc=$2 ;; --work) work=$2 ;; --cflags) cflags=$2 ;;
    *) echo "run_gen.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift 2
done
first=$1 count=$2
python=$(command -v python3) || { echo "run_gen.sh: python3 is needed" >&2; exit 2; }
fails=0 runs=0
seed=$first
while [ "$seed" -lt $((first + count)) ]; do
    d=$work/$seed
    mkdir -p "$d"
    ok=1
    "$python" "$here/gen_programs.py" "$seed" 6 > "$d/p.ac" || ok=0
    [ $ok = 1 ] && { "$acc" "$d/p.ac" -o "$d/p.c" 2> "$d/acc.log" || ok=0; }
    # -w: the random expressions draw warnings of their own (unused comma operands)
    [ $ok = 1 ] && { $cc -std=c11 -w $cflags -I"$inc" "$d/p.c" "$lib" -lpthread -o "$d/p" 2> "$d/cc.log" || ok=0; }
    [ $ok = 1 ] && { $cc -std=gnu11 -w -x c -Dasync= -Dawait= -include "$erase" "$d/p.ac" -o "$d/e" 2> "$d/erased.log" || ok=0; }
    [ $ok = 1 ] && { timeout 30 "$d/p" > "$d/p.out" 2>&1 || ok=0; }
    [ $ok = 1 ] && { timeout 30 "$d/e" > "$d/e.out" 2>&1 || ok=0; }
    [ $ok = 1 ] && { cmp -s "$d/p.out" "$d/e.out" || ok=0; }
    runs=$((runs + 1))
    if [ $ok = 1 ]; then
        rm -rf "$d"
    else
        fails=$((fails + 1))
        echo "seed $seed FAILED: see $d" >&2
        cat "$d"/*.log 2>/dev/null | head -5 >&2
        [ -f "$d/e.out" ] && diff "$d/e.out" "$d/p.out" | head -5 >&2
    fi
    seed=$((seed + 1))
done
echo "$((runs - fails)) passed, $fails failed"
[ "$fails" = 0 ]
