"""Context-aware routing: count the prompt, skip models that cannot hold it, 400 when none can."""

from __future__ import annotations

import copy
import sys
import types
from typing import Any

import httpx
import orjson
import pytest

from backends.request_hints import NO_HINTS
from backends.usage import Usage
from router.app import create_app
from router.config import parse_config
from router.context import EXACT_COUNT_CHARS, ContextPlanner, TokenCounter, estimate_prompt_tokens, route_report
from router.decision import Decision
from router.policy import Policy
from router.pricing import cost_usd
from router.upstream_fields import completion_cap
from tests.conftest import FakeClassifier
from tests.router.conftest import CONFIG, make_config
from tests.router.hostile import serving

pytestmark = pytest.mark.anyio


def windows(small: int | None = 1000, big: int | None = 100_000, spare: int | None = None, **routing: Any) -> Any:
    data = copy.deepcopy(CONFIG)
    data["models"]["small"]["context_window"] = small
    data["models"]["big"]["context_window"] = big
    data["models"]["spare-big"]["context_window"] = spare
    if routing:
        data["routing"] = routing
    return parse_config(data, env={})


def long_prompt(tokens: int) -> str:
    return "word " * int(tokens * 4 / 5)  # ~4 characters a token in the estimate


async def test_a_prompt_that_fits_stays_where_the_classifier_put_it(make_harness: Any) -> None:
    harness = await make_harness(windows())
    response = await harness.chat("easy [score=0.1]", max_tokens=100)
    assert response.headers["x-router-tier"] == "low"
    router = response.json()["router"]
    assert router["reason"] == "classifier" and router["prompt_tokens"]["method"] == "estimate"


async def test_too_long_for_the_small_model_moves_up_with_reason_context(make_harness: Any) -> None:
    harness = await make_harness(windows())
    response = await harness.chat(long_prompt(1500) + " [score=0.1]")
    assert response.status_code == 200
    assert response.headers["x-router-tier"] == "high" and response.headers["x-router-model"] == "big"
    router = response.json()["router"]
    assert router["reason"] == "context" and router["context_moved_from"] == "low/small"
    assert 1400 < router["prompt_tokens"]["count"] < 1700
    assert harness.metric("router_decisions_total", tier="high", reason="context") == 1
    assert harness.metric("router_decisions_total", tier="low", reason="classifier") == 0


async def test_the_planned_completion_counts(make_harness: Any) -> None:
    harness = await make_harness(windows())
    short = "hello [score=0.1]"
    assert (await harness.chat(short, max_tokens=500)).headers["x-router-tier"] == "low"
    assert (await harness.chat(short, max_tokens=995)).headers["x-router-tier"] == "high"
    # medium thinks: its 2048-token budget is added to the cap, so it never fits 1000
    assert (await harness.chat("mid [score=0.6]", max_tokens=10)).headers["x-router-tier"] == "high"


async def test_a_fallback_that_cannot_hold_the_prompt_is_dropped(make_harness: Any, spare_handler: list[Any]) -> None:
    harness = await make_harness(windows(spare=500))
    response = await harness.chat(long_prompt(600) + " [score=0.9]")
    assert response.status_code == 200
    decision_candidates = harness.upstream.requests
    assert decision_candidates and harness.spare_requests == []


async def test_nothing_fits_is_openais_context_length_exceeded(make_harness: Any) -> None:
    harness = await make_harness(windows(big=2000, spare=2000))
    response = await harness.chat(long_prompt(5000))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "context_length_exceeded" and error["type"] == "invalid_request_error" and error["param"] == "messages"
    assert "maximum context length" in error["message"]
    direct = await harness.chat(long_prompt(1500), model="small")
    assert direct.json()["error"]["code"] == "context_length_exceeded", "a model named directly does not move"


def test_estimate_handles_scripts_and_learns_from_usage() -> None:
    assert estimate_prompt_tokens([{"role": "user", "content": "a" * 400}]) == 104
    assert estimate_prompt_tokens([{"role": "user", "content": "漢字" * 50}]) == 104
    counter = TokenCounter(windows())
    messages = [{"role": "user", "content": "x" * 400}]
    first = counter.count("small", messages)
    assert first.method == "estimate" and first.tokens == 104
    for _ in range(30):
        counter.learn("small", counter.count("small", messages).tokens, 208)  # the upstream says it is twice as many
    assert counter.count("small", messages).tokens == pytest.approx(208, rel=0.05)
    assert counter.count("big", messages).tokens == 104, "per model"


CHINESE = "机器学习是人工智能的一个分支。" * 200  # 3,000 characters, about as many tokens


