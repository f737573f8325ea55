"""What a run reports: medians over rounds and the added latency against nginx direct, the issue's
targets met or not, the markdown tables, the plot, and the machine and versions it ran on."""

from __future__ import annotations

import contextlib
import math
import os
import platform
import statistics
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.gateway.processes import log
from bench.gateway.servers import DIRECT, GATEWAY, LITELLM, REFERENCE, litellm_version, nginx_binary

if TYPE_CHECKING:
    from bench.gateway_bench import Plan

#: bench/reference_proxy.py measured at 4,450 req/s (c=16) on the issue's machine.
REFERENCE_ISSUE_RPS_C16 = 4450.0


def _median_of(values: list[float]) -> float:
    values = [v for v in values if not math.isnan(v)]
    return statistics.median(values) if values else float("nan")


def _median(rows: list[dict[str, Any]], key: str) -> float:
    values = [r[key] for r in rows if r.get(key) is not None and not math.isnan(r[key])]  # NaN: a run without answers
    return statistics.median(values) if values else float("nan")


def summarise(results: dict[str, Any], plan: Plan) -> dict[str, Any]:
    """Medians over rounds; added latency per round (target minus direct), then its median."""
    load = results["load"]
    summary: dict[str, Any] = {"load": {}, "stream": {}, "workers": {}}
    for concurrency in plan.concurrencies:
        for target in plan.targets:
            rows = [r for r in load if r["target"] == target and r["concurrency"] == concurrency]
            entry = {k: _median(rows, k) for k in ("rps", "p50_ms", "p99_ms", "rss_peak_mb", "cpu_us_per_request")}
            entry["rss_peak_mb"] = max(r["rss_peak_mb"] for r in rows)
            entry["errors"] = sum(r["errors"] for r in rows)
            if target != DIRECT:
                added50, added99 = [], []
                for row in rows:
                    direct = next(d for d in load if d["target"] == DIRECT and d["concurrency"] == concurrency and d["round"] == row["round"])
                    added50.append(row["p50_ms"] - direct["p50_ms"])
                    added99.append(row["p99_ms"] - direct["p99_ms"])
                entry["added_p50_ms"] = _median_of(added50)
                entry["added_p99_ms"] = _median_of(added99)
            summary["load"].setdefault(str(concurrency), {})[target] = entry
    if results["stream"]:
        stream = results["stream"]
        for target in plan.targets:
            rows = [r for r in stream if r["target"] == target]
            if not rows:
                continue
            entry = {k: _median(rows, k) for k in ("ttft_p50_ms", "ttft_p99_ms", "total_p50_ms", "total_p99_ms", "events")}
            entry["errors"] = sum(r["errors"] for r in rows)
            if target != DIRECT:
                direct_rows = {r["round"]: r for r in stream if r["target"] == DIRECT}
                added_ttft = [r["ttft_p50_ms"] - direct_rows[r["round"]]["ttft_p50_ms"] for r in rows]
                added_total = [r["total_p50_ms"] - direct_rows[r["round"]]["total_p50_ms"] for r in rows]
                entry["added_ttft_p50_ms"] = statistics.median(added_ttft)
                entry["added_ttft_p99_ms"] = statistics.median([r["ttft_p99_ms"] - direct_rows[r["round"]]["ttft_p99_ms"] for r in rows])
                # relay cost of each further chunk: added stream time beyond the added TTFT, per chunk after the first
                chunks = max(1, entry["events"] - 1)
                entry["added_per_chunk_ms"] = (statistics.median(added_total) - entry["added_ttft_p50_ms"]) / chunks
            summary["stream"][target] = entry
    if results["workers"]:
        rows = results["workers"]
        one = _median([r for r in rows if r["workers"] == 1], "rps")
        two = _median([r for r in rows if r["workers"] == 2], "rps")
        summary["workers"] = {
            "concurrency": plan.workers_concurrency,
            "rps_1": one,
            "rps_2": two,
            "ratio": two / one if one else float("nan"),
            "rss_peak_worker_mb_2": max(r["rss_peak_worker_mb"] for r in rows if r["workers"] == 2),
            **_workers_ceiling(rows, one),
        }
    timeline = [p["rss_mb"] for p in results["rss_timeline"]]
    if timeline:
        summary["gateway_rss"] = {"first_run_peak_mb": timeline[0], "last_run_peak_mb": timeline[-1], "max_mb": max(timeline)}
    if "accounting" in results:
        summary["accounting"] = results["accounting"]
    summary["targets"] = evaluate_targets(summary, plan)
    return summary


