"""What a request may cost before it is dispatched: a client's cost cap (`x-router-max-cost-usd`) and an over-budget
key's tier ceiling (`over_budget: downgrade`), applied to a decision's candidates by `Gateway.decide`.

Both hold for every candidate, fallbacks included: a fallback is tried when the first candidate fails, so one above
the cap or the ceiling would be served (and billed) as readily as the first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from router.decision import usd

if TYPE_CHECKING:
    from router.decision import Decision
    from router.metrics import RouterMetrics
    from router.policy import Policy
    from router.seams import CostEstimate, ScoreLike


def downgrade_to_cap(policy: Policy, estimate_cost: CostEstimate, decision: Decision, result: ScoreLike, body: Mapping[str, Any],
                     cap: float) -> None:
    """Move to the most capable cheaper tier whose estimate fits the client's cost cap; when none does, note the
    cheapest (``RequestContext.cheapest_tier``: the refusal names it, the smallest cap that would have let it through)."""
    estimate = estimate_cost(decision, decision.candidates[0], result, body)
    if estimate is None or estimate <= cap:
        return
    cheapest = (decision.tier, estimate)
    names = policy.tier_names
    for name in reversed(names[: names.index(decision.tier)]):
        candidates = policy.candidates(name)
        estimate = estimate_cost(decision, candidates[0], result, body)
        if estimate is not None and estimate <= cap:
            decision.candidates = candidates
            decision.report.downgraded_from = decision.tier
            return
        if estimate is not None and estimate < cheapest[1]:
            cheapest = (name, estimate)
    decision.context.cheapest_tier = cheapest


def refusal(decision: Decision, estimate: float, cap: float) -> str:
    """Why a request whose ``estimate`` is over the client's cap is refused, and for ``model: auto`` the cheapest tier's
    estimate (the one refused is the tier the score picked; a client needs the cap that would pass)."""
    text = f"estimated cost {usd(estimate)} USD exceeds x-router-max-cost-usd {cap}"
    cheapest = decision.context.cheapest_tier
    if cheapest is not None and cheapest[0] != decision.tier:
        text += f"; the cheapest tier for this request, {cheapest[0]}, is estimated at {usd(cheapest[1])} USD"
    return text


def keep_affordable(estimate_cost: CostEstimate, decision: Decision, body: Mapping[str, Any], cap: float, spent: float = 0.0) -> None:
    """Drop the fallbacks whose estimate, with what the request ``spent`` already (an escalation's), is over the client's
    cap (the first candidate's was checked): a fallback to a dearer model, or `fallback_to_next_tier` climbing back up the
    tiers a downgrade left, served a $0.0001 cap for $0.014. An unpriced fallback stays, as an unpriced first candidate is
    served (its estimate is null)."""
    first, *rest = decision.candidates
    kept = [first]
    for candidate in rest:
        estimate = estimate_cost(decision, candidate, decision.scored, body)
        if estimate is None or spent + estimate <= cap:
            kept.append(candidate)
    decision.candidates = kept


def cap_tier(policy: Policy, metrics: RouterMetrics, decision: Decision, max_tier: str) -> None:
    """An over-budget key's ceiling: a tier above it is served by it, and no candidate above it is kept, or
    `fallback_to_next_tier` (a failure, or a prompt the cheap model's window cannot hold) climbed back to the top."""
    names = policy.tier_names
    tier = decision.candidates[0].tier
    if tier not in names:  # a model named directly: refused over budget (router/ops.py), never swapped
        return
    ceiling = names.index(max_tier)
    if names.index(tier) > ceiling:
        decision.candidates = policy.candidates(max_tier)
        decision.report.downgraded_from, decision.report.downgrade_reason = tier, "budget"
        metrics.budget_downgrades.labels(max_tier).inc()
    decision.candidates = [candidate for candidate in decision.candidates if names.index(candidate.tier) <= ceiling]
