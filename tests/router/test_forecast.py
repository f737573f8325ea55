"""The completion forecast the cost estimate prices learns what each model really returns."""

from __future__ import annotations

import math
from typing import Any

import pytest

from backends.request_hints import NO_HINTS, RequestHints
from backends.usage import Usage
from router.context import TokenCounter
from router.decision import Decision
from router.forecast import MAX_CORRECTION, CompletionForecast
from router.policy import Policy
from router.pricing import cost_usd
from router.upstream_fields import thinking_reserve
from tests.conftest import FakeClassifier, FakeScore
from tests.router.conftest import CONFIG, Harness, make_config

pytestmark = pytest.mark.anyio


def estimate_error(response: Any) -> float:
    """|log(cost / estimated cost)| of one response: 0 for an exact estimate."""
    router = response.json()["router"]
    return abs(math.log(router["cost_usd"] / router["estimated_cost_usd"]))


async def test_the_estimate_converges_on_what_the_model_returns(harness: Harness) -> None:
    """The medium tier's forecast (the fake classifier's 200 answer + 1,000 thinking tokens) is 2.3x
    what the simulated model spends (480 thinking + 12-59 answer): the estimate learns it."""
    errors = [estimate_error(await harness.chat(f"question {i} [score=0.6]")) for i in range(60)]
    assert errors[0] > math.log(2.0)
    assert max(errors[-10:]) < math.log(1.15)
    assert harness.metric("router_cost_estimate_ratio_count", tier="medium") == 60


async def test_cut_answers_and_other_efforts_are_not_learnt_from(harness: Harness) -> None:
    """An answer that reached its ceiling says only "at least": nothing is learnt from it; and the
    correction is per model and effort (the medium tier runs the low tier's model, thinking)."""
    forecast = harness.client._transport.app.state.router.gateway.forecast  # type: ignore[attr-defined]
    for i in range(5):
        response = await harness.chat(f"question {i} [score=0.1]", max_tokens=8)  # 12-59 answer tokens: cut at 8
        assert response.json()["choices"][0]["finish_reason"] == "length"
    assert forecast.log_correction == {}
    for i in range(5):
        await harness.chat(f"question {i} [score=0.6]")
    assert set(forecast.log_correction) == {("small", "medium")}


def test_the_correction_is_clamped() -> None:
    config = make_config()
    forecast = CompletionForecast(config)
    candidate = Policy(config).candidates("low")[0]
    for _ in range(500):
        decision = Decision("r", "low", "classifier", [candidate])
        forecast.forecast_for(decision, candidate, FakeScore(0.1), {"messages": []})
        decision.choose(candidate, "sim")
        forecast.observe(decision, Usage(prompt_tokens=10, completion_tokens=200 * 100), "ok", 0.1, False)
    assert forecast.forecast(candidate, FakeScore(0.1), {"messages": []}, NO_HINTS).tokens == round(200 * MAX_CORRECTION)


def test_a_floor_s_forecast_teaches_no_correction() -> None:
    """Found in review: a length misread as asked for ("contracted to write a 500 page book": a 32,768-token floor) moved
    the tier's correction 21 % down, and every later estimate there with it. A floor is a rule's figure: not learnt from."""
    config = make_config()
    forecast = CompletionForecast(config)
    candidate = Policy(config).candidates("low")[0]
    for floored in (True, False):
        result = FakeScore(0.1, expected_answer_tokens=32_768, floored=floored)
        decision = Decision("r", "low", "classifier", [candidate])
        forecast.forecast_for(decision, candidate, result, {"messages": []})
        decision.choose(candidate, "sim")
        forecast.observe(decision, Usage(prompt_tokens=10, completion_tokens=150), "ok", 0.1, False)
        assert (("small", "none") in forecast.log_correction) is not floored


