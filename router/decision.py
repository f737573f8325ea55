"""The routing decision for one request, and how it is reported to the client."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from router.policy import Candidate, Reason
from router.request_context import RequestContext
from router.router_report import RouterReport

if TYPE_CHECKING:
    from backends.usage import Usage


@dataclass(slots=True)
class Decision:
    """Where a request went and why; filled in as the request is served."""

    request_id: str
    tier: str
    reason: Reason
    candidates: list[Candidate]
    score: float | None = None
    scored: Any = None  # the classifier's result (`ScoreLike`), kept for `features`
    estimated_cost_usd: float | None = None
    model: str = ""
    backend: str = ""
    effort: str | None = None
    attempts: int = 0
    cost_usd: float | None = None
    spent_usd: float | None = None  # the priced calls' sum, as /metrics books it (``cost_usd`` is null if any has no price)
    # what a stream assembled for a non-streamed call had written when its client left: events read, usage reported so
    # far (the upstream closed then billed that); per decision, as a sampled tier's calls share one `context` object
    left_writing: tuple[int, Usage | None] | None = None
    # its client left while the attempt waited for a pooled connection: the upstream got nothing (backends/h1pool.py)
    unsent: bool = False
    # the current call's price tier: Resilience._attempt (the one asked), then pricing.note_service_tier (the one its answer
    # named); per decision, as the samples drawn at once share one `context` (one's answer priced another at its tier)
    service_tier: str | None = None
    # `time.perf_counter()` as the call's current attempt began (Resilience._attempt; a sampled request's, its naming sample's:
    # UpstreamSampler._named_by): api's time to first token is that attempt's own — per decision, as `service_tier` is
    attempt_started: float | None = None
    report: RouterReport = field(default_factory=RouterReport)  # the router object's optional keys (router/router_report.py)
    context: RequestContext = field(default_factory=RequestContext)  # server-side only (router/request_context.py); never sent to the client

    @property
    def features(self) -> tuple[tuple[str, float], ...]:
        """The features that drove the score; computed only when read (the request path never
        does: it costs as much as a tenth of a classification)."""
        return tuple(self.scored.top_features) if self.scored is not None else ()

    def choose(self, candidate: Candidate, backend: str) -> None:
        self.model, self.backend, self.effort, self.tier = candidate.model, backend, candidate.effort, candidate.tier
        self.attempts += 1

    def router_object(self) -> dict[str, Any]:
        """The top-level `router` object added to responses and to the final usage chunk."""
        data: dict[str, Any] = {
            "tier": self.tier,
            "model": self.model,
            "backend": self.backend,
            "score": None if self.score is None else round(self.score, 3),
            "reason": self.reason,
            "effort": self.effort,
            "cost_usd": self.cost_usd,
            "estimated_cost_usd": self.estimated_cost_usd,
            "attempts": self.attempts,
            "request_id": self.request_id,
        }
        return self.report.fill(data)

    def headers(self, *, with_cost: bool) -> dict[str, str]:
        headers = {
            "x-request-id": self.request_id,  # the openai SDK's `_request_id`
            "request-id": self.request_id,  # the anthropic SDK's
            "x-router-tier": self.tier,
            "x-router-model": self.model,
            "x-router-backend": self.backend,
        }
        if self.score is not None:
            headers["x-router-score"] = f"{self.score:.3f}"
        if self.estimated_cost_usd is not None:
            headers["x-router-estimated-cost-usd"] = usd(self.estimated_cost_usd)
        if with_cost:
            headers["x-router-cost-usd"] = "" if self.cost_usd is None else usd(self.cost_usd)
        return headers


def usd(value: float) -> str:
    """A dollar amount as headers and messages write it: to the 1e-10, without trailing zeros (0.000000 hid $3e-07)."""
    return f"{value:.10f}".rstrip("0").rstrip(".") or "0"
