#!/usr/bin/python3
"""status.py: the real-C corpus against one acc build, as a table.

    tests/realc/status.py --build BUILD [--inc INCDIR] [--kinds gcc,clang,tcc] [-j N]

Runs run_realc.py for every tests/realc/*.c with every compiler and prints
one row per program: PASS or the first line of what failed, and, for each
program, whether realc_known_failing.txt agrees (so that the list can be
emptied as acc learns).  BUILD is an acc build directory (transpiler/acc,
runtime/libacc.a, runtime/libacc.so); INCDIR the runtime headers of the same
source tree (default: this tree's runtime/include).  To try another branch:
build it in a directory of your own, e.g.
    cmake -S ../other -B /tmp/b && cmake --build /tmp/b --target acc acc_static acc_shared
    tests/realc/status.py --build /tmp/b --inc ../other/runtime/include
"""
import argparse
import concurrent.futures
import glob
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def known_failing():
    names = set()
    with open(os.path.join(HERE, "realc_known_failing.txt")) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.add(line)
    return names


def one(a, work, prog, kind):
    name = os.path.splitext(os.path.basename(prog))[0]
    lib = os.path.join(a.build, "runtime", "libacc.so" if kind == "tcc" else "libacc.a")
    r = subprocess.run([sys.executable, os.path.join(HERE, "run_realc.py"), "--acc",
                        os.path.join(a.build, "transpiler", "acc"), "--lib", lib, "--inc", a.inc,
                        "--cc", kind, "--kind", kind, "--work",
                        os.path.join(work, f"{name}.{kind}"), prog],
                       capture_output=True, text=True)
    if r.returncode == 0:
        return name, kind, "PASS"
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    step = lines[0].split(": ", 2)[-1] if lines else f"exit {r.returncode}"
    err = next((ln for ln in lines[1:] if not ln.startswith("command:")
                and ("error" in ln or "differs" in ln)), "")
    return name, kind, f"FAIL {step} {err.split(': ', 1)[-1][:80]}".strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True)
    ap.add_argument("--inc", default=os.path.join(ROOT, "runtime", "include"))
    ap.add_argument("--kinds", default="gcc,clang,tcc")
    ap.add_argument("-j", type=int, default=2)
    a = ap.parse_args()
    progs = sorted(glob.glob(os.path.join(HERE, "*.c")))
    kinds = a.kinds.split(",")
    known = known_failing()
    res = {}
    with tempfile.TemporaryDirectory(prefix="acc-realc-status-") as work, \
            concurrent.futures.ThreadPoolExecutor(a.j) as ex:
        for name, kind, what in ex.map(lambda pk: one(a, work, *pk),
                                       [(p, k) for p in progs for k in kinds]):
            res.setdefault(name, {})[kind] = what
    bad = 0
    print("| program | " + " | ".join(kinds) + " | known-failing list |")
    print("|---|" + "---|" * len(kinds) + "---|")
    for name, by_kind in res.items():
        listed = {k for k in kinds if f"realc.{name}" in known or f"realc.{name}.{k}" in known}
        failing = {k for k, w in by_kind.items() if w != "PASS"}
        agree = "agrees" if listed == failing else \
            f"DISAGREES (listed: {sorted(listed) or 'none'})"
        bad += listed != failing
        print(f"| {name} | " + " | ".join(by_kind[k] for k in kinds) + f" | {agree} |")
    passed = sum(w == "PASS" for r in res.values() for w in r.values())
    print(f"\n{passed} of {sum(len(r) for r in res.values())} pass; "
          f"{bad} program(s) where realc_known_failing.txt disagrees")


if __name__ == "__main__":
    main()
