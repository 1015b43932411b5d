"""run.py: runs the benchmark suite and writes bench/results/ (see bench/README.md).

Every workload runs on acc and its peers in the same session, interleaved run
by run (acc, peer, acc, peer, ...) so that a noisy machine hurts all alike;
each figure is the median of --runs runs, with the spread (min-max) beside
it.  Writes results.md (the tables), results.json (every run) and one PNG
per workload.  Started by bench/run, which installs and builds first.
"""
import argparse
import json
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

import realc

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"  # Debian's, where python3-uvloop installs


def peers(build):
    """Peer name -> how to start its program for a workload: argv prefix."""
    b = os.path.join(build, "bench")
    return {
        "acc": lambda w: [os.path.join(b, "acc_" + w)],
        # the sleepers collected with acc_gather_tasks instead of detached
        "acc, gather_tasks": lambda w: [os.path.join(b, "acc_" + w + "_gather")],
        "C++20 coroutines": lambda w: [os.path.join(b, "bench_coro"), w],
        "libuv": lambda w: [os.path.join(b, "bench_uv"), w],
        "asyncio": lambda w: [PY, os.path.join(HERE, "py", "bench.py"), w],
        "uvloop": lambda w: [PY, os.path.join(HERE, "py", "bench.py"), "--uvloop", w],
        "Node.js": lambda w: ["node", os.path.join(HERE, "node", "bench.js"), w],
    }


# workload -> (peers that have it, n for each peer: the slow peers do fewer
# iterations of the same per-operation work so the suite stays short)
MICRO = {
    "switch": {"acc": 10**7, "C++20 coroutines": 10**7, "asyncio": 10**5, "uvloop": 10**5,
               "Node.js": 10**6},
    "spawn": {"acc": 10**6, "C++20 coroutines": 10**6, "asyncio": 10**5, "uvloop": 10**5,
              "Node.js": 10**6},
    "await": {"acc": 10**7, "C++20 coroutines": 10**7, "asyncio": 10**6, "uvloop": 10**6,
              "Node.js": 10**7},
    "timers": {"acc": 10**6, "libuv": 10**6, "asyncio": 10**6, "uvloop": 10**6,
               "Node.js": 10**6},
}
SLEEPER_PEERS = ["acc", "acc, gather_tasks", "libuv", "asyncio", "uvloop", "Node.js"]
SLEEPER_NS = [10_000, 100_000, 1_000_000]
ECHO_PEERS = ["acc", "libuv", "asyncio", "uvloop", "Node.js"]
ECHO_CONNS = [1, 100, 1000]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def run_json(argv, timeout=300):
    out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {out.returncode}: {out.stderr.strip()[-300:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "runs": values}


def interleaved(jobs, runs):
    """jobs: {key: argv}. Runs them round-robin `runs` times; {key: [json]}."""
    res = {k: [] for k in jobs}
    for _ in range(runs):
        for k, argv in jobs.items():
            try:
                res[k].append(run_json(argv))
            except Exception as e:  # a missing peer must not stop the suite
                log(f"  {k}: {e}")
    return res


# ---- the workloads ----------------------------------------------------------

def bench_micro(P, runs, scale):
    out = {}
    for w, ns in MICRO.items():
        log(f"{w} ...")
        jobs = {p: P[p](w) + [str(max(1000, int(n * scale)))] for p, n in ns.items()}
        res = interleaved(jobs, runs)
        out[w] = {p: {k: summary([r[k] for r in rs]) for k in rs[0]} for p, rs in res.items() if rs}
    return out


def bench_sleepers(P, runs, scale):
    out = {}
    for n in SLEEPER_NS:
        n = max(1000, int(n * scale))
        log(f"sleepers {n} ...")
        res = interleaved({p: P[p]("sleepers") + [str(n)] for p in SLEEPER_PEERS}, runs)
        out[n] = {p: {k: summary([r[k] for r in rs]) for k in rs[0]} for p, rs in res.items() if rs}
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(argv, port):
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    for _ in range(200):  # until it listens
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"{argv[0]} exited: {proc.stderr.read().decode()[-300:]}")
            time.sleep(0.05)
    stop_server(proc)
    raise RuntimeError(f"{' '.join(argv)}: not listening on {port}")