async def test_the_cost_estimate_counts_the_prompt_as_the_context_check_does(make_harness: Any) -> None:
    """`x-router-estimated-cost-usd` (and the cost cap) read the prompt with the model's count: 3,000
    Chinese characters are ~3,000 tokens, not the 750 of a flat characters / 4."""
    harness = await make_harness()
    messages = [{"role": "user", "content": CHINESE + " [score=0.9]"}]
    body = {"model": "auto", "messages": messages}
    response = await harness.client.post("/v1/chat/completions", json=body)
    prompt_tokens = TokenCounter(windows()).count("big", messages).tokens
    assert prompt_tokens > 3000
    expected = cost_usd(windows().models["big"], Usage(prompt_tokens=prompt_tokens, completion_tokens=200 + 3000))
    assert float(response.headers["x-router-estimated-cost-usd"]) == pytest.approx(expected, rel=1e-3)
    capped = await harness.client.post("/v1/chat/completions", json=body, headers={"x-router-max-cost-usd": str(expected * 0.9)})
    assert capped.status_code == 200 and capped.headers["x-router-tier"] == "medium", "over the cap: a cheaper tier"


async def test_the_estimate_learns_from_usage_without_context_windows(make_harness: Any) -> None:
    """The correction learnt from the upstream's `prompt_tokens` applies to cost estimates even when
    no model has a `context_window` (the context check is off)."""
    harness = await make_harness()
    first = float((await harness.chat("hello " * 400 + "[score=0.1]")).headers["x-router-estimated-cost-usd"])
    for _ in range(5):
        await harness.chat("hello " * 400 + "[score=0.1]")
    later = float((await harness.chat("hello " * 400 + "[score=0.1]")).headers["x-router-estimated-cost-usd"])
    assert later != first, "the simulated upstream's count differs from the estimate: the correction moves it"


def test_short_prompts_teach_the_correction_nothing() -> None:
    """A chat template adds tokens to every message: "hi" is 2 tokens to the estimate and 12 to the
    upstream. Learnt from, that ratio would read a long document as too long for its window."""
    counter = TokenCounter(windows())
    short = [{"role": "user", "content": "hi there"}]
    for _ in range(50):
        counter.learn("small", counter.count("small", short).tokens, 3 * counter.count("small", short).tokens)
    assert counter.count("small", [{"role": "user", "content": "x" * 40_000}]).tokens == 10_004


def test_chars_per_token_override() -> None:
    data = copy.deepcopy(CONFIG)
    data["models"]["small"]["chars_per_token"] = 2.0
    counter = TokenCounter(parse_config(data, env={}))
    assert counter.count("small", [{"role": "user", "content": "x" * 400}]).tokens == 204


class WordEncoding:
    """A stand-in for a tiktoken encoding: a token a word; records how much text it read."""

    name = "o200k_base"

    def __init__(self) -> None:
        self.read: list[int] = []

    def encode(self, text: str, disallowed_special: Any = ()) -> list[int]:
        self.read.append(len(text))
        return list(range(len(text.split())))


@pytest.fixture
def fake_tiktoken(monkeypatch: pytest.MonkeyPatch) -> WordEncoding:
    encoding = WordEncoding()
    fake = types.ModuleType("tiktoken")
    fake.encoding_for_model = lambda name: (_ for _ in ()).throw(KeyError(name))  # type: ignore[attr-defined]
    fake.get_encoding = lambda name: encoding  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tiktoken", fake)
    return encoding


def test_tiktoken_is_used_for_openai_models_when_installed(fake_tiktoken: WordEncoding) -> None:
    counter = TokenCounter(windows())
    openai_count = counter.count("big", [{"role": "user", "content": "one two three"}])
    assert openai_count.method == "tiktoken:o200k_base" and openai_count.tokens == 3 + 3 + 3 and openai_count.exact
    assert counter.count("small", [{"role": "user", "content": "one two three"}]).method == "estimate", "not an OpenAI model"


def test_a_huge_prompt_is_counted_exactly_only_in_part(fake_tiktoken: WordEncoding) -> None:
    """tiktoken runs on the event loop: past EXACT_COUNT_CHARS the rest is estimated at the ratio
    measured on the part counted (a token a word here: 5 characters a token, not the estimate's 4)."""
    words = 200_000
    count = TokenCounter(windows()).count("big", [{"role": "system", "content": "be brief"},
                                                  {"role": "user", "content": "word " * words}])
    assert max(fake_tiktoken.read) <= EXACT_COUNT_CHARS
    assert count.method == "tiktoken:o200k_base+estimate" and not count.exact
    assert count.tokens == pytest.approx(words + 2 + 9, rel=0.001)


