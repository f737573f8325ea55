"""Every Prometheus metric the router exports, declared once on an injected registry.

Base units (seconds, USD), the `router_` prefix, and closed label sets: labels take tier,
model and backend names from the config and fixed vocabularies — never request content.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# LLM calls last from milliseconds (cache hits, tiny prompts) to minutes (long reasoning).
LLM_DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600)
TTFT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
CLASSIFIER_BUCKETS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1)
SCORE_BUCKETS = tuple(round(0.05 * i, 2) for i in range(1, 21))

TOKEN_KINDS = ("prompt", "cached_prompt", "completion", "reasoning")
DECISION_REASONS = ("classifier", "forced", "direct", "fallback")
ERROR_KINDS = ("connect", "timeout", "status", "protocol", "stream", "overloaded")


class RouterMetrics:
    """The router's metric families; one instance per process, built at start-up."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        tmb = ["tier", "model", "backend"]
        self.requests = Counter("router_requests", "Routed chat requests by outcome.", [*tmb, "status"], registry=registry)
        self.tokens = Counter("router_tokens", "Tokens by kind (prompt includes cached_prompt; completion includes reasoning).", [*tmb, "kind"], registry=registry)
        self.cost = Counter("router_cost_usd", "Spend in USD computed from configured prices.", tmb, registry=registry)
        self.duration = Histogram(
            "router_request_duration_seconds", "Time from request to last byte.", [*tmb, "stream"], buckets=LLM_DURATION_BUCKETS, registry=registry
        )
        self.ttft = Histogram(
            "router_time_to_first_token_seconds", "Time from request to the first streamed content byte.", tmb, buckets=TTFT_BUCKETS, registry=registry
        )
        self.classifier_duration = Histogram(
            "router_classifier_duration_seconds", "Time spent scoring one prompt.", buckets=CLASSIFIER_BUCKETS, registry=registry
        )
        self.score = Histogram("router_complexity_score", "Complexity scores of classified prompts.", buckets=SCORE_BUCKETS, registry=registry)
        self.decisions = Counter("router_decisions", "Routing decisions by tier and reason.", ["tier", "reason"], registry=registry)
        self.upstream_errors = Counter("router_upstream_errors", "Failed upstream attempts by error kind.", ["backend", "kind"], registry=registry)
        self.inflight = Gauge("router_inflight_requests", "Requests currently being served per backend.", ["backend"], registry=registry, multiprocess_mode="livesum")
        self.savings = Counter(
            "router_estimated_savings_usd",
            "What the same tokens would have cost on the most expensive tier, minus what they cost.",
            registry=registry,
        )
        self.fallbacks = Counter("router_fallbacks", "Attempts moved to another backend.", ["from_backend", "to_backend", "reason"], registry=registry)
        self.backend_up = Gauge("router_backend_up", "1 when the backend is usable, 0 while its circuit is open.", ["backend"], registry=registry, multiprocess_mode="liveall")