def stop_server(proc):
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def bench_echo(P, build, runs, secs):
    """Each server is started once per run; the load generator runs against
    it for each connection count.  Server and generator share the 2 cores."""
    loadgen = os.path.join(build, "bench", "bench_loadgen")
    raw = {c: {p: [] for p in ECHO_PEERS} for c in ECHO_CONNS}
    for r in range(runs):
        for p in ECHO_PEERS:
            log(f"echo {p} run {r + 1} ...")
            port = free_port()
            try:
                srv = start_server(P[p]("echo") + [str(port)], port)
            except Exception as e:
                log(f"  {p}: {e}")
                continue
            try:
                for c in ECHO_CONNS:
                    raw[c][p].append(run_json([loadgen, str(port), str(c), str(secs)]))
            except Exception as e:
                log(f"  {p}: {e}")
            finally:
                stop_server(srv)
    return {c: {p: {k: summary([x[k] for x in rs]) for k in rs[0]} for p, rs in d.items() if rs}
            for c, d in raw.items()}


def wrk_rps(port, secs):
    out = subprocess.run(["wrk", "-t1", "-c100", f"-d{secs}s", f"http://127.0.0.1:{port}/"],
                         capture_output=True, text=True, timeout=secs + 30)
    for line in out.stdout.splitlines():
        if line.startswith("Requests/sec:"):
            if "Non-2xx" in out.stdout or "Socket errors" in out.stdout:
                raise RuntimeError("wrk saw errors:\n" + out.stdout[-400:])
            return {"rps": float(line.split()[1])}
    raise RuntimeError("wrk: " + out.stdout[-300:] + out.stderr[-300:])


def nginx_server(port, tmp):
    """nginx with one worker, serving the same small body as the acc server."""
    os.makedirs(tmp, exist_ok=True)
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""worker_processes 1; daemon off; pid {tmp}/nginx.pid; error_log stderr error;
events {{ worker_connections 4096; }}
http {{ access_log off; keepalive_requests 1000000;
  server {{ listen 127.0.0.1:{port}; location / {{ return 200 "hello, world\\n"; }} }} }}
""")
    return ["nginx", "-c", conf, "-p", tmp]


def bench_http(build, runs, secs):
    acc_http = os.path.join(build, "bench", "acc_http")
    if not os.path.exists(acc_http):
        return {"pending": "net/'s HTTP server is not built (acc_http missing)"}
    if not shutil.which("nginx") or not shutil.which("wrk"):
        return {"pending": "nginx or wrk missing"}
    servers = {"acc": lambda port: [acc_http, str(port)],
               "nginx (1 worker)": lambda port: nginx_server(port, os.path.join(build, "bench", "nginx"))}
    raw = {p: [] for p in servers}
    for r in range(runs):
        for p, argv in servers.items():
            log(f"http {p} run {r + 1} ...")
            port = free_port()
            try:
                srv = start_server(argv(port), port)
                try:
                    raw[p].append(wrk_rps(port, secs))
                finally:
                    stop_server(srv)
            except Exception as e:
                log(f"  {p}: {e}")
    return {p: {"rps": summary([x["rps"] for x in rs])} for p, rs in raw.items() if rs}


def bench_kernels(P, runs, scale):
    """Async code where nothing suspends against the same code as plain C, in one
    process (bench/acc/kernels.ac): a loop with no await, a non-suspending
    await, recursive fib and n-queens.  Ratios are async / plain."""
    log("kernels ...")
    res = interleaved({"acc": P["acc"]("kernels") + [str(max(1, int(10 * scale)))]}, runs)
    rs = res["acc"]
    return {k: summary([r[k] for r in rs]) for k in rs[0]} if rs else {}


def bench_transpile(build, runs):
    """acc on a generated 10,000-line .ac file, against clang -fsyntax-only
    on the same file with the same view of acc.h that acc's libclang parses."""
    src = os.path.join(build, "bench", "big.ac")
    subprocess.run([sys.executable, os.path.join(HERE, "gen_ac.py"), "10000", src], check=True)
    acc = os.path.join(build, "transpiler", "acc")
    inc = os.path.join(ROOT, "runtime", "include")
    tools = {
        "acc": [acc, src, "-o", os.devnull],
        "clang -fsyntax-only": ["clang", "-fsyntax-only", "-x", "c", "-D__ACC__=1",
                                "-I" + inc, "-include", os.path.join(inc, "acc.h"), src],
    }
    times = {k: [] for k in tools}
    for _ in range(runs):
        for k, argv in tools.items():
            t0 = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
            times[k].append(time.perf_counter() - t0)
    return {k: {"wall_s": summary(v)} for k, v in times.items()}


