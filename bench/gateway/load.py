"""The load: wrk runs against a target (bench/wrk_chat.lua, realistic chat bodies round-robin), and
a raw-socket asyncio client that times streamed completions (time to first event, whole stream)."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.gateway.processes import BENCH_DIR
from bench.gateway.workload import API_KEY


def write_bodies(workdir: Path, bodies: Sequence[bytes], tag: str) -> str:
    paths = []
    for index, body in enumerate(bodies):
        path = workdir / f"body-{tag}-{index}.json"
        path.write_bytes(body)
        paths.append(str(path))
    return ";".join(paths)


def run_wrk(
    url: str, bodies: str, connections: int, duration: float, *, path: str = "/v1/chat/completions", threads: int = 1, timeout_s: int = 10
) -> dict[str, Any]:
    """One wrk run; returns requests/s, latency percentiles in ms, and error counts."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk not found (Debian: apt-get install wrk)")
    env = {**os.environ, "BENCH_BODIES": bodies, "BENCH_API_KEY": API_KEY, "BENCH_PATH": path}
    argv = [
        wrk,
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        f"--timeout={timeout_s}s",
        "-s",
        str(BENCH_DIR / "wrk_chat.lua"),
        url,
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=duration + timeout_s + 30, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk's own CPU: the load generator shares the cores
    line = next((x for x in result.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk produced no summary (exit {result.returncode}): {result.stdout[-500:]} {result.stderr[-500:]}")
    raw = json.loads(line[len("WRK_JSON ") :])
    seconds = raw["duration_us"] / 1e6
    lat = raw["latency_us"] if raw["requests"] else dict.fromkeys(raw["latency_us"], float("nan"))
    errors = sum(raw["errors"].values())
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / seconds if seconds else 0.0,
        "p50_ms": lat["p50"] / 1000,
        "p90_ms": lat["p90"] / 1000,
        "p99_ms": lat["p99"] / 1000,
        "p999_ms": lat["p999"] / 1000,
        "mean_ms": lat["mean"] / 1000,
        "max_ms": lat["max"] / 1000,
        "errors": errors,
        "error_detail": raw["errors"],
        "wrk_cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
    }


@dataclass
class StreamSample:
    ttft: float  # request sent -> first SSE event received
    total: float  # request sent -> [DONE] received
    events: int


async def _read_response(reader: asyncio.StreamReader, started: float) -> tuple[int, StreamSample, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
    first: float | None = None
    body = bytearray()

    def got(data: bytes) -> None:
        nonlocal first
        if first is None and b"data:" in data:
            first = time.perf_counter()
        body.extend(data)

    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            got((await reader.readexactly(size + 2))[:-2])
    else:
        remaining = int(headers.get("content-length", "0"))
        while remaining:
            data = await reader.read(min(remaining, 1 << 16))
            if not data:
                raise ConnectionError("connection closed mid-body")
            remaining -= len(data)
            got(data)
    done = time.perf_counter()
    events = body.count(b"data:")
    keep = headers.get("connection", "").lower() != "close"
    return status, StreamSample((first or done) - started, done - started, events), keep


async def _stream_worker(port: int, request: bytes, count: int, out: list[StreamSample], statuses: list[int], deadline: float) -> None:
    reader = writer = None
    for _ in range(count):
        if time.perf_counter() > deadline:
            break
        if writer is None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        assert reader is not None
        started = time.perf_counter()
        writer.write(request)
        status, sample, keep = await _read_response(reader, started)
        statuses.append(status)
        out.append(sample)
        if not keep:
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


def stream_request(port: int, path: str, body: bytes) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n"
        f"Authorization: Bearer {API_KEY}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def run_streams(port: int, path: str, body: bytes, requests: int, concurrency: int = 1, max_seconds: float = 1e9) -> dict[str, Any]:
    """Up to `requests` streamed completions (or `max_seconds`) over keep-alive connections;
    time to first event and whole-stream time in ms."""
    samples: list[StreamSample] = []
    statuses: list[int] = []
    request = stream_request(port, path, body)

    async def main() -> None:
        deadline = time.perf_counter() + max_seconds
        per = [requests // concurrency + (1 if i < requests % concurrency else 0) for i in range(concurrency)]
        await asyncio.gather(*(_stream_worker(port, request, n, samples, statuses, deadline) for n in per if n))

    run_async(main())
    ok = [s for s, status in zip(samples, statuses, strict=True) if status == 200]
    ttft = sorted(s.ttft * 1000 for s in ok)
    total = sorted(s.total * 1000 for s in ok)
    return {
        "requests": len(samples),
        "errors": len(samples) - len(ok),
        "events": statistics.median([s.events for s in ok]) if ok else 0,
        "ttft_p50_ms": pct(ttft, 50),
        "ttft_p99_ms": pct(ttft, 99),
        "total_p50_ms": pct(total, 50),
        "total_p99_ms": pct(total, 99),
    }


def run_async(coro: Any) -> Any:
    """Run `coro` to completion on uvloop where it is installed (as the gateway runs), else on asyncio."""
    try:
        import uvloop

        return uvloop.run(coro)
    except ImportError:  # pragma: no cover
        return asyncio.run(coro)


def pct(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)
