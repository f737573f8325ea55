"""`complexity-router demo` as a user runs it: real servers, the real openai SDK, real output."""

from __future__ import annotations

import re
import socket
import subprocess
import sys

from tests.ports import free_port


def test_demo_tour_streams_routes_and_shows_metrics() -> None:
    command = [sys.executable, "-m", "router.cli", "demo", "--exit-after-tour", "--port", str(free_port()), "--upstream-port", str(free_port())]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "SIMULATED upstream" in out
    tiers = re.findall(r"x-router-tier=(\w+)", out)
    assert len(tiers) == 3 and tiers[0] == "low" and tiers[-1] in ("medium", "high"), out
    scores = [float(s) for s in re.findall(r"x-router-score=([0-9.]+)", out)]
    assert scores == sorted(scores), "the demo prompts go from easy to hard"
    assert re.search(r"x-router-cost-usd=0\.\d+", out)
    assert "final usage chunk carries router={'tier'" in out
    assert re.search(r'router_requests_total\{.*status="ok"\} 4\.0', out) or "router_requests_total" in out
    assert "router_cost_usd_total" in out
    assert re.search(r'router_cost_estimate_ratio_count\{tier="\w+"\} \d', out), "cost over estimate, per tier"


def test_a_taken_port_fails_the_demo_in_one_line() -> None:
    """Another demo on the port: a clear message naming the option that picks another, exit 1, no traceback."""
    for flag in ("--port", "--upstream-port"):
        with socket.socket() as held:
            held.bind(("127.0.0.1", 0))
            held.listen()
            taken = held.getsockname()[1]
            ports = {"--port": free_port(), "--upstream-port": free_port(), flag: taken}
            command = [sys.executable, "-m", "router.cli", "demo", "--exit-after-tour",
                       "--port", str(ports["--port"]), "--upstream-port", str(ports["--upstream-port"])]
            done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 1, done.stderr[-2000:]
        assert "Traceback" not in done.stderr and "SIMULATED upstream" not in done.stdout
        assert f"cannot listen on 127.0.0.1:{taken}" in done.stderr and f"choose a free port with {flag}" in done.stderr
