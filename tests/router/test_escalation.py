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
    assert "".join(d.get("content") or "" for d in deltas) == "one two three "
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
