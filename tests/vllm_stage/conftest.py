"""One real vLLM server for the whole vLLM stage (starting one costs 40-150 s here), and the gateway as a user
starts it in front of that server, with an openai client of it (test_gateway_on_vllm_*.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.ports import free_port
from tests.vllm_stage.server import SERVED_MODEL_NAME, start_vllm, stop_vllm, vllm_stage_ready


@pytest.fixture(scope="session")
def vllm_url() -> Iterator[str]:
    """Base URL (no /v1) of a vLLM serving the tiny model; a failure, not a skip, under CI=true."""
    if not vllm_stage_ready():
        if os.environ.get("CI") == "true":
            pytest.fail("vLLM stage not set up: tests/vllm_stage/setup.sh must run first under CI")
        pytest.skip("run `bash tests/vllm_stage/setup.sh` first")
    proc, base_url = start_vllm()
    try:
        yield base_url
    finally:
        stop_vllm(proc)


def gateway_config(vllm_url: str) -> dict[str, Any]:
    return {
        "backends": {
            "local-vllm": {"kind": "openai", "base_url": f"{vllm_url}/v1"},
            "vllm-messages": {"kind": "anthropic", "base_url": vllm_url, "api_key": "not-checked-by-vllm"},
            "vllm-assembled": {"kind": "openai", "base_url": f"{vllm_url}/v1", "non_streamed": "stream"},
        },
        "models": {
            "tiny": {"backend": "local-vllm", "upstream_name": SERVED_MODEL_NAME, "reasoning": "qwen3", "input": 0.05, "output": 0.20},
            "tiny-messages": {"backend": "vllm-messages", "upstream_name": SERVED_MODEL_NAME, "reasoning": "anthropic", "input": 3.0, "output": 15.0},
            "tiny-assembled": {"backend": "vllm-assembled", "upstream_name": SERVED_MODEL_NAME, "reasoning": "qwen3", "input": 0.05, "output": 0.20},
        },
        "tiers": {
            "low": {"model": "tiny", "effort": "none", "max_score": 0.4, "params": {"temperature": 0}},
            "medium": {"model": "tiny", "effort": "medium", "thinking_budget": 32, "max_score": 0.75, "params": {"temperature": 0}},
            "high": {"model": "tiny-messages", "effort": "none"},
        },
    }


@pytest.fixture(scope="package")
def gateway_url(vllm_url: str) -> Iterator[str]:
    """`complexity-router serve` as a user starts it, in front of the real vLLM: one for the stage (the openai and
    anthropic clients' modules shared it before they were split; each started its own since, some seconds apiece)."""
    workdir = Path(tempfile.mkdtemp(prefix="router-vllm-"))
    config = workdir / "config.yaml"
    config.write_text(yaml.safe_dump(gateway_config(vllm_url), sort_keys=False))  # tier order matters
    port = free_port()
    with open(workdir / "router.log", "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "router.cli", "serve", "--config", str(config), "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            proc.kill()
            pytest.fail(f"gateway did not start: {(workdir / 'router.log').read_text()[-2000:]}")
        try:
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


@pytest.fixture
def client(gateway_url: str) -> Any:
    from openai import OpenAI

    return OpenAI(base_url=f"{gateway_url}/v1", api_key="unused", max_retries=0)
