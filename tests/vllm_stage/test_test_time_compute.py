"""Test-time compute against the real vLLM (CPU build, tiny random model): `n` samples through a
self_consistency tier, and the load knob reacting to `vllm:num_requests_waiting` while the server
is loaded with more long requests than its `--max-num-seqs 16`; and a completion cap too big for the
model's window lowered to its `max_output_tokens`.

One vLLM server for the module; the gateway runs in-process (its real HTTP backend talks to vLLM).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry

from router.app import create_app
from router.config import parse_config
from tests.conftest import FakeClassifier
from tests.vllm_stage.server import SERVED_MODEL_NAME

pytestmark = [pytest.mark.vllm, pytest.mark.anyio]

SAMPLES = 4


def api_provider(request: httpx.Request) -> httpx.Response:
    """Stands in for the hosted API a pressured tier spills to."""
    return httpx.Response(200, json={"id": "api", "object": "chat.completion", "created": 1, "model": "api-model", "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "from the API provider"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 4, "total_tokens": 16}})


def config(vllm_url: str, **tiny: Any) -> Any:
    """The stage's tiers over the tiny model; ``tiny``: more fields for its model entry."""
    return parse_config({
        "backends": {
            "local-vllm": {"kind": "openai", "base_url": f"{vllm_url}/v1", "load": {
                "interval_seconds": 0.2, "high": {"waiting": 1}, "low": {"waiting": 0}, "calm_polls": 2, "hold_seconds": 2}},
            "api": {"kind": "openai", "base_url": "http://api.test/v1"},
        },
        "models": {
            "tiny": {"backend": "local-vllm", "upstream_name": SERVED_MODEL_NAME, "reasoning": "qwen3", "input": 0.05, "output": 0.20, "context_window": 512,
                     **tiny},
            "api-model": {"backend": "api", "reasoning": "qwen3", "input": 1.0, "output": 4.0},
        },
        "tiers": {
            "low": {"model": "tiny", "effort": "none", "max_score": 0.3,
                    "strategy": {"kind": "self_consistency", "samples": SAMPLES, "extractor": "last_line", "temperature": 1.0}},
            "medium": {"model": "tiny", "effort": "medium", "thinking_budget": 32, "max_score": 0.6,
                       "under_load": {"action": "lower_effort", "effort": "none"}},
            "high": {"model": "tiny", "effort": "none", "fallbacks": ["api-model"], "under_load": {"action": "spill"}},
        },
    }, env={})


