"""`complexity-router serve --workers 2`: /metrics reports the totals of all workers, the metrics
directory is emptied at start, and a killed worker's counters stay while its live gauges go."""

from __future__ import annotations

import concurrent.futures
import glob
import json
import os
import signal
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.mmap_dict import MmapedDict, mmap_key
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from tests.opskit import ServeProcess, classifier_artifact, simulated_upstream, wait_for, write_yaml

REQUESTS = 40
STALE_PID = 424242


def scrape(url: str) -> dict[str, list[Any]]:
    families = text_string_to_metric_families(httpx.get(url + "/metrics", timeout=10).text)
    return {family.name: family.samples for family in families}


def total(samples: dict[str, list[Any]], family: str, sample: str) -> float:
    return sum(s.value for s in samples.get(family, []) if s.name == sample)


def worker_pids(url: str) -> set[str]:
    return {s.labels["pid"] for s in scrape(url).get("router_backend_up", [])}


def requests_by_worker(directory: Path) -> dict[int, float]:
    """router_requests_total per worker, from each worker's own counter file."""
    counts = {}
    for path in glob.glob(str(directory / "counter_*.db")):
        pid = int(Path(path).stem.split("_")[1])
        metrics = MultiProcessCollector.merge([path], accumulate=True)
        counts[pid] = sum(s.value for m in metrics if m.name == "router_requests" for s in m.samples if s.name == "router_requests_total")
    return counts


def chat(url: str, index: int) -> str:
    # A new connection per request (no keep-alive), so the kernel spreads them over both workers.
    body = {"model": "auto", "messages": [{"role": "user", "content": f"question number {index}"}]}
    response = httpx.post(url + "/v1/chat/completions", json=body, headers={"Connection": "close"}, timeout=30)
    response.raise_for_status()
    return response.headers["x-router-tier"]


def plant_stale_counter(directory: Path) -> None:
    """What a previous run could leave behind: a counter file that must not be added to this run."""
    stale = MmapedDict(str(directory / f"counter_{STALE_PID}.db"))
    key = mmap_key("router_requests", "router_requests_total", ["tier", "model", "backend", "status"], ["low", "small", "sim", "ok"], "stale")
    stale.write_value(key, 1000.0, 0.0)
    stale.close()


