"""A request priced at the service tier it was served under (router/pricing.py), over real loopback sockets: the tier
the upstream's answer names (OpenAI's `service_tier`, whole or in its stream's first or usage chunk), else the one the
call asked, in the cost, its estimate and the metrics — each call of a request at its own."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.reliability.loopback_rig import Rig
from tests.reliability.loopback_upstream import DONE, Behaviour, completion_body, sse, sse_events, usage_chunk

pytestmark = pytest.mark.anyio

TIERS = {"input": 1.0, "output": 2.0, "service_tiers": {"flex": {"input": 0.5, "output": 1.0}, "priority": {"input": 2.0, "output": 4.0}}}
STANDARD, FLEX, PRIORITY = (5 * 1.0 + 3 * 2.0) / 1e6, (5 * 0.5 + 3 * 1.0) / 1e6, (5 * 2.0 + 3 * 4.0) / 1e6


@pytest.mark.parametrize(("asked", "served", "expected"), [(None, None, STANDARD), ("flex", None, FLEX), ("flex", "flex", FLEX),
                                                           ("auto", "priority", PRIORITY), ("flex", "default", STANDARD)])
async def test_a_whole_answer_is_priced_at_the_tier_it_names_else_the_one_asked(rig: Rig, asked: str | None, served: str | None,
                                                                               expected: float) -> None:
    answer = completion_body() | ({"service_tier": served} if served else {})
    rig.a.script = lambda body, index: Behaviour(raw=orjson.dumps(answer))
    gateway = await rig.gateway(tiered(rig))
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
    gateway = await rig.gateway(tiered(rig))
    response = await gateway.chat(model="ma", stream=True, stream_options={"include_usage": True})
    final = sse_events(response.text)[-2]
    assert final["router"]["cost_usd"] == pytest.approx(FLEX)
    assert gateway.metric("router_cost_usd_total", tier="direct", model="ma", backend="a") == pytest.approx(FLEX)


async def test_the_estimate_before_dispatch_prices_the_tier_asked(rig: Rig) -> None:
    rig.a.script = lambda body, index: Behaviour(raw=orjson.dumps(completion_body()))
    body = {"model": "ma", "messages": [{"role": "user", "content": "hello"}]}
    estimates = []
    for asked in ({}, {"service_tier": "flex"}):  # a gateway each: the first answer would teach the forecast
        gateway = await rig.gateway(tiered(rig))
        response = await gateway.client.post("/v1/chat/completions", json=body | asked, headers={"x-router-max-cost-usd": "1"})
        estimates.append(float(response.headers["x-router-estimated-cost-usd"]))  # a direct model is priced only under a cap
    assert estimates[1] == pytest.approx(estimates[0] / 2) and estimates[0] > 0


# -- each call at its own tier, on every route (found in review) ---------------------------------


def echoing(text: str = "ok", served: dict[str | None, str] | None = None, finish: str = "stop"):
    """An OpenAI-like upstream: answers naming the tier it served (the asked one, or `served[asked]`)."""
    def script(body: dict[str, Any], index: int) -> Behaviour:
        asked = body.get("service_tier")
        tier = (served or {}).get(asked, asked or "default")
        answer = completion_body(text) | {"service_tier": tier}
        answer["choices"][0]["finish_reason"] = finish
        if finish == "length":
            answer["choices"][0]["message"]["content"] = ""
        return Behaviour(raw=orjson.dumps(answer))
    return script


def tiered(rig: Rig, **top: Any) -> dict[str, Any]:
    data = rig.config_data(**top)
    data["models"]["ma"] = {"backend": "a", **TIERS}
    data["models"]["mb"] = {"backend": "b", **TIERS}
    return data


async def test_judge_is_priced_at_the_tier_it_was_served(rig: Rig) -> None:
    def script(body: dict[str, Any], index: int) -> Behaviour:
        judge = body.get("max_tokens") == 16 and body.get("temperature") == 0
        return echoing("1" if judge else "ok")(body, index)

    rig.a.script = script
    data = tiered(rig)
    data["tiers"]["low"] = {"model": "ma", "max_score": 0.5, "strategy": {"kind": "best_of_n", "samples": 2, "judge": "ma", "use_n": False}}
    gateway = await rig.gateway(data)
    response = await gateway.chat(model="auto:low", service_tier="flex")
    assert response.status_code == 200, response.text
    judge_record = next(r for r in rig.a.records if r.body.get("max_tokens") == 16)
    assert "service_tier" not in judge_record.body, "the judge is sent without the client's tier"
    parts = response.json()["router"]["usage_breakdown"]
    judge = next(p for p in parts if p["role"] == "judge")
    assert judge["cost_usd"] == pytest.approx(STANDARD), f"judge served at 'default' but priced {judge['cost_usd']} (flex={FLEX})"


async def test_estimate_prices_a_tier_params_service_tier(rig: Rig) -> None:
    rig.a.script = echoing()
    estimates, costs = [], []
    for params in ({}, {"service_tier": "flex"}):
        data = tiered(rig)
        data["tiers"]["low"] = {"model": "ma", "max_score": 0.5, "params": params}
        gateway = await rig.gateway(data)
        response = await gateway.client.post("/v1/chat/completions", json={"model": "auto:low", "messages": [{"role": "user", "content": "hello"}]},
                                              headers={"x-router-max-cost-usd": "1"})
        assert response.status_code == 200, response.text
        estimates.append(float(response.headers["x-router-estimated-cost-usd"]))
        costs.append(float(response.headers["x-router-cost-usd"]))
    assert costs[1] == pytest.approx(costs[0] / 2), "the answer is priced at flex"
    assert estimates[1] == pytest.approx(estimates[0] / 2), f"estimate ignores the tier's params: {estimates}"


async def test_an_escalated_request_prices_each_part_at_its_own_tier(rig: Rig) -> None:
    rig.a.script = echoing(served={"auto": "priority"}, finish="length")
    rig.b.script = echoing(served={"auto": "default"})
    data = tiered(rig)
    data["tiers"]["low"] = {"model": "ma", "max_score": 0.5, "escalate_to": "high"}
    gateway = await rig.gateway(data)
    response = await gateway.chat(model="auto:low", service_tier="auto")
    assert response.status_code == 200, response.text
    parts = {p["role"]: p for p in response.json()["router"]["usage_breakdown"]}
    assert parts["abandoned"]["cost_usd"] == pytest.approx(PRIORITY), f"abandoned part (served 'priority') priced {parts['abandoned']['cost_usd']}"


def _chunks(tier_from: int, *, in_usage: bool = False) -> list[bytes]:
    def chunk(i: int, delta: dict[str, Any], finish: str | None = None) -> bytes:
        payload = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        if i >= tier_from:
            payload["service_tier"] = "flex"
        return sse(payload)
    usage = orjson.loads(usage_chunk(5, 3)[6:-2]) | ({"service_tier": "flex"} if in_usage else {})
    return [chunk(0, {"role": "assistant", "content": ""}), chunk(1, {"content": "hi"}), chunk(2, {}, "stop"), sse(usage), DONE]


async def test_a_stream_whose_usage_chunk_names_the_tier_is_priced_as_assembled(rig: Rig) -> None:
    """The relay parses the first chunk and the usage chunk (not every event): a tier named in either is read, so the
    stream and the same exchange put together for a non-streamed request cost the same."""
    rig.a.script = lambda body, index: Behaviour(chunks=_chunks(tier_from=9, in_usage=True))
    data = tiered(rig, a={"non_streamed": "stream"})  # a non-streamed request is read from the upstream's stream
    gateway = await rig.gateway(data)
    whole = await gateway.chat(model="ma")
    streamed = await gateway.chat(model="ma", stream=True, stream_options={"include_usage": True})
    whole_cost = whole.json()["router"]["cost_usd"]
    assert whole_cost == pytest.approx(FLEX) == sse_events(streamed.text)[-2]["router"]["cost_usd"]


async def test_responses_api_keeps_the_service_tier(rig: Rig) -> None:
    rig.a.script = echoing()
    gateway = await rig.gateway(tiered(rig))
    response = await gateway.client.post("/v1/responses", json={"model": "ma", "input": "hello", "service_tier": "flex"})
    assert response.status_code == 200, response.text
    sent = rig.a.records[0].body
    cost = float(response.headers["x-router-cost-usd"])
    assert sent.get("service_tier") == "flex" and cost == pytest.approx(FLEX), f"upstream body tier={sent.get('service_tier')!r}, cost={cost}"


@pytest.mark.parametrize("asked", [123, ["flex"], {"x": 1}, "", None])
async def test_odd_service_tier_values_do_not_crash(rig: Rig, asked: Any) -> None:
    rig.a.script = lambda body, index: Behaviour(raw=orjson.dumps(completion_body() | {"service_tier": asked}))
    data = tiered(rig)
    data["models"]["ma"]["service_tiers"][""] = {"input": 9.0}
    data["models"]["mc"] = {"backend": "a", "service_tiers": {"flex": {"input": 0.5, "output": 1.0}}}
    gateway = await rig.gateway(data)
    for model in ("ma", "mc"):
        response = await gateway.client.post("/v1/chat/completions", json={"model": model, "messages": [{"role": "user", "content": "x"}],
                                                                            "service_tier": asked}, headers={"x-router-max-cost-usd": "1"})
        assert response.status_code in (200, 400), response.text


async def test_anthropic_answer_s_service_tier_wins_over_the_asked_one(rig: Rig) -> None:
    message = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude", "stop_reason": "end_turn", "stop_sequence": None,
               "content": [{"type": "text", "text": "ok"}], "usage": {"input_tokens": 5, "output_tokens": 3, "service_tier": "standard"}}
    rig.a.script = lambda body, index: Behaviour(raw=orjson.dumps(message))
    data = tiered(rig, a={"kind": "anthropic"})
    gateway = await rig.gateway(data)
    response = await gateway.chat(model="ma", service_tier="priority")
    assert response.status_code == 200, response.text
    assert "service_tier" not in rig.a.records[0].body, "dropped by the Anthropic adapter"
    cost = response.json()["router"]["cost_usd"]
    assert cost == pytest.approx(STANDARD), f"served 'standard' per Anthropic, priced {cost} (priority={PRIORITY})"


def anthropic_events(usage: dict[str, Any]) -> list[bytes]:
    def event(name: str, payload: dict[str, Any]) -> bytes:
        return f"event: {name}\ndata: {orjson.dumps({'type': name, **payload}).decode()}\n\n".encode()

    start = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude", "content": [], "stop_reason": None, "usage": usage}
    return [event("message_start", {"message": start}), event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}),
            event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": "ok"}}), event("content_block_stop", {"index": 0}),
            event("message_delta", {"delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 3}}), event("message_stop", {})]


@pytest.mark.parametrize("stream", [False, True])
async def test_an_anthropic_call_served_by_priority_capacity_is_priced_at_priority(rig: Rig, stream: bool) -> None:
    """Anthropic says in `usage.service_tier` which capacity served a call — priority for an organisation with Priority Tier,
    whatever it asked: such calls were priced at standard rates, the budgets and cost metrics short by the difference."""
    usage = {"input_tokens": 5, "output_tokens": 3 if not stream else 1, "service_tier": "priority"}
    message = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude", "stop_reason": "end_turn", "stop_sequence": None,
               "content": [{"type": "text", "text": "ok"}], "usage": usage}
    rig.a.script = lambda body, index: Behaviour(chunks=anthropic_events(usage)) if stream else Behaviour(raw=orjson.dumps(message))
    gateway = await rig.gateway(tiered(rig, a={"kind": "anthropic"}, b={"kind": "anthropic"}))
    response = await gateway.chat(model="ma", stream=stream, **({"stream_options": {"include_usage": True}} if stream else {}))
    assert response.status_code == 200, response.text
    answer = sse_events(response.text)[-2] if stream else response.json()
    assert answer["router"]["cost_usd"] == pytest.approx(PRIORITY)
    assert gateway.metric("router_cost_usd_total", tier="direct", model="ma", backend="a") == pytest.approx(PRIORITY)
    if not stream:
        assert answer["service_tier"] == "priority"


async def test_savings_prices_the_top_tier_as_it_would_have_been_served(rig: Rig) -> None:
    rig.a.script = echoing()
    data = tiered(rig)
    data["models"]["ma"] = {"backend": "a", "input": 0.1, "output": 0.2, "service_tiers": {"flex": {"input": 0.05, "output": 0.1}}}
    data["tiers"]["low"] = {"model": "ma", "max_score": 0.5, "params": {"service_tier": "flex"}}
    gateway = await rig.gateway(data)
    response = await gateway.chat(model="auto:low")
    cost = response.json()["router"]["cost_usd"]
    savings = gateway.metric("router_estimated_savings_usd_total")
    assert savings == pytest.approx(STANDARD - cost), f"savings {savings}: top priced at flex ({FLEX - cost}), not standard ({STANDARD - cost})"


async def test_a_failed_attempt_is_priced_at_the_asked_tier_not_the_fallback_s(rig: Rig) -> None:
    rig.a.script = lambda body, index: Behaviour(header_delay=2.0)
    rig.b.script = echoing(served={"auto": "priority"})
    data = tiered(rig, a={"timeouts": {"connect": 1.0, "first_byte": 0.3, "idle": 5.0, "total": 10.0}})
    gateway = await rig.gateway(data)
    response = await gateway.chat(model="auto:low", service_tier="auto")
    assert response.status_code == 200, response.text
    failed = next(p for p in response.json()["router"]["usage_breakdown"] if p["role"] == "failed_attempt")
    standard = (failed["prompt_tokens"] * 1.0 + failed["completion_tokens"] * 2.0) / 1e6
    assert failed["cost_usd"] == pytest.approx(standard), f"failed ma attempt {failed} priced at b's 'priority'"


async def test_text_completions_carry_the_tier(rig: Rig) -> None:
    rig.a.script = echoing()
    gateway = await rig.gateway(tiered(rig))
    response = await gateway.client.post("/v1/completions", json={"model": "ma", "prompt": "hello", "service_tier": "flex"})
    assert response.status_code == 200, response.text
    assert rig.a.records[0].body.get("service_tier") == "flex"
    assert float(response.headers["x-router-cost-usd"]) == pytest.approx(FLEX)


async def test_an_assembled_stream_its_client_left_is_priced_at_the_tier_its_chunks_named(rig: Rig) -> None:
    from tests.router.ttc_fakes import call_and_leave

    rig.a.script = lambda body, index: Behaviour(chunks=[flex_chunk({"role": "assistant", "content": ""}), flex_chunk({"content": "Hel"}),
                                                         flex_chunk({"content": "lo"})], then="hang")
    gateway = await rig.gateway(tiered(rig, a={"non_streamed": "stream"}))
    await call_and_leave(gateway.app, "/v1/chat/completions", {"model": "ma", "messages": [{"role": "user", "content": "hello"}]}, 0.5)
    labels = {"tier": "direct", "model": "ma", "backend": "a"}
    prompt, completion = (gateway.metric("router_tokens_total", **labels, kind=kind) for kind in ("prompt", "completion"))
    assert completion == 2 and gateway.metric("router_cost_usd_total", **labels) == pytest.approx((prompt * 0.5 + completion * 1.0) / 1e6)


def flex_chunk(delta: dict[str, Any]) -> bytes:
    return sse({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "service_tier": "flex",
                "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})


async def test_an_assembled_stream_that_breaks_off_is_priced_at_the_tier_its_chunks_named(rig: Rig) -> None:
    """A non-streamed request read from a stream whose chunks named flex broke off midway: its failed attempt was priced
    at the tier asked (standard, twice flex), where the same break on a stream to the client was priced at flex."""
    rig.a.script = lambda body, index: Behaviour(chunks=[flex_chunk({"role": "assistant", "content": ""}), flex_chunk({"content": "Hel"}),
                                                         flex_chunk({"content": "lo"})], then="hang")
    rig.b.script = echoing()
    data = tiered(rig, a={"timeouts": {"connect": 1.0, "first_byte": 1.0, "idle": 0.3, "total": 5.0}, "non_streamed": "stream"})
    gateway = await rig.gateway(data)
    response = await gateway.chat(model="auto:low")
    assert response.status_code == 200 and response.headers["x-router-backend"] == "b", response.text
    failed = next(p for p in response.json()["router"]["usage_breakdown"] if p["role"] == "failed_attempt")
    flex = (failed["prompt_tokens"] * 0.5 + failed["completion_tokens"] * 1.0) / 1e6
    assert failed["completion_tokens"] > 0 and failed["cost_usd"] == pytest.approx(flex)


# -- the tier a candidate's adapter sends, not the one asked (design55b) ----------------------------


async def test_an_anthropic_candidate_is_estimated_and_capped_at_the_tier_it_is_charged(rig: Rig) -> None:
    """Anthropic is sent no OpenAI `service_tier` (`Backend.asked_service_tier`): a `flex` asked of Claude is charged at
    standard prices, yet was estimated at flex ones — half the estimate, and a cost cap between the two let through a
    request that then cost more than the cap."""
    message = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude", "stop_reason": "end_turn", "stop_sequence": None,
               "content": [{"type": "text", "text": "ok"}], "usage": {"input_tokens": 5, "output_tokens": 3}}
    rig.a.script = lambda body, index: Behaviour(raw=orjson.dumps(message))
    body = {"model": "ma", "messages": [{"role": "user", "content": "hello"}]}
    answers = []
    for asked in ({}, {"service_tier": "flex"}):  # a gateway each: the first answer would teach the forecast
        gateway = await rig.gateway(tiered(rig, a={"kind": "anthropic"}))
        answers.append(await gateway.client.post("/v1/chat/completions", json=body | asked, headers={"x-router-max-cost-usd": "1"}))
    standard, flex = (float(answer.headers["x-router-estimated-cost-usd"]) for answer in answers)
    assert flex == pytest.approx(standard) and standard > 0, f"flex asked of Claude estimated {flex}, standard {standard}"
    assert answers[1].json()["router"]["cost_usd"] == pytest.approx(STANDARD), "and charged at standard"
    gateway = await rig.gateway(tiered(rig, a={"kind": "anthropic"}))
    capped = await gateway.client.post("/v1/chat/completions", json=body | {"service_tier": "flex"},
                                       headers={"x-router-max-cost-usd": f"{standard * 0.75:.10f}"})
    assert capped.status_code == 400 and capped.json()["error"]["code"] == "max_cost_exceeded" and not rig.a.records[2:]


async def test_savings_price_an_anthropic_top_tier_at_the_tier_it_would_be_charged(rig: Rig) -> None:
    """The savings baseline is the top tier's model at the tier its adapter would send: on Anthropic, standard, whatever
    the client asked (a `flex` request's savings were priced against a flex Claude that is never billed)."""
    rig.a.script = echoing()
    gateway = await rig.gateway(tiered(rig, b={"kind": "anthropic"}))
    response = await gateway.chat(model="auto:low", service_tier="flex")
    assert response.status_code == 200 and response.json()["router"]["cost_usd"] == pytest.approx(FLEX)
    assert gateway.metric("router_top_tier_cost_usd_total") == pytest.approx(STANDARD), "mb (Anthropic) at standard prices"
    assert gateway.metric("router_estimated_savings_usd_total") == pytest.approx(STANDARD - FLEX)