def test_a_cap_that_counts_the_thinking_bounds_the_forecast() -> None:
    """An answer's cap gets the thinking reserve on top; a cap that counts the thinking (/v1/messages
    with thinking on) is the ceiling itself, at the effort that fits under it."""
    config = make_config()
    forecast = CompletionForecast(config)
    medium = Policy(config).candidates("medium")[0]
    body: dict[str, Any] = {"messages": [], "max_tokens": 40}
    answer_only = forecast.forecast(medium, FakeScore(0.6), body, NO_HINTS)
    assert (answer_only.effort, answer_only.ceiling) == ("medium", 40 + 2048)
    whole = RequestHints(cap_includes_reasoning=True)
    total = forecast.forecast(medium, FakeScore(0.6), body, whole)
    assert (total.effort, total.ceiling) == ("none", 40) and total.tokens <= 40
    roomy = forecast.forecast(medium, FakeScore(0.6), body | {"max_tokens": 3000}, whole)
    assert (roomy.effort, roomy.ceiling) == ("medium", 3000)


def test_an_uncapped_request_is_forecast_at_most_at_what_its_upstream_may_write() -> None:
    """Found in review: with no client cap the forecast had no ceiling — a long answer forecast for Claude was priced at
    10,000 tokens though the adapter asks 4,096 (a $0.10 cap refused a request that could cost $0.06 at most), and a
    model's `max_output_tokens` bounded nothing. Now each bounds it: the adapter's cap with the thinking reserve, the model's limit."""
    claude = {"backend": "spare", "reasoning": "anthropic", "input": 3.0, "output": 15.0}
    config = make_config(backends={**CONFIG["backends"], "spare": {"kind": "anthropic", "base_url": "http://spare.test", "api_key": "k"}},
                         models={**CONFIG["models"], "spare-big": claude, "small": {**CONFIG["models"]["small"], "max_output_tokens": 150}})
    forecast, policy = CompletionForecast(config), Policy(config)
    long_answer = FakeScore(0.9, expected_answer_tokens=100_000)
    fallback = policy.candidates("high")[1]  # Claude, at effort high
    reserve = thinking_reserve(config, {"messages": []}, fallback, NO_HINTS)
    assert reserve == 16384 and forecast.forecast(fallback, long_answer, {"messages": []}, NO_HINTS).tokens == 4096 + reserve
    assert forecast.forecast(policy.candidates("low")[0], long_answer, {"messages": []}, NO_HINTS).tokens == 150
    assert forecast.forecast(policy.candidates("high")[0], long_answer, {"messages": []}, NO_HINTS).ceiling is None, "an OpenAI model's own cap is unknown"


async def test_the_forecast_is_for_the_effort_the_upstream_is_asked_for(make_harness: Any) -> None:
    """A client's `reasoning_effort` wins over the tier's, in the request and in its estimate: the high
    tier asked for low effort is priced at the fake classifier's 200 + 300 tokens, not 200 + 3,000; xhigh, which the model
    lists, at 200 + 6,000 (one that does not list it is asked, and priced, at high: tests/router/test_chat_api.py)."""
    models = {**CONFIG["models"], "big": {**CONFIG["models"]["big"], "efforts": ["none", "low", "medium", "high", "xhigh"]}}
    config = make_config(models=models)
    harness = await make_harness(config)
    messages = [{"role": "user", "content": "hello"}]
    prompt = TokenCounter(config).count("big", messages).tokens

    async def estimate(**fields: Any) -> float:
        body = {"model": "auto:high", "messages": messages, **fields}
        response = await harness.client.post("/v1/chat/completions", json=body, headers={"x-router-max-cost-usd": "1"})
        assert response.status_code == 200, response.text
        return float(response.headers["x-router-estimated-cost-usd"])

    assert await estimate() == pytest.approx(cost_usd(config.models["big"], Usage(prompt, 200 + 3000)), abs=1e-9)
    assert await estimate(reasoning_effort="low") == pytest.approx(cost_usd(config.models["big"], Usage(prompt, 200 + 300)), abs=1e-9)
    assert harness.upstream.requests[-1]["reasoning_effort"] == "low"
    assert await estimate(reasoning_effort="xhigh") == pytest.approx(cost_usd(config.models["big"], Usage(prompt, 200 + 6000)), abs=1e-9)
    assert harness.upstream.requests[-1]["reasoning_effort"] == "xhigh"


