"""Escalation (cascade) before the first byte: empty-by-length, refusal, error, low agreement, header."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import orjson
import pytest

from backends.usage import Usage
from router.config import ConfigError, parse_config
from router.pricing import cost_usd
from tests.router.conftest import CONFIG, make_config
from tests.router.ttc_fakes import PROMPT_TOKENS, Scripted, sse_payloads

pytestmark = pytest.mark.anyio


def config_with(low: dict[str, Any] | None = None, medium: dict[str, Any] | None = None) -> Any:
    data = copy.deepcopy(CONFIG)
    # `high` runs on the `spare` backend here, so each tier's upstream is told apart
    data["tiers"]["high"] = {"model": "spare-big", "effort": "high"}
    data["tiers"]["low"].update(low or {"escalate_to": "high"})
    if medium:
        data["tiers"]["medium"].update(medium)
    return parse_config(data, env={})


def spare_answer(content: str = "a real answer", prompt: int = 10, completion: int = 5, *, reports_usage: bool = True) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        body = orjson.loads(request.content)
        usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
        if body.get("stream"):
            base = {"id": "s", "object": "chat.completion.chunk", "created": 1, "model": "spare-big"}
            frames = [base | {"choices": [{"index": 0, "delta": {"role": "assistant", "content": content}, "finish_reason": None}]},
                      base | {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
                      base | {"choices": [], "usage": usage}][: None if reports_usage else -1]
            data = b"".join(b"data: " + orjson.dumps(frame) + b"\n\n" for frame in frames) + b"data: [DONE]\n\n"
            return httpx.Response(200, stream=httpx.ByteStream(data), headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json={"id": "s", "object": "chat.completion", "created": 1, "model": "spare-big", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}], "usage": usage})

    return handler


async def test_empty_answer_cut_by_length_escalates_and_both_attempts_are_paid(make_harness: Any, spare_handler: list[Any]) -> None:
    spare_handler[0] = spare_answer()
    upstream = Scripted([("", "length")], reasoning_tokens=90)
    harness = await make_harness(config_with(), upstream.transport())
    response = await harness.chat("easy [score=0.1]", max_tokens=100)
    assert response.status_code == 200
    body = response.json()
    assert response.headers["x-router-tier"] == "high" and response.headers["x-router-model"] == "spare-big"
    assert body["choices"][0]["message"]["content"] == "a real answer"
    router = body["router"]
    assert router["reason"] == "escalation"
    assert router["escalations"] == [{"from": "low", "to": "high", "reason": "length"}]
    config = make_config()
    cheap, strong = Usage(PROMPT_TOKENS, 100, reasoning_tokens=90), Usage(10, 5)
    assert router["cost_usd"] == pytest.approx(cost_usd(config.models["small"], cheap) + cost_usd(config.models["spare-big"], strong))
    assert body["usage"]["completion_tokens"] == 105 and body["usage"]["prompt_tokens"] == PROMPT_TOKENS + 10
    assert harness.metric("router_escalations_total", from_tier="low", to_tier="high", reason="length") == 1
    assert harness.metric("router_decisions_total", tier="high", reason="escalation") == 1
    assert harness.metric("router_tokens_total", tier="low", model="small", backend="sim", kind="reasoning") == 90
    assert harness.metric("router_requests_total", tier="high", model="spare-big", backend="spare", status="ok") == 1


async def test_an_answer_is_not_escalated(make_harness: Any) -> None:
    upstream = Scripted([("fine", "length")])
    harness = await make_harness(config_with(), upstream.transport())
    response = await harness.chat("easy [score=0.1]")
    assert response.headers["x-router-tier"] == "low" and "escalations" not in response.json()["router"]
    assert harness.spare_requests == []


async def test_refusal_escalates(make_harness: Any, spare_handler: list[Any]) -> None:
    spare_handler[0] = spare_answer()
    upstream = Scripted([(None, "stop")])
    upstream.refusal = "I can't help with that."
    harness = await make_harness(config_with(), upstream.transport())
    body = (await harness.chat("easy [score=0.1]")).json()
    assert body["router"]["escalations"][0]["reason"] == "refusal"


async def test_upstream_failure_escalates(make_harness: Any, spare_handler: list[Any]) -> None:
    spare_handler[0] = spare_answer()
    upstream = Scripted()
    upstream.fail_with = 503
    harness = await make_harness(config_with(), upstream.transport())
    response = await harness.chat("easy [score=0.1]")
    assert response.status_code == 200
    assert response.json()["router"]["escalations"] == [{"from": "low", "to": "high", "reason": "error"}]
    assert harness.metric("router_escalations_total", from_tier="low", to_tier="high", reason="error") == 1


async def test_client_errors_do_not_escalate(make_harness: Any) -> None:
    upstream = Scripted()
    upstream.fail_with = 400
    harness = await make_harness(config_with(), upstream.transport())
    assert (await harness.chat("easy [score=0.1]")).status_code == 400
    assert harness.spare_requests == []


async def test_conditions_can_be_switched_off(make_harness: Any) -> None:
    upstream = Scripted([("", "length")])
    harness = await make_harness(config_with({"escalate_to": "high", "escalate_on": {"length": False}}), upstream.transport())
    response = await harness.chat("easy [score=0.1]")
    assert response.headers["x-router-tier"] == "low"


async def test_header_asks_for_the_next_tier_or_turns_escalation_off(make_harness: Any, spare_handler: list[Any]) -> None:
    spare_handler[0] = spare_answer()
    upstream = Scripted([("", "length")])
    harness = await make_harness(config_with(), upstream.transport())
    body = {"model": "auto", "messages": [{"role": "user", "content": "easy [score=0.1]"}]}
    up = await harness.client.post("/v1/chat/completions", json=body, headers={"x-router-escalate": "true"})
    assert up.headers["x-router-tier"] == "high" and up.json()["router"]["escalations"][0]["reason"] == "header"
    assert upstream.requests == [], "the cheap tier was not tried"
    off = await harness.client.post("/v1/chat/completions", json=body, headers={"x-router-escalate": "false"})
    assert off.headers["x-router-tier"] == "low", "escalation disabled for this request"


async def test_low_self_consistency_agreement_escalates(make_harness: Any, spare_handler: list[Any]) -> None:
    spare_handler[0] = spare_answer("#### 42")
    upstream = Scripted([("#### 1", "stop"), ("#### 2", "stop"), ("#### 3", "stop"), ("#### 1", "stop")])
    low = {"escalate_to": "high", "strategy": {"kind": "self_consistency", "samples": 4}, "escalate_on": {"agreement_below": 0.6}}
    harness = await make_harness(config_with(low), upstream.transport())
    body = (await harness.chat("easy [score=0.1]")).json()
    assert body["choices"][0]["message"]["content"] == "#### 42"
    assert body["router"]["escalations"] == [{"from": "low", "to": "high", "reason": "low_agreement", "agreement": 0.5}]
    assert body["usage"]["completion_tokens"] == 40 + 5, "the four samples are paid for too"
    assert harness.metric("router_escalations_total", from_tier="low", to_tier="high", reason="low_agreement") == 1


async def test_escalation_chains_follow_the_tiers(make_harness: Any, spare_handler: list[Any]) -> None:
    spare_handler[0] = spare_answer()
    upstream = Scripted([("", "length"), ("", "length")])
    harness = await make_harness(config_with({"escalate_to": "medium"}, {"escalate_to": "high"}), upstream.transport())
    body = (await harness.chat("easy [score=0.1]")).json()
    assert [hop["to"] for hop in body["router"]["escalations"]] == ["medium", "high"]
    assert len(body["router"]["usage_breakdown"]) == 3


@pytest.mark.parametrize("blank", ["", "  \n", "\x85"])
async def test_streaming_escalates_before_the_first_byte(make_harness: Any, spare_handler: list[Any], blank: str) -> None:
    """A blank answer cut by its limit is no answer, streamed as not (whitespace used to count as the first answer byte)."""
    spare_handler[0] = spare_answer("streamed from high")
    upstream = Scripted([(blank, "length")], reasoning_tokens=30)
    harness = await make_harness(config_with(), upstream.transport())
    response = await harness.chat("easy [score=0.1]", stream=True, stream_options={"include_usage": True})
    assert response.status_code == 200
    assert response.headers["x-router-tier"] == "high"
    events = sse_payloads(response.text)
    text = "".join(e["choices"][0]["delta"].get("content") or "" for e in events if isinstance(e, dict) and e.get("choices"))
    assert text == "streamed from high"
    assert not any("reasoning" in (e["choices"][0]["delta"]) for e in events if isinstance(e, dict) and e.get("choices")), "nothing of the abandoned attempt reached the client"
    final = events[-2]
    assert final["router"]["escalations"][0]["reason"] == "length"
    assert final["usage"]["completion_tokens"] == 40 + 5
    assert harness.metric("router_inflight_requests", backend="sim") == 0
    assert harness.metric("router_inflight_requests", backend="spare") == 0


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


async def test_streaming_with_an_answer_is_relayed_whole(make_harness: Any) -> None:
    upstream = Scripted([("one two three", "stop")], reasoning_tokens=5)
    harness = await make_harness(config_with(), upstream.transport())
    response = await harness.chat("easy [score=0.1]", stream=True, stream_options={"include_usage": True})
    events = sse_payloads(response.text)
    deltas = [e["choices"][0]["delta"] for e in events if isinstance(e, dict) and e.get("choices")]
    assert deltas[1] == {"reasoning": "hmm "}, "held frames are sent once the answer starts"
    assert "".join(d.get("content") or "" for d in deltas) == "one two three"
    assert events[-2]["usage"]["completion_tokens"] == 15 and events[-2]["router"]["tier"] == "low"
    assert harness.metric("router_inflight_requests", backend="sim") == 0


@pytest.mark.parametrize(
    ("low", "medium", "message"),
    [
        ({"escalate_to": "nope"}, None, "tiers.low.escalate_to: no tier named 'nope'"),
        ({"escalate_to": "low"}, None, "cannot escalate to itself"),
        ({"escalate_to": "medium"}, {"escalate_to": "low"}, "escalation loops"),
        ({"escalate_to": "high", "escalate_on": {"lenght": True}}, None, "unknown key"),
    ],
)
def test_escalation_config_is_validated(low: dict[str, Any], medium: dict[str, Any] | None, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config_with(low, medium)


@pytest.mark.parametrize(("content", "reason"), [
    ([{"type": "text", "text": "4"}], None),  # an answer written as parts is an answer
    ([{"type": "text", "text": "  "}], "length"),
    (None, "length"),
])
def test_an_answer_written_as_parts_is_read_as_its_text(content: Any, reason: str | None) -> None:
    from router.escalation import choice_reason
    from router.ttc_config import EscalateOn

    choice = {"message": {"role": "assistant", "content": content}, "finish_reason": "length"}
    assert choice_reason(EscalateOn(), choice) == reason


# -- found by the test-time-compute audit (session 27) ---------------------------------------------


async def test_a_target_that_cannot_hold_the_prompt_is_no_escalation(make_harness: Any) -> None:
    """The context check moved a too-long escalation back to the source tier: `low → low` until a 500, each pass paid and
    none accounted. Now it is no escalation: the low answer stands, accounted."""
    data = copy.deepcopy(CONFIG)
    data["models"]["big"] = {**data["models"]["big"], "context_window": 200}
    data["tiers"] = {"low": {**data["tiers"]["low"], "escalate_to": "high", "max_score": 0.5}, "high": {"model": "big", "effort": "high"}}
    upstream = Scripted([("", "length")] * 10)
    harness = await make_harness(parse_config(data, env={}), upstream.transport())
    response = await harness.chat("easy [score=0.1]", max_tokens=50)
    router = response.json()["router"]
    assert response.status_code == 200 and "escalations" not in router
    assert "context_moved_from" not in router and router["reason"] == "classifier", "the refused trial's context move stays the trial's"
    assert len(upstream.requests) == 1
    assert harness.metric("router_escalations_total", from_tier="low", to_tier="low", reason="length") == 0
    assert harness.metric("router_requests_total", tier="low", model="small", backend="sim", status="ok") == 1


@pytest.mark.parametrize("ask", [{"n": 2}, {"stream": True}])
async def test_no_escalation_into_a_sampled_tier_that_refuses_the_request(make_harness: Any, ask: dict[str, Any]) -> None:
    """A sampled tier refuses `n` other than 1 (and a stream, with `stream: refuse`): escalating there answered a 400
    after the cheap attempt was paid, and that attempt was accounted nowhere."""
    data = copy.deepcopy(CONFIG)
    data["tiers"]["low"].update(escalate_to="medium")
    data["tiers"]["medium"].update(strategy={"kind": "self_consistency", "samples": 3, "stream": "refuse"})
    upstream = Scripted([("", "length")], reasoning_tokens=500)
    harness = await make_harness(parse_config(data, env={}), upstream.transport())
    response = await harness.chat("easy [score=0.1]", **ask)
    assert response.status_code == 200 and len(upstream.requests) == 1
    assert harness.metric("router_tokens_total", tier="low", model="small", backend="sim", kind="reasoning") == 500 * ask.get("n", 1)


@pytest.mark.parametrize("stream", [False, True])
async def test_a_tier_that_may_escalate_learns_from_the_answers_it_keeps(make_harness: Any, stream: bool) -> None:
    """Every answer of a tier with `escalate_to` was recorded as a "part", and parts are neither learnt from (forecast,
    prompt counts) nor observed in `router_cost_estimate_ratio`: the reference config's two busiest tiers never learnt."""
    data = copy.deepcopy(CONFIG)
    data["tiers"]["low"].update(escalate_to="high")
    upstream = Scripted([("a fine answer", "stop")] * 3, completion_tokens=1000)
    harness = await make_harness(parse_config(data, env={}), upstream.transport())
    for _ in range(3):
        response = await harness.chat("easy [score=0.1] " + "word " * 150, **({"stream": True} if stream else {}))
        assert response.status_code == 200
    gateway = harness.client._transport.app.state.router.gateway
    assert ("small", "none") in gateway.forecast.log_correction
    assert harness.metric("router_cost_estimate_ratio_count", tier="low") == 3


