#!/usr/bin/env python3
"""A/B two source trees of the gateway on the same nginx upstream, alternating, in one run.

For performance changes on a shared, noisy machine: wall-clock figures move with the
neighbours, the server's CPU time per request much less, and alternating the two trees
round by round exposes both to the same noise. Typical use, comparing the working tree with
the last commit::

    git worktree add /tmp/base HEAD
    python bench/gateway_ab.py /tmp/base            # this tree vs /tmp/base, c=16
    python bench/gateway_ab.py /tmp/base --stream   # the streaming path

Each tree runs `complexity-router serve` from its own sources (one worker, the benchmark's
config, `model: auto`); reported per tree: median requests/s, median and lowest server CPU µs
per request, median p50/p99.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the repository root, for the bench.gateway package
    sys.path.insert(0, str(ROOT))

from bench.gateway.load import run_wrk, write_bodies
from bench.gateway.processes import REPO, Proc, cpu_seconds, log
from bench.gateway.servers import start_gateway, start_nginx
from bench.gateway.workload import chat_bodies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="+", type=Path, help="source trees to compare with this one")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=4)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--stream", action="store_true", help="streamed completions (72 SSE events each) instead of plain ones")
    args = parser.parse_args()
    trees = [REPO, *(tree.resolve() for tree in args.trees)]
    results: dict[Path, list[dict[str, float]]] = {tree: [] for tree in trees}
    with tempfile.TemporaryDirectory(prefix="gateway-ab-") as tmp:
        workdir = Path(tmp)
        procs: list[Proc] = []
        try:
            nginx = start_nginx(workdir)
            procs.append(nginx)
            gateways = {}
            for index, tree in enumerate(trees):
                gateways[tree] = start_gateway(workdir, nginx.port, stream=args.stream, name=f"tree{index}", repo=tree)
                procs.append(gateways[tree])
            bodies = write_bodies(workdir, chat_bodies(stream=args.stream), "ab")
            for proc in gateways.values():
                run_wrk(f"http://127.0.0.1:{proc.port}", bodies, args.concurrency, 2)
            for round_index in range(args.rounds):
                for tree, proc in gateways.items():
                    pids = proc.tree()
                    before = cpu_seconds(pids)
                    stats = run_wrk(f"http://127.0.0.1:{proc.port}", bodies, args.concurrency, args.duration)
                    stats["cpu_us"] = (cpu_seconds(pids) - before) / max(stats["requests"], 1) * 1e6
                    results[tree].append(stats)
                    log(f"round {round_index + 1} {tree}: {stats['rps']:.0f} req/s, {stats['cpu_us']:.0f} µs CPU/request")
        finally:
            for proc in reversed(procs):
                proc.stop()
    print(f"| tree (c={args.concurrency}{', streaming' if args.stream else ''}) | req/s | CPU µs/req (median, lowest) | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for tree, rows in results.items():
        print(
            f"| {tree} | {statistics.median(r['rps'] for r in rows):,.0f} | {statistics.median(r['cpu_us'] for r in rows):,.0f}, "
            f"{min(r['cpu_us'] for r in rows):,.0f} | {statistics.median(r['p50_ms'] for r in rows):.2f} | "
            f"{statistics.median(r['p99_ms'] for r in rows):.2f} | {sum(r['errors'] for r in rows)} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
