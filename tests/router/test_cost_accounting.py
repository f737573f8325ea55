"""Cost numbers a budget can rest on: the estimate prices every call a request makes, on the candidate
it will go to after every move, and the spend of a stream the upstream never reported on is still
recorded (from an estimate) and charged."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from prometheus_client import CollectorRegistry

from router.decision import usd
from router.gateway import Gateway
from router.metrics import RouterMetrics
from router.protocol import APIError
from tests.conftest import FakeClassifier
from tests.router.conftest import CONFIG, Harness, make_config

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


def answering(completion_per_answer: Any, prompt: Any = lambda body: 10) -> httpx.MockTransport:
    """Non-streaming answers: `n` choices, usage summed over them as OpenAI reports it."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        n = body.get("n") or 1
        completion = completion_per_answer(body) * n
        choices = [{"index": i, "message": {"role": "assistant", "content": "x"}, "finish_reason": "stop"} for i in range(n)]
        return httpx.Response(200, json={"id": "c", "object": "chat.completion", "created": 1, "model": body["model"], "choices": choices,
                                         "usage": {"prompt_tokens": prompt(body), "completion_tokens": completion, "total_tokens": prompt(body) + completion}})

    return httpx.MockTransport(handler)


def gateway_of(harness: Harness) -> Gateway:
    return harness.client._transport.app.state.router.gateway  # type: ignore[attr-defined]


def with_tiers(**changes: dict[str, Any]) -> Any:
    tiers = {name: {**tier, **changes.get(name, {})} for name, tier in CONFIG["tiers"].items()}
    return make_config(tiers=tiers)


# -- streams without usage ------------------------------------------------------------------------------


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


# -- the estimate: every move, every call --------------------------------------------------------------


def test_a_budget_downgrade_keeps_the_cost_cap() -> None:
    gateway = Gateway(make_config(), {}, FakeClassifier(), RouterMetrics(CollectorRegistry()))
    body = {"model": "auto", "messages": [{"role": "user", "content": "[score=0.9] hard question"}]}
    with pytest.raises(APIError) as refused:
        gateway.decide(dict(body), "r1", max_cost_usd=1e-7, max_tier="medium")
    assert refused.value.code == "max_cost_exceeded"
    decision = gateway.decide(dict(body), "r2", max_cost_usd=1.0, max_tier="medium")
    assert decision.tier == "medium" and decision.estimated_cost_usd == gateway.estimate_cost(decision, decision.candidates[0], decision.scored, body)


def test_a_refusal_names_the_cheapest_tier_that_would_fit_a_larger_cap() -> None:
    """With `model: auto` and no tier under the cap, the estimate refused is the tier the score picked; the message also
    names the cheapest tier's, the smallest cap that would pass (found by a user review: a cap of 1e-7 quoted only the
    high tier's 0.043 USD where the low tier needed 0.00035)."""
    gateway = Gateway(make_config(), {}, FakeClassifier(), RouterMetrics(CollectorRegistry()))
    body = {"model": "auto", "messages": [{"role": "user", "content": "[score=0.9] hard question"}]}
    with pytest.raises(APIError) as refused:
        gateway.decide(dict(body), "r1", max_cost_usd=1e-9)
    low = gateway.decide({"model": "auto:low", "messages": body["messages"]}, "r2", max_cost_usd=1.0)
    message = refused.value.message
    assert message.startswith("estimated cost ") and "exceeds x-router-max-cost-usd 1e-09" in message
    assert message.endswith(f"; the cheapest tier for this request, low, is estimated at {usd(low.estimated_cost_usd)} USD")
    passed = gateway.decide(dict(body), "r3", max_cost_usd=low.estimated_cost_usd)
    assert passed.tier == "low", "the cap the message names lets the request through"
    with pytest.raises(APIError) as forced:
        gateway.decide({"model": "auto:high", "messages": body["messages"]}, "r4", max_cost_usd=1e-9)
    assert "cheapest tier" not in forced.value.message, "a forced tier is not moved, so no other tier is named"


async def test_a_request_the_context_check_moves_is_priced_and_capped_where_it_goes(make_harness: Any) -> None:
    models = {name: dict(model) for name, model in CONFIG["models"].items()}
    models["small"]["context_window"] = 1000
    harness = await make_harness(make_config(models=models))
    body = {"model": "auto", "messages": [{"role": "user", "content": "word " * 1600}]}  # ~2,000 tokens: not in small's window
    moved = await harness.client.post("/v1/chat/completions", json=body)
    assert moved.json()["router"]["model"] == "big" and moved.json()["router"]["reason"] == "context"
    assert moved.json()["router"]["estimated_cost_usd"] > 2000 * 1.10 / 1e6, "priced at big's prices, not small's"
    capped = await harness.client.post("/v1/chat/completions", json=body, headers={"x-router-max-cost-usd": "0.0003"})
    assert capped.status_code == 400 and capped.json()["error"]["code"] == "max_cost_exceeded"


