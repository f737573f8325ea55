"""What failed attempts cost (router/attempt_costs.py), over real loopback sockets: an attempt the gateway hung
up on while its upstream worked, or whose stream broke off after writing, is charged beside the answer — in the
metrics under its own backend, in the request's cost, its key's budget and `router.usage_breakdown` — never in the
client's `usage`; an attempt the upstream refused is not charged."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

from tests.reliability.loopback_rig import Rig, blackhole_port
from tests.reliability.loopback_upstream import Behaviour, content_chunk, sse_events

pytestmark = pytest.mark.anyio

FAST = {"timeouts": {"connect": 0.2, "first_byte": 0.4, "idle": 0.3, "total": 3.0}}
PRICES = {"input": 1.0, "output": 2.0}  # the rig's, both models: USD per million tokens


def charged(gateway: Any, backend: str, model: str) -> tuple[float, float, float]:
    """(prompt tokens, completion tokens, cost) booked under the low tier's `model` on `backend`."""
    labels = {"tier": "low", "model": model, "backend": backend}
    return (gateway.metric("router_tokens_total", **labels, kind="prompt"), gateway.metric("router_tokens_total", **labels, kind="completion"),
            gateway.metric("router_cost_usd_total", **labels))


def price(prompt: float, completion: float) -> float:
    return (prompt * PRICES["input"] + completion * PRICES["output"]) / 1e6


async def test_a_non_streamed_attempt_that_stalls_midway_is_charged_what_it_wrote_beside_the_answer(rig: Rig) -> None:
    rig.a.script = lambda body, index: Behaviour(chunks=[content_chunk("Hel"), content_chunk("lo, "), content_chunk("wor")], then="hang")
    gateway = await rig.gateway(a=FAST)
    response = await gateway.chat()
    assert response.status_code == 200 and response.headers["x-router-backend"] == "b"
    body = response.json()
    assert body["usage"] == {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}, "the client's usage is the answer's"
    prompt, completion, cost = charged(gateway, "a", "ma")
    assert prompt > 0 and completion == 2, "the prompt as the gateway counts it, and a token per event after the first"
    assert cost == pytest.approx(price(prompt, completion))
    assert gateway.metric("router_failed_attempt_cost_usd_total", tier="low", model="ma", backend="a") == pytest.approx(cost)
    assert gateway.metric("router_failed_attempt_cost_usd_total", tier="low", model="mb", backend="b") == 0
    answer = price(5, 3)
    assert charged(gateway, "b", "mb")[2] == pytest.approx(answer)
    assert body["router"]["cost_usd"] == pytest.approx(answer + cost) == float(response.headers["x-router-cost-usd"])
    breakdown = body["router"]["usage_breakdown"]
    assert [(part["role"], part["model"], part["completion_tokens"]) for part in breakdown] == [("answer", "mb", 3), ("failed_attempt", "ma", 2)]
    assert sum(part["cost_usd"] for part in breakdown) == pytest.approx(body["router"]["cost_usd"])
    assert "usage_estimated" not in body["router"], "the answer itself was measured (and is learnt from)"


async def test_the_decision_log_books_a_failed_attempt_under_its_own_model(rig: Rig, tmp_path: Any) -> None:
    """The log line had `cost_usd` with the failed attempt's part under the model that answered and no breakdown: spend
    grouped by model from the log disagreed with router_cost_usd_total (found in review)."""
    rig.a.script = lambda body, index: Behaviour(chunks=[content_chunk("Hel"), content_chunk("lo, "), content_chunk("wor")], then="hang")
    log = tmp_path / "decisions.jsonl"
    gateway = await rig.gateway(a=FAST, decision_log={"path": str(log)})
    assert (await gateway.chat()).status_code == 200
    gateway.state.ops.decision_log.sync()
    (line,) = [orjson.loads(text) for text in log.read_text().splitlines()]
    by_model: dict[str, float] = {}
    for part in line["usage_breakdown"]:
        by_model[part["model"]] = by_model.get(part["model"], 0.0) + part["cost_usd"]
    for model, backend in (("ma", "a"), ("mb", "b")):
        assert by_model[model] == pytest.approx(gateway.metric("router_cost_usd_total", tier="low", model=model, backend=backend))
    assert sum(by_model.values()) == pytest.approx(line["cost_usd"]) and line["usage_estimated"] is False