class Gateway:
    def __init__(self, client: httpx.AsyncClient, registry: CollectorRegistry) -> None:
        self.client = client
        self.registry = registry

    def metric(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0

    async def chat(self, model: str, **fields: Any) -> httpx.Response:
        body = {"model": model, "messages": [{"role": "user", "content": "Name a colour."}], "max_tokens": 8, **fields}
        return await self.client.post("/v1/chat/completions", json=body)


@contextlib.asynccontextmanager
async def serving(routed: Any) -> AsyncIterator[Gateway]:
    registry = CollectorRegistry()
    app = create_app(routed, classifier=FakeClassifier(), transports={"api": httpx.MockTransport(api_provider)}, registry=registry)
    async with (app.router.lifespan_context(app),
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://router.test", timeout=120) as client):
        yield Gateway(client, registry)


@pytest.fixture
async def gateway(vllm_url: str) -> AsyncIterator[Gateway]:
    async with serving(config(vllm_url)) as gateway:
        yield gateway


async def vllm_counter(vllm_url: str, name: str) -> float:
    async with httpx.AsyncClient(timeout=10) as http:
        text = (await http.get(f"{vllm_url}/metrics")).text
    return sum(float(v) for v in re.findall(rf"^{re.escape(name)}(?:\{{[^}}]*\}})? ([0-9.e+-]+)$", text, re.MULTILINE))


async def test_self_consistency_draws_n_samples_from_vllm(gateway: Gateway, vllm_url: str) -> None:
    generated_before = await vllm_counter(vllm_url, "vllm:generation_tokens_total")
    response = await gateway.chat("auto:low")
    assert response.status_code == 200, response.text
    body = response.json()
    router = body["router"]
    assert router["strategy"] == "self_consistency" and router["samples"] == SAMPLES, "vLLM answered n with every sample"
    assert sum(router["votes"].values()) <= SAMPLES and 0 <= router["agreement"] <= 1
    assert len(body["choices"]) == 1 and body["choices"][0]["message"]["content"]
    # every sample is accounted: the gateway's completion tokens equal what vLLM generated
    generated = await vllm_counter(vllm_url, "vllm:generation_tokens_total") - generated_before
    assert body["usage"]["completion_tokens"] == generated
    assert 1 * SAMPLES <= generated <= 8 * SAMPLES
    assert router["cost_usd"] == pytest.approx((body["usage"]["prompt_tokens"] * 0.05 + generated * 0.20) / 1e6)
    assert gateway.metric("router_samples_total", tier="low", strategy="self_consistency") == SAMPLES

    stream = await gateway.chat("auto:low", stream=True, stream_options={"include_usage": True})
    assert stream.status_code == 200 and "data: [DONE]" in stream.text
    assert '"votes"' in stream.text.split("data: ")[-2], "the final usage chunk carries the vote"


async def _keep_busy(http: httpx.AsyncClient, vllm_url: str) -> None:
    """One client that sends long requests back to back, so the queue lasts however fast the machine is."""
    body = {"model": SERVED_MODEL_NAME, "messages": [{"role": "user", "content": "Count."}], "max_tokens": 400, "ignore_eos": True,
            "stream": True, "chat_template_kwargs": {"enable_thinking": False}}
    while True:
        async with http.stream("POST", f"{vllm_url}/v1/chat/completions", json=body) as response:
            response.raise_for_status()
            async for _ in response.aiter_raw():
                pass


async def test_load_knob_lowers_effort_and_spills_while_vllm_queues(gateway: Gateway, vllm_url: str) -> None:
    assert gateway.metric("router_backend_pressure", backend="local-vllm") == 0
    calm = (await gateway.chat("auto:medium")).json()["router"]
    assert calm["effort"] == "medium" and "load_adjustment" not in calm

    async with httpx.AsyncClient(timeout=300, limits=httpx.Limits(max_connections=64)) as http:
        # 24 clients over --max-num-seqs 16 keep about 8 waiting until the test ends (a fixed batch of
        # requests drained in under a second on a fast machine, before a /metrics sample saw the queue)
        load = [asyncio.create_task(_keep_busy(http, vllm_url)) for _ in range(24)]
        try:
            waiting_seen = 0.0
            for _ in range(600):  # up to 60 s on a busy machine
                # the pressure gauge first (the gateway may have polled vLLM since our last sample),
                # then our own sample: stop once both have seen the queue
                failed = [task.exception() for task in load if task.done()]
                assert not failed, f"the load on vLLM failed: {failed[0]!r}"
                pressured = gateway.metric("router_backend_pressure", backend="local-vllm") == 1
                waiting_seen = max(waiting_seen, await vllm_counter(vllm_url, "vllm:num_requests_waiting"))
                if pressured and waiting_seen >= 1:
                    break
                await asyncio.sleep(0.1)
            assert waiting_seen >= 1, "24 long requests over --max-num-seqs 16 should make some wait"
            assert gateway.metric("router_backend_pressure", backend="local-vllm") == 1
            assert gateway.metric("router_load_adjustment", backend="local-vllm", tier="medium") == 1
            assert gateway.metric("router_load_adjustment", backend="local-vllm", tier="high") == 2
            spilled = await gateway.chat("auto:high")
            assert spilled.headers["x-router-backend"] == "api" and spilled.json()["router"]["load_adjustment"] == "spill"
            lowered = (await gateway.chat("auto:medium", max_tokens=4)).json()["router"]  # queues behind the load on vLLM
            assert lowered["effort"] == "none" and lowered["load_adjustment"] == "lower_effort"
        finally:
            for task in load:
                task.cancel()
            for task in load:
                with contextlib.suppress(BaseException):
                    await task
    # transitions, not requests: at least one each (before `hold_seconds`, a busy machine let vLLM's queue
    # empty for two polls and fill again, which counted a restore and a second lowering; the 2 s hold damps that)
    assert gateway.metric("router_load_adjustments_total", backend="local-vllm", action="lower_effort") >= 1
    assert gateway.metric("router_load_adjustments_total", backend="local-vllm", action="spill") >= 1
    for _ in range(300):  # the aborted requests leave vLLM within a second; two calm polls after the 2 s hold restore
        if gateway.metric("router_backend_pressure", backend="local-vllm") == 0:
            break
        await asyncio.sleep(0.1)
    assert gateway.metric("router_backend_pressure", backend="local-vllm") == 0
    assert gateway.metric("router_load_adjustments_total", backend="local-vllm", action="restore") >= 1
    restored = (await gateway.chat("auto:medium")).json()["router"]
    assert restored["effort"] == "medium" and "load_adjustment" not in restored
    assert (await gateway.chat("auto:high")).headers["x-router-backend"] == "local-vllm"


async def test_a_cap_the_window_cannot_hold_is_lowered_to_the_model_s_output_limit(vllm_url: str) -> None:
    """Claude Code asks 32,000 tokens of any model; the tiny model's window is 512. Without
    `max_output_tokens` nothing can hold that cap (the gateway's 400, as vLLM's own would be); with it,
    vLLM is asked for the model's limit and answers within it."""
    async with serving(config(vllm_url)) as unlimited:
        refused = await unlimited.chat("tiny", max_tokens=32_000)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "context_length_exceeded"
    async with serving(config(vllm_url, max_output_tokens=48)) as limited:
        generated_before = await vllm_counter(vllm_url, "vllm:generation_tokens_total")
        response = await limited.chat("tiny", max_tokens=32_000)
    assert response.status_code == 200, response.text
    generated = await vllm_counter(vllm_url, "vllm:generation_tokens_total") - generated_before
    assert 0 < response.json()["usage"]["completion_tokens"] == generated <= 48