async def test_n_answers_are_priced_n_times(make_harness: Any) -> None:
    harness = await make_harness(sim_transport=answering(lambda body: 200))
    one = (await harness.chat("hello", max_tokens=250)).json()["router"]["estimated_cost_usd"]
    sixteen = (await harness.chat("hello", max_tokens=250, n=16)).json()["router"]
    answer_cost = 200 * 0.20 / 1e6
    assert sixteen["estimated_cost_usd"] == pytest.approx(one + 15 * answer_cost)
    assert sixteen["cost_usd"] == pytest.approx(sixteen["estimated_cost_usd"], rel=0.01)


async def test_a_sampled_tier_is_priced_for_every_sample_and_its_judge(make_harness: Any) -> None:
    harness = await make_harness(with_tiers(low={"strategy": {"kind": "self_consistency", "samples": 8}}), sim_transport=answering(lambda body: 200))
    response = await harness.client.post("/v1/chat/completions", json={"model": "auto:low", "messages": [{"role": "user", "content": "what is 2+2"}]},
                                         headers={"x-router-max-cost-usd": "1"})  # a forced tier is priced when capped
    router = response.json()["router"]
    assert router["estimated_cost_usd"] == pytest.approx(router["cost_usd"], rel=0.05)
    assert response.headers["x-router-score"] == "0.100", "the score it was priced with is reported"
    judged = with_tiers(low={"strategy": {"kind": "best_of_n", "samples": 4, "judge": "big", "use_n": False}})
    gateway = Gateway(judged, {}, FakeClassifier(), RouterMetrics(CollectorRegistry()))
    decision = gateway.decide({"model": "auto:low", "messages": [{"role": "user", "content": "x"}]}, "r", max_cost_usd=1.0)
    prompt = 4  # "x": a quarter token and four of the message
    samples = 4 * (prompt * 0.05 + 200 * 0.20) / 1e6
    judge = ((prompt + 4 * 200 + 80) * 1.10 + 16 * 4.40) / 1e6
    assert decision.estimated_cost_usd == pytest.approx(samples + judge)


def test_an_estimate_of_several_calls_is_exact_to_the_cent_it_shows() -> None:
    """Found in review: samples $0.1 + judge $0.2 summed to 0.30000000000000004 — shown as 0.3, and a client sending that
    back as its cap was refused ("estimated cost 0.3 USD exceeds x-router-max-cost-usd 0.3")."""
    models = {**CONFIG["models"], "sampler": {"backend": "sim", "input": 0, "output": 100}, "judge": {"backend": "sim", "input": 0, "output": 12500}}
    config = make_config(models=models, tiers={"only": {"model": "sampler", "strategy": {"kind": "best_of_n", "samples": 5, "judge": "judge"}}})
    gateway = Gateway(config, {}, FakeClassifier(), RouterMetrics(CollectorRegistry()))
    body = {"model": "auto", "messages": [{"role": "user", "content": "x [score=0.5]"}]}
    assert gateway.decide(body, "r").estimated_cost_usd == 0.3
    assert gateway.decide(body, "r", max_cost_usd=0.3).estimated_cost_usd == 0.3


# -- what the corrections learn from -------------------------------------------------------------------


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
    direct = gateway.decide({"model": "oss", "messages": [{"role": "user", "content": "x"}]}, "r", max_cost_usd=1.0)
    assert direct.context.completion_forecasts[("direct", "oss")].raw == 200 + 1000, "at gpt-oss' default, medium"
    openai_none = gateway.decide({"model": "auto:high", "messages": [{"role": "user", "content": "x"}]}, "r", max_cost_usd=1.0)
    assert openai_none.context.completion_forecasts[("high", "big")].raw == 200 + 1000
    qwen_off = gateway.decide({"model": "auto:low", "messages": [{"role": "user", "content": "x"}]}, "r", max_cost_usd=1.0)
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
    from tests.router.test_anthropic_api import claude_high_tier

    spare_handler[0] = lambda request: httpx.Response(200, json={
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x", "stop_reason": "end_turn", "stop_sequence": None,
        "content": [{"type": "text", "text": "ok"}], "usage": {"input_tokens": 20, "cache_creation_input_tokens": 1000, "output_tokens": 5}})
    harness = await make_harness(claude_high_tier())
    assert (await harness.chat("hard [score=0.9]")).status_code == 200
    assert harness.metric("router_tokens_total", tier="high", model="claude", backend="spare", kind="cache_write") == 1000
    refused = await harness.client.post("/v1/chat/completions", headers={"x-router-max-cost-usd": "1e-12"},
                                        json={"model": "auto", "messages": [{"role": "user", "content": "hi [score=0.1]"}]})
    assert refused.status_code == 400 and "estimated cost 0.000000 USD" not in refused.json()["error"]["message"]