def bench_realc(build, runs):
    """Real CPU-bound C made async mechanically against its plain build
    (bench/realc.py): {program: times and ratio, or the error}."""
    a = argparse.Namespace(build=build, acc=os.path.join(build, "transpiler", "acc"),
                           lib=os.path.join(build, "runtime", "libacc.a"),
                           inc=os.path.join(ROOT, "runtime", "include"), cc="gcc",
                           python=PY, runs=runs, only="", json=None)
    try:
        return realc.bench(a)
    except Exception as e:
        log(f"  realc: {e}")
        return {}


# ---- the report -------------------------------------------------------------

def fmt(s, unit, digits=1):
    m = s["median"]
    spread = f"{s['min']:.{digits}f}–{s['max']:.{digits}f}"
    return f"{m:.{digits}f} {unit}", spread


def table(rows, header):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def ratio(x, acc, lower_is_better=True):
    """How many times better acc is than x (>1: acc wins)."""
    if not acc or not x:
        return ""
    r = x / acc if lower_is_better else acc / x
    return f"{r:.2f}×"


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    def version(argv):
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout
            return out.splitlines()[0].strip() if out else "?"
        except (OSError, subprocess.SubprocessError):
            return "?"

    load = os.getloadavg()[0]
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GB, {platform.system()} {platform.release()}; "
            f"{version(['gcc', '--version'])}, {version(['g++', '--version'])}, "
            f"Python {version([PY, '-c', 'import sys; print(sys.version.split()[0])'])}, "
            f"Node.js {version(['node', '--version'])}; "
            f"load average {load:.2f} at the start")


