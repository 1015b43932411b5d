#!/usr/bin/python3
"""run_realc.py: one test of acc on a plain C program made async mechanically.

    run_realc.py --acc ACC --lib LIBACC --inc INCDIR --cc CC --kind gcc|clang|tcc
                 --work DIR [--cflags FLAGS] [--timeout S] [--runner CMD]
                 [--known-failing] PROGRAM.c

Steps, each of which fails the test on a nonzero status or on any output to
stderr (a warning counts):
  1. build PROGRAM.c as plain C with CC (gcc and clang at
     -std=c11 -pedantic -Wall -Wextra -Werror) and run it: the reference
     stdout and exit status;
  2. asyncify.py writes PROGRAM.ac (every eligible function async, every call
     of one awaited); with --kind gcc, its keyword-erased twin must build and
     behave as the plain program (a check of asyncify itself);
  3. acc transpiles PROGRAM.ac; CC builds the result with the same flags and
     links it with libacc;
  4. the async build (under CMD, e.g. valgrind, when given) must print
     exactly the plain program's stdout and exit with its status.
With --known-failing (the program is in realc_known_failing.txt) a failure
of steps 3-4 passes the test and their success fails it, so the list cannot
go stale; a failure of steps 1-2 fails it either way.
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
STRICT = ["-std=c11", "-pedantic", "-Wall", "-Wextra", "-Werror"]


class Fail(Exception):
    pass


def quiet(argv, what):
    """Runs a build step; any status or stderr output fails the test."""
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode != 0 or r.stderr.strip():
        raise Fail(f"{what}: exit {r.returncode}\ncommand: {shlex.join(argv)}\n{r.stderr}")


def run(prog, work, timeout, runner=""):
    try:
        r = subprocess.run(shlex.split(runner) + [prog], capture_output=True, cwd=work,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Fail(f"{prog} timed out after {timeout} s")
    return r.returncode, r.stdout, r.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--acc", required=True)
    ap.add_argument("--lib", required=True)
    ap.add_argument("--inc", required=True)
    ap.add_argument("--cc", required=True)
    ap.add_argument("--kind", required=True, choices=["gcc", "clang", "tcc"])
    ap.add_argument("--work", required=True)
    ap.add_argument("--cflags", default="")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--runner", default="", help="runs the async build under this (valgrind)")
    ap.add_argument("--known-failing", action="store_true",
                    help="acc is known to fail this program: pass when acc's part fails, "
                         "fail when it passes (the plain program, asyncify and the erased "
                         "twin must still be right)")
    ap.add_argument("program")
    a = ap.parse_args()
    # the programs run in --work: relative paths (the rpath of libacc.so) must not
    a.acc, a.lib, a.inc, a.work = (os.path.abspath(p) for p in (a.acc, a.lib, a.inc, a.work))
    name = os.path.splitext(os.path.basename(a.program))[0]
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    flags = (STRICT if a.kind != "tcc" else []) + shlex.split(a.cflags)
    incdir = "-I" + os.path.dirname(os.path.abspath(a.program))
    stage = "corpus"  # the plain program, asyncify and its erased twin
    try:
        plain = os.path.join(a.work, "plain")
        quiet([a.cc] + flags + [incdir, a.program, "-o", plain, "-lm"], "plain build")
        want = run(plain, a.work, a.timeout)

        ac = os.path.join(a.work, name + ".ac")
        quiet([sys.executable, os.path.join(HERE, "asyncify.py"), a.program, "-o", ac],
              "asyncify")
        if a.kind == "gcc":
            erased = os.path.join(a.work, "erased")
            quiet([a.cc] + flags + ["-Dasync=", "-Dawait=", incdir, "-x", "c", ac,
                                    "-o", erased, "-lm"], "erased build")
            if run(erased, a.work, a.timeout)[:2] != want[:2]:
                raise Fail("asyncify changed the program: its erased twin differs")

        stage = "acc"  # from here on, a failure is acc's (or the runtime's)
        c = os.path.join(a.work, name + ".acc.c")
        quiet([a.acc, ac, "-o", c], "acc")
        obj = os.path.join(a.work, name + ".o")
        quiet([a.cc] + flags + [incdir, "-I" + a.inc, "-c", c, "-o", obj], "build of acc's output")
        prog = os.path.join(a.work, "async")
        link = [a.cc] + shlex.split(a.cflags) + [obj, a.lib]
        if a.lib.endswith(".so") or ".so." in a.lib:
            link.append("-Wl,-rpath=" + os.path.dirname(a.lib))
        quiet(link + ["-lpthread", "-lm", "-o", prog], "link")
        got = run(prog, a.work, a.timeout, a.runner)
        if got[:2] != want[:2]:
            raise Fail(f"the async build differs from the plain one:\n"
                       f"plain: status {want[0]}\n{want[1].decode(errors='replace')}\n"
                       f"async: status {got[0]}\n{got[1].decode(errors='replace')}\n"
                       f"async stderr:\n{got[2].decode(errors='replace')}")
    except Fail as e:
        if a.known_failing and stage == "acc":
            print(f"KNOWN FAILURE (realc_known_failing.txt): {a.program} ({a.kind}): {e}")
            return 0
        print(f"FAIL: {a.program} ({a.kind}): {e}", file=sys.stderr)
        return 1
    if a.known_failing:
        print(f"FAIL: {a.program} ({a.kind}) now passes: delete its line from "
              f"tests/realc/realc_known_failing.txt", file=sys.stderr)
        return 1
    print(f"PASS: {a.program} ({a.kind})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
