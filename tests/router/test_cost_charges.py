"""Cost numbers a budget can rest on, what is charged: the spend of an answer or a stream the upstream never reported
on is still recorded (from an estimate) and charged, as are an escalation's attempts and a request whose client left."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from tests.router._cost_accounting_helpers import gateway_of, with_tiers
from tests.router.conftest import CONFIG, make_config

pytestmark = pytest.mark.anyio


WORDS = 50
LOW = {"tier": "low", "model": "small", "backend": "sim"}


def streaming_upstream(*, usage: bool = True) -> httpx.MockTransport:
    """An OpenAI-compatible stream of WORDS one-token chunks; `usage=False`: no usage chunk, as some
    servers do whatever `stream_options` says."""

    async def body(model: str) -> AsyncIterator[bytes]:
        base = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": model}
        yield b"data: " + json.dumps(base | {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}).encode() + b"\n\n"
        for index in range(WORDS):
            await asyncio.sleep(0.002)
            yield b"data: " + json.dumps(base | {"choices": [{"index": 0, "delta": {"content": f" w{index}"}, "finish_reason": None}]}).encode() + b"\n\n"
        yield b"data: " + json.dumps(base | {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}).encode() + b"\n\n"
        if usage:
            yield b"data: " + json.dumps(base | {"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": WORDS, "total_tokens": 9 + WORDS}}).encode() + b"\n\n"
        yield b"data: [DONE]\n\n"

    return httpx.MockTransport(lambda request: httpx.Response(200, headers={"content-type": "text/event-stream"},
                                                              content=body(json.loads(request.content)["model"])))


async def test_a_stream_the_upstream_never_reports_on_is_accounted_from_an_estimate(make_harness: Any) -> None:
    harness = await make_harness(sim_transport=streaming_upstream(usage=False))
    response = await harness.chat("hello", stream=True, stream_options={"include_usage": True})
    final = json.loads([line for line in response.text.split("\n\n") if line.startswith("data: {")][-1][6:])
    assert final["router"]["usage_estimated"] is True
    assert final["usage"]["completion_tokens"] == WORDS + 1  # the finish chunk counted too: an estimate
    assert final["router"]["cost_usd"] > 0
    assert harness.metric("router_cost_usd_total", **LOW) == pytest.approx(final["router"]["cost_usd"])
    assert harness.metric("router_cost_estimate_ratio_count", tier="low") == 0, "an estimate is no test of the estimate"
    assert gateway_of(harness).forecast.log_correction == {}, "nor something to learn from"


async def test_an_answer_the_upstream_never_reports_on_is_accounted_from_an_estimate(make_harness: Any) -> None:
    """A non-streamed answer without `usage` was read as zero tokens and cost $0: now its text is counted (about
    four characters a token in English) and the estimate goes to the client, the books and the spend, marked."""
    answer = {"role": "assistant", "content": "word " * 40, "reasoning": "thought " * 10,
              "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": '{"q": "x"}'}}]}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"id": "c", "object": "chat.completion", "created": 1, "model": "m",
                                         "choices": [{"index": 0, "message": answer, "finish_reason": "tool_calls"}]})

    harness = await make_harness(sim_transport=httpx.MockTransport(handler))
    body = (await harness.chat("hello")).json()
    assert body["router"]["usage_estimated"] is True
    assert body["usage"]["completion_tokens"] == 50 + 20 + 4 and body["usage"]["completion_tokens_details"]["reasoning_tokens"] == 20
    assert body["usage"]["prompt_tokens"] > 0 and body["router"]["cost_usd"] > 0
    assert harness.metric("router_tokens_total", **LOW, kind="completion") == 74
    assert harness.metric("router_cost_usd_total", **LOW) == pytest.approx(body["router"]["cost_usd"])
    assert gateway_of(harness).forecast.log_correction == {}, "an estimate is nothing to learn from"


async def test_attempts_and_samples_without_usage_are_estimated_each(make_harness: Any) -> None:
    """Escalation and sampled tiers account every attempt: one without `usage` counts its text, not zero."""
    def handler(request: httpx.Request) -> httpx.Response:
        cut = orjson.loads(request.content)["model"] == "Qwen/Qwen3-8B"  # the low tier's model: an empty answer cut by its limit
        message = {"role": "assistant", "content": "" if cut else "word " * 40, "reasoning": "thought " * 10}
        return httpx.Response(200, json={"id": "c", "object": "chat.completion", "created": 1, "model": "m",
                                         "choices": [{"index": 0, "message": message, "finish_reason": "length" if cut else "stop"}]})

    escalating = {**CONFIG["tiers"], "low": {**CONFIG["tiers"]["low"], "escalate_to": "high"}}
    harness = await make_harness(make_config(tiers=escalating), httpx.MockTransport(handler))
    router = (await harness.chat("hello")).json()["router"]
    assert router["usage_estimated"] is True and [part["tier"] for part in router["usage_breakdown"]] == ["low", "high"]
    assert [part["completion_tokens"] for part in router["usage_breakdown"]] == [20, 70]  # the cut attempt's reasoning, then both texts
    assert all(part["prompt_tokens"] > 0 and part["cost_usd"] > 0 for part in router["usage_breakdown"])

    sampled = {**CONFIG["tiers"], "high": {**CONFIG["tiers"]["high"], "strategy": {"kind": "self_consistency", "samples": 3, "use_n": False}}}
    harness = await make_harness(make_config(tiers=sampled), httpx.MockTransport(handler))
    body = (await harness.chat("hard [score=0.9]")).json()
    assert body["router"]["usage_estimated"] is True and body["usage"]["completion_tokens"] == 3 * 70


async def test_a_client_that_leaves_mid_stream_is_charged_for_what_it_was_sent(make_harness: Any) -> None:
    harness = await make_harness(sim_transport=streaming_upstream())
    app = harness.client._transport.app  # type: ignore[attr-defined]
    raw = json.dumps({"model": "auto", "stream": True, "messages": [{"role": "user", "content": "hello"}]}).encode()
    leave, sent, first = asyncio.Event(), [], True

    async def receive() -> dict[str, Any]:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": raw, "more_body": False}
        await leave.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            sent.append(message["body"])
            if len(sent) == 30:
                leave.set()

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http", "path": "/v1/chat/completions",
             "raw_path": b"/v1/chat/completions", "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]}
    await app(scope, receive, send)
    await asyncio.sleep(0.05)
    assert harness.metric("router_requests_total", **LOW, status="cancelled") == 1
    assert 25 <= harness.metric("router_tokens_total", **LOW, kind="completion") < WORDS
    assert harness.metric("router_cost_usd_total", **LOW) > 0


async def test_an_escalation_whose_last_attempt_fails_still_accounts_the_first(make_harness: Any, spare_handler: list[Any]) -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body["model"] == "Qwen/Qwen3-8B":  # the low tier thinks its budget away: an empty answer, escalated
            return httpx.Response(200, json={"id": "c", "object": "chat.completion", "created": 1, "model": body["model"],
                                             "choices": [{"index": 0, "message": {"role": "assistant", "content": ""}, "finish_reason": "length"}],
                                             "usage": {"prompt_tokens": 1000, "completion_tokens": 4000, "total_tokens": 5000}})
        return httpx.Response(503, json={"error": {"message": "overloaded"}})

    spare_handler[0] = lambda request: httpx.Response(503, json={"error": {"message": "overloaded"}})
    harness = await make_harness(with_tiers(low={"escalate_to": "high"}), sim_transport=httpx.MockTransport(upstream))
    response = await harness.chat("hello")
    assert response.status_code == 503, "the upstreams said they are overloaded"
    assert harness.metric("router_cost_usd_total", **LOW) == pytest.approx((1000 * 0.05 + 4000 * 0.20) / 1e6)
    assert harness.metric("router_tokens_total", **LOW, kind="completion") == 4000


async def test_an_escalation_from_an_unpriced_model_spends_the_key_s_budget_on_its_priced_part(make_harness: Any) -> None:
    """A local model without prices answered empty and the request escalated to a paid one: the paid part was booked
    on /metrics, but the key's budget and the top-tier baseline took nothing (the whole cost unknown: null), so a
    client could reach the paid tier past its budget (found in review, s36)."""
    def upstream(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        empty = body["model"] == "Qwen/Qwen3-8B"  # the low tier thinks its budget away: an empty answer, escalated
        return httpx.Response(200, json={"id": "c", "object": "chat.completion", "created": 1, "model": body["model"],
                                         "choices": [{"index": 0, "message": {"role": "assistant", "content": "" if empty else "ok"},
                                                      "finish_reason": "length" if empty else "stop"}],
                                         "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150}})

    models = {**CONFIG["models"], "small": {key: value for key, value in CONFIG["models"]["small"].items() if key not in ("input", "output")}}
    tiers = {**CONFIG["tiers"], "low": {**CONFIG["tiers"]["low"], "escalate_to": "high"}}
    harness = await make_harness(make_config(models=models, tiers=tiers, limits={"default": {"budget_usd": 0.0001}}),
                                 sim_transport=httpx.MockTransport(upstream))
    paid = (100 * 1.10 + 50 * 4.40) / 1e6
    first = await harness.chat("hello")
    assert first.status_code == 200 and first.json()["router"]["model"] == "big"
    assert first.json()["router"]["cost_usd"] is None, "the total is unknown: the local call has no price"
    assert harness.metric("router_cost_usd_total", tier="high", model="big", backend="sim") == pytest.approx(paid)
    assert harness.metric("router_top_tier_cost_usd_total") == pytest.approx(paid), "the priced call's tokens at the top tier's prices"
    await harness.client._transport.app.state.router.ops.limiter.drain()  # type: ignore[attr-defined]
    assert (await harness.chat("hello")).status_code == 429, "the paid part ($0.00033) spent the $0.0001 budget"


@pytest.mark.parametrize("stream", [False, True])
async def test_a_client_that_leaves_before_the_first_byte_is_charged_for_the_prompt(make_harness: Any, stream: bool) -> None:
    """Left during a long prefill: the unstreamed request was charged (prompt and forecast answer), the streamed one $0 and no
    tokens. Now the stream is charged its prompt, as a stream cut after its first events is charged it and those events."""
    from tests.router.ttc_fakes import call_and_leave

    async def prefilling(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(500)

    harness = await make_harness(sim_transport=httpx.MockTransport(prefilling))
    app = harness.client._transport.app  # type: ignore[attr-defined]
    await call_and_leave(app, "/v1/chat/completions", {"model": "auto", "stream": stream, "messages": [{"role": "user", "content": "hello " * 500}]}, 0.2)
    assert harness.metric("router_requests_total", **LOW, status="cancelled") == 1
    assert harness.metric("router_tokens_total", **LOW, kind="prompt") >= 500
    assert harness.metric("router_cost_usd_total", **LOW) > 0


async def test_a_non_streamed_request_read_from_a_stream_is_charged_what_it_wrote_when_its_client_leaves(make_harness: Any) -> None:
    """Assembled from a stream (`non_streamed: stream`), an answer whose client left was charged the forecast, not what
    the upstream wrote before the gateway closed it: 79 tokens for 29 events, 131 for 158 (found in review, s36)."""
    from tests.router.ttc_fakes import call_and_leave

    async def body(model: str) -> AsyncIterator[bytes]:
        base = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": model}
        yield b"data: " + json.dumps(base | {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}).encode() + b"\n\n"
        for index in range(12):
            yield b"data: " + json.dumps(base | {"choices": [{"index": 0, "delta": {"content": f" w{index}"}, "finish_reason": None}]}).encode() + b"\n\n"
        await asyncio.sleep(30)  # still thinking when the client leaves

    upstream = httpx.MockTransport(lambda request: httpx.Response(200, headers={"content-type": "text/event-stream"},
                                                                  content=body(json.loads(request.content)["model"])))
    backends = {**CONFIG["backends"], "sim": {**CONFIG["backends"]["sim"], "non_streamed": "stream"}}
    harness = await make_harness(make_config(backends=backends), sim_transport=upstream)
    app = harness.client._transport.app  # type: ignore[attr-defined]
    await call_and_leave(app, "/v1/chat/completions", {"model": "auto", "messages": [{"role": "user", "content": "hello"}]}, 0.3)
    assert harness.metric("router_requests_total", **LOW, status="cancelled") == 1
    assert harness.metric("router_tokens_total", **LOW, kind="completion") == 12, "a token per event after the first, as a stream"


async def test_cache_writes_are_a_token_kind_and_small_estimates_are_written_out(make_harness: Any, spare_handler: list[Any]) -> None:
    """`router_tokens_total` had no cache writes: the cost could not be re-derived from the tokens. And a refusal printed a
    $3e-07 estimate as "0.000000 USD"."""
    from tests.router._anthropic_api_helpers import claude_high_tier

    spare_handler[0] = lambda request: httpx.Response(200, json={
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x", "stop_reason": "end_turn", "stop_sequence": None,
        "content": [{"type": "text", "text": "ok"}], "usage": {"input_tokens": 20, "cache_creation_input_tokens": 1000, "output_tokens": 5}})
    harness = await make_harness(claude_high_tier())
    assert (await harness.chat("hard [score=0.9]")).status_code == 200
    assert harness.metric("router_tokens_total", tier="high", model="claude", backend="spare", kind="cache_write") == 1000
    refused = await harness.client.post("/v1/chat/completions", headers={"x-router-max-cost-usd": "1e-12"},
                                        json={"model": "auto", "messages": [{"role": "user", "content": "hi [score=0.1]"}]})
    assert refused.status_code == 400 and "estimated cost 0.000000 USD" not in refused.json()["error"]["message"]