def report(R, runs):
    md = [f"Taken {time.strftime('%Y-%m-%d %H:%M')} on {R['machine']}; each figure is the "
          f"median of {runs} runs (spread: min–max). \"acc ×\": how many times faster "
          f"(or leaner) acc is than the peer; below 1, the peer wins.", ""]
    rows = []
    units = {"switch": "ns/switch", "spawn": "ns/task", "await": "ns/await", "timers": "ns/op"}
    for w, res in R["micro"].items():
        acc = res.get("acc", {}).get("ns_per_op", {}).get("median")
        for p, r in res.items():
            m, s = fmt(r["ns_per_op"], units[w])
            rows.append([w, p, m, s, ratio(r["ns_per_op"]["median"], acc)])
        if w == "await":
            for p, r in res.items():
                if "chain_ns" in r:
                    m, s = fmt(r["chain_ns"], "ns/await")
                    ca = res["acc"]["chain_ns"]["median"] if "acc" in res else None
                    rows.append(["await, 1,000 deep", p, m, s, ratio(r["chain_ns"]["median"], ca)])
            if "acc" in res and "ptr_ns" in res["acc"]:
                m, s = fmt(res["acc"]["ptr_ns"], "ns/await")
                rows.append(["await through a pointer", "acc", m, s, ""])
            if "acc" in res and "call_ns" in res["acc"]:
                m, s = fmt(res["acc"]["call_ns"], "ns/call", 2)
                rows.append(["plain C call", "C", m, s, ""])
    md += ["### Micro-benchmarks", "", table(rows, ["workload", "peer", "median", "spread", "acc ×"]), ""]

    rows = []
    for n, res in R["sleepers"].items():
        acc = res.get("acc")
        for p, r in res.items():
            w, ws = fmt(r["wall_s"], "s", 2)
            m, ms = fmt(r["rss_mb"], "MB")
            rows.append([f"{int(n):,}", p, w, ws, m, ms, f"{r['bytes_per_task']['median']:.0f}",
                         ratio(r["rss_mb"]["median"], acc and acc["rss_mb"]["median"])])
    md += ["### Many sleepers (each task sleeps 1.0 s)", "",
           table(rows, ["tasks", "peer", "wall", "spread", "peak RSS", "spread", "bytes/task",
                        "acc × (RSS)"]), ""]

    rows = []
    for c, res in R["echo"].items():
        acc = res.get("acc")
        for p, r in res.items():
            m, s = fmt(r["rps"], "req/s", 0)
            rows.append([c, p, m, s, f"{r['p99_us']['median']:.0f} µs",
                         ratio(r["rps"]["median"], acc and acc["rps"]["median"], False)])
    md += ["### TCP echo (64-byte requests, closed loop)", "",
           table(rows, ["connections", "server", "requests/s", "spread", "p99 latency", "acc ×"]), ""]

    http = R["http"]
    if "pending" in http:
        md += ["### HTTP (wrk, 100 connections)", "", f"pending: {http['pending']}", ""]
    else:
        acc = http.get("acc")
        rows = [[p, *fmt(r["rps"], "req/s", 0), ratio(r["rps"]["median"], acc and acc["rps"]["median"], False)]
                for p, r in http.items()]
        md += ["### HTTP (wrk, 1 thread, 100 connections, keep-alive)", "",
               table(rows, ["server", "requests/s", "spread", "acc ×"]), ""]

    if R.get("realc"):
        md += ["### Real C made async (tests/realc, gcc -O2, bench/realc.py)", "",
               realc.report(R["realc"]), ""]

    t = R["transpile"]
    rows = [[k, *fmt(v["wall_s"], "s", 3)] for k, v in t.items()]
    md += [] if len(t) < 2 else ["### Transpile (a generated 10,000-line .ac file)", "",
           table(rows, ["tool", "wall", "spread"]), "",
           f"acc / clang -fsyntax-only: "
           f"{t['acc']['wall_s']['median'] / t['clang -fsyntax-only']['wall_s']['median']:.2f}", ""]
    md += ["### Targets", "", table(targets(R), ["target", "measured", "met"]), ""]
    return "\n".join(md)