def test_route_report_shows_count_and_choice() -> None:
    config = windows()
    policy = Policy(config)
    fits = route_report(config, policy, "low", {"messages": [{"role": "user", "content": "hi"}]})
    assert fits["prompt_tokens"]["method"] == "estimate" and fits["context"]["tier"] == "low" and not fits["context"]["moved"]
    moved = route_report(config, policy, "low", {"messages": [{"role": "user", "content": long_prompt(1500)}]})
    assert moved["context"]["moved"] and moved["context"]["model"] == "big" and moved["context"]["context_window"] == 100_000
    nothing = route_report(windows(big=10, spare=10), policy, "low", {"messages": [{"role": "user", "content": long_prompt(1500)}]})
    assert nothing["context"] == {"fits": False, "code": "context_length_exceeded", "message": nothing["context"]["message"]}


def test_route_command_prints_the_count_and_choice(monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    import yaml

    from router import app as app_module
    from router import cli
    from tests.conftest import FakeClassifier

    data = copy.deepcopy(CONFIG)
    data["models"]["small"]["context_window"] = 1000
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    monkeypatch.setattr(app_module, "load_default_classifier", lambda config: FakeClassifier())
    assert cli.main(["route", long_prompt(1500), "--config", str(path), "--max-tokens", "100"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["tier"] == "low" and out["context"]["tier"] == "high" and out["prompt_tokens"]["count"] > 1000
    assert cli.main(["route", CHINESE, "--config", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["estimated_prompt_tokens"] == out["prompt_tokens"]["count"] > 3000, "the cost estimate counts what the context check counts"


def test_planner_is_off_without_windows() -> None:
    config = windows(small=None, big=None)
    planner = ContextPlanner(config, Policy(config))
    decision = Decision("r", "low", "classifier", Policy(config).candidates("low"))
    planner.plan(decision, {"messages": [{"role": "user", "content": long_prompt(10**5)}]})
    assert decision.report.prompt_tokens is None


def output_capped(small_window: int = 32_768, small_output: int = 8_192) -> Any:
    data = copy.deepcopy(CONFIG)
    data["models"]["small"].update(context_window=small_window, max_output_tokens=small_output)
    return parse_config(data, env={})


async def test_a_cap_above_the_model_s_max_output_is_lowered_to_it(make_harness: Any) -> None:
    """Claude Code asks 32,000 tokens of whatever model it is given: against a local model with a 32k window
    that cap alone overflowed the window (a 400 on every turn). The gateway picked the model, so the cap is
    lowered to the model's `max_output_tokens`, the fit is planned with that, and the estimate is bounded by it."""
    harness = await make_harness(output_capped())
    response = await harness.chat("easy [score=0.1]", max_tokens=32_000)
    assert response.status_code == 200 and response.headers["x-router-model"] == "small"
    assert harness.upstream.requests[-1]["max_tokens"] == 8_192
    thinking = await harness.chat("mid [score=0.6]", max_completion_tokens=32_000)  # medium: + the 2,048 reserve, then the cap
    assert thinking.headers["x-router-tier"] == "medium" and harness.upstream.requests[-1]["max_completion_tokens"] == 8_192
    assert (await harness.chat("easy [score=0.1]", max_tokens=100)).status_code == 200
    assert harness.upstream.requests[-1]["max_tokens"] == 100, "a cap under the limit is the client's"
    messages = await harness.client.post("/v1/messages", json={"model": "auto", "max_tokens": 32_000, "thinking": {"type": "adaptive"},
                                                                "messages": [{"role": "user", "content": "mid [score=0.6]"}]})
    sent = harness.upstream.requests[-1]
    assert messages.status_code == 200 and sent["max_tokens"] == 8_192 and sent["thinking_token_budget"] == 2_048


async def test_without_max_output_the_cap_still_must_fit_the_window(make_harness: Any) -> None:
    """No `max_output_tokens`: nothing is lowered, and a cap the window cannot hold moves the request up."""
    data = copy.deepcopy(CONFIG)
    data["models"]["small"]["context_window"] = 32_768
    harness = await make_harness(parse_config(data, env={}))
    response = await harness.chat("easy [score=0.1]", max_tokens=32_760)
    assert response.headers["x-router-tier"] == "high" and response.json()["router"]["reason"] == "context"
    assert harness.upstream.requests[-1]["max_completion_tokens"] == 32_760 + 16_384, "the high tier's thinking reserve on top (the field o-series reads)"


def test_the_planned_completion_and_the_forecast_ceiling_are_the_lowered_cap() -> None:
    config = output_capped()
    policy = Policy(config)
    low, medium = policy.candidates("low")[0], policy.candidates("medium")[0]
    assert completion_cap(config, {"max_tokens": 32_000}, low, NO_HINTS) == 8_192
    assert completion_cap(config, {"max_tokens": 1_000}, medium, NO_HINTS) == 1_000 + 2_048
    assert completion_cap(config, {}, low, NO_HINTS) is None
    assert ContextPlanner(config, policy).planned_completion({"max_tokens": 32_000}, low, NO_HINTS) == 8_192


async def _sent_to_claude(effort: str, max_output: int | None, **request: Any) -> dict[str, Any]:
    """What a `kind: anthropic` upstream receives for a chat request through the gateway (one tier, on Claude)."""
    seen: list[dict[str, Any]] = []

    def upstream(sent: httpx.Request) -> httpx.Response:
        seen.append(orjson.loads(sent.content))
        return httpx.Response(200, json={"id": "msg_1", "type": "message", "role": "assistant", "model": "claude", "stop_reason": "end_turn",
                                         "content": [{"type": "text", "text": "ok"}], "usage": {"input_tokens": 10, "output_tokens": 5}})

    data = copy.deepcopy(CONFIG)
    data["backends"] = {"claude": {"kind": "anthropic", "base_url": "http://claude.test", "api_key": "k"}}
    data["models"] = {"claude": {"backend": "claude", "upstream_name": "claude-opus-4-1", "reasoning": "anthropic", "max_output_tokens": max_output,
                                 "efforts": ["none", "minimal", "low", "medium", "high", "xhigh", "max"]}}  # a model taking every effort
    data["tiers"] = {"low": {"model": "claude", "effort": effort}}
    app = create_app(parse_config(data, env={}), transports={"claude": httpx.MockTransport(upstream)}, classifier=FakeClassifier())
    async with serving(app) as client:
        body = {"model": "auto", "messages": [{"role": "user", "content": "hi"}], **request}
        assert (await client.post("/v1/chat/completions", json=body)).status_code == 200
    return seen[0]


@pytest.mark.parametrize(("effort", "client", "budget", "cap"), [
    ("xhigh", {}, 16_384, 16_384 + 4_096),  # the tier's 32,768 cannot fit: high, and Anthropic's default answer on top
    ("xhigh", {"max_tokens": 1_000}, 16_384, 17_384),
    ("low", {"reasoning_effort": "max"}, 16_384, 20_480),  # the client's 65,536: the highest that fits
    ("high", {"max_tokens": 30_000}, 16_384, 32_000),  # the client's cap + the reserve, lowered to the limit
])
async def test_thinking_on_a_claude_model_fits_its_max_output_tokens(effort: str, client: dict[str, Any], budget: int, cap: int) -> None:
    """Opus 4.1 writes 32,000 tokens at most: the adapter grew the capped `max_tokens` by the budget again (64,768) or put
    its default on a budget above the limit (36,864), and Anthropic refused every such request ("max_tokens: 36864 >
    32000, which is the maximum allowed number of output tokens"). The effort is lowered until its budget fits, and
    every cap the adapter writes stays under the limit, above the budget."""
    sent = await _sent_to_claude(effort, 32_000, **client)
    assert sent["thinking"] == {"type": "enabled", "budget_tokens": budget} and sent["max_tokens"] == cap
    assert "_router_max_output_tokens" not in sent


async def test_without_max_output_tokens_the_tier_s_budget_is_asked_whole() -> None:
    sent = await _sent_to_claude("xhigh", None)
    assert sent["thinking"]["budget_tokens"] == 32_768 and sent["max_tokens"] == 32_768 + 4_096


def test_an_image_counts_as_a_high_detail_image_of_openai_s() -> None:
    """Found in review: image parts counted nothing — twenty 200 KB images added $0 to the estimate (and to the context
    check). Each is now `IMAGE_TOKENS`, an estimate (the fit check's margin applies) the upstream's count does not teach."""
    from router.context import IMAGE_TOKENS

    config = make_config()
    counter = TokenCounter(config)
    text = [{"type": "text", "text": "What is in these pictures?"}]
    images = [{"type": "image_url", "image_url": {"url": "data:image/png;base64," + "A" * 1000}}] * 20
    plain, pictured = (counter.count("small", [{"role": "user", "content": content}]) for content in (text, text + images))
    assert pictured.tokens == plain.tokens + 20 * IMAGE_TOKENS and not pictured.sized
    thumbnail = [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AA", "detail": "low"}}]
    assert abs(counter.count("small", [{"role": "user", "content": text + thumbnail}]).tokens - (plain.tokens + 85)) <= 1, "low detail: OpenAI's 85"
    counter._encodings["big"] = types.SimpleNamespace(name="fake", encode=lambda text, disallowed_special=(): text.split())  # tiktoken's path
    exact, counted = (counter.count("big", [{"role": "user", "content": content}]) for content in (text, text + images[:2]))
    assert exact.exact and counted.tokens == exact.tokens + 2 * IMAGE_TOKENS and not counted.exact, (exact, counted)