def test_two_workers_report_exact_totals_and_survive_a_killed_worker(tmp_path: Path) -> None:
    metrics_dir = tmp_path / "prometheus-multiproc"
    metrics_dir.mkdir()
    plant_stale_counter(metrics_dir)
    with simulated_upstream(token_delay=0.005) as upstream:
        config = {
            "backends": {"sim": {"kind": "openai", "base_url": upstream.url + "/v1"}},
            "models": {"small": {"backend": "sim", "reasoning": "qwen3", "input": 0.05, "output": 0.20}},
            "tiers": {"low": {"model": "small", "effort": "none", "max_score": 0.5}, "high": {"model": "small", "effort": "high"}},
            "classifier": {"artifact": classifier_artifact()},
            "decision_log": {"path": str(tmp_path / "decisions.jsonl")},
        }
        path = write_yaml(tmp_path / "config.yaml", config)
        with ServeProcess(path, "--workers", "2", env={"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}) as serve:
            wait_for(lambda: len(worker_pids(serve.url)) == 2, timeout=60, what="both workers")
            assert not (metrics_dir / f"counter_{STALE_PID}.db").exists(), "the directory is emptied at start"
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                tiers = list(pool.map(lambda i: chat(serve.url, i), range(REQUESTS)))
            samples = scrape(serve.url)
            assert total(samples, "router_requests", "router_requests_total") == REQUESTS
            assert total(samples, "router_decisions", "router_decisions_total") == REQUESTS
            assert total(samples, "router_request_duration_seconds", "router_request_duration_seconds_count") == REQUESTS
            assert total(samples, "router_tokens", "router_tokens_total") > 0 and total(samples, "router_cost_usd", "router_cost_usd_total") > 0
            assert total(samples, "router_inflight_requests", "router_inflight_requests") == 0
            per_worker = requests_by_worker(metrics_dir)
            assert sum(per_worker.values()) == REQUESTS and len([n for n in per_worker.values() if n > 0]) == 2, per_worker
            assert sorted(tiers) == sorted(s.labels["tier"] for s in samples["router_decisions"] for _ in range(int(s.value)))

            # Kill one worker outright: uvicorn starts another; its counts stay, its live gauges go.
            victim = min(worker_pids(serve.url))
            os.kill(int(victim), signal.SIGKILL)
            wait_for(lambda: victim not in worker_pids(serve.url), timeout=30, what="the killed worker's gauges to go")
            assert total(scrape(serve.url), "router_requests", "router_requests_total") == REQUESTS
            for index in range(10):
                chat(serve.url, REQUESTS + index)
            assert total(scrape(serve.url), "router_requests", "router_requests_total") == REQUESTS + 10

            # SIGHUP to the supervisor with a broken config: uvicorn's replacement worker fails to start,
            # so the running workers are kept and keep serving.
            write_yaml(path, {**config, "tiers": {"low": {"model": "no-such-model"}}})
            serve.signal(signal.SIGHUP)
            wait_for(lambda: "aborting the restart" in serve.output(), timeout=60, what="uvicorn to keep the old workers")
            chat(serve.url, 0)
            assert total(scrape(serve.url), "router_requests", "router_requests_total") == REQUESTS + 11
    logs = sorted(tmp_path.glob("decisions.*.jsonl"))
    assert len(logs) >= 2, "each worker writes its own decision log"
    lines = [json.loads(line) for log in logs for line in log.read_text().splitlines()]
    assert len(lines) >= REQUESTS  # the killed worker may have lost lines still queued


def test_prepare_makes_a_private_directory_only_for_several_workers() -> None:
    from router import multiproc

    saved = os.environ.pop(multiproc.ENV, None)
    try:
        assert multiproc.prepare(1) == (None, False)  # one worker: plain single-process metrics
        path, created = multiproc.prepare(2)
        assert created and path is not None and os.path.isdir(path) and os.environ[multiproc.ENV] == path
        assert multiproc.registry_for_scrape() is not None
        multiproc.cleanup(path, created)
        assert not os.path.exists(path)
    finally:
        os.environ.pop(multiproc.ENV, None)
        if saved is not None:
            os.environ[multiproc.ENV] = saved


LOCK_FREE_SCRIPT = """
import sys
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from router.metrics import LoopMmapValue, RouterMetrics

metrics = RouterMetrics(CollectorRegistry())
first = metrics.requests.labels("low", "m", "b", "ok")
assert type(first._value) is LoopMmapValue, type(first._value)
for _ in range(3):
    first.inc()
for i in range(2000):  # new label sets grow the counter file: its mapping is replaced
    metrics.requests.labels("low", "m", f"b{i}", "ok").inc(0.5)
first.inc()
metrics.inflight.labels("b").inc()
metrics.duration.labels("low", "m", "b", "false").observe(0.02)
merged = CollectorRegistry()
MultiProcessCollector(merged)
print(merged.get_sample_value("router_requests_total", {"tier": "low", "model": "m", "backend": "b", "status": "ok"}),
      merged.get_sample_value("router_requests_total", {"tier": "low", "model": "m", "backend": "b1999", "status": "ok"}),
      merged.get_sample_value("router_request_duration_seconds_count", {"tier": "low", "model": "m", "backend": "b", "stream": "false"}))
"""


def test_worker_metric_values_are_lock_free_and_land_in_the_shared_files(tmp_path: Path) -> None:
    """`LoopMmapValue` (no lock, no getpid per update) writes what prometheus-client's collector reads, also after the file grew."""
    import subprocess
    import sys

    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", LOCK_FREE_SCRIPT], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["4.0", "0.5", "1.0"]