@pytest.mark.parametrize("stream", [False, True])
async def test_an_attempt_hung_up_on_before_its_first_byte_is_charged_as_a_client_who_left(rig: Rig, stream: bool) -> None:
    """Sent whole, the upstream may write the whole answer after the hang-up (its prompt and the answer forecast);
    streamed, it stops when the connection closes (its prompt)."""
    rig.a.script = lambda body, index: Behaviour(header_delay=5)
    gateway = await rig.gateway(a={**FAST, "non_streamed": "whole"})
    response = await gateway.chat(stream=stream, **({"stream_options": {"include_usage": True}} if stream else {}))
    assert response.status_code == 200 and response.headers["x-router-backend"] == "b"
    prompt, completion, cost = charged(gateway, "a", "ma")
    assert prompt > 0 and cost == pytest.approx(price(prompt, completion))
    if stream:
        assert completion == 0
        final = next(event for event in reversed(sse_events(response.text)) if isinstance(event, dict) and "router" in event)
        assert final["router"]["cost_usd"] == pytest.approx(price(5, 3) + cost)
    else:
        assert completion > 0, "the answer forecast"
        assert response.json()["router"]["usage_breakdown"][1]["completion_tokens"] == completion


async def test_an_attempt_the_upstream_refused_is_not_charged(rig: Rig) -> None:
    rig.a.script = lambda body, index: Behaviour(status=500, json={"error": {"message": "boom"}})
    gateway = await rig.gateway(a=FAST)
    response = await gateway.chat()
    assert response.status_code == 200 and response.headers["x-router-backend"] == "b"
    assert charged(gateway, "a", "ma") == (0, 0, 0)
    assert "usage_breakdown" not in response.json()["router"]


async def test_a_request_whose_every_attempt_timed_out_is_charged_them_and_its_key_s_budget_sees_it(rig: Rig) -> None:
    """The key's budget is spent by failed attempts too: one request that only timed out uses it up."""
    rig.a.script = rig.b.script = lambda body, index: Behaviour(chunks=[content_chunk("Hel"), content_chunk("lo")], then="hang")
    gateway = await rig.gateway(rig.config_data(a={**FAST, "non_streamed": "stream"}, b={**FAST, "non_streamed": "stream"},
                                                limits={"default": {"budget_usd": 0.000001}}))
    failed = await gateway.chat()
    assert failed.status_code == 504, failed.text
    for backend, model in (("a", "ma"), ("b", "mb")):
        prompt, completion, cost = charged(gateway, backend, model)
        assert prompt > 0 and completion == 1 and cost == pytest.approx(price(prompt, completion))
    await gateway.state.ops.limiter.drain()
    refused = await gateway.chat()
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "budget_exceeded", refused.text


# -- what is not charged, or charged right (found in review) ------------------------------------


async def test_a_request_that_waited_for_a_free_connection_in_vain_is_not_charged(rig: Rig) -> None:
    """A pool timeout sent nothing: the upstream saw one request, one is charged (of the one answer's prompt)."""
    rig.a.script = lambda body, index: Behaviour(header_delay=5)
    gateway = await rig.gateway(a={"timeouts": {"connect": 0.2, "first_byte": 1.0, "idle": 0.3, "total": 3.0}, "max_connections": 1,
                                   "non_streamed": "whole"})
    first = asyncio.ensure_future(gateway.chat())
    await asyncio.sleep(0.05)
    second = await gateway.chat()  # waits for a's only connection (pool timeout: connect's 0.2 s), then b
    answered = await first  # a timed out after first_byte: charged
    assert second.status_code == 200 and second.headers["x-router-backend"] == "b" and len(rig.a.records) == 1
    assert "usage_breakdown" not in second.json()["router"]
    assert charged(gateway, "a", "ma")[0] == answered.json()["router"]["usage_breakdown"][1]["prompt_tokens"] > 0, "one prompt"


async def test_a_connection_cut_by_first_byte_before_it_opened_is_not_charged(rig: Rig) -> None:
    port, held = blackhole_port()
    data = rig.config_data(a={"timeouts": {"connect": 1.0, "first_byte": 0.3, "idle": 0.3, "total": 3.0}, "non_streamed": "whole"})
    data["backends"]["a"]["base_url"] = f"http://127.0.0.1:{port}/v1"
    gateway = await rig.gateway(data)
    response = await gateway.chat()
    assert response.status_code == 200 and response.headers["x-router-backend"] == "b"
    assert charged(gateway, "a", "ma") == (0, 0, 0) and "usage_breakdown" not in response.json()["router"]
    for sock in held:
        sock.close()