def _workers_ceiling(rows: list[dict[str, Any]], rps_1: float) -> dict[str, float]:
    """What two workers could reach here: wrk and nginx run on the same cores, so with both
    cores busy the requests/s cannot exceed cores / (CPU per request of gateway + nginx + wrk).
    Returns that ceiling as a ratio to one worker, and the CPU per request behind it."""
    two = [r for r in rows if r["workers"] == 2 and r.get("requests") and "wrk_cpu_s" in r]
    if not two or not rps_1:
        return {}
    per_request = {k: _median_of([r[f"{k}_cpu_s"] / r["requests"] * 1e6 for r in two]) for k in ("gateway", "nginx", "wrk")}
    one = [r["gateway_cpu_s"] / r["requests"] * 1e6 for r in rows if r["workers"] == 1 and r.get("requests") and "gateway_cpu_s" in r]
    ceiling = (os.cpu_count() or 1) / (sum(per_request.values()) / 1e6)
    return {"ceiling_ratio": ceiling / rps_1, "cpu_us_per_request_2": per_request, "gateway_cpu_us_per_request_1": _median_of(one) if one else float("nan")}


def evaluate_targets(summary: dict[str, Any], plan: Plan) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured value and whether it was met."""
    checks: list[dict[str, Any]] = []
    load = summary["load"]

    def add(name: str, value: float | None, limit: str, ok: bool | None) -> None:
        checks.append({"target": name, "measured": value, "limit": limit, "met": ok})

    gw1 = load.get("1", {}).get(GATEWAY)
    if gw1:
        add("c=1 added latency p50 (ms)", gw1["added_p50_ms"], "<= 0.6", gw1["added_p50_ms"] <= 0.6)
        add("c=1 added latency p99 (ms)", gw1["added_p99_ms"], "<= 2", gw1["added_p99_ms"] <= 2.0)
    gw16, ll16 = load.get("16", {}).get(GATEWAY), load.get("16", {}).get(LITELLM)
    if gw16:
        add("c=16 requests/s", gw16["rps"], ">= 2000", gw16["rps"] >= 2000)
        add("c=16 p99 (ms)", gw16["p99_ms"], "<= 25", gw16["p99_ms"] <= 25)
        if ll16:
            ratio = gw16["rps"] / ll16["rps"] if ll16["rps"] else float("inf")
            add("c=16 requests/s vs LiteLLM (x)", ratio, ">= 15", ratio >= 15)
        ref16 = load.get("16", {}).get(REFERENCE)
        if ref16 and ref16["rps"]:
            # Context, not a target: the share of a do-nothing proxy's throughput the gateway keeps on
            # this machine, and the 2,000 req/s target scaled by this machine's speed for that proxy.
            add("c=16 requests/s vs the reference proxy (x)", gw16["rps"] / ref16["rps"], "context", None)
            scaled = 2000 * ref16["rps"] / REFERENCE_ISSUE_RPS_C16
            add("c=16 requests/s, target scaled to this machine", gw16["rps"], f">= {scaled:,.0f}", gw16["rps"] >= scaled)
    stream = summary["stream"].get(GATEWAY)
    if stream:
        add("streaming added TTFT p50 (ms)", stream["added_ttft_p50_ms"], "<= 1", stream["added_ttft_p50_ms"] <= 1.0)
    workers = summary.get("workers")
    if workers:
        add(f"2 workers / 1 worker req/s (c={workers['concurrency']})", workers["ratio"], ">= 1.6", workers["ratio"] >= 1.6)
        if "ceiling_ratio" in workers:  # the load generator and nginx take their share of the same 2 cores
            add("2 workers: ceiling with wrk and nginx on the same cores (x)", workers["ceiling_ratio"], "context", None)
    rss = [entry[GATEWAY]["rss_peak_mb"] for entry in load.values() if GATEWAY in entry]
    if workers:
        rss.append(workers["rss_peak_worker_mb_2"])
    if rss:
        add("gateway peak RSS per worker (MB)", max(rss), "<= 150", max(rss) <= 150)
    timeline = summary.get("gateway_rss")
    if timeline:
        growth = timeline["last_run_peak_mb"] - timeline["first_run_peak_mb"]
        add("gateway RSS growth over the run (MB)", growth, "flat (<= 10)", growth <= 10)
    return checks


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value:,.{digits}f}"


def markdown(summary: dict[str, Any], meta: dict[str, Any], plan: Plan) -> str:
    out = [
        (
            f"Gateway overhead benchmark — {meta['date']} — {meta['cpus']} CPUs ({meta['cpu_model']}), "
            f"one worker per server, wrk {plan.duration:g}s × {plan.rounds} rounds per cell (medians), targets alternating."
        ),
        "",
        "| concurrency | target | req/s | p50 ms | p99 ms | added p50 ms | added p99 ms | server CPU µs/req | peak RSS MB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for concurrency, targets in summary["load"].items():
        for target, e in targets.items():
            errors = f" ({e['errors']:,} errors)" if e["errors"] else ""
            out.append(
                f"| {concurrency} | {target}{errors} | {_fmt(e['rps'], 0)} | {_fmt(e['p50_ms'])} | {_fmt(e['p99_ms'])} | "
                f"{_fmt(e.get('added_p50_ms'))} | {_fmt(e.get('added_p99_ms'))} | {_fmt(e['cpu_us_per_request'], 0)} | {_fmt(e['rss_peak_mb'], 1)} |"
            )
    if summary["stream"]:
        out += [
            "",
            "| streaming (c=1) | TTFT p50 ms | TTFT p99 ms | stream p50 ms | added TTFT p50 ms | added per chunk ms | events |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for target, e in summary["stream"].items():
            out.append(
                f"| {target} | {_fmt(e['ttft_p50_ms'], 3)} | {_fmt(e['ttft_p99_ms'], 3)} | {_fmt(e['total_p50_ms'], 3)} | "
                f"{_fmt(e.get('added_ttft_p50_ms'), 3)} | {_fmt(e.get('added_per_chunk_ms'), 4)} | {_fmt(e['events'], 0)} |"
            )
    accounting = summary.get("accounting")
    if accounting:
        line = (
            f'Accounting: wrk completed {accounting["wrk_completed"]:,} gateway requests; `router_requests_total{{status="ok"}}` '
            f"grew by {accounting['router_requests_total_ok']:,.0f} (≥: requests in flight when a run ends finish after wrk stops counting)."
        )
        out += ["", line]
    if summary.get("workers"):
        w = summary["workers"]
        out += ["", f"Two workers vs one (c={w['concurrency']}): {_fmt(w['rps_1'], 0)} → {_fmt(w['rps_2'], 0)} req/s = **{w['ratio']:.2f}×**"]
        if "ceiling_ratio" in w:
            cpu = w["cpu_us_per_request_2"]
            out[-1] += (
                f" — of a ceiling of {w['ceiling_ratio']:.2f}× on this machine: with two workers each request costs "
                f"{cpu['gateway']:,.0f} µs of gateway CPU (one worker: {w['gateway_cpu_us_per_request_1']:,.0f}), {cpu['nginx']:,.0f} µs of "
                f"nginx and {cpu['wrk']:,.0f} µs of wrk, all on the same {os.cpu_count()} cores."
            )
    out += ["", "| target (issue 5) | measured | limit | met |", "|---|---:|---|---|"]
    for check in summary["targets"]:
        met = "–" if check["met"] is None else ("yes" if check["met"] else "**no**")
        out.append(f"| {check['target']} | {_fmt(check['measured'])} | {check['limit']} | {met} |")
    return "\n".join(out) + "\n"


def plot(summary: dict[str, Any], path: Path, meta: dict[str, Any]) -> bool:
    """Six log-scale panels: throughput, p99, added p50, server CPU per request, streaming, RSS."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib not installed: no plot (pip install matplotlib)")
        return False
    load = summary["load"]
    concurrencies = list(load)
    targets = [t for t in (DIRECT, GATEWAY, LITELLM, REFERENCE) if any(t in load[c] for c in concurrencies)]
    proxies = [t for t in targets if t != DIRECT]
    colors = {DIRECT: "#7f7f7f", GATEWAY: "#1f77b4", LITELLM: "#d62728", REFERENCE: "#2ca02c"}
    fig, axes = plt.subplots(2, 3, figsize=(16, 8.5))
    xs = range(len(concurrencies))

    def grouped(ax: Any, names: list[str], key: str, title: str, digits: int) -> None:
        width = 0.8 / len(names)
        top = 0.0
        for i, target in enumerate(names):
            values = [load[c].get(target, {}).get(key) or 0 for c in concurrencies]
            values = [0 if math.isnan(v) else v for v in values]
            top = max(top, *values)
            bars = ax.bar([x + i * width for x in xs], values, width, color=colors[target])
            ax.bar_label(bars, labels=[_fmt(v, digits) for v in values], fontsize=7, rotation=90, padding=2)
        ax.set_yscale("log")
        if top > 0:
            ax.set_ylim(top=top * 8)  # room for the labels
        ax.set_xticks([x + width * (len(names) - 1) / 2 for x in xs], [f"c={c}" for c in concurrencies])
        ax.set_title(title, fontsize=10)

    grouped(axes[0][0], targets, "rps", "throughput (req/s)", 0)
    grouped(axes[0][1], targets, "p99_ms", "p99 latency (ms)", 1)
    grouped(axes[0][2], proxies, "added_p50_ms", "added latency p50 vs nginx direct (ms)", 2)
    grouped(axes[1][0], targets, "cpu_us_per_request", "server CPU per request (µs)", 0)
    grouped(axes[1][2], targets, "rss_peak_mb", "peak RSS of the server (MB)", 0)
    ax = axes[1][1]
    stream = summary["stream"]
    names = [t for t in proxies if t in stream]
    if names:
        values = [stream[t]["added_ttft_p50_ms"] for t in names]
        bars = ax.bar(names, values, color=[colors[t] for t in names])
        ax.bar_label(bars, labels=[_fmt(v, 2) for v in values], fontsize=8, padding=2)
        ax.set_yscale("log")
        ax.set_ylim(top=max(values) * 8)
    ax.set_title("streaming (c=1): added time to first token p50 (ms)", fontsize=10)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colors[t]) for t in targets]
    fig.legend(handles, targets, loc="upper center", ncol=len(targets), bbox_to_anchor=(0.5, 0.955), fontsize=9, frameon=False)
    fig.suptitle(
        f"complexity-router vs LiteLLM vs nginx direct: one worker each, same nginx upstream, log scales — "
        f"{meta['cpus']} shared CPUs, {meta['date']}",
        fontsize=11,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def metadata(plan: Plan) -> dict[str, Any]:
    cpu_model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    versions = {}
    for module in ("fastapi", "starlette", "uvicorn", "httpx", "httpx-aiohttp", "aiohttp", "uvloop", "httptools", "orjson", "prometheus-client"):
        with contextlib.suppress(Exception):
            import importlib.metadata as md

            versions[module] = md.version(module)
    nginx = nginx_binary()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model,
        "loadavg_at_start": os.getloadavg(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "nginx": subprocess.run([nginx, "-v"], capture_output=True, text=True, check=False).stderr.strip() if nginx else None,
        "wrk": (subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False).stdout.splitlines() or [""])[0].strip(),
        "litellm": litellm_version() if plan.litellm else None,
        "packages": versions,
        "plan": {k: v for k, v in plan.__dict__.items()},
    }
