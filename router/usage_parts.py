"""The parts of a request served by several upstream calls (`RequestContext.usage_parts`): each sample, a best_of_n
judge, an attempt an escalation (or the client) left, and the final answer of such a request.

A request of one upstream call has no parts: its usage is the answer's, priced at its model (`Gateway.account`).
Once it has several, the client's `usage` is their sum and its cost is each part at its own model's and service
tier's prices, so a cheap tier's samples are not billed at the dearer tier an escalation ended on. Test-time compute
(router/ttc.py, its sampler router/sampling.py) records the parts as its calls end; the gateway records the last answer's and books them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from backends.base import ChatResult
from backends.usage import Usage
from router.attempt_costs import book_part, usage_part

if TYPE_CHECKING:
    from router.config import ModelConfig
    from router.decision import Decision
    from router.metrics import RouterMetrics
    from router.request_context import RequestContext


def record_part(decision: Decision, role: str, usage: Usage) -> None:
    """A part served by `decision`'s current call (its tier, model, backend and service tier)."""
    record_part_as(decision.context, role, usage, tier=decision.tier, model=decision.model, backend=decision.backend,
                   service_tier=decision.service_tier)


def record_part_as(context: RequestContext, role: str, usage: Usage, *, tier: str, model: str, backend: str, service_tier: str | None) -> None:
    """A part of the request, priced at `service_tier`: that of the call that ended, read from that call's own decision
    (a sample's, the judge's), never from the context the samples drawn at once share."""
    context.usage_parts.append(usage_part(role, usage, tier=tier, model=model, backend=backend, service_tier=service_tier))


def parts_total(decision: Decision) -> Usage:
    """The usage of all the parts: the client's `usage`."""
    total = Usage()
    for part in decision.context.usage_parts:
        total = total + part["usage"]
    return total


def with_parts_total(result: ChatResult, decision: Decision) -> ChatResult:
    """`result` with the parts' total as its usage (body and result), when there are several parts."""
    parts = decision.context.usage_parts
    if len(parts) <= 1:
        return result
    total = parts_total(decision)
    result.body["usage"] = total.to_openai()
    return ChatResult(body=result.body, usage=total)


def account_parts(metrics: RouterMetrics, models: Mapping[str, ModelConfig], decision: Decision) -> float | None:
    """Tokens and cost of every part at its own model's prices; None if any part has no price."""
    cost: float | None = 0.0
    breakdown = []
    for part in decision.context.usage_parts:
        part_cost, entry = book_part(metrics, models, part)
        breakdown.append(entry)
        cost = None if cost is None or part_cost is None else cost + part_cost
    decision.report.usage_breakdown = breakdown
    return None if cost is None else round(cost, 10)
