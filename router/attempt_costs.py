"""What the parts of a request cost upstream, each at its own model's prices: the samples, judge and
escalated attempts of test-time compute (router/ttc.py), and attempts that failed while their upstream
worked — the gateway's timeout hung up on it, or its stream broke off after writing part of an answer.

A failed attempt is billed all the same (a provider bills the stream it wrote, and one that does not stop
on a disconnect bills the whole answer), so it is charged as a client who left at that moment would be
(`Gateway.charge_failed_attempt`) and booked beside the answer: in `router_tokens_total` and
`router_cost_usd_total` under its own tier, model and backend (and in `router_failed_attempt_cost_usd_total`, what
failures cost), in the request's cost (`x-router-cost-usd`,
the key's budget, the decision log) and in `router.usage_breakdown`. Never in the client's `usage`, which
describes the answer it got; nor in what the gateway learns from (prompt corrections, answer forecasts).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from router.pricing import cost_usd

if TYPE_CHECKING:
    from backends.usage import Usage
    from router.config import ModelConfig
    from router.decision import Decision
    from router.metrics import RouterMetrics
    from router.router_report import BreakdownEntry

def usage_part(role: str, usage: Usage, *, tier: str, model: str, backend: str, service_tier: str | None) -> dict[str, Any]:
    """One upstream call's usage and what prices it (`book_part`): a failed attempt, a sample, a judge, an answer."""
    return {"role": role, "tier": tier, "model": model, "backend": backend, "usage": usage, "service_tier": service_tier}


def record_failed(decision: Decision, usage: Usage) -> None:
    """A failed attempt of `decision`'s current model (the one that just failed), to be booked by `book_failed`; its role
    is its context's (`failed_attempt`, a judge's `failed_judge`)."""
    decision.context.failed_attempts.append(usage_part(decision.context.failed_role, usage, tier=decision.tier, model=decision.model,
                                                       backend=decision.backend, service_tier=decision.service_tier))


def failed_tokens(decision: Decision) -> int:
    """The tokens the request's failed attempts were billed (for the key's token budget)."""
    return sum(part["usage"].total_tokens for part in decision.context.failed_attempts)


def book_part(metrics: RouterMetrics, models: Mapping[str, ModelConfig], part: Mapping[str, Any]) -> tuple[float | None, BreakdownEntry]:
    """One part's tokens and cost (at its own service tier) into the metrics under its own labels: its cost (None if
    its model has no price) and its `usage_breakdown` entry."""
    usage: Usage = part["usage"]
    labels = (part["tier"], part["model"] or "none", part["backend"] or "none")
    metrics.count_tokens(labels, usage)
    cost = part_cost(models, part)
    if cost is not None:
        metrics.cost.labels(*labels).inc(cost)
    return cost, breakdown_entry(part["role"], part["tier"], part["model"], usage, cost)


def part_cost(models: Mapping[str, ModelConfig], part: Mapping[str, Any]) -> float | None:
    """What one part cost at its model's prices and its own service tier; None when the model has no price (or is gone)."""
    model = models.get(part["model"])
    return cost_usd(model, part["usage"], part.get("service_tier")) if model is not None else None


def breakdown_entry(role: str, tier: str, model: str, usage: Usage, cost: float | None) -> BreakdownEntry:
    return {"role": role, "tier": tier, "model": model, "prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
            "cost_usd": cost}


def book_failed(decision: Decision, metrics: RouterMetrics, models: Mapping[str, ModelConfig], cost: float | None,
                answer: Usage | None) -> float | None:
    """Book the failed attempts; the request's cost with them: `cost` is the answer's (None with no `answer`, or
    unpriced: the total is then None). An attempt on a model without prices is listed at `cost_usd: null` and adds
    nothing: it must not hide a priced fallback's cost (from the key's budget, too). `usage_breakdown` lists the
    answer (unless parts already did) and then the failed attempts."""
    parts = decision.context.failed_attempts
    if not parts:
        return cost
    breakdown = decision.report.usage_breakdown
    if breakdown is None:
        breakdown = [breakdown_entry("answer", decision.tier, decision.model, answer, cost)] if answer is not None else []
    total = cost if answer is not None else 0.0
    for part in parts:
        part_cost, entry = book_part(metrics, models, part)
        breakdown.append(entry)
        if part_cost is not None:
            metrics.failed_attempt_cost.labels(part["tier"], part["model"] or "none", part["backend"] or "none").inc(part_cost)
            if total is not None:
                total += part_cost
    decision.report.usage_breakdown = breakdown
    return None if total is None else round(total, 10)


def priced_spend(decision: Decision, cost: float | None) -> float | None:
    """What the request's priced calls cost: ``cost`` (`book_failed`'s) when every call has a price, else the sum of
    the breakdown's priced parts; None when none has one. /metrics books it, so the key's budget and the top-tier
    baseline take it too: a paid attempt or escalation beside a local model without prices was booked, never budgeted."""
    if cost is not None:
        return cost
    priced = [part["cost_usd"] for part in decision.report.usage_breakdown or () if part["cost_usd"] is not None]
    return round(sum(priced), 10) if priced else None


def priced_usage(decision: Decision, models: Mapping[str, ModelConfig]) -> Usage | None:
    """The tokens of the request's priced parts (samples, a judge, escalated attempts; failed attempts aside), the
    top-tier baseline of a request some of whose calls have no price; None when none has one."""
    priced = [part["usage"] for part in decision.context.usage_parts if part_cost(models, part) is not None]
    return sum(priced[1:], priced[0]) if priced else None


def spent_usd(decision: Decision, models: Mapping[str, ModelConfig], pending: tuple[dict[str, Any], ...] = ()) -> float:
    """What the request has cost so far — its recorded parts, failed attempts, and ``pending`` ones not yet recorded —
    for an escalation to check against the client's cap (an unpriced part adds nothing, as in `book_failed`)."""
    parts = (*decision.context.usage_parts, *decision.context.failed_attempts, *pending)
    return sum(part_cost(models, part) or 0.0 for part in parts)
