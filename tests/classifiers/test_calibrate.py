"""Threshold search with plain inputs: scores, shares and per-prompt costs as numbers, no gateway config (which adds the
config's tolerance and prices: tests/router/test_calibration.py)."""

import numpy as np
import pytest

from classifiers.calibrate import budget_thresholds, share_thresholds, share_weights

TIERS = ["low", "medium", "high"]


def test_the_share_tolerance_is_the_caller_s():
    thirds = {"low": 0.33, "medium": 0.33, "high": 0.33}
    assert share_weights(thirds, TIERS, tolerance=0.01) == pytest.approx([1 / 3] * 3)
    with pytest.raises(ValueError, match="add up to 0.99"):
        share_weights(thirds, TIERS, tolerance=0.001)
    thr, info = share_thresholds(np.linspace(0, 1, 1000), TIERS, {"low": 50, "medium": 30, "high": 20}, tolerance=0)
    assert thr["high"] is None and info["shares"] == pytest.approx({"low": 0.5, "medium": 0.3, "high": 0.2}, abs=0.002)


def test_a_budget_is_searched_over_the_costs_it_is_given():
    scores = np.random.default_rng(2).uniform(0.05, 0.95, 300)
    cost = np.tile([0.001, 0.002, 0.02], (len(scores), 1))  # USD per request on each tier, the same for every prompt
    thr, info = budget_thresholds(scores, cost, TIERS, 5.0)
    assert info["usd_per_1k"] <= 5.0 + 1e-9 and thr["low"] < thr["medium"] and thr["high"] is None
    assert info["need"] == pytest.approx({t: 1 / 3 for t in TIERS}), "an even split unless weights are given"
    ample = budget_thresholds(scores, cost, TIERS, 1e6, np.array([0.0, 0.0, 1.0]))[1]
    assert ample["shares"]["high"] == pytest.approx(1.0) and ample["usd_per_1k"] == pytest.approx(20.0)
    with pytest.raises(ValueError, match="below"):
        budget_thresholds(scores, cost, TIERS, 0.5)
    assert budget_thresholds(scores, cost[:, :1], ["only"], 1.0) == ({"only": None}, {"shares": {"only": 1.0}, "usd_per_1k": pytest.approx(1.0),
                                                                                      "need": {"only": 1.0}})