async def test_a_cost_cap_holds_for_every_fallback(make_harness: Any, spare_handler: list[Any]) -> None:
    """Found in review: fallbacks were never priced against the cap — a request the cap moved from high to low climbed
    back to high when low's model failed (`fallback_to_next_tier`: 140x its cap, a 200), and a tier's fallback to a
    dearer model was tried as readily. Now a fallback over the cap is not tried; the estimate shown is the serving model's."""
    data = {"routing": {"fallback_to_next_tier": True, "max_attempts": 5}}
    failing = httpx.MockTransport(lambda request: httpx.Response(503, json={"error": {"message": "overloaded"}}))
    harness = await make_harness(make_config(**data), sim_transport=failing)
    hard = {"model": "auto", "messages": [{"role": "user", "content": "hard [score=0.95]"}]}
    response = await harness.client.post("/v1/chat/completions", json=hard, headers={"x-router-max-cost-usd": "0.001"})
    assert response.status_code >= 500 and not harness.spare_requests, "spare-big (over the cap) is not tried"
    served = await harness.client.post("/v1/chat/completions", json=hard, headers={"x-router-max-cost-usd": "1"})
    router = served.json()["router"]
    assert served.status_code == 200 and router["model"] == "spare-big" and len(harness.spare_requests) == 1
    assert float(served.headers["x-router-estimated-cost-usd"]) == router["estimated_cost_usd"] > 0
    first = (await (await make_harness()).client.post("/v1/chat/completions", json=hard)).json()["router"]
    assert first["model"] == "big" and router["estimated_cost_usd"] > first["estimated_cost_usd"], "spare-big's (8 $/M out), not big's (4.40)"


def test_a_judge_call_is_priced_at_the_standard_tier_whatever_the_client_asked() -> None:
    """The judge's request carries no `service_tier` (router/sampling.py `judge`): the estimate prices the samples at the tier
    the client asked and the judge at its model's standard prices, as the bill will (mutation review: a judge priced at
    the client's flex tier halved its share of the estimate, and of a cost cap's check)."""
    from router.estimate import estimate_cost
    from router.policy import Policy

    models = {**CONFIG["models"], "sampler": {"backend": "sim", "input": 0, "output": 100, "service_tiers": {"flex": {"output": 50}}},
              "judge": {"backend": "sim", "input": 0, "output": 1000, "service_tiers": {"flex": {"output": 500}}}}
    config = make_config(models=models, tiers={"only": {"model": "sampler", "strategy": {"kind": "best_of_n", "samples": 2, "judge": "judge"}}})
    candidate = Policy(config).candidates("only")[0]
    assert estimate_cost(config, candidate, {"service_tier": "flex"}, 10, 100) == pytest.approx((2 * 100 * 50 + 16 * 1000) / 1e6)
    assert estimate_cost(config, candidate, {}, 10, 100) == pytest.approx((2 * 100 * 100 + 16 * 1000) / 1e6)


@pytest.mark.parametrize(("n", "answers"), [(None, 1), (0, 1), (-2, 1), (True, 1), ("3", 1), (3, 3)])
def test_answers_requested_is_the_client_s_n_or_one(n: Any, answers: int) -> None:
    """`n` of 0 or below, a bool or a string is malformed: one answer, never none (an estimate of 0 answer tokens)."""
    from router.estimate import answers_requested

    assert answers_requested({} if n is None else {"n": n}) == answers


def test_the_client_s_service_tier_wins_over_the_tier_s_params_in_the_estimate() -> None:
    """Client fields win over a tier's `params` (README, "Which parameters win"): the upstream is asked the client's
    service tier, so the estimate (and a cost cap's check) prices it, not the tier's default (mutation review)."""
    from router.estimate import estimate_cost
    from router.policy import Policy

    models = {**CONFIG["models"], "tiered": {"backend": "sim", "input": 0, "output": 10,
                                             "service_tiers": {"flex": {"output": 5}, "priority": {"output": 20}}}}
    config = make_config(models=models, tiers={"only": {"model": "tiered", "params": {"service_tier": "flex"}}})
    candidate = Policy(config).candidates("only")[0]
    assert estimate_cost(config, candidate, {}, 0, 1_000_000) == pytest.approx(5.0), "the tier's params, when the client names none"
    assert estimate_cost(config, candidate, {"service_tier": "priority"}, 0, 1_000_000) == pytest.approx(20.0), "the client's wins"
    assert estimate_cost(config, candidate, {"service_tier": None}, 0, 1_000_000) == pytest.approx(10.0), "its null too, sent as the attempt prices it"