def targets(R):
    def get(*path):
        x = R
        for k in path:
            if x is None or k not in x:
                return None
            x = x[k]
        return x["median"] if isinstance(x, dict) and "median" in x else x

    rows = []

    def add(name, value, ok, fmt_value):
        rows.append([name, fmt_value if value is not None else "n/a",
                     "n/a" if value is None else ("yes" if ok else "**no**")])

    sw, swc = get("micro", "switch", "acc", "ns_per_op"), get("micro", "switch", "C++20 coroutines", "ns_per_op")
    if sw and swc:
        add("switch ≤ 1.0× C++20 coroutines", sw / swc, sw <= swc, f"{sw / swc:.2f}×")
    sp = get("micro", "spawn", "acc", "ns_per_op")
    if sp:
        add("spawn ≤ 25 ns", sp, sp <= 25, f"{sp:.1f} ns")
    aw, call = get("micro", "await", "acc", "ns_per_op"), get("micro", "await", "acc", "call_ns")
    if aw and call:
        add("non-suspending await ≤ 3× a plain call", aw / call, aw <= 3 * call,
            f"{aw / call:.1f}× ({aw:.1f} vs {call:.2f} ns)")
    big = max(R["sleepers"], key=int) if R["sleepers"] else None
    if big:
        rss, wall = get("sleepers", big, "acc", "rss_mb"), get("sleepers", big, "acc", "wall_s")
        if rss:
            add(f"{int(big):,} sleepers ≤ 100 MB", rss, rss <= 100, f"{rss:.0f} MB")
            add(f"{int(big):,} sleepers ≤ 1.2 s", wall, wall <= 1.2, f"{wall:.2f} s")
        rss, wall = (get("sleepers", big, "acc, gather_tasks", k) for k in ("rss_mb", "wall_s"))
        if rss:
            add(f"{int(big):,} sleepers, gather_tasks ≤ 100 MB", rss, rss <= 100, f"{rss:.0f} MB")
            add(f"{int(big):,} sleepers, gather_tasks ≤ 1.2 s", wall, wall <= 1.2,
                f"{wall:.2f} s")
    for c in R["echo"]:
        a = get("echo", c, "acc", "rps")
        for p, k in (("libuv", 1.0), ("uvloop", 3.0)):
            b = get("echo", c, p, "rps")
            if a and b:
                add(f"echo, {c} conn. ≥ {k:g}× {p}", a / b, a / b >= k, f"{a / b:.2f}×")
    a, b = get("http", "acc", "rps"), get("http", "nginx (1 worker)", "rps")
    if a and b:
        add("http ≥ 1.0× nginx (1 worker)", a / b, a >= b, f"{a / b:.2f}×")
    elif "pending" in R["http"]:
        rows.append(["http ≥ 1.0× nginx (1 worker)", "pending", "pending"])
    t = R["transpile"]
    if len(t) == 2:
        r = t["acc"]["wall_s"]["median"] / t["clang -fsyntax-only"]["wall_s"]["median"]
        add("transpile ≤ 1.5× clang -fsyntax-only", r, r <= 1.5, f"{r:.2f}×")
    ratios = [r["ratio"] for r in R.get("realc", {}).values() if "ratio" in r]
    if ratios:
        gm, worst, n = realc.geomean(ratios), max(ratios), len(R["realc"])
        add(f"real C made async: geometric mean ≤ 1.3× plain ({len(ratios)} of {n} built)",
            gm, gm <= 1.3, f"{gm:.2f}×")
        add("real C made async: none over 2× plain", worst, worst <= 2, f"{worst:.2f}×")
    return rows


# one colour per peer in every plot
COLORS = {"acc": "#1f77b4", "C++20 coroutines": "#ff7f0e", "libuv": "#8c564b", "asyncio": "#2ca02c",
          "uvloop": "#d62728", "Node.js": "#9467bd"}


def plots(R, outdir):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("no matplotlib: no plots")
        return []

    def bars(fname, title, ylabel, data, log_scale=True):
        """data: {group: {peer: summary}} -> grouped bars with min-max whiskers."""
        groups = list(data)
        names = []
        for g in groups:
            names += [p for p in data[g] if p not in names]
        fig, ax = plt.subplots(figsize=(8, 4.2))
        width = 0.8 / max(1, len(names))
        for i, p in enumerate(names):
            xs, ys, lo, hi = [], [], [], []
            for j, g in enumerate(groups):
                if p in data[g]:
                    s = data[g][p]
                    xs.append(j + i * width)
                    ys.append(s["median"])
                    lo.append(s["median"] - s["min"])
                    hi.append(s["max"] - s["median"])
            ax.bar(xs, ys, width, yerr=[lo, hi], label=p, capsize=2, color=COLORS.get(p))
        ax.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(groups))])
        ax.set_xticklabels([str(g) for g in groups])
        if log_scale:
            ax.set_yscale("log")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend(fontsize=8, ncol=len(names), loc="upper center", bbox_to_anchor=(0.5, -0.1),
                  frameon=False)
        fig.tight_layout()
        fig.savefig(os.path.join(outdir, fname), dpi=90)
        plt.close(fig)
        return fname

    files = []
    if not (R["micro"] and R["sleepers"] and R["echo"]):
        return files  # a partial run (--only): no plots
    micro = {w: {p: r["ns_per_op"] for p, r in res.items()} for w, res in R["micro"].items()}
    files.append(bars("micro.png", "Micro-benchmarks (lower is better)", "ns per operation", micro))
    sl = {f"{int(n):,}": {p: r["rss_mb"] for p, r in res.items()} for n, res in R["sleepers"].items()}
    files.append(bars("sleepers_rss.png", "Peak RSS with N sleeping tasks (lower is better)", "MB", sl))
    sw = {f"{int(n):,}": {p: r["wall_s"] for p, r in res.items()} for n, res in R["sleepers"].items()}
    files.append(bars("sleepers_wall.png", "Wall time, N tasks sleeping 1.0 s (lower is better)", "s", sw,
                      False))
    ec = {f"{c} conn.": {p: r["rps"] for p, r in res.items()} for c, res in R["echo"].items()}
    files.append(bars("echo.png", "TCP echo (higher is better)", "requests/s", ec, False))
    return files


