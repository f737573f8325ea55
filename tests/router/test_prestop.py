"""`complexity-router pre-stop` (router/prestop.py): a pod's last answers reach a Prometheus scrape before SIGTERM."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from router.prestop import inflight, wait_for_last_scrape
from tests.opskit import ServeProcess, classifier_artifact, simulated_upstream, wait_for, write_yaml

EXPOSITION = """# HELP router_inflight_requests Requests in flight.
# TYPE router_inflight_requests gauge
router_inflight_requests{backend="a"} 2.0
router_inflight_requests{backend="b",pid="7"} 1.0
router_inflight_requests_total 99.0
"""


def test_in_flight_is_the_sum_of_the_gauge_s_samples() -> None:
    assert inflight(EXPOSITION) == 3.0
    assert inflight("router_requests_total 5.0\n") == 0.0


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_waits_out_the_answers_then_one_scrape() -> None:
    clock, answers = Clock(), iter(["router_inflight_requests 2.0\n", "router_inflight_requests 1.0\n", "router_inflight_requests 0.0\n"])
    why = wait_for_last_scrape("u", settle=5, scrape_interval=15, max_seconds=280, poll=1, read=lambda url: next(answers),
                               clock=lambda: clock.now, sleep=clock.sleep)
    assert why == "idle" and clock.slept == [5, 1, 1, 15]


def test_a_router_gone_or_a_deadline_ends_the_wait() -> None:
    clock = Clock()
    assert wait_for_last_scrape("u", 5, 15, 280, read=lambda url: None, clock=lambda: clock.now, sleep=clock.sleep) == "gone"
    clock = Clock()
    why = wait_for_last_scrape("u", 5, 15, 30, read=lambda url: "router_inflight_requests 1.0\n", clock=lambda: clock.now, sleep=clock.sleep)
    assert why == "deadline" and clock.now <= 30


def test_the_command_returns_once_the_streams_end_and_a_scrape_interval_passed(tmp_path: Path) -> None:
    """Against a real `serve`: a stream of ~2 s in flight holds the hook; it returns after it, not before."""
    with simulated_upstream(token_delay=0.05) as upstream:
        config = {"backends": {"sim": {"kind": "openai", "base_url": upstream.url + "/v1"}},
                  "models": {"small": {"backend": "sim", "reasoning": "none", "input": 0.05, "output": 0.20}},
                  "tiers": {"low": {"model": "small"}}, "classifier": {"artifact": classifier_artifact()}}
        with ServeProcess(write_yaml(tmp_path / "config.yaml", config)) as serve:
            ended: list[float] = []

            def stream() -> None:
                with httpx.stream("POST", serve.url + "/v1/chat/completions", timeout=30, json={
                        "model": "auto", "stream": True, "max_tokens": 40, "messages": [{"role": "user", "content": "a long one"}]}) as response:
                    for _ in response.iter_bytes():
                        pass
                ended.append(time.monotonic())

            client = threading.Thread(target=stream)
            client.start()
            wait_for(lambda: inflight(httpx.get(serve.url + "/metrics").text) > 0, what="the stream in flight")
            hook = subprocess.run([sys.executable, "-m", "router.cli", "pre-stop", "--port", str(serve.port), "--settle", "0",
                                   "--scrape-interval", "0.5", "--max-seconds", "30"], capture_output=True, text=True, timeout=60, check=False)
            returned = time.monotonic()
            client.join(30)
            assert hook.returncode == 0 and "pre-stop: idle" in hook.stderr, hook.stderr
            assert ended and returned - ended[0] >= 0.4, "the hook outlived the stream by a scrape interval"
