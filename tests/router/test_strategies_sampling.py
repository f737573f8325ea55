"""Self-consistency and best-of-n tiers, end to end through the gateway against a scripted upstream: the vote,
the judge, streaming, tool calls, failed samples and escalation into a sampled tier."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from backends.usage import Usage
from router.config import ConfigError, parse_config
from router.pricing import cost_usd
from router.strategies import vote
from tests.router._sse_helpers import sse_payloads
from tests.router._strategies_helpers import BEST
from tests.router.conftest import CONFIG, make_config
from tests.router.ttc_fakes import PROMPT_TOKENS, Scripted

pytestmark = pytest.mark.anyio


def ttc_config(**tier_overrides: Any) -> Any:
    data = copy.deepcopy(CONFIG)
    for name, fields in tier_overrides.items():
        data["tiers"][name] = {**data["tiers"][name], **fields}
    return parse_config(data, env={})


SC = {"strategy": {"kind": "self_consistency", "samples": 5, "extractor": "number"}}


async def test_self_consistency_returns_the_majority_with_its_vote(make_harness: Any) -> None:
    upstream = Scripted([("so #### 7", "stop"), ("#### 5", "stop"), ("it is 5.", "stop"), ("#### 1,000", "stop"), ("answer: 5", "stop")])
    harness = await make_harness(ttc_config(low=SC), upstream.transport())
    response = await harness.chat("easy [score=0.1]")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r.get("n") for r in upstream.requests] == [5], "one upstream request with n"
    assert upstream.requests[0]["temperature"] == 0.7, "the tier's params win over the strategy default"
    assert body["choices"] == [{"index": 0, "message": {"role": "assistant", "content": "#### 5"}, "finish_reason": "stop"}]
    router = body["router"]
    assert router["votes"] == {"5": 3, "7": 1, "1000": 1}
    assert router["agreement"] == pytest.approx(0.6)
    assert router["answer"] == "5" and router["samples"] == 5 and router["strategy"] == "self_consistency"
    # usage and cost cover all five samples
    usage = Usage.from_openai(body["usage"])
    assert usage.prompt_tokens == PROMPT_TOKENS and usage.completion_tokens == 50
    assert router["cost_usd"] == pytest.approx(cost_usd(make_config().models["small"], usage))
    assert harness.metric("router_tokens_total", tier="low", model="small", backend="sim", kind="completion") == 50
    assert harness.metric("router_samples_total", tier="low", strategy="self_consistency") == 5
    assert harness.metric("router_sample_agreement_count", tier="low") == 1


async def test_strategy_temperature_applies_when_nobody_set_one(make_harness: Any) -> None:
    upstream = Scripted()
    harness = await make_harness(ttc_config(medium={**SC, "params": {}}), upstream.transport())
    await harness.chat("mid [score=0.6]")
    await harness.chat("mid [score=0.6]", temperature=0.2)
    assert upstream.requests[0]["temperature"] == 0.8
    assert upstream.requests[1]["temperature"] == 0.2, "the client's temperature wins"


async def test_without_n_support_samples_are_parallel_requests_and_usage_is_summed(make_harness: Any) -> None:
    upstream = Scripted([("#### 3", "stop"), ("#### 4", "stop"), ("#### 3", "stop")])
    strategy = {"strategy": {"kind": "self_consistency", "samples": 3, "use_n": False}}
    harness = await make_harness(ttc_config(low=strategy), upstream.transport())
    body = (await harness.chat("easy [score=0.1]")).json()
    assert len(upstream.requests) == 3 and all("n" not in r for r in upstream.requests)
    assert body["router"]["votes"] == {"3": 2, "4": 1}
    assert body["usage"]["prompt_tokens"] == 3 * PROMPT_TOKENS and body["usage"]["completion_tokens"] == 30
    assert body["router"]["cost_usd"] == pytest.approx(cost_usd(make_config().models["small"], Usage(prompt_tokens=60, completion_tokens=30)))


async def test_parallel_samples_go_upstream_under_ids_of_their_own(make_harness: Any) -> None:
    """Samples sent at once each carry their own `X-Request-Id` (the request's id and a suffix): vLLM long refused a second
    request under an id still running ("Request id … already running"), which would fail all but one sample."""
    upstream, named = Scripted(), []

    def recording(request: httpx.Request) -> httpx.Response:
        named.append(request.headers.get("x-request-id"))
        return upstream(request)

    harness = await make_harness(ttc_config(low={"strategy": {"kind": "self_consistency", "samples": 3, "use_n": False}}), httpx.MockTransport(recording))
    response = await harness.chat("easy [score=0.1]")
    request_id = response.headers["x-request-id"]
    assert len(named) == 3 and len(set(named)) == 3 and all(str(one).startswith(f"{request_id}-") for one in named), named


async def test_truncated_samples_are_not_returned_when_an_equal_answer_finished(make_harness: Any) -> None:
    upstream = Scripted([("#### 9 and then", "length"), ("#### 9", "stop"), ("#### 2", "stop")])
    harness = await make_harness(ttc_config(low={"strategy": {"kind": "self_consistency", "samples": 3}}), upstream.transport())
    body = (await harness.chat("easy [score=0.1]")).json()
    assert body["choices"][0]["message"]["content"] == "#### 9" and body["choices"][0]["finish_reason"] == "stop"


async def test_streaming_a_sampled_tier_streams_the_chosen_completion(make_harness: Any) -> None:
    upstream = Scripted([("the answer is 12", "stop"), ("the answer is 12", "stop"), ("the answer is 13", "stop")])
    harness = await make_harness(ttc_config(low={"strategy": {"kind": "self_consistency", "samples": 3}}), upstream.transport())
    response = await harness.chat("easy [score=0.1]", stream=True, stream_options={"include_usage": True})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_payloads(response.text)
    assert events[-1] == "[DONE]"
    text = "".join(e["choices"][0]["delta"].get("content") or "" for e in events[:-1] if isinstance(e, dict) and e["choices"])
    assert text == "the answer is 12"
    final = events[-2]
    assert final["choices"] == [] and final["usage"]["completion_tokens"] == 30
    assert final["router"]["votes"] == {"12": 2, "13": 1} and final["router"]["agreement"] == pytest.approx(2 / 3, abs=1e-3)
    assert upstream.requests[0]["stream"] is False, "samples are drawn unstreamed (the only attempt: non_streamed auto sends it whole)"
    assert harness.metric("router_inflight_requests", backend="sim") == 0


async def test_streaming_can_be_refused_by_the_tier(make_harness: Any) -> None:
    strategy = {"strategy": {"kind": "self_consistency", "samples": 3, "stream": "refuse"}}
    harness = await make_harness(ttc_config(low=strategy), Scripted().transport())
    response = await harness.chat("easy [score=0.1]", stream=True)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "stream_not_supported" and error["param"] == "stream" and "refuse" in error["message"]
    assert (await harness.chat("easy [score=0.1]", n=2)).json()["error"]["param"] == "n"


async def test_best_of_n_returns_the_judges_pick_and_accounts_the_judge(make_harness: Any, spare_handler: list[Any]) -> None:
    judged: list[dict[str, Any]] = []

    def judge(request: httpx.Request) -> httpx.Response:
        import orjson

        judged.append(orjson.loads(request.content))
        return httpx.Response(200, json={"id": "j", "object": "chat.completion", "created": 1, "model": "spare-big", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "Response 3 is best"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 3, "total_tokens": 103}})

    spare_handler[0] = judge
    upstream = Scripted([("A is 1", "stop"), ("A is 1", "stop"), ("A is 2, carefully derived", "stop")])
    harness = await make_harness(ttc_config(low=BEST), upstream.transport())
    body = (await harness.chat("easy [score=0.1]")).json()
    assert body["choices"][0]["message"]["content"] == "A is 2, carefully derived"
    router = body["router"]
    assert router["judge"] == "spare-big" and router["judge_choice"] == 2 and router["chosen_index"] == 2
    prompt = judged[0]["messages"][1]["content"]
    assert "easy [score=0.1]" in prompt and "Response 3:\nA is 2, carefully derived" in prompt
    assert "temperature" not in judged[0], "the judge asks temperature 0, which an OpenAI reasoning model (spare-big) refuses"
    config = make_config()
    expected = cost_usd(config.models["small"], Usage(PROMPT_TOKENS, 30)) + cost_usd(config.models["spare-big"], Usage(100, 3))
    assert router["cost_usd"] == pytest.approx(expected)
    assert body["usage"]["prompt_tokens"] == PROMPT_TOKENS + 100 and body["usage"]["completion_tokens"] == 33
    assert [part["role"] for part in router["usage_breakdown"]] == ["samples", "judge"]
    assert harness.metric("router_tokens_total", tier="low", model="spare-big", backend="spare", kind="prompt") == 100
    assert harness.metric("router_cost_usd_total", tier="low", model="spare-big", backend="spare") == pytest.approx(cost_usd(config.models["spare-big"], Usage(100, 3)))


async def test_a_judge_without_usage_is_estimated_and_marks_the_request(make_harness: Any, spare_handler: list[Any]) -> None:
    spare_handler[0] = lambda request: httpx.Response(200, json={"id": "j", "object": "chat.completion", "created": 1, "model": "spare-big", "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "Response 2 is best"}, "finish_reason": "stop"}]})
    harness = await make_harness(ttc_config(low=BEST), Scripted([("x = 4", "stop"), ("x = 5", "stop"), ("x = 6", "stop")]).transport())
    router = (await harness.chat("easy [score=0.1]")).json()["router"]
    judge = next(part for part in router["usage_breakdown"] if part["role"] == "judge")
    assert router["judge_choice"] == 1 and judge["prompt_tokens"] > 0 and judge["completion_tokens"] > 0
    assert router["usage_estimated"] is True, "the samples reported usage; the judge's part is an estimate"


async def test_best_of_n_falls_back_to_the_vote_when_the_judge_fails(make_harness: Any, spare_handler: list[Any]) -> None:
    spare_handler[0] = lambda request: httpx.Response(400, json={"error": {"message": "bad", "type": "invalid_request_error"}})
    upstream = Scripted([("x = 4", "stop"), ("x = 5", "stop"), ("x = 5", "stop")])
    harness = await make_harness(ttc_config(low=BEST), upstream.transport())
    body = (await harness.chat("easy [score=0.1]")).json()
    assert body["choices"][0]["message"]["content"] == "x = 5"
    assert body["router"]["judge_choice"] is None and body["router"]["judge_error"] == "status"


@pytest.mark.parametrize(
    ("tier", "message"),
    [
        ({"strategy": {"kind": "best_of_n", "samples": 3}}, "tiers.low.strategy.judge"),
        ({"strategy": {"kind": "best_of_n", "samples": 3, "judge": "nope"}}, "no model named 'nope'"),
        ({"strategy": {"kind": "self_consistency", "extractor": "regex"}}, "tiers.low.strategy.extractor"),
        ({"strategy": {"kind": "self_consistency", "samplez": 3}}, "tiers.low.strategy.samplez: unknown key"),
        ({"strategy": {"kind": "majority"}}, "tiers.low.strategy.kind"),
        ({"escalate_on": {"agreement_below": 0.5}}, "only a self_consistency tier has an agreement"),
    ],
)
def test_strategy_config_is_validated_at_load(tier: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ttc_config(low=tier)


def test_self_consistency_needs_an_openai_compatible_backend() -> None:
    data = copy.deepcopy(CONFIG)
    data["backends"]["claude"] = {"kind": "anthropic", "base_url": "http://claude.test"}
    data["models"]["sonnet"] = {"backend": "claude", "reasoning": "anthropic"}
    data["tiers"]["high"] = {"model": "sonnet", "strategy": {"kind": "self_consistency"}}
    with pytest.raises(ConfigError, match="tiers.high.strategy.kind: self_consistency needs an OpenAI-compatible backend"):
        parse_config(data, env={})


# -- found by the test-time-compute audit (session 27) ---------------------------------------------

_CALL = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\", \"unit\": \"C\"}"}}
_SAME_CALL = {"id": "call_9", "type": "function", "function": {"name": "get_weather", "arguments": "{\"unit\":\"C\",\"city\":\"Paris\"}"}}


def _tool_turns(calls: list[dict[str, Any]]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        index = handler.count  # type: ignore[attr-defined]
        handler.count += 1  # type: ignore[attr-defined]
        call = calls[index % len(calls)]
        return httpx.Response(200, json={"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": None, "tool_calls": [call]}, "finish_reason": "tool_calls"}],
            "usage": {"prompt_tokens": 50, "completion_tokens": 15, "total_tokens": 65}})

    handler.count = 0  # type: ignore[attr-defined]
    return httpx.MockTransport(handler)


@pytest.mark.parametrize(("calls", "escalates"), [([_CALL, _SAME_CALL], False), ([_CALL, {**_CALL, "function": {"name": "get_time", "arguments": "{}"}}], True)])
async def test_samples_that_call_tools_vote_on_their_calls(make_harness: Any, spare_handler: list[Any], calls: list[Any], escalates: bool) -> None:
    """Tool calls have no text to vote on: agreement was 0.0 and every agent tool turn escalated, even when all samples
    made the same call. They vote on the calls now (name and parsed arguments: key order does not split a vote)."""
    from tests.router._escalation_helpers import spare_answer

    spare_handler[0] = spare_answer("escalated")
    data = copy.deepcopy(CONFIG)
    data["tiers"]["high"] = {"model": "spare-big", "effort": "high"}
    data["tiers"]["low"].update(escalate_to="high", strategy={"kind": "self_consistency", "samples": 4, "use_n": False},
                                escalate_on={"agreement_below": 0.6})
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    harness = await make_harness(parse_config(data, env={}), _tool_turns(calls))
    body = (await harness.chat("weather in Paris? [score=0.1]", tools=tools)).json()
    assert ("escalations" in body["router"]) is escalates
    if not escalates:
        assert body["router"]["agreement"] == 1.0 and body["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_weather"


async def test_an_escalation_into_a_sampled_tier_names_the_model_that_answered(make_harness: Any) -> None:
    """With `use_n: false` the samples' model was adopted only when none was named yet: after an escalation the
    response, its headers and `router_requests_total` named the abandoned tier's model."""
    data = copy.deepcopy(CONFIG)
    data["tiers"]["low"].update(escalate_to="high")
    data["tiers"]["high"] = {"model": "big", "effort": "high", "strategy": {"kind": "self_consistency", "samples": 3, "use_n": False}}
    upstream = Scripted([("", "length"), ("#### 2", "stop"), ("#### 2", "stop"), ("#### 3", "stop")])
    harness = await make_harness(parse_config(data, env={}), upstream.transport())
    response = await harness.chat("easy [score=0.1]")
    body = response.json()
    assert response.headers["x-router-model"] == "big" and body["router"]["model"] == "big" and body["router"]["effort"] == "high"
    assert body["model"] != "Qwen/Qwen3-8B", "the body is built on a sample of the model that answered"
    assert harness.metric("router_requests_total", tier="high", model="big", backend="sim", status="ok") == 1
    assert harness.metric("router_requests_total", tier="high", model="small", backend="sim", status="ok") == 0


async def test_failed_samples_count_against_agreement(make_harness: Any) -> None:
    """3 of 4 samples failed: the one survivor's agreement read 1.0, so `agreement_below` could never fire on a tier
    whose samples mostly fail. Agreement is over the samples asked; `samples_failed` says how many were lost."""
    calls: list[int] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) > 1:
            return httpx.Response(400, json={"error": {"message": "boom", "type": "invalid_request_error"}})
        return httpx.Response(200, json={"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "#### 7"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 20, "completion_tokens": 10, "total_tokens": 30}})

    data = copy.deepcopy(CONFIG)
    data["tiers"]["low"].update(strategy={"kind": "self_consistency", "samples": 4, "use_n": False})
    harness = await make_harness(parse_config(data, env={}), httpx.MockTransport(flaky))
    router = (await harness.chat("easy [score=0.1]")).json()["router"]
    assert router["samples"] == 1 and router["samples_failed"] == 3 and router["agreement"] == 0.25
    assert router["attempts"] == 4, "the failed samples' calls were made too (only the answered one's were counted)"


def test_the_vote_counts_the_samples_asked() -> None:
    assert vote(["7", "7"], asked=4).agreement == 0.5 and vote(["7", "7"]).agreement == 1.0
    assert vote(["7", "7", "8"], asked=2).agreement == pytest.approx(2 / 3), "more answers than asked: over the answers"


async def test_an_escalation_into_a_sampled_tier_whose_samples_all_fail_is_a_clean_error(make_harness: Any) -> None:
    """After the hop no model is named until a sample ends; when none does, the error still carries its routing headers."""
    calls: list[int] = []

    def first_then_failing(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(200, json={"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": [
                {"index": 0, "message": {"role": "assistant", "content": ""}, "finish_reason": "length"}],
                "usage": {"prompt_tokens": 20, "completion_tokens": 50, "total_tokens": 70}})
        return httpx.Response(400, json={"error": {"message": "boom", "type": "invalid_request_error"}})

    data = copy.deepcopy(CONFIG)
    data["tiers"]["low"].update(escalate_to="high")
    data["tiers"]["high"] = {"model": "big", "effort": "high", "strategy": {"kind": "self_consistency", "samples": 3, "use_n": False}}
    harness = await make_harness(parse_config(data, env={}), httpx.MockTransport(first_then_failing))
    response = await harness.chat("easy [score=0.1]")
    assert response.status_code == 400 and response.headers["x-router-tier"] == "high"
    assert harness.metric("router_tokens_total", tier="low", model="small", backend="sim", kind="completion") == 50
