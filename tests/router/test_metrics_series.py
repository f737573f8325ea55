"""Every counter child the config can reach exists at 0 from start-up: Prometheus counts no increase on a series that
first appears holding its value, so lazily created children hid the first burst of errors (the one that opens a circuit),
a restart's first cancellations and each label set's spend before its first scrape."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, generate_latest

from router.config import parse_config
from router.metrics import ERROR_KINDS, FALLBACK_REASONS, RouterMetrics
from router.state import AppState


def config(**extra_models: Any) -> Any:
    return parse_config({
        "backends": {"vllm": {"kind": "openai", "base_url": "http://vllm.test/v1"}, "api": {"kind": "openai", "base_url": "http://api.test/v1"}},
        "models": {"small": {"backend": "vllm", "input": 0.05, "output": 0.2}, "big": {"backend": "api", "input": 1.1, "output": 4.4},
                   **extra_models},
        "tiers": {"low": {"model": "small", "max_score": 0.5, "fallbacks": ["big"]}, "high": {"model": "big"}},
    }, env={})


def value(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


def test_every_reachable_counter_child_is_scraped_at_zero_before_the_first_request(fake_classifier: Any) -> None:
    registry = CollectorRegistry()
    AppState.build(config(), fake_classifier, registry=registry)
    for tier, model, backend in [("low", "small", "vllm"), ("low", "big", "api"), ("high", "big", "api"), ("direct", "small", "vllm")]:
        for status in ("ok", "error", "cancelled"):
            assert value(registry, "router_requests_total", tier=tier, model=model, backend=backend, status=status) == 0.0
        assert value(registry, "router_cost_usd_total", tier=tier, model=model, backend=backend) == 0.0
        assert value(registry, "router_failed_attempt_cost_usd_total", tier=tier, model=model, backend=backend) == 0.0
        assert value(registry, "router_tokens_total", tier=tier, model=model, backend=backend, kind="completion") == 0.0
    for backend in ("vllm", "api"):
        assert value(registry, "router_inflight_requests", backend=backend) == 0.0
        for kind in ERROR_KINDS:
            assert value(registry, "router_upstream_errors_total", backend=backend, kind=kind) == 0.0
    for reason in FALLBACK_REASONS:
        assert value(registry, "router_fallbacks_total", from_backend="vllm", to_backend="api", reason=reason) == 0.0
    assert value(registry, "router_fallbacks_total", from_backend="api", to_backend="vllm", reason="connect") is None, "no such move"
    assert value(registry, "router_requests_total", tier="high", model="small", backend="vllm", status="ok") is None, "not served there"
    assert value(registry, "router_limit_rejections_total", reason="requests") == 0.0
    assert value(registry, "router_retries_total", outcome="attempted") == 0.0
    assert value(registry, "router_budget_downgrades_total", tier="low") == 0.0
    series = [line for line in generate_latest(registry).decode().splitlines() if line and not line.startswith("#")]
    assert len(series) < 400, "closed and small: config names times fixed vocabularies"
    assert not [line for line in series if "_created" in line], "no creation-time gauge beside each counter child"


def test_a_reload_creates_the_new_config_s_series(fake_classifier: Any) -> None:
    registry = CollectorRegistry()
    metrics = RouterMetrics(registry)
    first = AppState.build(config(), fake_classifier, registry=registry, metrics=metrics)
    assert value(registry, "router_requests_total", tier="direct", model="spare", backend="api", status="error") is None
    AppState.build(config(spare={"backend": "api"}), fake_classifier, registry=registry, metrics=metrics, previous=first)
    assert value(registry, "router_requests_total", tier="direct", model="spare", backend="api", status="error") == 0.0



def test_a_large_config_stays_a_few_hundred_series(fake_classifier: Any) -> None:
    """Found in review: every pair of backends a failure could skip to, times ten reasons, grew as backends squared
    (5,481 series at 20 backends); only each candidate's move to the next is created ahead."""
    names = [f"b{i}" for i in range(20)]
    data = {"backends": {name: {"kind": "openai", "base_url": f"http://{name}.test/v1"} for name in names},
            "models": {f"m{i}": {"backend": name, "input": 1.0, "output": 2.0} for i, name in enumerate(names)},
            "tiers": {"low": {"model": "m0", "max_score": 0.5, "fallbacks": [f"m{i}" for i in range(1, 10)]},
                      "high": {"model": "m10", "fallbacks": [f"m{i}" for i in range(11, 20)]}}}
    registry = CollectorRegistry()
    AppState.build(parse_config(data, env={}), fake_classifier, registry=registry)
    series = [line for line in generate_latest(registry).decode().splitlines() if line and not line.startswith("#")]
    moves = {line.split("reason=")[0] for line in series if line.startswith("router_fallbacks_total")}
    assert len(moves) == 18, "m0 -> m1 -> … -> m9 and m10 -> … -> m19"
    assert len(series) < 2000, len(series)


def test_test_time_compute_and_overload_counters_are_scraped_at_zero_where_the_config_reaches_them(fake_classifier: Any) -> None:
    """Escalations, samples, load-knob changes and max_in_flight overflows appeared only at their first increment (an
    outside review saw `router_backend_overflows_total` first scraped at 2: `increase()` missed that burst)."""
    from router.config import load_config

    registry = CollectorRegistry()
    AppState.build(load_config("configs/test_time_compute.yaml", env={}), fake_classifier, registry=registry)
    for reason in ("length", "refusal", "error", "header"):
        assert value(registry, "router_escalations_total", from_tier="low", to_tier="medium", reason=reason) == 0.0
    assert value(registry, "router_escalations_total", from_tier="medium", to_tier="high", reason="low_agreement") == 0.0
    assert value(registry, "router_escalations_total", from_tier="low", to_tier="medium", reason="low_agreement") is None, "not armed"
    assert value(registry, "router_samples_total", tier="medium", strategy="self_consistency") == 0.0
    for action in ("lower_effort", "restore"):
        assert value(registry, "router_load_adjustments_total", backend="local-vllm", action=action) == 0.0
    assert value(registry, "router_backend_overflows_total", backend="local-vllm") == 0.0
    plain = CollectorRegistry()
    AppState.build(config(), fake_classifier, registry=plain)
    assert value(plain, "router_backend_overflows_total", backend="vllm") is None, "no max_in_flight: no series"
