"""A real vLLM whose engine hangs: its API server still answers `/health` and `/v1/models` at once, so only what the
gateway sees of its requests can tell (router/state.py `readiness`, router/breaker.py `stalled`).

An outside chaos test (session 33) froze vLLM's EngineCore process with SIGSTOP behind a sidecar-like gateway:
`/readyz` stayed 200 while every request waited for the `total` timeout. Here the same freeze must take the gateway out
of readiness within `first_byte`, and the thaw must bring it back.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.opskit import ServeProcess, classifier_artifact, wait_for, write_yaml
from tests.vllm_stage.server import SERVED_MODEL_NAME

pytestmark = pytest.mark.vllm


def _engine_pids(vllm_url: str) -> list[int]:
    """The EngineCore processes of the vLLM serving ``vllm_url`` (its API server's process group)."""
    port = vllm_url.rsplit(":", 1)[1]
    found = subprocess.run(["pgrep", "-f", "--", f"--port {port}"], capture_output=True, text=True, check=False).stdout.split()
    groups = {os.getpgid(int(pid)) for pid in found}
    pids = []
    for group in groups:
        listed = subprocess.run(["pgrep", "-g", str(group), "-f", "EngineCore"], capture_output=True, text=True, check=False).stdout.split()
        pids += [int(pid) for pid in listed]
    return pids


def test_a_hung_engine_takes_the_gateway_out_of_readiness_and_its_thaw_brings_it_back(tmp_path: Path, vllm_url: str) -> None:
    config = {
        "backends": {"vllm": {"kind": "openai", "base_url": f"{vllm_url}/v1", "non_streamed": "stream",
                              "timeouts": {"first_byte": 3, "total": 25}}},
        "models": {"tiny": {"backend": "vllm", "upstream_name": SERVED_MODEL_NAME, "reasoning": "none", "input": 1.0, "output": 2.0}},
        "tiers": {"low": {"model": "tiny"}},
        "classifier": {"artifact": classifier_artifact()},
    }
    engines = _engine_pids(vllm_url)
    assert engines, "vLLM's EngineCore process"
    with ServeProcess(write_yaml(tmp_path / "config.yaml", config)) as gateway:
        assert httpx.get(gateway.url + "/readyz", timeout=10).status_code == 200
        outcomes: list[int] = []

        def ask() -> None:
            body = {"model": "auto", "stream": True, "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}]}
            with httpx.stream("POST", gateway.url + "/v1/chat/completions", json=body, timeout=60) as response:
                response.read()
                outcomes.append(response.status_code)

        for pid in engines:
            os.kill(pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            client = threading.Thread(target=ask)
            client.start()
            assert httpx.get(f"{vllm_url}/health", timeout=5).status_code == 200, "the API server answers for the hung engine"
            ready = wait_for(lambda: httpx.get(gateway.url + "/readyz", timeout=10).status_code == 503, timeout=20, what="/readyz 503")
            assert ready and time.monotonic() - started < 15
            assert httpx.get(gateway.url + "/readyz", timeout=10).json()["stalled"] == ["vllm"]
        finally:
            for pid in engines:
                os.kill(pid, signal.SIGCONT)
        client.join(60)
        wait_for(lambda: httpx.get(gateway.url + "/readyz", timeout=10).status_code == 200, timeout=30, what="/readyz 200 again")
        assert outcomes == [200], "the waiting request is answered once the engine runs again"