def anthropic_event(kind: str, **data: Any) -> bytes:
    return b"event: " + kind.encode() + b"\ndata: " + orjson.dumps({"type": kind, **data}) + b"\n\n"


async def test_an_anthropic_stream_that_breaks_off_is_charged_the_prompt_its_message_start_reported(rig: Rig) -> None:
    """message_start reports the prompt (cache reads apart) before any text: the charge is the upstream's own count."""
    start = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude", "content": [], "stop_reason": None, "stop_sequence": None,
             "usage": {"input_tokens": 12, "cache_read_input_tokens": 50_000, "output_tokens": 1}}
    chunks = [anthropic_event("message_start", message=start), anthropic_event("content_block_start", index=0, content_block={"type": "text", "text": ""})]
    chunks += [anthropic_event("content_block_delta", index=0, delta={"type": "text_delta", "text": word}) for word in ("Hel", "lo", " wor")]
    rig.a.script = lambda body, index: Behaviour(chunks=chunks, then="hang")
    data = rig.config_data(a={**FAST, "kind": "anthropic", "non_streamed": "stream"})
    data["backends"]["a"]["base_url"] = rig.a.url.removesuffix("/v1")
    data["models"]["ma"] = {"backend": "a", "reasoning": "anthropic", "input": 3.0, "cached_input": 0.3, "output": 15.0}
    gateway = await rig.gateway(data)
    response = await gateway.chat()
    assert response.status_code == 200 and response.headers["x-router-backend"] == "b", response.text
    failed = response.json()["router"]["usage_breakdown"][1]
    assert (failed["role"], failed["prompt_tokens"], failed["completion_tokens"]) == ("failed_attempt", 50_012, 3)
    assert failed["cost_usd"] == pytest.approx((12 * 3.0 + 50_000 * 0.3 + 3 * 15.0) / 1e6), "cache reads at their own price"


async def test_a_failed_attempt_on_an_unpriced_model_does_not_hide_the_answer_s_cost(rig: Rig) -> None:
    """A local model without prices timed out, a paid fallback answered: the request costs the fallback's answer,
    and the key's budget is spent by it (an unknown price made the whole cost unknown, and the budget free)."""
    rig.a.script = lambda body, index: Behaviour(header_delay=5)
    data = rig.config_data(a={**FAST, "non_streamed": "whole"}, limits={"default": {"budget_usd": 0.000001}})
    data["models"]["ma"] = {"backend": "a"}
    gateway = await rig.gateway(data)
    first = await gateway.chat()
    assert first.status_code == 200 and first.json()["router"]["cost_usd"] == pytest.approx(price(5, 3))
    assert [part["cost_usd"] for part in first.json()["router"]["usage_breakdown"]] == [pytest.approx(price(5, 3)), None]
    await gateway.state.ops.limiter.drain()
    assert (await gateway.chat()).status_code == 429


async def test_a_priced_failed_attempt_before_an_unpriced_answer_spends_the_key_s_budget(rig: Rig) -> None:
    """A paid attempt broke off midway and a local model without prices answered: the request's cost is unknown
    (`cost_usd` null) but the paid part was booked on /metrics and must spend the key's budget too (it spent
    nothing: a budget bypass through any unpriced fallback or escalation; found in review, s36)."""
    rig.a.script = lambda body, index: Behaviour(chunks=[content_chunk("Hel"), content_chunk("lo, "), content_chunk("wor")], then="hang")
    data = rig.config_data(a=FAST, limits={"default": {"budget_usd": 0.000001}})
    data["models"]["local"] = {"backend": "b"}
    data["tiers"]["low"]["fallbacks"] = ["local"]
    gateway = await rig.gateway(data)
    first = await gateway.chat()
    assert first.status_code == 200 and first.json()["router"]["model"] == "local"
    assert first.json()["router"]["cost_usd"] is None, "the total is unknown"
    failed = charged(gateway, "a", "ma")[2]
    assert failed > 0 and [part["cost_usd"] for part in first.json()["router"]["usage_breakdown"]] == [None, pytest.approx(failed)]
    assert gateway.metric("router_top_tier_cost_usd_total") == 0, "the baseline is the priced calls', failures aside: none"
    await gateway.state.ops.limiter.drain()
    assert (await gateway.chat()).status_code == 429
