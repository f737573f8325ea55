"""The tier mix against its calibration: `router_classifier_tier_total` counts the tier each score
selects, `router_tier_expected_share` exports `tiers.<name>.expected_share`; the drift alert
(deploy/prometheus/alerts.yml, unit-tested by promtool) compares the two."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from router.config import parse_config
from router.metrics import RouterMetrics
from router.state import AppState
from tests.router.conftest import CONFIG, Harness, make_config

pytestmark = pytest.mark.anyio

SHARES = {"low": 0.5, "medium": 0.3, "high": 0.2}


def calibrated_config(shares: dict[str, float] = SHARES) -> Any:
    tiers = {name: {**tier, "expected_share": shares[name]} if name in shares else dict(tier) for name, tier in CONFIG["tiers"].items()}
    return make_config(tiers=tiers)


async def test_the_score_s_tier_is_counted_before_a_cost_cap_moves_the_request(make_harness: Any) -> None:
    harness: Harness = await make_harness(calibrated_config())
    for tier, share in SHARES.items():
        assert harness.registry.get_sample_value("router_classifier_tier_total", {"tier": tier}) == 0, "every tier exported from the start"
        assert harness.metric("router_tier_expected_share", tier=tier) == share
    await harness.chat("easy [score=0.1]")
    capped = await harness.client.post("/v1/chat/completions", json={"model": "auto", "messages": [{"role": "user", "content": "hard [score=0.95]"}]},
                                       headers={"x-router-max-cost-usd": "0.001"})
    assert capped.json()["router"]["downgraded_from"] == "high"
    await harness.chat("forced", model="auto:high")
    await harness.chat("direct", model="small")
    assert harness.metric("router_classifier_tier_total", tier="low") == 1
    assert harness.metric("router_classifier_tier_total", tier="high") == 1, "the score picked high; the cap moved it"
    assert harness.metric("router_decisions_total", tier="high", reason="classifier") == 0
    assert harness.metric("router_classifier_tier_total", tier="medium") == 0, "forced and direct requests are not classified"


async def test_an_uncalibrated_config_exports_no_expected_share(harness: Harness) -> None:
    samples = [s for m in harness.registry.collect() for s in m.samples if s.name == "router_tier_expected_share"]
    assert samples == []


def test_a_reload_replaces_the_exported_shares(fake_classifier: Any) -> None:
    registry = CollectorRegistry()
    metrics = RouterMetrics(registry)
    first = AppState.build(calibrated_config(), fake_classifier, registry=registry, metrics=metrics)
    AppState.build(calibrated_config({"low": 0.6, "medium": 0.3, "high": 0.1}), fake_classifier, registry=registry, metrics=metrics, previous=first)
    assert registry.get_sample_value("router_tier_expected_share", {"tier": "low"}) == 0.6
    assert registry.get_sample_value("router_tier_expected_share", {"tier": "high"}) == 0.1
    AppState.build(make_config(), fake_classifier, registry=registry, metrics=metrics, previous=first)
    assert [s for m in registry.collect() for s in m.samples if s.name == "router_tier_expected_share"] == []


WITHDRAW_ACROSS_WORKERS = """
import math, sys
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from router.metrics import RouterMetrics
metrics = RouterMetrics(CollectorRegistry())
metrics.publish_calibration(["low", "high"], {"low": 0.7, "high": 0.3})
metrics.publish_calibration(["low", "high"], {})
scrape = CollectorRegistry()
MultiProcessCollector(scrape)
values = {s.labels["tier"]: s.value for m in scrape.collect() for s in m.samples if s.name == "router_tier_expected_share"}
print(sorted(values), all(math.isnan(v) for v in values.values()))
"""


def test_a_withdrawn_share_reads_as_nan_across_workers(tmp_path: Any) -> None:
    """With `serve --workers N` a removed child's last value stays in the worker's metrics file; it
    must read as NaN (never drift) rather than as the old share."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", WITHDRAW_ACROSS_WORKERS], env=env, capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "['high', 'low'] True"


@pytest.mark.parametrize(
    ("shares", "message"),
    [
        ({"low": 0.5, "medium": 0.3}, "tiers.high.expected_share: set expected_share on every tier or on none"),
        ({"low": 0.5, "medium": 0.3, "high": 0.3}, "add up to 1.100, not 1"),
        ({"low": 1.5, "medium": 0.0, "high": 0.0}, "tiers.low.expected_share"),
    ],
)
def test_expected_shares_describe_one_split_of_the_traffic(shares: dict[str, float], message: str) -> None:
    data = {**CONFIG, "tiers": {name: {**tier, **({"expected_share": shares[name]} if name in shares else {})} for name, tier in CONFIG["tiers"].items()}}
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        parse_config(data, env={})


def test_shares_within_rounding_of_one_are_accepted() -> None:
    config = calibrated_config({"low": 0.3334, "medium": 0.3333, "high": 0.3332})
    assert config.expected_shares() == {"low": 0.3334, "medium": 0.3333, "high": 0.3332}
    assert math.isclose(sum(config.expected_shares().values()), 0.9999)


def test_a_score_at_a_tier_s_max_score_is_that_tier_s() -> None:
    """README: "the first tier (cheapest first) whose `max_score` ≥ score is used" — the bound itself belongs to the
    cheaper tier (mutation review: `<` in place of `<=` sent every score of exactly 0.4 to medium, unnoticed)."""
    from router.policy import Policy

    policy = Policy(make_config())
    assert [policy.tier_for_score(s) for s in (0.0, 0.4, 0.4000001, 0.75, 0.7500001, 1.0)] == ["low", "low", "medium", "medium", "high", "high"]


def test_fallback_to_next_tier_lists_every_tier_above_in_order() -> None:
    """With `routing.fallback_to_next_tier`, a tier's candidates are its model and fallbacks, then each tier above in turn
    (none skipped), each (model, tier) once; without it, the tier's own."""
    from router.policy import Policy

    on = Policy(make_config(routing={"fallback_to_next_tier": True}))
    assert [(c.tier, c.model) for c in on.candidates("low")] == [("low", "small"), ("medium", "small"), ("high", "big"), ("high", "spare-big")]
    assert [(c.tier, c.model, c.effort, c.thinking_budget) for c in on.candidates("medium")][:1] == [("medium", "small", "medium", 2048)]
    off = Policy(make_config())
    assert [(c.tier, c.model) for c in off.candidates("low")] == [("low", "small")]
    assert [(c.tier, c.model) for c in off.candidates("high")] == [("high", "big"), ("high", "spare-big")]
