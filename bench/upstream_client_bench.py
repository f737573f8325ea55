#!/usr/bin/env python3
"""Which upstream HTTP client: httpx (own pool) vs httpx over aiohttp (httpx-aiohttp) vs raw aiohttp.

Each client posts the benchmark's chat body to the canned nginx upstream from one uvloop
process at a fixed concurrency; reported are requests/s and client CPU per request, which is
what the gateway pays on every call. Clients alternate, several rounds, medians::

    python bench/upstream_client_bench.py [--concurrency 16] [--requests 5000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gateway_bench as gb


async def _drive(post, concurrency: int, total: int) -> None:  # type: ignore[no-untyped-def]
    per = total // concurrency

    async def worker() -> None:
        for _ in range(per):
            await post()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


def make_clients(url: str, body: bytes, limit: int):  # type: ignore[no-untyped-def]
    import aiohttp
    import httpx

    headers = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench"}

    def over_httpx(transport: httpx.AsyncBaseTransport):  # type: ignore[no-untyped-def]
        client = httpx.AsyncClient(transport=transport, timeout=30)

        async def post() -> None:
            r = await client.post(url, content=body, headers=headers)
            assert r.status_code == 200 and r.content

        return post, client.aclose

    async def httpx_default():  # type: ignore[no-untyped-def]
        return over_httpx(httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit), retries=0))

    async def httpx_aiohttp():  # type: ignore[no-untyped-def]
        from httpx_aiohttp import AiohttpTransport

        return over_httpx(AiohttpTransport(limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit), trust_env=False))

    async def raw_aiohttp():  # type: ignore[no-untyped-def]
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit), timeout=aiohttp.ClientTimeout(total=30))

        async def post() -> None:
            async with session.post(url, data=body, headers=headers) as r:
                content = await r.read()
                assert r.status == 200 and content

        return post, session.close

    return {"httpx (own pool)": httpx_default, "httpx + AiohttpTransport": httpx_aiohttp, "aiohttp": raw_aiohttp}


async def measure(factory, concurrency: int, total: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    post, close = await factory()
    try:
        await _drive(post, concurrency, min(total, 500))  # warm-up: pool filled
        wall, cpu = time.perf_counter(), time.process_time()
        await _drive(post, concurrency, total)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        await close()
    return total / wall, cpu / total * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import uvloop

    with tempfile.TemporaryDirectory(prefix="client-bench-") as tmp:
        nginx = gb.start_nginx(Path(tmp))
        try:
            url = f"http://127.0.0.1:{nginx.port}/v1/chat/completions"
            clients = make_clients(url, gb.chat_bodies()[1], 256)
            results: dict[str, list[tuple[float, float]]] = {name: [] for name in clients}
            for _ in range(args.rounds):
                for name, factory in clients.items():
                    results[name].append(uvloop.run(measure(factory, args.concurrency, args.requests)))
        finally:
            nginx.stop()
    print(f"| client (c={args.concurrency}, {args.requests} requests x {args.rounds} rounds, medians) | req/s | client CPU µs/request |")
    print("|---|---:|---:|")
    for name, rows in results.items():
        print(f"| {name} | {statistics.median(r[0] for r in rows):,.0f} | {statistics.median(r[1] for r in rows):,.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