def update_docs(md, pngs):
    """Replaces what lies between the bench markers of docs/performance.md."""
    path = os.path.join(ROOT, "docs", "performance.md")
    text = open(path).read()
    begin, end = "<!-- bench/run --docs: begin -->", "<!-- bench/run --docs: end -->"
    if begin not in text or end not in text:
        log("docs/performance.md has no bench markers: not updated")
        return
    md = md.replace("### ", "#### ")
    figs = "".join(f"![{p}](../bench/results/{p})\n" for p in pngs)
    head, rest = text.split(begin, 1)
    text = head + begin + "\n" + md + "\n" + figs + end + rest.split(end, 1)[1]
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--runs", type=int, default=5, help="runs per micro-benchmark (median)")
    ap.add_argument("--quick", action="store_true", help="1 run, a tenth of the work: a smoke test")
    ap.add_argument("--only", default="micro,sleepers,echo,http,transpile,kernels,realc")
    ap.add_argument("--docs", action="store_true",
                    help="also put the tables into docs/performance.md")
    args = ap.parse_args()
    runs, scale, secs = (1, 0.1, 1) if args.quick else (args.runs, 1.0, 2)
    big_runs = 1 if args.quick else 3  # sleepers, echo and http take seconds per run
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # 1,000 connections
    P = peers(args.build)
    only = args.only.split(",")
    t0 = time.time()
    R = {"machine": machine(), "micro": {}, "sleepers": {}, "echo": {},
         "http": {"pending": "not run"}, "transpile": {}, "kernels": {}}
    if "micro" in only:
        R["micro"] = bench_micro(P, runs, scale)
    if "sleepers" in only:
        R["sleepers"] = bench_sleepers(P, big_runs, 0.1 if args.quick else 1.0)
    if "echo" in only:
        R["echo"] = bench_echo(P, args.build, big_runs, secs)
    if "http" in only:
        R["http"] = bench_http(args.build, big_runs, secs)
    if "transpile" in only:
        R["transpile"] = bench_transpile(args.build, 3 if args.quick else 5)
    if "kernels" in only:
        R["kernels"] = bench_kernels(P, runs, scale)
        for k in ("loop", "await", "fib", "queens"):
            if k + "_ratio" in R["kernels"]:
                log(f"  {k}: async/plain {R['kernels'][k + '_ratio']['median']:.2f}x")
    if "realc" in only:
        R["realc"] = bench_realc(args.build, 1 if args.quick else 5)
    R["seconds"] = time.time() - t0
    # a smoke test or a partial run must not overwrite the suite's results
    full = not args.quick and set(only) >= {"micro", "sleepers", "echo", "http", "transpile"}
    outdir = os.path.join(HERE, "results") if full else os.path.join(HERE, "results", "partial")
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump(R, f, indent=1)
    md = report(R, runs)
    pngs = plots(R, outdir)
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write(md + "\n" + "".join(f"![{p}]({p})\n" for p in pngs))
    print(md)
    if args.docs and full:
        update_docs(md.replace("](", "](../bench/results/"), pngs)
    log(f"suite took {R['seconds']:.0f} s; wrote {outdir}/results.md, results.json, "
        + ", ".join(pngs))


if __name__ == "__main__":
    main()