class _WithRateLimit(Scripted):
    def __call__(self, request: httpx.Request) -> httpx.Response:
        response = super().__call__(request)
        response.headers["x-ratelimit-remaining-requests"] = "99"
        return response


@pytest.mark.parametrize("stream", [False, True])
async def test_streamed_and_unstreamed_escalations_read_alike(make_harness: Any, spare_handler: list[Any], stream: bool) -> None:
    """The left attempt is "abandoned" either way (it was "answer" unstreamed), and a single call's rate-limit headers
    reach the client of a held stream too."""
    spare_handler[0] = spare_answer()
    harness = await make_harness(config_with(), _WithRateLimit([("", "length"), ("fine", "stop")], reasoning_tokens=30).transport())
    options = {"stream": True, "stream_options": {"include_usage": True}} if stream else {}
    response = await harness.chat("easy [score=0.1]", **options)
    router = sse_payloads(response.text)[-2]["router"] if stream else response.json()["router"]
    assert [(part["role"], part["tier"]) for part in router["usage_breakdown"]] == [("abandoned", "low"), ("answer", "high")]
    assert "x-ratelimit-remaining-requests" not in response.headers, "two calls served it"
    kept = await harness.chat("easy [score=0.1]", **options)
    assert kept.headers["x-ratelimit-remaining-requests"] == "99"


async def test_with_n_choices_one_good_choice_keeps_the_answer(make_harness: Any, spare_handler: list[Any]) -> None:
    spare_handler[0] = spare_answer()
    harness = await make_harness(config_with(), Scripted([("", "length"), ("a good answer", "stop")]).transport())
    body = (await harness.chat("easy [score=0.1]", n=2)).json()
    assert "escalations" not in body["router"] and [c["message"]["content"] for c in body["choices"]] == ["", "a good answer"]
    harness = await make_harness(config_with(), Scripted([("", "length"), ("", "length")]).transport())
    assert (await harness.chat("easy [score=0.1]", n=2)).json()["router"]["escalations"][0]["reason"] == "length"


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

    def refusing_the_target(self: Gateway, body: dict[str, Any], candidate: Any) -> dict[str, Any]:
        if candidate.tier == "high":
            raise APIError(400, "the target cannot take it", param="reasoning_effort")
        return written(self, body, candidate)

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
