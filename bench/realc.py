#!/usr/bin/python3
"""realc.py: the speed of real CPU-bound C made async mechanically (issue 11).

    bench/realc.py [--build DIR] [--acc ACC] [--lib LIBACC] [--inc DIR] [--runs N]
                   [--only nbody,spectral,...] [--json FILE]
                   [--label NAME] [--compare LABEL=BUILD[:INC]]...

For each program of tests/realc below: build it plain (gcc -O2), make it
async with tests/realc/asyncify.py (every eligible function async, every
call of one awaited), transpile with acc and build that the same way
(gcc -O2, libacc.a).  Both builds must print the same; then they run
interleaved (plain, async, plain, async, ...) --runs times, and the median
wall times give the ratio async/plain.  Prints one row per program and the
geometric mean.  Issue 11's targets: geometric mean <= 1.3x, none over 2x.

A program acc cannot compile is reported as such and left out of the mean.
--compare times another acc build in the same session (e.g. main against a
branch), so that both sets of ratios see the same machine load.
Needs a Python with libclang's bindings (Debian python3-clang-19) for
asyncify.py; this script runs it with /usr/bin/python3 unless --python says.
Run it from a Release build of acc (bench/run's build-bench, or --build).
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REALC = os.path.join(ROOT, "tests", "realc")

# program -> the argument that makes the plain -O2 build run for about half
# a second on the 2-core reference machine
PROGRAMS = {
    "nbody": "2000000",
    "spectral": "1500",
    "fannkuch": "10",
    "bintrees": "15",
    "mandel": "1200",
    "sha256": "20",
    "lz77": "4000000",
    "queens": "13",
    "interp": "30",
    "wordfreq": "15000000",
    "matrix": "600",
    "json": "200000",
}
CFLAGS = ["-std=c11", "-O2", "-w"]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def sh(argv, what):
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode != 0:
        lines = r.stderr.strip().splitlines() or [f"exit {r.returncode}"]
        first = next((ln for ln in lines if "error" in ln), lines[0])
        raise RuntimeError(f"{what}: {first.split(': ', 1)[-1]}")
    return r.stdout


def build_plain(name, work, a):
    src = os.path.join(REALC, name + ".c")
    plain = os.path.join(work, name + ".plain")
    sh([a.cc] + CFLAGS + [src, "-o", plain, "-lm"], "plain build")
    ac = os.path.join(work, name + ".ac")
    sh([a.python, os.path.join(REALC, "asyncify.py"), src, "-o", ac], "asyncify")
    return plain, ac


def build_async(name, ac, work, a, tool):
    """The async binary of one acc (tool: label, acc, lib, inc); raises
    RuntimeError saying which step failed."""
    label, acc, lib, inc = tool
    c = os.path.join(work, f"{name}.{label}.c")
    sh([acc, ac, "-o", c], "acc")
    prog = os.path.join(work, f"{name}.{label}.async")
    sh([a.cc] + CFLAGS + ["-I" + inc, c, lib, "-lpthread", "-lm", "-o", prog],
       "build of acc's output")
    return prog


def timed(argv):
    t0 = time.perf_counter()
    r = subprocess.run(argv, capture_output=True)
    return time.perf_counter() - t0, r.returncode, r.stdout


def bench_many(a, tools):
    """{label: {program: {"arg", "plain", "async", "ratio", ...} or {"error"}}}
    for each acc in tools, all timed in one interleaved session
    (plain, async of the first acc, async of the second, ..., plain, ...)."""
    names = a.only.split(",") if a.only else list(PROGRAMS)
    res = {t[0]: {} for t in tools}
    with tempfile.TemporaryDirectory(prefix="acc-realc-") as work:
        plains, bins = {}, {t[0]: {} for t in tools}
        for n in names:
            try:
                plains[n], ac = build_plain(n, work, a)
            except RuntimeError as e:
                for t in tools:
                    res[t[0]][n] = {"arg": PROGRAMS[n], "error": str(e)}
                continue
            for t in tools:
                try:
                    bins[t[0]][n] = build_async(n, ac, work, a, t)
                except RuntimeError as e:
                    res[t[0]][n] = {"arg": PROGRAMS[n], "error": str(e)}
                    log(f"  {t[0]} {n}: {e}")
        times = {n: [] for n in plains}
        atimes = {t[0]: {n: [] for n in bins[t[0]]} for t in tools}
        for r in range(a.runs):
            for n, plain in plains.items():
                tp, sp, op = timed([plain, PROGRAMS[n]])
                times[n].append(tp)
                for t in tools:
                    prog = bins[t[0]].get(n)
                    if prog is None:
                        continue
                    ta, sa, oa = timed([prog, PROGRAMS[n]])
                    if (sp, op) != (sa, oa):
                        res[t[0]][n] = {"arg": PROGRAMS[n],
                                        "error": "the async build's output differs"}
                        del bins[t[0]][n]
                        continue
                    atimes[t[0]][n].append(ta)
            log(f"  run {r + 1}/{a.runs} done")
        for t in tools:
            for n in bins[t[0]]:
                p, q = statistics.median(times[n]), statistics.median(atimes[t[0]][n])
                res[t[0]][n] = {"arg": PROGRAMS[n], "plain": times[n], "async": atimes[t[0]][n],
                                "plain_s": p, "async_s": q, "ratio": q / p}
    return {label: {n: r[n] for n in names if n in r} for label, r in res.items()}


def bench(a):
    """{program: {"arg", "plain", "async", "ratio", ...} or {"error"}} for a.acc."""
    return bench_many(a, [("acc", a.acc, a.lib, a.inc)])["acc"]


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def report(res):
    lines = ["| program | argument | plain (s) | async (s) | async/plain |",
             "|---|---|---|---|---|"]
    ratios = []
    for n, r in res.items():
        if "error" in r:
            lines.append(f"| {n} | {r['arg']} | | | {r['error'][:90]} |")
            continue
        ratios.append(r["ratio"])
        lines.append(f"| {n} | {r['arg']} | {r['plain_s']:.3f} | {r['async_s']:.3f} | "
                     f"{r['ratio']:.2f}x |")
    gm = geomean(ratios)
    worst = max(ratios) if ratios else float("nan")
    lines.append("")
    lines.append(f"geometric mean {gm:.2f}x over {len(ratios)} of {len(res)} programs "
                 f"(target <= 1.3x: {'met' if gm <= 1.3 else 'NOT met'}); "
                 f"worst {worst:.2f}x (target <= 2x: {'met' if worst <= 2 else 'NOT met'})")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=None,
                    help="acc's build directory (default: build-bench, else build)")
    ap.add_argument("--acc", default=None)
    ap.add_argument("--lib", default=None)
    ap.add_argument("--inc", default=os.path.join(ROOT, "runtime", "include"),
                    help="the runtime headers that go with --lib")
    ap.add_argument("--cc", default="gcc")
    ap.add_argument("--python", default="/usr/bin/python3",
                    help="a Python that can import clang.cindex, for asyncify.py")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", default="", help="comma-separated programs")
    ap.add_argument("--json", default=None, help="also write every run here")
    ap.add_argument("--label", default="acc", help="the name of the acc under test")
    ap.add_argument("--compare", action="append", default=[], metavar="LABEL=BUILD[:INC]",
                    help="also time another acc build (its headers in INC) in the same runs")
    a = ap.parse_args()
    if a.build is None:
        bb = os.path.join(ROOT, "build-bench")
        a.build = bb if os.path.exists(os.path.join(bb, "transpiler", "acc")) \
            else os.path.join(ROOT, "build")
    a.acc = a.acc or os.path.join(a.build, "transpiler", "acc")
    a.lib = a.lib or os.path.join(a.build, "runtime", "libacc.a")
    tools = [(a.label, a.acc, a.lib, a.inc)]
    for spec in a.compare:
        label, _, rest = spec.partition("=")
        build, _, inc = rest.partition(":")
        tools.append((label, os.path.join(build, "transpiler", "acc"),
                      os.path.join(build, "runtime", "libacc.a"),
                      inc or os.path.join(ROOT, "runtime", "include")))
    log(f"realc: {', '.join(t[1] for t in tools)}; {a.runs} interleaved runs")
    res = bench_many(a, tools)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    for label, r in res.items():
        if len(res) > 1:
            print(f"\n### {label}\n")
        print(report(r))

if __name__ == "__main__":
    main()