async def test_a_reload_keeps_what_was_learnt_about_unchanged_models(fake_classifier: Any) -> None:
    """Prompt-count and forecast corrections survive a config reload for models it left unchanged;
    a model that now points elsewhere starts afresh, and a new classifier drops the forecast's."""
    from router.state import AppState

    first = AppState.build(make_config(), fake_classifier)
    first.gateway.tokens.correction = {"small": 1.5, "big": 0.8}
    first.gateway.forecast.log_correction = {("small", "medium"): -0.8, ("big", "high"): 0.3}
    models = {**make_config().model_dump()["models"]}
    models["small"] = {**models["small"], "upstream_name": "Qwen/Qwen3-32B"}
    second = AppState.build(make_config(models=models), fake_classifier, previous=first)
    third = AppState.build(make_config(), FakeClassifierAgain(), previous=first)
    try:
        assert second.gateway.tokens.correction == {"big": 0.8}
        assert second.gateway.forecast.log_correction == {("big", "high"): 0.3}
        assert third.gateway.tokens.correction == {"small": 1.5, "big": 0.8}
        assert third.gateway.forecast.log_correction == {}, "the forecasts it corrected are another classifier's"
    finally:
        for state in (first, second, third):
            await state.aclose()


class FakeClassifierAgain(FakeClassifier):
    """Another classifier object (a reload that loaded a new artifact)."""


def test_two_tiers_asking_one_model_at_one_effort_under_other_thinking_budgets_keep_a_forecast_each() -> None:
    """Under a client's cap every fallback is priced (`keep_affordable`): the next tier up asks the same model at the same
    effort under a larger thinking budget, and its forecast, kept by (model, effort), replaced the served candidate's —
    the answer was learnt from against the other budget's, and a client who left was charged it."""
    from prometheus_client import CollectorRegistry

    from router.gateway import Gateway
    from router.metrics import RouterMetrics

    tiers = {"low": CONFIG["tiers"]["low"], "medium": {"model": "small", "effort": "medium", "thinking_budget": 300, "max_score": 0.75},
             "deep": {"model": "small", "effort": "medium", "thinking_budget": 2048, "max_score": 0.9}, "high": CONFIG["tiers"]["high"]}
    config = make_config(tiers=tiers, routing={"fallback_to_next_tier": True})
    gateway = Gateway(config, {}, FakeClassifier(), RouterMetrics(CollectorRegistry()))
    body = {"model": "auto", "messages": [{"role": "user", "content": "x [score=0.6]"}]}
    decision = gateway.decide(body, "r", max_cost_usd=1.0, hints=NO_HINTS)
    served = decision.candidates[0]
    assert (served.tier, served.thinking_budget) == ("medium", 300) and any(c.tier == "deep" for c in decision.candidates)
    decision.choose(served, "sim")
    forced = gateway.decide(body | {"model": "auto:medium"}, "r", hints=NO_HINTS)  # unscored: forecast when charged, for the candidate that was sent
    deep = next(c for c in forced.candidates if c.tier == "deep")
    forced.choose(deep, "sim")
    assert forced.context.completion_forecasts is None and gateway.abandoned_usage(forced, body).completion_tokens == 200 + 1000
    gateway.forecast.observe(decision, Usage(prompt_tokens=10, completion_tokens=1000), "ok", 0.1, False)
    assert gateway.forecast.log_correction[("small", "medium")] == pytest.approx(0.05 * math.log(1000 / 500)), "learnt against 1200"
    assert gateway.abandoned_usage(decision, body).completion_tokens == 200 + 300, "charged the 2048 budget's forecast"
