#!/bin/sh
# run_sample.sh: runs one sample and checks its output against an expected file.
#
#   run_sample.sh EXPECTED PROGRAM [ARGS...]
#
# The samples print elapsed times, which vary from run to run, so the
# expected file is the exact output with placeholders where times stand:
#   {T}        a number such as 5 or 5.012 (not checked)
#   {T:name}   the same, remembered as `name` for a #check line
#   {*}        any text up to the next literal text (e.g. a time of day)
# Lines starting with `#check` are not output but timing checks, made after
# the output matched; one that does not hold prints a note and fails nothing,
# because a test must not fail when the machine is busy:
#   #check concurrent < sequential     compare two remembered numbers
#   #check total < 2.5                 or a number with a constant
# `#exit N` expects exit status N (default 0); lines starting with `##` are
# comments.  The ctest entries run this with ACC_SAMPLE_SCALE=0.01, so the
# delays are a hundredth of the tutorials'; what is checked is the output and
# its order.
set -u

[ $# -ge 2 ] || { echo "usage: run_sample.sh EXPECTED PROGRAM [ARGS...]" >&2; exit 2; }
expected=$1
shift
[ -f "$expected" ] || { echo "run_sample: no such file: $expected" >&2; exit 2; }

out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT
"$@" >"$out" 2>&1
status=$?

want_status=$(sed -n 's/^#exit \([0-9][0-9]*\)$/\1/p' "$expected" | tail -n 1)
[ -n "$want_status" ] || want_status=0
if [ "$status" -ne "$want_status" ]; then
    echo "FAIL: exit status $status, expected $want_status; output:" >&2
    cat "$out" >&2
    exit 1
fi

awk -v expfile="$expected" '
# Matches output line `s` against expected line `p`; sets captures in cap[].
function match_line(s, p,    i, c, lit, name, k) {
    while (length(p) > 0) {
        i = index(p, "{")
        if (i == 0 || !(substr(p, i) ~ /^\{(T(:[A-Za-z_][A-Za-z_0-9]*)?|\*)\}/)) {
            if (i == 0) { lit = p; p = "" } else { lit = substr(p, 1, i); p = substr(p, i + 1) }
            if (substr(s, 1, length(lit)) != lit) return 0
            s = substr(s, length(lit) + 1)
            continue
        }
        if (i > 1) {
            lit = substr(p, 1, i - 1)
            if (substr(s, 1, length(lit)) != lit) return 0
            s = substr(s, length(lit) + 1)
            p = substr(p, i)
        }
        c = index(p, "}")
        name = substr(p, 2, c - 2)
        p = substr(p, c + 1)
        if (name == "*") {
            # Up to the next literal text, or the rest of the line.
            k = index(p, "{")
            lit = k ? substr(p, 1, k - 1) : p
            if (lit == "") { s = ""; continue }
            k = index(s, lit)
            if (k == 0) return 0
            s = substr(s, k)
            continue
        }
        if (!match(s, /^-?[0-9]+(\.[0-9]+)?/)) return 0
        if (name ~ /^T:/) cap[substr(name, 3)] = substr(s, 1, RLENGTH) + 0
        s = substr(s, RLENGTH + 1)
    }
    return s == ""
}
function value(x) {
    if (x ~ /^-?[0-9]+(\.[0-9]+)?$/) return x + 0
    if (!(x in cap)) { print "FAIL: #check names " x ", which no {T:" x "} captured" > "/dev/stderr"; bad = 1; return 0 }
    return cap[x]
}
BEGIN {
    n = 0; nchecks = 0
    while ((getline line < expfile) > 0) {
        if (line ~ /^##/ || line ~ /^#exit /) continue
        if (line ~ /^#check /) { checks[++nchecks] = substr(line, 8); continue }
        want[++n] = line
    }
}
{
    got[NR] = $0
}
END {
    bad = 0
    for (i = 1; i <= (NR > n ? NR : n); i++) {
        if (i > NR) { printf "FAIL: output ends before expected line %d:\n  %s\n", i, want[i] > "/dev/stderr"; bad = 1; break }
        if (i > n) { printf "FAIL: unexpected output line %d:\n  %s\n", i, got[i] > "/dev/stderr"; bad = 1; break }
        if (!match_line(got[i], want[i])) {
            printf "FAIL: line %d differs\n  expected: %s\n  got:      %s\n", i, want[i], got[i] > "/dev/stderr"
            bad = 1
            break
        }
    }
    for (i = 1; !bad && i <= nchecks; i++) {
        split(checks[i], w, " ")
        a = value(w[1]); b = value(w[3])
        ok = (w[2] == "<") ? a < b : (w[2] == ">") ? a > b : -1
        if (ok == -1) { print "FAIL: bad #check: " checks[i] > "/dev/stderr"; bad = 1 }
        else if (!ok) printf "note: #check %s did not hold (%s = %g, %s = %g); timings are reported, never asserted\n", checks[i], w[1], a, w[3], b > "/dev/stderr"
    }
    exit bad
}' "$out" || { echo "--- full output:" >&2; cat "$out" >&2; exit 1; }
echo "PASS"
