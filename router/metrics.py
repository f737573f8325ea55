"""Every Prometheus metric the router exports, declared once on an injected registry.

Base units (seconds, USD), the `router_` prefix, and closed label sets: labels take tier,
model and backend names from the config and fixed vocabularies — never request content.
"""

from __future__ import annotations

import contextlib
import math
import struct
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, get_args

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.values import MutexValue

from backends.base import ErrorKind

if TYPE_CHECKING:
    from backends.usage import Usage

# LLM calls last from milliseconds (cache hits, tiny prompts) to minutes (long reasoning).
# The top buckets reach past the default `timeouts.total` (900 s) and `first_byte` (120 s), which a request's
# attempts and fallbacks add up beyond: an answer past the top bucket reads as that bucket in `histogram_quantile`.
LLM_DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 900, 1800)
TTFT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
CLASSIFIER_BUCKETS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1)
EMBEDDING_BUCKETS = (0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
#: Why a request went without its embedding: too many waiting, the wait timed out, the model failed.
EMBEDDING_FALLBACKS = ("busy", "timeout", "error")
SCORE_BUCKETS = tuple(round(0.05 * i, 2) for i in range(1, 21))
# Actual over estimated cost: 1 is a perfect estimate; the buckets are symmetric in log scale.
ESTIMATE_RATIO_BUCKETS = (0.125, 0.25, 0.5, 0.8, 1.25, 2.0, 4.0, 8.0)

TOKEN_KINDS = ("prompt", "cached_prompt", "cache_write", "cache_write_1h", "completion", "reasoning")
DECISION_REASONS = ("classifier", "forced", "direct", "fallback", "context", "escalation")
ESCALATION_REASONS = ("length", "refusal", "error", "low_agreement", "header")  # router/escalation.py
LOAD_ACTIONS = ("lower_effort", "spill", "restore")  # router/loadknob.py
ERROR_KINDS: tuple[str, ...] = get_args(ErrorKind)
FALLBACK_REASONS = (*ERROR_KINDS, "circuit_open", "rate_limited", "at_capacity")
RETRY_OUTCOMES = ("attempted", "budget_exhausted")
REQUEST_STATUSES = ("ok", "error", "client_error", "cancelled", "shed")  # shed: refused by the gateway, no upstream called (api._failed)
UPSTREAM_ERROR_KINDS = (*ERROR_KINDS, "rejected")  # rejected: the upstream refused the request as too large (a 413, context_length_exceeded)
LIMIT_REASONS = ("requests", "tokens", "budget", "count_requests", "unavailable")  # router/limits.py


class LoopValue(MutexValue):
    """prometheus-client's single-process value without its lock.

    Every update comes from the event loop's thread (handlers, the relay, background tasks on
    the loop), so the float needs no mutex; the lock cost ~1 µs per update, about 15 per
    request. Reads (a `/metrics` scrape, on the same loop) see a consistent float either way.
    Multiprocess values (`serve --workers N`, router/multiproc.py) get `LoopMmapValue` instead.
    """

    def inc(self, amount: float) -> None:
        self._value += amount

    def set(self, value: float, timestamp: float | None = None) -> None:
        self._value = value

    def get(self) -> float:
        return self._value


_PACK_TWO_DOUBLES = struct.Struct("dd").pack_into  # prometheus-client's record: value, timestamp


class LoopMmapValue:
    """prometheus-client's multiprocess value (`serve --workers N`) without its lock and its
    `os.getpid()` per update (a system call on current glibc), writing the same record to the
    same place of the worker's memory-mapped file.

    Safe for the same reason as `LoopValue` (updates come from the event loop's thread), and
    because a worker never forks after its metrics exist (uvicorn spawns workers; the metrics
    are built in each worker's lifespan). The record's offset never moves; the mapping itself
    may be replaced when the file grows, so it is looked up per write.
    """

    __slots__ = ("_file", "_key", "_params", "_pos", "_timestamp", "_value")
    _multiprocess = True

    def __init__(self, value: Any) -> None:
        self._params, self._file, self._key = value._params, value._file, value._key
        self._value, self._timestamp = value._value, value._timestamp
        self._pos: int = value._file._positions[value._key]

    def inc(self, amount: float) -> None:
        self._value += amount
        self._timestamp = 0.0
        _PACK_TWO_DOUBLES(self._file._m, self._pos, self._value, 0.0)

    def set(self, value: float, timestamp: float | None = None) -> None:
        self._value = value
        self._timestamp = timestamp or 0.0
        _PACK_TWO_DOUBLES(self._file._m, self._pos, value, self._timestamp)

    def set_exemplar(self, exemplar: Any) -> None:
        return None

    def get(self) -> float:
        return self._value

    def get_exemplar(self) -> None:
        return None


def _mmap_value(value: Any) -> Any:
    """`value` as a `LoopMmapValue`, or unchanged if it is not a prometheus-client mmap value
    of the known shape (another client version: its own, locked value keeps working)."""
    try:
        return LoopMmapValue(value)
    except (AttributeError, KeyError, TypeError):
        return value


def unlock(metric: Any) -> Any:
    """Swap a metric child's (or unlabelled metric's) locked values for lock-free ones, keeping
    their counts: `LoopValue` in one process, `LoopMmapValue` across workers."""

    def swap(value: Any) -> Any:
        if type(value) is not MutexValue:
            return _mmap_value(value) if getattr(value, "_multiprocess", False) and type(value) is not LoopMmapValue else value
        fresh = LoopValue.__new__(LoopValue)
        fresh.__dict__.update(value.__dict__)
        return fresh

    for attr in ("_value", "_sum"):
        if hasattr(metric, attr):
            setattr(metric, attr, swap(getattr(metric, attr)))
    if hasattr(metric, "_buckets"):
        metric._buckets = [swap(b) for b in metric._buckets]
    return metric


def memoise_labels(family: Any) -> Any:
    """Make `family.labels(*values)` a dict lookup after the first call per label set, and its
    children lock-free (`unlock`).

    prometheus-client takes a lock and re-validates the values on every `.labels()` call; the
    request path makes about a dozen per request. Label sets here are closed (config names and
    fixed vocabularies), so the memo stays small. Only for families whose children are never
    `remove()`d or `clear()`ed (a removed child would live on in the memo).
    """
    children: dict[tuple[Any, ...], Any] = {}
    uncached = family.labels

    def labels(*values: Any, **kwargs: Any) -> Any:
        if kwargs:
            return uncached(*values, **kwargs)
        child = children.get(values)
        if child is None:
            child = children[values] = unlock(uncached(*values))
        return child

    family.labels = labels
    return family


#: The client-facing APIs, each served through the chat route (router/api.py): the `api` label's values.
APIS = ("chat", "completions", "responses", "messages")


class RouterMetrics:
    """The router's metric families; one instance per process, built at start-up."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        disable_created_metrics()  # a `_created` gauge per counter child, two in five series scraped (workers export none)
        tmb = ["tier", "model", "backend"]
        self.requests = Counter("router_requests", "Routed chat requests by outcome.", [*tmb, "status"], registry=registry)
        self.tokens = Counter("router_tokens", "Tokens by kind (prompt includes cached_prompt and cache_write, which includes cache_write_1h; completion includes reasoning).",
                              [*tmb, "kind"], registry=registry)
        self.cost = Counter("router_cost_usd", "Spend in USD computed from configured prices.", tmb, registry=registry)
        self.failed_attempt_cost = Counter("router_failed_attempt_cost_usd",
                                           "Spend in USD on attempts that failed while their upstream worked (part of router_cost_usd).", tmb, registry=registry)
        self.duration = Histogram(
            "router_request_duration_seconds", "Time from request to last byte.", [*tmb, "stream"], buckets=LLM_DURATION_BUCKETS, registry=registry
        )
        self.ttft = Histogram(
            "router_time_to_first_token_seconds", "Time from the start of the attempt that answered to its first streamed token.", tmb, buckets=TTFT_BUCKETS, registry=registry
        )
        self.classifier_duration = Histogram(
            "router_classifier_duration_seconds", "Time spent scoring one prompt.", buckets=CLASSIFIER_BUCKETS, registry=registry
        )
        self.answer_embedding_duration = Histogram(
            "router_answer_embedding_duration_seconds",
            "Wait for a prompt's embedding (classifier.embedding: the answer-token estimate), queueing included.",
            buckets=EMBEDDING_BUCKETS, registry=registry,
        )
        self.answer_embedding_fallbacks = Counter(
            "router_answer_embedding_fallbacks",
            "Requests priced with the default answer estimate though classifier.embedding is on (busy, timeout, error).",
            ["reason"], registry=registry,
        )
        for reason in EMBEDDING_FALLBACKS:
            self.answer_embedding_fallbacks.labels(reason)
        self.score = Histogram("router_complexity_score", "Complexity scores of classified prompts.", buckets=SCORE_BUCKETS, registry=registry)
        self.decisions = Counter("router_decisions", "Routing decisions by tier and reason.", ["tier", "reason"], registry=registry)
        self.api_requests = Counter(
            "router_api_requests", "Requests received by API (chat, completions, responses, messages), refused ones included.", ["api"], registry=registry
        )
        for api in APIS:
            self.api_requests.labels(api)
        self.classifier_tier = Counter(
            "router_classifier_tier",
            "Classified requests by the tier their score selects, before cost caps, budgets, load and context move them.",
            ["tier"], registry=registry,
        )
        self.tier_expected_share = Gauge(
            "router_tier_expected_share", "The share of classified requests each tier was calibrated to take (tiers.<name>.expected_share).",
            ["tier"], registry=registry, multiprocess_mode="livemax",
        )
        self._calibrated_tiers: set[str] = set()
        self.upstream_errors = Counter("router_upstream_errors", "Failed upstream attempts by error kind.", ["backend", "kind"], registry=registry)
        self.inflight = Gauge("router_inflight_requests", "Requests currently being served per backend.", ["backend"], registry=registry, multiprocess_mode="livesum")
        self.cost_estimate_ratio = Histogram(
            "router_cost_estimate_ratio",
            "A request's cost over the cost estimated before dispatch (x-router-estimated-cost-usd), when the estimated model served it.",
            ["tier"], buckets=ESTIMATE_RATIO_BUCKETS, registry=registry,
        )
        self.savings = Counter(
            "router_estimated_savings_usd",
            "What the same tokens would have cost on the most expensive tier, minus what they cost.",
            registry=registry,
        )
        self.top_tier_cost = Counter(
            "router_top_tier_cost_usd",
            "What the same tokens would have cost on the most expensive tier's model (the savings' baseline; minus router_cost_usd: net savings).",
            registry=registry,
        )
        self.fallbacks = Counter("router_fallbacks", "Attempts moved to another backend.", ["from_backend", "to_backend", "reason"], registry=registry)
        self.overflows = Counter(
            "router_backend_overflows", "Attempts not made because the backend had circuit.max_in_flight in flight (moved on, or 503).", ["backend"], registry=registry
        )
        self.retries = Counter(
            "router_retries", "Extra attempts after a failed one (attempted) and those the retry budget refused (budget_exhausted).", ["outcome"], registry=registry
        )
        self.backend_up = Gauge("router_backend_up", "1 when the backend is usable, 0 while its circuit is open.", ["backend"], registry=registry, multiprocess_mode="liveall")
        # Operations (router/limits.py, router/reload.py).
        self.limit_rejections = Counter(
            "router_limit_rejections", "Requests refused by per-key limits (requests, tokens, budget, count_requests: 429 — a token count's, held or its own; unavailable: 503).", ["reason"], registry=registry
        )
        self.limit_state_errors = Counter("router_limit_state_errors", "Failed calls to the shared limit store (Redis).", registry=registry)
        self.budget_downgrades = Counter("router_budget_downgrades", "Requests sent to a cheaper tier because their key was over budget.", ["tier"], registry=registry)
        self.config_reloads, self.config_reload_ok = reload_metrics(registry)
        # Test-time compute (router/strategies, router/escalation.py, router/loadknob.py).
        self.escalations = Counter("router_escalations", "Requests handed to a stronger tier before the first byte.", ["from_tier", "to_tier", "reason"], registry=registry)
        self.samples = Counter("router_samples", "Completions drawn by sampled tiers (self_consistency, best_of_n).", ["tier", "strategy"], registry=registry)
        self.agreement = Histogram("router_sample_agreement", "Share of samples that agree with the chosen answer.", ["tier"], buckets=SCORE_BUCKETS, registry=registry)
        self.load_adjustments = Counter("router_load_adjustments", "Load-knob changes per backend (lower_effort, spill, restore).", ["backend", "action"], registry=registry)
        self.load_adjustment = Gauge(
            "router_load_adjustment", "Current load adjustment of a tier: 0 none, 1 effort lowered, 2 spilled to its fallback.", ["backend", "tier"],
            registry=registry, multiprocess_mode="livemax",
        )
        self.backend_pressure = Gauge("router_backend_pressure", "1 while the load knob sees the backend under pressure.", ["backend"], registry=registry, multiprocess_mode="livemax")
        # Families touched on every request (never remove()d/clear()ed): children from a memo.
        for family in (self.requests, self.tokens, self.cost, self.duration, self.ttft, self.decisions, self.classifier_tier, self.inflight,
                       self.cost_estimate_ratio, self.api_requests):
            memoise_labels(family)
        for metric in (self.classifier_duration, self.answer_embedding_duration, self.score, self.savings, self.top_tier_cost):
            unlock(metric)

    def count_tokens(self, labels: tuple[str, str, str], usage: Usage) -> None:
        """`usage` in `router_tokens_total` under (tier, model, backend), by kind."""
        for kind, count in usage.by_kind().items():
            self.tokens.labels(*labels, kind).inc(count)

    def publish_series(self, served: Iterable[tuple[str, str, str]], moves: Iterable[tuple[str, str]], backends: Iterable[str],
                       tiers: Iterable[str], reachable: Mapping[str, Iterable[tuple[str, ...]]] | None = None) -> None:
        """Create at 0 every counter child the config can reach (start-up and every reload): `served` (tier, model,
        backend) label sets, the (from, to) backend `moves` a fallback can make, `backends`, `tiers`, and the label sets
        of the families named in `reachable` (attribute name → label sets: escalations, samples, load_adjustments,
        overflows). A series first scraped holding its whole value is counted by no `rate()` or `increase()`: the burst
        of errors that opened a circuit, a restart's first cancellations and each label set's spend before its first
        scrape never showed."""
        for family, label_sets in (reachable or {}).items():
            for labels in label_sets:
                getattr(self, family).labels(*labels)
        for labels in served:
            for status in REQUEST_STATUSES:
                self.requests.labels(*labels, status)
            for kind in TOKEN_KINDS:
                self.tokens.labels(*labels, kind)
            self.cost.labels(*labels)
            self.failed_attempt_cost.labels(*labels)
        for backend in backends:
            self.inflight.labels(backend)  # a worker replaced by a reload exports its 0, not "No data"
            for error in UPSTREAM_ERROR_KINDS:
                self.upstream_errors.labels(backend, error)
        for source, target in moves:
            for reason in FALLBACK_REASONS:
                self.fallbacks.labels(source, target, reason)
        for tier in tiers:
            self.budget_downgrades.labels(tier)
        for reason in LIMIT_REASONS:
            self.limit_rejections.labels(reason)
        for outcome in RETRY_OUTCOMES:
            self.retries.labels(outcome)

    def publish_calibration(self, tiers: Iterable[str], shares: Mapping[str, float]) -> None:
        """Export the tiers and calibrated shares of the config in force (start-up and every reload).

        Every tier's classifier-tier counter exists from the start, so a tier the score never
        picks shows a live share of 0 rather than none. A tier no longer calibrated is retired
        from `router_tier_expected_share`, where a stale share would read as drift."""
        for tier in tiers:
            self.classifier_tier.labels(tier)
        for tier in self._calibrated_tiers - shares.keys():
            retire(self.tier_expected_share, tier)
        for tier, share in shares.items():
            self.tier_expected_share.labels(tier).set(share)
        self._calibrated_tiers = set(shares)


def reload_metrics(registry: CollectorRegistry | None) -> tuple[Counter, Gauge]:
    """Config reloads by result, and whether the last one succeeded: a worker's own (router/reload.py) and, under
    `serve --workers N`, the parent's, which checks the file on SIGHUP (router/supervisor.py)."""
    reloads = Counter("router_config_reloads", "Configuration reloads by result (success, failure).", ["result"], registry=registry)
    ok = Gauge("router_config_last_reload_successful", "0 while the last configuration reload failed (the old config stays in force).",
               registry=registry, multiprocess_mode="livemin")
    ok.set(1)
    for result in ("success", "failure"):  # at 0 from the start: the first reload's increase() counts
        reloads.labels(result)
    return reloads, ok


def retire(gauge: Gauge, *labels: str) -> None:
    """Drop a gauge's child when its config entry is gone (a backend, a calibrated tier). Across workers
    prometheus-client cannot remove it — its last value stays in this process's metrics file — so it is
    set to NaN first: no alert comparison matches NaN, where a stale 0 (a backend "down") would fire."""
    gauge.labels(*labels).set(math.nan)
    with contextlib.suppress(KeyError):
        gauge.remove(*labels)
