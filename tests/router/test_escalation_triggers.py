"""Escalation (cascade) before the first byte: empty-by-length, refusal, error, low agreement, header; what is no
escalation, and streamed and unstreamed requests escalating alike."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from backends.usage import Usage
from router.config import ConfigError, parse_config
from router.pricing import cost_usd
from tests.router._escalation_helpers import config_with, spare_answer
from tests.router._sse_helpers import sse_payloads
from tests.router.conftest import CONFIG, make_config
from tests.router.ttc_fakes import PROMPT_TOKENS, Scripted

pytestmark = pytest.mark.anyio


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
