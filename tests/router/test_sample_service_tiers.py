"""Samples drawn at once share their request's `RequestContext`: each is priced at the service tier of its own call
(the tier its answer names, else the one it asked), never at the tier another sample's answer named meanwhile."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import httpx
import orjson
import pytest

from router.config import parse_config
from tests.router.conftest import CONFIG

pytestmark = pytest.mark.anyio

PROMPT, COMPLETION = 20, 10
PRICES = {"input": 1.0, "output": 2.0, "service_tiers": {"flex": {"input": 0.5, "output": 1.0}, "priority": {"input": 2.0, "output": 4.0}}}
STANDARD, FLEX, PRIORITY = ((PROMPT * i + COMPLETION * o) / 1e6 for i, o in ((1.0, 2.0), (0.5, 1.0), (2.0, 4.0)))


def sampled(samples: int, **sim: Any) -> Any:
    data = copy.deepcopy(CONFIG)
    data["models"]["small"] = {**data["models"]["small"], **PRICES}
    data["tiers"]["low"]["strategy"] = {"kind": "self_consistency", "samples": samples, "use_n": False}
    data["backends"]["sim"].update(sim)
    return parse_config(data, env={})


def answering(script: list[tuple[float, str | None]]) -> httpx.MockTransport:
    """The n-th request waits `script[n][0]` seconds, then answers naming `script[n][1]` as its service tier (None: none)."""
    arrived: list[int] = []

    async def handle(request: httpx.Request) -> httpx.Response:
        delay, served = script[len(arrived)]
        arrived.append(1)
        await asyncio.sleep(delay)
        body = {"id": "x", "object": "chat.completion", "created": 1, "model": "m",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "#### 1"}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": PROMPT, "completion_tokens": COMPLETION, "total_tokens": PROMPT + COMPLETION}}
        return httpx.Response(200, content=orjson.dumps(body | ({"service_tier": served} if served else {})))

    return httpx.MockTransport(handle)


async def test_concurrent_samples_are_each_priced_at_their_own_call_s_service_tier(make_harness: Any) -> None:
    """Three samples asked for flex: the answers name priority, then default, then none (the last one's price is flex,
    the tier it asked). Priced by the shared context, the last was priced at the default its sibling's answer named."""
    harness = await make_harness(sampled(3), answering([(0.01, "priority"), (0.05, "default"), (0.1, None)]))
    response = await harness.chat("easy [score=0.1]", service_tier="flex")
    assert response.status_code == 200, response.text
    router = response.json()["router"]
    costs = sorted(part["cost_usd"] for part in router["usage_breakdown"] if part["role"] == "samples")
    assert costs == pytest.approx(sorted([PRIORITY, STANDARD, FLEX])), f"each sample at its own call's tier: {costs}"
    assert router["cost_usd"] == pytest.approx(PRIORITY + STANDARD + FLEX)
    assert harness.metric("router_cost_usd_total", tier="low", model="small", backend="sim") == pytest.approx(PRIORITY + STANDARD + FLEX)


async def test_a_sample_that_timed_out_is_priced_at_the_tier_it_asked_not_a_sibling_s(make_harness: Any) -> None:
    """One sample answers at priority while the other, asked for flex, is hung up on: its failed attempt is billed at flex."""
    timeouts = {"connect": 1.0, "first_byte": 0.3, "idle": 0.3, "total": 0.3}
    harness = await make_harness(sampled(2, timeouts=timeouts), answering([(0.01, "priority"), (5.0, "priority")]))
    response = await harness.chat("easy [score=0.1]", service_tier="flex")
    assert response.status_code == 200, response.text
    parts = response.json()["router"]["usage_breakdown"]
    answered = next(part for part in parts if part["role"] == "samples")
    failed = next(part for part in parts if part["role"] == "failed_attempt")
    assert answered["cost_usd"] == pytest.approx(PRIORITY)
    flex = (failed["prompt_tokens"] * 0.5 + failed["completion_tokens"] * 1.0) / 1e6
    assert failed["cost_usd"] == pytest.approx(flex), f"the hung-up sample asked flex, priced {failed['cost_usd']} (flex {flex})"
