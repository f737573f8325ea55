"""Bounded soak test of a real `complexity-router serve` process under faults.

    python bench/soak.py                      # 60 s, 64 concurrent clients (the documented run)
    python bench/soak.py --duration 10 --concurrency 16 --json out.json

Two simulated OpenAI-compatible upstreams run as their own processes on loopback (`a` and `b`;
tier `low` is a model on `a` with a fallback on `b`, tier `high` the other way round). A fraction
of upstream calls fail before their first byte (HTTP 500, a reset connection, or a first-byte stall
past the timeout), and upstream `a` is killed with SIGKILL partway through and restarted later.
Clients stream (80 %) or not, with prompts of both tiers, and check every answer for completeness.

Pass criteria (exit code 1 otherwise):
* zero requests lost where a healthy fallback existed: every request completes, except (a) streams
  that upstream `a` was in the middle of serving when it was killed — after the first byte no
  proxy can retry; they end with an in-stream error event and `[DONE]` — and (b) requests whose
  every candidate had an injected fault;
* zero hung requests (no request takes longer than the hang limit);
* gateway RSS growth under 10 % from the end of warm-up to the end of the run;
* every request the gateway accepted is in `router_requests_total` exactly once, with the same
  outcome the client saw (the shed ones, `x-router-shed: true`, as `shed`), and nothing is left in flight;
* nothing refused before routing (an error without `x-router-tier`: `server.max_concurrency`, a drain).

The loopback only: nothing leaves 127.0.0.1, and the run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp
import httpx
import yaml

from bench.gateway.load import run_async
from bench.gateway.soak_report import Outcome, Report, judge, refusal
from tests.ports import free_port
from tests.reliability.loopback_serve import ServeProcess
from tests.reliability.loopback_upstream import Behaviour, FakeUpstream, sse_events

PACE = 0.04  # seconds between streamed tokens upstream (25 tokens/s, a small model's pace)
EASY = "What is the capital of France?"
HARD = ("Prove that there are infinitely many primes p such that p + 2 is also prime, or explain precisely why this remains open, "
        "then design a distributed algorithm to search for twin primes with fault tolerance and analyse its complexity.")


# -- the upstream processes -------------------------------------------------------------------


def upstream_main(port: int, fail_rate: float, seed: int, fault_log: str) -> None:
    """Serve a fault-injecting simulated upstream on `port` until killed."""
    rng = random.Random(seed)
    log = open(fault_log, "a", buffering=1)  # noqa: SIM115 - lives as long as the process

    def script(body: dict[str, Any], index: int) -> Behaviour:
        user = str(body.get("user") or "")
        words = int(body.get("max_tokens") or 20)
        draw = rng.random()
        if user.startswith("soak-") and draw < fail_rate:
            kind = "500" if draw < fail_rate * 0.5 else ("reset" if draw < fail_rate * 0.75 else "stall")
            log.write(f"{user} {kind}\n")
            if kind == "500":
                return Behaviour(status=500, json={"error": {"message": "injected fault", "type": "server_error"}})
            if kind == "reset":
                return Behaviour(abort=True)
            return Behaviour(header_delay=30)
        return Behaviour(words=words, chunk_delay=PACE)

    async def serve() -> None:
        upstream = await FakeUpstream(script).start(port)
        print(f"upstream ready on {upstream.port}", flush=True)
        await asyncio.Event().wait()

    run_async(serve())


class UpstreamProcess:
    def __init__(self, name: str, port: int, fail_rate: float, seed: int, workdir: Path) -> None:
        self.name, self.port, self.fail_rate, self.seed = name, port, fail_rate, seed
        self.fault_log = str(workdir / f"faults-{name}.log")
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        command = [sys.executable, str(Path(__file__).resolve()), "upstream", "--port", str(self.port), "--fail-rate", str(self.fail_rate),
                   "--seed", str(self.seed), "--fault-log", self.fault_log]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: ASYNC220
        self.seed += 1000  # a restart draws different faults
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            except OSError:
                await asyncio.sleep(0.05)
        raise RuntimeError(f"upstream {self.name} did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def faults(self) -> dict[str, str]:
        try:
            lines = Path(self.fault_log).read_text().splitlines()
        except OSError:
            return {}
        return dict(line.split(" ", 1) for line in lines if " " in line)


# -- the clients ----------------------------------------------------------------------------------


async def one_request(session: aiohttp.ClientSession, url: str, rid: str, rng: random.Random, hang_after: float) -> Outcome:
    """One client request, checked for completeness (aiohttp: a light client, so the load generator
    is not the bottleneck on a small machine)."""
    stream = rng.random() < 0.8
    words = rng.randint(8, 40)
    prompt = HARD if rng.random() < 0.4 else EASY
    body: dict[str, Any] = {"model": "auto", "messages": [{"role": "user", "content": prompt}], "max_tokens": words, "stream": stream, "user": rid}
    if stream and rng.random() < 0.5:
        body["stream_options"] = {"include_usage": True}
    started = time.monotonic()
    outcome = Outcome(rid, stream, started, started, None, "transport")
    try:
        async with asyncio.timeout(hang_after), session.post(url + "/v1/chat/completions", json=body) as response:
            outcome.status = response.status
            outcome.backend = response.headers.get("x-router-backend", "")
            text = (await response.read()).decode()
        if outcome.status != 200:  # shed, refused before routing, or an upstream's failure, as the gateway marks it
            outcome.result, outcome.detail = refusal(response.headers), text[:200]
        elif not stream:
            outcome.result = "ok" if json.loads(text).get("choices") else "incomplete"
        else:
            events = sse_events(text)
            errors = [e["error"] for e in events if isinstance(e, dict) and "error" in e]
            contents = sum(1 for e in events if isinstance(e, dict) and e.get("choices") and e["choices"][0].get("delta", {}).get("content"))
            if events and events[-1] == "[DONE]" and errors:
                outcome.result, outcome.detail = "cut", str(errors[0].get("code"))
            elif events and events[-1] == "[DONE]" and contents == words:
                outcome.result = "ok"
            else:
                outcome.result, outcome.detail = "incomplete", f"{contents}/{words} chunks"
    except TimeoutError:
        outcome.result, outcome.status = "hung", None
    except aiohttp.ClientError as exc:
        outcome.result, outcome.detail = "transport", type(exc).__name__
    outcome.ended = time.monotonic()
    return outcome


# -- the run ------------------------------------------------------------------------------------------


def soak_config(a_port: int, b_port: int, drain_seconds: float) -> dict[str, Any]:
    backend = {"timeouts": {"connect": 1.0, "first_byte": 2.0, "idle": 5.0, "total": 10.0}, "circuit": {"failures": 3, "cooldown_seconds": 2.0}}
    return {
        "server": {"drain_seconds": drain_seconds, "max_concurrency": 1024},
        "backends": {
            "a": {"kind": "openai", "base_url": f"http://127.0.0.1:{a_port}/v1", **backend},
            "b": {"kind": "openai", "base_url": f"http://127.0.0.1:{b_port}/v1", **backend},
        },
        "models": {
            "model-a": {"backend": "a", "input": 0.1, "output": 0.4},
            "model-b": {"backend": "b", "input": 1.0, "output": 4.0},
        },
        "tiers": {
            "low": {"model": "model-a", "max_score": 0.5, "fallbacks": ["model-b"]},
            "high": {"model": "model-b", "fallbacks": ["model-a"]},
        },
    }


Finale = Callable[[ServeProcess, dict[str, Any]], Awaitable[dict[str, Any]]]


async def run_soak(
    duration: float = 60.0,
    concurrency: int = 64,
    fail_rate: float = 0.02,
    kill_at: float = 0.4,
    restart_at: float = 0.6,
    hang_after: float = 20.0,
    drain_seconds: float = 10.0,
    seed: int = 7,
    finale: Finale | None = None,
    workdir: str | None = None,
    log: Callable[[str], None] = print,
) -> Report:
    report = Report(duration, concurrency, fail_rate)
    tmp = Path(workdir or tempfile.mkdtemp(prefix="soak-"))
    ports = {"a": free_port(), "b": free_port()}
    upstreams = {name: UpstreamProcess(name, port, fail_rate, seed + index, tmp) for index, (name, port) in enumerate(ports.items())}
    config_path = tmp / "soak.yaml"
    config_path.write_text(yaml.safe_dump(soak_config(ports["a"], ports["b"], drain_seconds), sort_keys=False))
    server = ServeProcess(str(config_path), log_path=str(tmp / "serve.log"))
    outcomes: list[Outcome] = []
    rss: list[tuple[float, int]] = []
    try:
        server.start()  # its start-up (imports, the classifier) overlaps the upstreams'
        await asyncio.gather(*(upstream.start() for upstream in upstreams.values()))
        await server.wait_ready()
        # Idle client connections expire before uvicorn's 5 s keep-alive does, so that no request is
        # sent on a connection the server is closing at that moment (a client-side race, not a loss).
        connector = aiohttp.TCPConnector(limit=concurrency + 8, keepalive_timeout=2.0)
        async with aiohttp.ClientSession(connector=connector) as session:
            started = time.monotonic()
            end = started + duration
            counter = 0

            async def worker(index: int) -> None:
                nonlocal counter
                rng = random.Random(seed * 1000 + index)
                while time.monotonic() < end:
                    counter += 1
                    outcomes.append(await one_request(session, server.url, f"soak-{counter}", rng, hang_after))

            async def chaos() -> None:
                await asyncio.sleep(duration * kill_at)
                report.kill_at_s = time.monotonic() - started
                upstreams["a"].kill()
                log(f"[{report.kill_at_s:5.1f}s] upstream a killed (SIGKILL)")
                await asyncio.sleep(duration * (restart_at - kill_at))
                await upstreams["a"].start()
                report.restart_at_s = time.monotonic() - started
                log(f"[{report.restart_at_s:5.1f}s] upstream a restarted")

            async def sample_rss() -> None:
                while time.monotonic() < end:
                    rss.append((time.monotonic() - started, server.rss_bytes()))
                    await asyncio.sleep(0.5)

            await asyncio.gather(chaos(), sample_rss(), *(worker(i) for i in range(concurrency)))
            report.rss_end_mib = server.rss_bytes() / 2**20
            await asyncio.sleep(0.3)
            async with session.get(server.url + "/metrics") as response:
                metrics_text = await response.text()
        judge(report, outcomes, upstreams, started + report.kill_at_s, started + report.restart_at_s, rss, duration, metrics_text)
        if finale is not None:
            report.finale = await finale(server, {"ports": ports})
            report.failures += report.finale.get("failures", [])
    finally:
        server.stop()
        for upstream in upstreams.values():
            upstream.stop()
    return report


async def shutdown_finale(server: ServeProcess, info: dict[str, Any]) -> dict[str, Any]:
    """After the load: SIGTERM with two streams in flight, one shorter and one longer than the drain.

    The short one must finish untouched, the long one must end with an in-stream `shutdown` error
    and `[DONE]` just before the drain time (not be cut), new connections must be refused, and the
    process must exit.
    """
    result: dict[str, Any] = {"failures": []}
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:

        async def stream(words: int, opened: asyncio.Event) -> tuple[list[Any], float]:
            body = {"model": "auto:high", "messages": [{"role": "user", "content": "x"}], "max_tokens": words, "stream": True, "user": f"finale-{words}"}
            text = ""
            async with client.stream("POST", "/v1/chat/completions", json=body) as response:
                async for chunk in response.aiter_text():
                    text += chunk
                    if "data: " in text:
                        opened.set()
            return sse_events(text), time.monotonic()

        short_open, long_open = asyncio.Event(), asyncio.Event()
        short = asyncio.ensure_future(stream(int(0.9 / PACE), short_open))
        long = asyncio.ensure_future(stream(int(20 / PACE), long_open))
        await asyncio.wait_for(asyncio.gather(short_open.wait(), long_open.wait()), 20)
        signalled = time.monotonic()
        server.signal(signal.SIGTERM)
        await asyncio.sleep(0.4)  # uvicorn looks at its exit flag every 0.1 s
        try:
            async with httpx.AsyncClient(timeout=2) as fresh:
                await fresh.get(server.url + "/healthz")
            result["new_connection"] = "accepted"
            result["failures"].append("a new connection was accepted after SIGTERM")
        except httpx.ConnectError:
            result["new_connection"] = "refused"
        (short_events, _), (long_events, long_end) = await asyncio.gather(short, long)
    result["short_stream_complete"] = short_events[-1:] == ["[DONE]"] and not any(isinstance(e, dict) and "error" in e for e in short_events)
    result["long_stream_end"] = next((e["error"].get("code") for e in long_events if isinstance(e, dict) and "error" in e), None)
    result["long_stream_done"] = long_events[-1:] == ["[DONE]"]
    result["long_stream_ended_after_s"] = round(long_end - signalled, 2)
    code = await asyncio.to_thread(server.process.wait, 20)
    result["exit_code"] = code
    if not result["short_stream_complete"]:
        result["failures"].append("the stream that fitted in the drain time did not complete")
    if result["long_stream_end"] != "shutdown" or not result["long_stream_done"]:
        result["failures"].append(f"the stream outliving the drain ended {result['long_stream_end']!r}, [DONE]={result['long_stream_done']}")
    if code not in (0, -signal.SIGTERM):
        result["failures"].append(f"serve exited with {code}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    up = sub.add_parser("upstream", help="(internal) run one fault-injecting upstream")
    up.add_argument("--port", type=int, required=True)
    up.add_argument("--fail-rate", type=float, default=0.02)
    up.add_argument("--seed", type=int, default=1)
    up.add_argument("--fault-log", required=True)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--fail-rate", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--drain-seconds", type=float, default=3.0)
    parser.add_argument("--no-finale", action="store_true", help="skip the SIGTERM drain check after the load")
    parser.add_argument("--json", help="also write the report here")
    args = parser.parse_args(argv)
    if args.command == "upstream":
        upstream_main(args.port, args.fail_rate, args.seed, args.fault_log)
        return 0
    run = run_soak(args.duration, args.concurrency, args.fail_rate, seed=args.seed, drain_seconds=args.drain_seconds,
                   finale=None if args.no_finale else shutdown_finale)
    report = run_async(run)
    data = asdict(report)
    print(json.dumps(data, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(data, indent=2))
    print("PASS" if report.passed else "FAIL: " + "; ".join(report.failures))
    return 0 if report.passed else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
