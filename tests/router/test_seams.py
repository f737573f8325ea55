"""The gateway's collaborators run on the narrow seams of router/seams.py, with no `Gateway` behind them."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry

from backends.base import ChatResult
from backends.registry import create_backend
from backends.request_hints import RequestHints
from backends.usage import Usage
from router.ceilings import cap_tier, downgrade_to_cap
from router.config import parse_config
from router.context import TokenCounter
from router.decision import Decision
from router.metrics import RouterMetrics
from router.policy import Candidate, Policy
from router.resilience import Resilience
from router.seams import Attempts, Upstream
from router.ttc import TestTimeCompute
from router.usage_parts import account_parts
from tests.router.conftest import CONFIG, make_config

pytestmark = pytest.mark.anyio

ANSWER = {"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": [
    {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}


async def test_the_attempt_loop_falls_back_through_its_upstream_seam_alone() -> None:
    """`Resilience` takes its backends, the upstream's request and the accounting from an `Upstream`: a refused
    connection on `sim` falls back to `spare`, whose answer is accounted through the seam's `completed_usage`."""
    config = make_config()

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    backends = {"sim": create_backend("sim", config.backends["sim"], httpx.MockTransport(refuse)),
                "spare": create_backend("spare", config.backends["spare"], httpx.MockTransport(lambda _: httpx.Response(200, json=ANSWER)))}
    calls: list[tuple[str, Any]] = []

    def request_for(body: dict[str, Any], candidate: Candidate, hints: RequestHints) -> dict[str, Any]:
        calls.append(("request_for", candidate.model))
        return {**body, "model": candidate.model}

    def completed_usage(decision: Decision, body: Mapping[str, Any], result: ChatResult) -> Usage:
        calls.append(("completed_usage", decision.model))
        return result.usage

    def unused(*args: object) -> None:
        raise AssertionError("not called by this request")

    resilience = Resilience(config, RouterMetrics(CollectorRegistry()), Upstream(backends, request_for, unused, unused, completed_usage))
    decision = Decision("req-1", "high", "forced", [Candidate("big", "high", None, None), Candidate("spare-big", "high", None, None)])
    try:
        result = await resilience.dispatch({"model": "high", "messages": [{"role": "user", "content": "hi"}]}, decision, stream=False)
    finally:
        for backend in backends.values():
            await backend.aclose()
    assert result.body["choices"][0]["message"]["content"] == "hi"
    assert (decision.model, decision.backend) == ("spare-big", "spare")
    assert calls == [("request_for", "big"), ("request_for", "spare-big"), ("completed_usage", "spare-big")]


async def test_test_time_compute_draws_its_samples_through_its_attempts_seam_alone() -> None:
    """`TestTimeCompute` runs its calls on an `Attempts` seam: three samples of a self-consistency tier, each one
    call of the seam's `dispatch`, voted on and billed as the parts of one request."""
    data = copy.deepcopy(CONFIG)
    data["tiers"]["low"]["strategy"] = {"kind": "self_consistency", "samples": 3, "use_n": False, "extractor": "number"}
    config = parse_config(data, env={})
    answers = iter(["#### 5", "#### 7", "#### 5"])
    dispatched: list[bool] = []

    async def dispatch(body: dict[str, Any], decision: Decision, *, stream: bool) -> ChatResult:
        dispatched.append(stream)
        decision.choose(decision.candidates[0], "sim")
        answer = {**ANSWER, "choices": [{**ANSWER["choices"][0], "message": {"role": "assistant", "content": next(answers)}}]}
        return ChatResult(body=answer, usage=Usage(prompt_tokens=3, completion_tokens=1))

    def unused(*args: object) -> None:
        raise AssertionError("not called by this request")

    policy = Policy(config)
    ttc = TestTimeCompute(config, policy, RouterMetrics(CollectorRegistry()), TokenCounter(config),
                          Attempts(dispatch, unused, unused, unused, unused, unused))
    decision = Decision("req-1", "low", "forced", policy.candidates("low"))
    result = await ttc.dispatch({"model": "low", "messages": [{"role": "user", "content": "2+3?"}]}, decision, stream=False)
    assert dispatched == [False, False, False]
    assert result.body["choices"][0]["message"]["content"] == "#### 5"
    assert result.usage == Usage(prompt_tokens=9, completion_tokens=3) and account_parts(ttc.metrics, config.models, decision) is not None


def test_the_ceilings_move_a_decision_with_the_policy_and_a_cost_estimate_alone() -> None:
    """`downgrade_to_cap` takes the policy and a `CostEstimate`, `cap_tier` the policy and the metrics: no gateway. A cap
    the top tier's estimate exceeds moves the request down to the most capable tier under it; a key's ceiling drops every
    candidate above it."""
    config = make_config()
    policy = Policy(config)
    prices = {"big": 0.01, "spare-big": 0.01, "small": 0.0001}
    asked: list[str] = []

    def estimate(decision: Decision, candidate: Candidate, scored: object, body: Mapping[str, Any]) -> float | None:
        asked.append(candidate.model)
        return prices.get(candidate.model)

    decision = Decision("req-1", "high", "classifier", policy.candidates("high"))
    downgrade_to_cap(policy, estimate, decision, None, {}, 0.002)  # the fake estimate ignores the score
    assert (decision.candidates[0].tier, decision.report.downgraded_from, asked) == ("medium", "high", ["big", "small"])
    assert decision.context.cheapest_tier is None

    metrics = RouterMetrics(CollectorRegistry())
    capped = Decision("req-2", "high", "forced", policy.candidates("high"))
    cap_tier(policy, metrics, capped, "low")
    assert {candidate.tier for candidate in capped.candidates} == {"low"} and capped.report.downgrade_reason == "budget"
    assert metrics.budget_downgrades.labels("low")._value.get() == 1
