"""A request priced at the service tier it was served under (router/pricing.py), over real loopback sockets: the tier
the upstream's answer names (OpenAI's `service_tier`, whole or in its stream's chunks), else the one the client asked,
in the cost, its estimate and the metrics."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.reliability.loopback import DONE, Behaviour, Rig, completion_body, sse, sse_events, usage_chunk

pytestmark = pytest.mark.anyio

TIERS = {"input": 1.0, "output": 2.0, "service_tiers": {"flex": {"input": 0.5, "output": 1.0}, "priority": {"input": 2.0, "output": 4.0}}}
STANDARD, FLEX, PRIORITY = (5 * 1.0 + 3 * 2.0) / 1e6, (5 * 0.5 + 3 * 1.0) / 1e6, (5 * 2.0 + 3 * 4.0) / 1e6


async def tiered_gateway(rig: Rig) -> Any:
    data = rig.config_data()
    data["models"]["ma"] = {"backend": "a", **TIERS}
    return await rig.gateway(data)


@pytest.mark.parametrize(("asked", "served", "expected"), [(None, None, STANDARD), ("flex", None, FLEX), ("flex", "flex", FLEX),
                                                           ("auto", "priority", PRIORITY), ("flex", "default", STANDARD)])
async def test_a_whole_answer_is_priced_at_the_tier_it_names_else_the_one_asked(rig: Rig, asked: str | None, served: str | None,
                                                                               expected: float) -> None:
    answer = completion_body() | ({"service_tier": served} if served else {})
    rig.a.script = lambda body, index: Behaviour(raw=orjson.dumps(answer))
    gateway = await tiered_gateway(rig)
    response = await gateway.chat(model="ma", **({"service_tier": asked} if asked else {}))
    assert response.status_code == 200 and rig.a.records[0].body.get("service_tier") == asked, "forwarded as asked"
    assert response.json()["router"]["cost_usd"] == pytest.approx(expected) == float(response.headers["x-router-cost-usd"])
    assert gateway.metric("router_cost_usd_total", tier="direct", model="ma", backend="a") == pytest.approx(expected)


async def test_a_stream_is_priced_at_the_tier_its_chunks_name(rig: Rig) -> None:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        return sse({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "service_tier": "flex",
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})

    rig.a.script = lambda body, index: Behaviour(chunks=[chunk({"role": "assistant", "content": ""}), chunk({"content": "hi"}), chunk({}, "stop"),
                                                         usage_chunk(5, 3), DONE])
    gateway = await tiered_gateway(rig)
    response = await gateway.chat(model="ma", stream=True, stream_options={"include_usage": True})
    final = sse_events(response.text)[-2]
    assert final["router"]["cost_usd"] == pytest.approx(FLEX)
    assert gateway.metric("router_cost_usd_total", tier="direct", model="ma", backend="a") == pytest.approx(FLEX)


async def test_the_estimate_before_dispatch_prices_the_tier_asked(rig: Rig) -> None:
    rig.a.script = lambda body, index: Behaviour(raw=orjson.dumps(completion_body()))
    body = {"model": "ma", "messages": [{"role": "user", "content": "hello"}]}
    estimates = []
    for asked in ({}, {"service_tier": "flex"}):  # a gateway each: the first answer would teach the forecast
        gateway = await tiered_gateway(rig)
        response = await gateway.client.post("/v1/chat/completions", json=body | asked, headers={"x-router-max-cost-usd": "1"})
        estimates.append(float(response.headers["x-router-estimated-cost-usd"]))  # a direct model is priced only under a cap
    assert estimates[1] == pytest.approx(estimates[0] / 2) and estimates[0] > 0
