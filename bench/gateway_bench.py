#!/usr/bin/env python3
"""Gateway overhead, side by side: nginx directly vs complexity-router vs the LiteLLM proxy.

One command (about 3½ minutes; ``--quick`` about 70 s; method and figures: docs/performance.md)::

    python bench/gateway_bench.py --out bench/results/

What it does, all on loopback, all in this one run:

* starts Debian ``nginx`` (one worker, temp prefix, free port) answering
  ``POST /v1/chat/completions`` with a canned completion and ``/sse/v1/chat/completions``
  with a canned SSE stream (``bench/nginx.conf.template``), so the upstream costs microseconds;
* starts this gateway (``complexity-router serve``, one worker, uvloop + httptools) with a
  config whose backends point at nginx, metrics on, bearer auth on, and requests sent with
  ``model: auto`` so the real classifier scores every prompt;
* starts the LiteLLM proxy (``litellm[proxy]`` in its own cached venv,
  ``~/.cache/complexity-router/litellm-venv``; one worker; same nginx upstream;
  ``bench/litellm_config.yaml.template``);
* drives each with ``wrk`` (``bench/wrk_chat.lua``: realistic chat bodies, round-robin),
  alternating targets inside every round, at concurrency 1, 16 and 64: requests/s, p50/p99
  latency, added latency (target minus nginx direct), the server's CPU time per request and the
  peak RSS of its process tree, sampled during the run;
* streaming: a raw-socket asyncio client measures time to first event and per-chunk time
  through each target (added = target minus direct);
* two gateway workers vs one (same load, alternating);
* writes ``gateway_bench.json``, ``gateway_bench.png`` and ``gateway_bench.md`` into ``--out``
  and prints the markdown table.

``--skip-litellm`` runs without the LiteLLM venv (no network needed); durations, rounds and
concurrencies are flags. The pieces live in bench/gateway/ (workload, processes, servers, load,
report); the CI regression check (tests/bench/test_overhead_ratio.py) reuses them with a short
run and compares the gateway to nginx as a ratio.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the repository root, for the bench.gateway package
    sys.path.insert(0, str(ROOT))

from bench.gateway.load import run_streams, run_wrk, write_bodies
from bench.gateway.processes import BENCH_DIR, Proc, RssSampler, cpu_seconds, log
from bench.gateway.report import markdown, metadata, plot, summarise
from bench.gateway.servers import (
    DIRECT,
    GATEWAY,
    LITELLM,
    REFERENCE,
    check_gateway_answers,
    ensure_litellm_venv,
    gateway_request_count,
    litellm_version,
    start_gateway,
    start_litellm,
    start_nginx,
    start_reference_proxy,
)
from bench.gateway.workload import canned_completion, canned_stream, chat_bodies

#: Besides this command's own names, the pieces still used from outside under this module's name
#: (start_nginx, canned_completion, canned_stream, chat_bodies: tests/backends/test_h1_client_transport.py, bench/upstream_client_bench.py).
__all__ = ["Plan", "canned_completion", "canned_stream", "chat_bodies", "main", "run_benchmark", "start_nginx"]


@dataclass
class Plan:
    """What one run measures (from the command line); `targets` is filled in as the servers start."""

    concurrencies: list[int]
    duration: float
    warmup: float
    rounds: int
    stream_requests: int
    workers_concurrency: int
    litellm: bool
    reference: bool = True
    workers_check: bool = True
    streaming: bool = True
    targets: list[str] = field(default_factory=list)


def run_benchmark(plan: Plan, workdir: Path) -> dict[str, Any]:
    procs: dict[str, Proc] = {}
    results: dict[str, Any] = {"load": [], "stream": [], "workers": [], "rss_timeline": []}
    try:
        procs["nginx"] = nginx = start_nginx(workdir)
        log(f"nginx on :{nginx.port}")
        if plan.litellm:
            ensure_litellm_venv(log)
        # Every server starts now, in parallel (the later phases' ones idle until their turn).
        starts: dict[str, Any] = {GATEWAY: lambda: start_gateway(workdir, nginx.port)}
        if plan.litellm:
            starts[LITELLM] = lambda: start_litellm(workdir, nginx.port)
        if plan.reference:
            starts[REFERENCE] = lambda: start_reference_proxy(workdir, nginx.port)
        if plan.streaming:
            starts["gateway-sse"] = lambda: start_gateway(workdir, nginx.port, stream=True)
        if plan.workers_check:
            starts["gateway-2w"] = lambda: start_gateway(workdir, nginx.port, workers=2)
        with ThreadPoolExecutor(len(starts)) as pool:
            futures = {name: pool.submit(start) for name, start in starts.items()}
            failure = None
            for name, future in futures.items():
                try:
                    procs[name] = future.result()
                except RuntimeError as exc:
                    failure = failure or exc
            if failure is not None:
                raise failure
        gateway = procs[GATEWAY]
        log(f"gateway on :{gateway.port} (1 worker); started: " + ", ".join(f"{name} :{procs[name].port}" for name in starts))
        if plan.litellm:
            log(f"litellm {litellm_version()}")
        results["check"] = check_gateway_answers(gateway.port)

        ports = {DIRECT: nginx.port, GATEWAY: gateway.port}
        if plan.litellm:
            ports[LITELLM] = procs[LITELLM].port
        if plan.reference:
            ports[REFERENCE] = procs[REFERENCE].port
        plan.targets = list(ports)
        bodies = write_bodies(workdir, chat_bodies(), "chat")
        server_of = {DIRECT: "nginx", GATEWAY: GATEWAY, LITELLM: LITELLM, REFERENCE: REFERENCE}

        # warm every target (connection pools, lazy imports, first-call caches)
        for target, port in ports.items():
            run_wrk(f"http://127.0.0.1:{port}", bodies, 8, plan.warmup)
        gateway_ok_before = gateway_request_count(gateway.port)
        gateway_sent = 0

        for round_index in range(plan.rounds):
            for concurrency in plan.concurrencies:
                for target, port in ports.items():
                    watched = {server_of[target]: procs[server_of[target]]}
                    with RssSampler(watched) as sampler:
                        stats = run_wrk(f"http://127.0.0.1:{port}", bodies, concurrency, plan.duration)
                    server = server_of[target]
                    stats.update(
                        target=target,
                        concurrency=concurrency,
                        round=round_index,
                        rss_peak_mb=sampler.peak[server] / 2**20,
                        cpu_us_per_request=sampler.cpu[server] / stats["requests"] * 1e6 if stats["requests"] else float("nan"),
                    )
                    results["load"].append(stats)
                    if target == GATEWAY:
                        gateway_sent += stats["requests"]
                        results["rss_timeline"].append({"t": time.time(), "rss_mb": sampler.peak[server] / 2**20, "concurrency": concurrency})
                    log(
                        f"round {round_index + 1}/{plan.rounds} c={concurrency:<3} {target:<18} {stats['rps']:9.0f} req/s  "
                        f"p50 {stats['p50_ms']:7.2f} ms  p99 {stats['p99_ms']:7.2f} ms  cpu {stats['cpu_us_per_request']:6.0f} µs/req  rss {stats['rss_peak_mb']:6.1f} MB"
                        + (f"  errors {stats['errors']}" if stats["errors"] else "")
                    )
        accounted = gateway_request_count(gateway.port) - gateway_ok_before
        results["accounting"] = {"wrk_completed": gateway_sent, "router_requests_total_ok": accounted}

        if plan.streaming:
            results["stream"] = _streaming_phase(plan, workdir, procs, nginx)
        if plan.workers_check:
            results["workers"] = _workers_phase(plan, workdir, procs, nginx, bodies)
        results["rss_final_mb"] = {name: proc.rss_bytes()[0] / 2**20 for name, proc in procs.items()}
    finally:
        for proc in reversed(list(procs.values())):
            proc.stop()
    return results


def _streaming_phase(plan: Plan, workdir: Path, procs: dict[str, Proc], nginx: Proc) -> list[dict[str, Any]]:
    sse = procs["gateway-sse"]
    gateway_body = chat_bodies(stream=True)[0]
    targets = {DIRECT: (nginx.port, "/sse/v1/chat/completions", gateway_body), GATEWAY: (sse.port, "/v1/chat/completions", gateway_body)}
    if LITELLM in procs:
        targets[LITELLM] = (procs[LITELLM].port, "/v1/chat/completions", chat_bodies(model="auto-sse", stream=True)[0])
    for port, path, body in targets.values():
        run_streams(port, path, body, 30, max_seconds=plan.warmup)  # warm-up
    rows = []
    per_round = max(1, plan.stream_requests // plan.rounds)
    for round_index in range(plan.rounds):
        for target, (port, path, body) in targets.items():
            stats = run_streams(port, path, body, per_round, max_seconds=plan.duration)
            stats.update(target=target, round=round_index, concurrency=1)
            rows.append(stats)
            log(
                f"stream round {round_index + 1}/{plan.rounds} {target:<18} ttft p50 {stats['ttft_p50_ms']:7.3f} ms  p99 {stats['ttft_p99_ms']:7.3f} ms  "
                f"total p50 {stats['total_p50_ms']:7.3f} ms  events {stats['events']}" + (f"  errors {stats['errors']}" if stats["errors"] else "")
            )
    sse.stop()
    procs.pop("gateway-sse")
    return rows


def _workers_phase(plan: Plan, workdir: Path, procs: dict[str, Proc], nginx: Proc, bodies: str) -> list[dict[str, Any]]:
    two = procs["gateway-2w"]
    run_wrk(f"http://127.0.0.1:{two.port}", bodies, plan.workers_concurrency, plan.warmup)
    rows = []
    for round_index in range(plan.rounds):
        for workers, proc in ((1, procs[GATEWAY]), (2, two)):
            pids = proc.tree()
            cpu0 = cpu_seconds(pids), cpu_seconds(nginx.tree())
            with RssSampler({"g": proc}) as sampler:
                stats = run_wrk(f"http://127.0.0.1:{proc.port}", bodies, plan.workers_concurrency, plan.duration, threads=2)
            stats.update(
                gateway_cpu_s=cpu_seconds(pids) - cpu0[0],
                nginx_cpu_s=cpu_seconds(nginx.tree()) - cpu0[1],
                workers=workers,
                round=round_index,
                concurrency=plan.workers_concurrency,
                rss_peak_mb=sampler.peak["g"] / 2**20,
                rss_peak_worker_mb=sampler.peak_single["g"] / 2**20,
            )
            rows.append(stats)
            log(
                f"workers round {round_index + 1}/{plan.rounds} {workers} worker(s) c={plan.workers_concurrency} {stats['rps']:9.0f} req/s  "
                f"p99 {stats['p99_ms']:7.2f} ms  rss {stats['rss_peak_mb']:6.1f} MB (largest process {stats['rss_peak_worker_mb']:.1f} MB)"
            )
    two.stop()
    procs.pop("gateway-2w")
    return rows


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(BENCH_DIR / "results"), help="directory for gateway_bench.{json,png,md}")
    parser.add_argument("--quick", action="store_true", help="about a minute: 2 s runs, one round, fewer streams")
    parser.add_argument("--duration", type=float, help="seconds per wrk run (default 4; quick 2)")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up load per target (default 2; quick 1)")
    parser.add_argument(
        "--rounds", type=int, help="alternating rounds; medians are reported (default 3, so one disturbed round cannot move a median; quick 1)"
    )
    parser.add_argument("--concurrency", default="1,16,64", help="comma-separated wrk connection counts")
    parser.add_argument("--stream-requests", type=int, help="streamed requests per target (default 1000; quick 300)")
    parser.add_argument("--workers-concurrency", type=int, default=64)
    parser.add_argument("--skip-litellm", action="store_true", help="nginx and the gateway only (no LiteLLM venv needed)")
    parser.add_argument("--skip-reference", action="store_true", help="without the reference FastAPI+aiohttp proxy (bench/reference_proxy.py)")
    parser.add_argument("--skip-workers", action="store_true")
    parser.add_argument("--skip-streaming", action="store_true")
    args = parser.parse_args(argv)

    quick = args.quick
    plan = Plan(
        concurrencies=[int(c) for c in args.concurrency.split(",") if c.strip()],
        duration=args.duration or (2 if quick else 4),
        warmup=args.warmup or (1 if quick else 2),
        rounds=args.rounds or (1 if quick else 3),
        stream_requests=args.stream_requests or (300 if quick else 1000),
        workers_concurrency=args.workers_concurrency,
        litellm=not args.skip_litellm,
        reference=not args.skip_reference,
        workers_check=not args.skip_workers,
        streaming=not args.skip_streaming,
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    # The servers run in their own sessions: on SIGTERM/SIGHUP unwind normally so they are stopped.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _exit_on_signal)
    started = time.monotonic()
    if plan.litellm:  # before the metadata, which records its version: a first run crashed there, before installing it
        ensure_litellm_venv(log)
    meta = metadata(plan)
    with tempfile.TemporaryDirectory(prefix="gateway-bench-") as tmp:
        results = run_benchmark(plan, Path(tmp))
    summary = summarise(results, plan)
    meta["elapsed_s"] = round(time.monotonic() - started, 1)
    meta["plan"]["targets"] = plan.targets
    (out / "gateway_bench.json").write_text(json.dumps({"meta": meta, "summary": summary, "raw": results}, indent=2, default=float))
    table = markdown(summary, meta, plan)
    (out / "gateway_bench.md").write_text(table)
    plotted = plot(summary, out / "gateway_bench.png", meta)
    print(table)
    print(f"results: {out / 'gateway_bench.json'}" + (f", plot: {out / 'gateway_bench.png'}" if plotted else "") + f" ({meta['elapsed_s']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
