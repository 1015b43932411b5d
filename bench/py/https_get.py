"""https_get.py: the aiohttp peer of bench/acc/https_get.ac: N GETs of one
small page by C workers sharing one ClientSession (a connector limited to C
connections, so each worker keeps one TLS connection alive).

    python3 https_get.py URL N C      (the CA from SSL_CERT_FILE)

Prints "requests <n> seconds <s> connections <k> bytes <b>" (k: C, the
connector's limit; aiohttp does not count its connects).
"""
import asyncio
import ssl
import sys
import time

import aiohttp


async def worker(session, url, n, out):
    for _ in range(n):
        async with session.get(url) as resp:
            body = await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"status {resp.status}")
            out[0] += len(body)


async def main(url, n, conc):
    ctx = ssl.create_default_context()  # honours SSL_CERT_FILE
    conn = aiohttp.TCPConnector(limit=conc, ssl=ctx)
    out = [0]
    async with aiohttp.ClientSession(connector=conn) as session:
        t0 = time.monotonic()
        await asyncio.gather(*[worker(session, url, n // conc + (i < n % conc), out)
                               for i in range(conc)])
        secs = time.monotonic() - t0
    print(f"requests {n} seconds {secs:.3f} connections {conc} bytes {out[0]}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
