"""Cost numbers a budget can rest on, what the estimate's corrections learn from: the answers' and the prompts' counts
the upstream reports, per answer, per model and effort, and not from what the estimate cannot see (images)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from backends.request_hints import NO_HINTS
from router.gateway import Gateway
from router.metrics import RouterMetrics
from tests.conftest import FakeClassifier
from tests.router._cost_accounting_helpers import answering, gateway_of
from tests.router.conftest import CONFIG, make_config

pytestmark = pytest.mark.anyio


async def test_the_forecast_learns_per_answer_when_n_answers_are_summed(make_harness: Any) -> None:
    harness = await make_harness(sim_transport=answering(lambda body: 200))  # each answer exactly the forecast
    for index in range(30):
        await harness.chat(f"q{index}", n=16)
    assert math.exp(gateway_of(harness).forecast.log_correction[("small", "none")]) == pytest.approx(1.0)


async def test_direct_requests_learn_their_own_correction(make_harness: Any) -> None:
    """A Qwen3 named directly thinks by default; the low tier turns thinking off. What the direct
    requests teach must not price the tier."""
    thinking = answering(lambda body: 200 if (body.get("chat_template_kwargs") or {}).get("enable_thinking") is False else 2200)
    harness = await make_harness(sim_transport=thinking)
    for index in range(30):  # a direct model is priced (and its forecast compared) when the client caps it
        await harness.client.post("/v1/chat/completions", json={"model": "small", "messages": [{"role": "user", "content": f"q{index}"}]},
                                  headers={"x-router-max-cost-usd": "1"})
    corrections = gateway_of(harness).forecast.log_correction
    assert ("small", "none") not in corrections and math.exp(corrections[("small", "default")]) == pytest.approx(2200 / 3200, rel=0.1)
    low = (await harness.client.post("/v1/chat/completions", json={"model": "auto:low", "messages": [{"role": "user", "content": "tier"}]},
                                     headers={"x-router-max-cost-usd": "1"})).json()["router"]
    assert low["estimated_cost_usd"] == pytest.approx(low["cost_usd"], rel=0.01)


def test_a_model_that_thinks_unasked_is_priced_with_its_thinking() -> None:
    """Found in review: a model named directly without an effort (a gpt-oss, an o-series model: they think at medium), or
    an `openai` tier at effort none (sent as no field: the provider's default), was priced as an answer without thinking,
    and the correction (clamped at 4x) never caught up: 200 of 200 requests under a cap cost 2.8x it."""
    models = {**CONFIG["models"], "oss": {"backend": "sim", "reasoning": "gpt-oss", "input": 0.1, "output": 0.5}}
    tiers = {**CONFIG["tiers"], "high": {"model": "big", "effort": "none"}}
    config = make_config(models=models, tiers=tiers)
    gateway = Gateway(config, {}, FakeClassifier(), RouterMetrics(CollectorRegistry()))
    direct = gateway.decide({"model": "oss", "messages": [{"role": "user", "content": "x"}]}, "r", max_cost_usd=1.0, hints=NO_HINTS)
    assert direct.context.completion_forecasts[("direct", "oss")].raw == 200 + 1000, "at gpt-oss' default, medium"
    openai_none = gateway.decide({"model": "auto:high", "messages": [{"role": "user", "content": "x"}]}, "r", max_cost_usd=1.0, hints=NO_HINTS)
    assert openai_none.context.completion_forecasts[("high", "big")].raw == 200 + 1000
    qwen_off = gateway.decide({"model": "auto:low", "messages": [{"role": "user", "content": "x"}]}, "r", max_cost_usd=1.0, hints=NO_HINTS)
    assert qwen_off.context.completion_forecasts[("low", "small")].raw == 200, "thinking off is off"


async def test_tool_definitions_are_counted_and_one_request_moves_the_correction_a_step(make_harness: Any) -> None:
    tools = [{"type": "function", "function": {"name": "lookup", "description": "word " * 4000, "parameters": {"type": "object"}}}]
    reported = answering(lambda body: 200, prompt=lambda body: 40_000 if body.get("tools") else 150)
    harness = await make_harness(sim_transport=reported)
    gateway = gateway_of(harness)
    response = await harness.chat("please summarise " * 40, tools=tools)
    assert gateway.tokens.count("small", [{"role": "user", "content": "x"}], tools).tokens > 5000
    assert response.json()["router"]["estimated_cost_usd"] > 5000 * 0.05 / 1e6
    assert gateway.tokens.correction["small"] <= 1.2 + 1e-9, "a single report, however far off, moves the factor a fifth of the way to its clamp at most"


async def test_images_do_not_teach_the_prompt_correction(make_harness: Any) -> None:
    harness = await make_harness(sim_transport=answering(lambda body: 200, prompt=lambda body: 1500))
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
    for _ in range(10):
        await harness.chat([{"type": "text", "text": "describe this picture in detail " * 20}, image])
    assert gateway_of(harness).tokens.correction == {}
