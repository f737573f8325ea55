"""One real vLLM server for the whole vLLM stage (starting one costs 40-150 s here)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.vllm_stage.server import start_vllm, stop_vllm, vllm_stage_ready


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
