"""bench.py: the Python peer, on asyncio's own loop or on uvloop.

    python3 bench.py [--uvloop] switch|spawn|await|sleepers|timers N
    python3 bench.py [--uvloop] echo PORT

The same work as the acc programs (bench/acc/*.ac), written as asyncio code
is written; prints one JSON line with the same field names.
"""
import asyncio
import json
import random
import sys
import time


def rss_mb():
    """Peak RSS in MB: VmHWM (ru_maxrss would include the parent's, execve keeps it)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


async def switch(n):
    ev = [asyncio.Event(), asyncio.Event()]

    async def player(me, rounds):
        for _ in range(rounds):
            await ev[me].wait()
            ev[me].clear()
            ev[1 - me].set()

    t0 = time.perf_counter()
    a = asyncio.create_task(player(0, n // 2))
    b = asyncio.create_task(player(1, n // 2))
    ev[0].set()
    await a
    await b
    return {"ns_per_op": (time.perf_counter() - t0) * 1e9 / n}


async def spawn(n):
    done = 0

    async def trivial():
        nonlocal done
        done += 1

    t0 = time.perf_counter()
    for _ in range(0, n, 1000):
        for _ in range(1000):
            asyncio.create_task(trivial())
        await asyncio.sleep(0)
    t = time.perf_counter() - t0
    assert done == n
    return {"ns_per_op": t * 1e9 / n}


async def leaf(x):
    return x + 1


async def chain(d):
    if d == 0:
        return 1
    return await chain(d - 1) + 1


def leaf_py(x):
    return x + 1


async def await_(n):
    x = 0
    t0 = time.perf_counter()
    for _ in range(n):
        x = await leaf(x)
    t1 = time.perf_counter()
    s = 0
    for _ in range(n // 1000):
        s += await chain(999)
    t2 = time.perf_counter()
    y = 0
    for _ in range(n):
        y = leaf_py(y)
    t3 = time.perf_counter()
    return {"ns_per_op": (t1 - t0) * 1e9 / n, "chain_ns": (t2 - t1) * 1e9 / n,
            "call_ns": (t3 - t2) * 1e9 / n}


async def sleepers(n):
    base = rss_mb()
    t0 = time.perf_counter()
    await asyncio.gather(*(asyncio.sleep(1.0) for _ in range(n)))
    rss = rss_mb()
    return {"wall_s": time.perf_counter() - t0, "rss_mb": rss,
            "bytes_per_task": (rss - base) * 1048576.0 / n}


async def timers(n):
    loop = asyncio.get_running_loop()
    rnd = random.Random(1)
    fired = 0
    done = loop.create_future()

    def fire():
        nonlocal fired
        fired += 1
        if fired == n - (n + 2) // 3:
            done.set_result(None)

    t0 = time.perf_counter()
    hs = [loop.call_later(1.0 + rnd.random(), fire) for _ in range(n)]
    for i in range(0, n, 3):
        hs[i].cancel()
    t1 = time.perf_counter()
    await done
    return {"ns_per_op": (t1 - t0) * 1e9 / (n + (n + 2) // 3)}


async def echo(port):
    async def serve(reader, writer):
        sock = writer.get_extra_info("socket")
        try:
            while data := await reader.read(4096):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", port, backlog=4096)
    async with server:
        await server.serve_forever()


def main():
    sys.setrecursionlimit(10000)  # the 1,000-deep await chain
    args = sys.argv[1:]
    use_uvloop = args[0] == "--uvloop"
    if use_uvloop:
        import uvloop
        args = args[1:]
    what, n = args[0], int(args[1]) if len(args) > 1 else 1000000
    fn = {"switch": switch, "spawn": spawn, "await": await_, "sleepers": sleepers,
          "timers": timers, "echo": echo}[what]
    if use_uvloop:
        result = uvloop.run(fn(n)) if hasattr(uvloop, "run") else (
            uvloop.install(), asyncio.run(fn(n)))[1]
    else:
        result = asyncio.run(fn(n))
    if result is not None:
        print(json.dumps({k: round(v, 2) for k, v in result.items()}))


if __name__ == "__main__":
    main()
