"""Cost numbers a budget can rest on, the estimate: it prices every call a request makes, on the candidate it will go
to after every move, at the service tier it is served under, and a cost cap holds for every fallback."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry

from backends.request_hints import NO_HINTS
from router.decision import usd
from router.gateway import Gateway
from router.metrics import RouterMetrics
from router.protocol import APIError
from tests.conftest import FakeClassifier
from tests.router._cost_accounting_helpers import answering, with_tiers
from tests.router.conftest import CONFIG, make_config

pytestmark = pytest.mark.anyio


def test_a_budget_downgrade_keeps_the_cost_cap() -> None:
    gateway = Gateway(make_config(), {}, FakeClassifier(), RouterMetrics(CollectorRegistry()))
    body = {"model": "auto", "messages": [{"role": "user", "content": "[score=0.9] hard question"}]}
    with pytest.raises(APIError) as refused:
        gateway.decide(dict(body), "r1", max_cost_usd=1e-7, max_tier="medium", hints=NO_HINTS)
    assert refused.value.code == "max_cost_exceeded"
    decision = gateway.decide(dict(body), "r2", max_cost_usd=1.0, max_tier="medium", hints=NO_HINTS)
    assert decision.tier == "medium" and decision.estimated_cost_usd == gateway.estimate_cost(decision, decision.candidates[0], decision.scored, body)


def test_a_refusal_names_the_cheapest_tier_that_would_fit_a_larger_cap() -> None:
    """With `model: auto` and no tier under the cap, the estimate refused is the tier the score picked; the message also
    names the cheapest tier's, the smallest cap that would pass (found by a user review: a cap of 1e-7 quoted only the
    high tier's 0.043 USD where the low tier needed 0.00035)."""
    gateway = Gateway(make_config(), {}, FakeClassifier(), RouterMetrics(CollectorRegistry()))
    body = {"model": "auto", "messages": [{"role": "user", "content": "[score=0.9] hard question"}]}
    with pytest.raises(APIError) as refused:
        gateway.decide(dict(body), "r1", max_cost_usd=1e-9, hints=NO_HINTS)
    low = gateway.decide({"model": "auto:low", "messages": body["messages"]}, "r2", max_cost_usd=1.0, hints=NO_HINTS)
    message = refused.value.message
    assert message.startswith("estimated cost ") and "exceeds x-router-max-cost-usd 1e-09" in message
    assert message.endswith(f"; the cheapest tier for this request, low, is estimated at {usd(low.estimated_cost_usd)} USD")
    passed = gateway.decide(dict(body), "r3", max_cost_usd=low.estimated_cost_usd, hints=NO_HINTS)
    assert passed.tier == "low", "the cap the message names lets the request through"
    with pytest.raises(APIError) as forced:
        gateway.decide({"model": "auto:high", "messages": body["messages"]}, "r4", max_cost_usd=1e-9, hints=NO_HINTS)
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
    decision = gateway.decide({"model": "auto:low", "messages": [{"role": "user", "content": "x"}]}, "r", max_cost_usd=1.0, hints=NO_HINTS)
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
    assert gateway.decide(body, "r", hints=NO_HINTS).estimated_cost_usd == 0.3
    assert gateway.decide(body, "r", max_cost_usd=0.3, hints=NO_HINTS).estimated_cost_usd == 0.3


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
