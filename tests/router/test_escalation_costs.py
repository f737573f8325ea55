"""What an escalated request is charged: usage estimated when an attempt reports none, attempts paid before a
refusal or a client leaving, and the cap an escalation is held to."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from tests.router._escalation_helpers import config_with, spare_answer
from tests.router._sse_helpers import sse_payloads
from tests.router.conftest import CONFIG, make_config
from tests.router.ttc_fakes import Scripted

pytestmark = pytest.mark.anyio


async def test_an_escalated_stream_without_usage_is_accounted_from_both_attempts(make_harness: Any, spare_handler: list[Any]) -> None:
    """The high tier's upstream never reports usage: its estimate joins the abandoned attempt's usage
    instead of being dropped (the low attempt alone was billed)."""
    spare_handler[0] = spare_answer("streamed from high", reports_usage=False)
    upstream = Scripted([("", "length")], reasoning_tokens=30)
    harness = await make_harness(config_with(), upstream.transport())
    response = await harness.chat("easy [score=0.1]", stream=True, stream_options={"include_usage": True})
    final = sse_payloads(response.text)[-2]
    router = final["router"]
    assert router["usage_estimated"] is True and [part["tier"] for part in router["usage_breakdown"]] == ["low", "high"]
    estimated = router["usage_breakdown"][1]["completion_tokens"]
    assert estimated >= 1 and final["usage"]["completion_tokens"] == 40 + estimated
    assert harness.metric("router_tokens_total", tier="high", model="spare-big", backend="spare", kind="completion") == estimated
    assert router["cost_usd"] == pytest.approx(sum(part["cost_usd"] for part in router["usage_breakdown"]))


async def test_an_escalated_stream_whose_first_attempt_reported_no_usage_is_estimated(make_harness: Any, spare_handler: list[Any]) -> None:
    """A low stream of reasoning cut by length, without usage: the abandoned attempt was $0; now a token per event."""
    def low(request: httpx.Request) -> httpx.Response:
        base = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m"}
        frames = [base | {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}]
        frames += [base | {"choices": [{"index": 0, "delta": {"reasoning_content": "think "}, "finish_reason": None}]} for _ in range(200)]
        frames += [base | {"choices": [{"index": 0, "delta": {}, "finish_reason": "length"}]}]
        data = b"".join(b"data: " + orjson.dumps(frame) + b"\n\n" for frame in frames) + b"data: [DONE]\n\n"
        return httpx.Response(200, stream=httpx.ByteStream(data), headers={"content-type": "text/event-stream"})

    spare_handler[0] = spare_answer()
    harness = await make_harness(config_with(), httpx.MockTransport(low))
    response = await harness.chat("easy [score=0.1]", stream=True, stream_options={"include_usage": True})
    router = sse_payloads(response.text)[-2]["router"]
    assert router["usage_estimated"] is True and router["usage_breakdown"][0]["completion_tokens"] >= 200
    assert harness.metric("router_tokens_total", tier="low", model="small", backend="sim", kind="completion") >= 200


@pytest.mark.parametrize("stream", [False, True])
async def test_a_request_refused_after_a_paid_attempt_is_still_accounted(make_harness: Any, monkeypatch: pytest.MonkeyPatch, stream: bool) -> None:
    """Any 400 the escalation's target raises (its request cannot be written) comes after the cheap attempt was paid:
    the client gets the 400, the paid attempt reaches the metrics (and the key's budget) as an error."""
    from router.gateway import Gateway
    from router.protocol import APIError

    upstream = Scripted([("", "length")], reasoning_tokens=70)
    written = Gateway.upstream_body

    def refusing_the_target(self: Gateway, body: dict[str, Any], candidate: Any, hints: Any) -> dict[str, Any]:
        if candidate.tier == "high":
            raise APIError(400, "the target cannot take it", param="reasoning_effort")
        return written(self, body, candidate, hints)

    monkeypatch.setattr(Gateway, "upstream_body", refusing_the_target)  # before the gateway hands it to its attempt loop
    harness = await make_harness(config_with(), upstream.transport())
    response = await harness.chat("easy [score=0.1]", stream=stream)
    assert response.status_code == 400 and len(upstream.requests) == 1
    assert harness.metric("router_tokens_total", tier="low", model="small", backend="sim", kind="reasoning") == 70
    assert harness.metric("router_requests_total", tier="high", model="spare-big", backend="spare", status="error") == 1


async def test_a_client_that_leaves_while_a_stream_is_held_is_charged_its_thinking(make_harness: Any) -> None:
    """Frames are held until the first answer byte; a client that left during 400 reasoning events was charged the prompt
    only on an escalating tier (400 tokens on a plain one)."""
    import asyncio

    from tests.router.ttc_fakes import call_and_leave

    class Thinking(httpx.AsyncByteStream):
        async def __aiter__(self) -> Any:
            base = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m"}
            yield b"data: " + orjson.dumps(base | {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}) + b"\n\n"
            for _ in range(400):
                yield b"data: " + orjson.dumps(base | {"choices": [{"index": 0, "delta": {"reasoning_content": "think "}, "finish_reason": None}]}) + b"\n\n"
                await asyncio.sleep(0.001)
            await asyncio.sleep(5)

    harness = await make_harness(config_with(), httpx.MockTransport(lambda request: httpx.Response(200, stream=Thinking(), headers={"content-type": "text/event-stream"})))
    await call_and_leave(harness.client._transport.app, "/v1/chat/completions",
                         {"model": "auto", "stream": True, "messages": [{"role": "user", "content": "easy [score=0.1]"}]}, 1.5)
    assert harness.metric("router_tokens_total", tier="low", model="small", backend="sim", kind="completion") == 400
    assert harness.metric("router_requests_total", tier="low", model="small", backend="sim", status="cancelled") == 1


@pytest.mark.parametrize("stream", [False, True])
async def test_an_escalation_counts_what_the_request_spent_against_the_cap(make_harness: Any, spare_handler: list[Any], stream: bool) -> None:
    """Found in review: an escalation was checked on the target's estimate alone — the source's attempt, cut and paid,
    was left out (a request cost 1.76x its cap) — and the estimate shown after a hop stayed the source's."""
    spare_handler[0] = spare_answer()
    ask = {"model": "auto", "stream": stream, "max_tokens": 60_000, "messages": [{"role": "user", "content": "easy [score=0.1]"}]}
    if stream:
        ask["stream_options"] = {"include_usage": True}
    probe = await make_harness(config_with())  # a gateway of its own: what the high tier is estimated at, nothing learnt
    target = float((await probe.client.post("/v1/chat/completions", json={**ask, "model": "auto:high"},
                                            headers={"x-router-max-cost-usd": "1"})).headers["x-router-estimated-cost-usd"])
    harness = await make_harness(config_with(), Scripted([("", "length")] * 4, completion_tokens=50_000).transport())
    held = await harness.client.post("/v1/chat/completions", json=ask, headers={"x-router-max-cost-usd": str(target + 0.005)})
    assert held.status_code == 200 and held.headers["x-router-tier"] == "low", "the cut answer ($0.01) and the target's estimate pass the cap"
    free = await harness.client.post("/v1/chat/completions", json=ask, headers={"x-router-max-cost-usd": "1"})
    router = free.json()["router"] if not stream else sse_payloads(free.text)[-2]["router"]
    assert router["escalations"][0]["to"] == "high" and free.headers["x-router-tier"] == "high" and router["cost_usd"] > 0.01
    assert float(free.headers["x-router-estimated-cost-usd"]) == router["estimated_cost_usd"] == target, "the target's, after the hop"


async def test_an_escalation_s_target_fallbacks_are_held_to_the_cap(make_harness: Any, spare_handler: list[Any]) -> None:
    """Found in review: the cap held every fallback of a request routed there, but not those of a tier an escalation
    reached: the target's dearer fallback was served at 3.7x the cap."""
    spare_handler[0] = spare_answer()
    models = {**CONFIG["models"], "spare-big": {**CONFIG["models"]["spare-big"], "input": 30.0, "output": 120.0}}
    tiers = {"low": {"model": "small", "max_score": 0.5, "escalate_to": "high"}, "high": {"model": "big", "effort": "none", "fallbacks": ["spare-big"]}}
    failing = httpx.MockTransport(lambda request: httpx.Response(503, json={"error": {"message": "overloaded"}})
                                  if orjson.loads(request.content)["model"] == "big" else Scripted()(request))
    harness = await make_harness(make_config(models=models, tiers=tiers), failing)
    ask = {"model": "auto", "messages": [{"role": "user", "content": "hello [score=0.2]"}]}
    for headers in ({"x-router-max-cost-usd": "0.02"}, {"x-router-max-cost-usd": "0.02", "x-router-escalate": "true"}):
        response = await harness.client.post("/v1/chat/completions", json={**ask, "model": "auto:high"} if len(headers) == 1 else ask, headers=headers)
        assert response.status_code >= 500 and not harness.spare_requests, headers
    served = await harness.client.post("/v1/chat/completions", json=ask, headers={"x-router-max-cost-usd": "1", "x-router-escalate": "true"})
    assert served.status_code == 200 and served.headers["x-router-model"] == "spare-big", "within the cap, the fallback serves"
    spare = float(served.headers["x-router-estimated-cost-usd"])  # the serving fallback's estimate
    # low's answer, cut and paid ($0.01), escalates: big fits with it, spare-big alone would, but not with it
    cut = httpx.MockTransport(lambda request: httpx.Response(503, json={"error": {"message": "overloaded"}}) if orjson.loads(request.content)["model"] == "big"
                              else Scripted([("", "length")], completion_tokens=50_000)(request))
    tiers["low"]["escalate_on"] = {"length": True}
    spent = await make_harness(make_config(models=models, tiers=tiers), cut)
    held = await spent.client.post("/v1/chat/completions", json=ask, headers={"x-router-max-cost-usd": str(spare + 0.005)})
    assert held.status_code >= 500 and not spent.spare_requests, "what the cut attempt cost counts against the fallback"
