"""What the gateway keeps about one request while serving it: `Decision.context`, server-side only (never sent to the client).

One attribute for each thing a part of the request path leaves for another; each says who writes it and who reads it.
None means "not set" throughout (no writer stores None to mean anything else); the two lists of calls start empty. A sampled tier's parallel calls are
`dataclasses.replace` copies of their request's decision and share its `RequestContext` object (what is one call's —
its service tier, its attempt's start — is on the `Decision`); a judge's decision has
one of its own that shares only the request's `failed_attempts` list (router/ttc.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backends.request_hints import NO_HINTS, RequestHints

if TYPE_CHECKING:
    import asyncio

    from router.context import PromptCount
    from router.forecast import Forecast
    from router.limits import Admission

#: One upstream call of a request as booked (router/attempt_costs.py `book_part`): role, tier, model, backend, usage
#: and the service tier it was priced at (its own call's: `Decision.service_tier`).
UsagePart = dict[str, Any]


@dataclass(slots=True)
class RequestContext:
    """Server-side state of one request, filled in as it is served."""

    # -- before dispatch ---------------------------------------------------------------------------------------------
    # Operations.attach: the key's admission (limits); Operations.observe settles its tokens and spend
    admission: Admission | None = None
    # Operations.attach, only with a decision log: the client's `model` and prompt for the request's log line
    requested_model: str | None = None
    messages: list[dict[str, Any]] | None = None
    # Gateway.decide: an over-budget key's tier ceiling and the client's x-router-max-cost-usd; an escalation stays inside both
    max_tier: str | None = None
    max_cost_usd: float | None = None
    # Gateway.decide: the service tier the top tier's adapter would send (estimate.sent_service_tier); Gateway.account prices the savings baseline at it
    top_tier_asked: str | None = None
    # ceilings.downgrade_to_cap when no tier fits the client's cap: (the cheapest tier, its estimate), named by `refusal`
    cheapest_tier: tuple[str, float] | None = None
    # api: the trace id of the client's W3C traceparent (router/request_info.py); Operations writes it in the decision log
    trace_id: str | None = None
    # api: the client's x-router-escalate header; TestTimeCompute.dispatch parses it (router/escalation.py)
    escalate_header: str | None = None
    # Gateway.decide, first: what the request's route knows beyond its chat body (api's `Wire.hints`); the context plan,
    # the cost estimate and Gateway.upstream_body read it for each candidate (a judge's own context has none)
    hints: RequestHints = NO_HINTS
    # Gateway.decide_priced: the embedding extra's answer estimate still running; settle_estimate awaits it, _drop_estimate cancels it
    pending_estimate: asyncio.Future[float | None] | None = None
    # TokenCounter.count_for: the prompt's count per model, once per request (cost estimate, context check, TokenCounter.observe)
    prompt_counts: dict[str, PromptCount] | None = None
    # CompletionForecast.forecast_for: the answer forecast per candidate, by (tier, model); abandoned-usage estimates and
    # CompletionForecast.observe read the served one (forecast.served_forecast)
    completion_forecasts: dict[tuple[str, str], Forecast] | None = None
    # LoadKnob.adjust under load: the samples a sampled tier draws instead of its strategy's; TestTimeCompute._sampled takes it
    samples: int | None = None

    # -- while serving -----------------------------------------------------------------------------------------------
    # Resilience._attempt: an attempt of the request (a sample's too) was made upstream; api's status reads it: a request
    # the gateway refused itself (`router.shed.Shed`) before any is `shed`, after one an `error` as the upstream's failure
    attempted: bool = False
    # UpstreamSampler.draw: the first sample's response body, the envelope of the sampled answer (dropped on escalation)
    sample_base: dict[str, Any] | None = None
    # usage_parts.record_part_as: each call of samples, a judge or an escalation; accounted each at its own model's prices
    usage_parts: list[UsagePart] = field(default_factory=list)
    # attempt_costs.record_failed: attempts that failed while their upstream worked (billed all the same)
    failed_attempts: list[UsagePart] = field(default_factory=list)
    # attempt_costs.record_failed: the `usage_breakdown` role of this context's failed attempts; a judge's own context
    # (UpstreamSampler.judge) says `failed_judge`, told apart from a failed sample on the same model
    failed_role: str = "failed_attempt"
