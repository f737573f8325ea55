"""`calibrate`'s thresholds for the gateway's config: the config's share tolerance, and budgets priced as the gateway prices."""

import numpy as np
import pytest

from router.calibration import budget_thresholds, cost_matrix, share_thresholds
from router.offline_config import load_router_config
from tests.classifiers.conftest import EASY, HARD


def test_share_thresholds_honoured():
    rng = np.random.default_rng(1)
    scores = rng.random(5000)
    thr, info = share_thresholds(scores, ["low", "medium", "high"], {"low": 0.5, "medium": 0.3, "high": 0.2})
    assert thr["high"] is None and thr["low"] < thr["medium"]
    assert info["shares"]["low"] == pytest.approx(0.5, abs=0.002)
    assert info["shares"]["medium"] == pytest.approx(0.3, abs=0.002)
    with pytest.raises(ValueError):
        share_thresholds(scores, ["low", "high"], {"low": 1.0})
    percent, _ = share_thresholds(scores, ["low", "medium", "high"], {"low": 50, "medium": 30, "high": 20})
    assert percent == thr, "percentages are shares too"
    share_thresholds(scores, ["low", "medium", "high"], {"low": 0.33, "medium": 0.33, "high": 0.33})  # thirds, rounded
    with pytest.raises(ValueError, match="add up to 1.1"):  # found in review: a typo was rescaled to 0.55/0.27/0.18 without a word
        share_thresholds(scores, ["low", "medium", "high"], {"low": 0.6, "medium": 0.3, "high": 0.2})


def test_budget_thresholds_meet_budget(tiny_classifier, config_file):
    cfg = load_router_config(str(config_file))
    prompts = [[{"role": "user", "content": t}] for t in EASY + HARD] * 5
    results = tiny_classifier.score_batch(prompts)
    for budget in (0.5, 5.0, 50.0):
        try:
            _, info = budget_thresholds(results, prompts, cfg, budget)
        except ValueError:
            continue
        assert info["usd_per_1k"] <= budget + 1e-9
    rich = budget_thresholds(results, prompts, cfg, 1e6, need={"low": 0, "medium": 0, "high": 1})[1]
    assert rich["shares"]["high"] == pytest.approx(1.0) and rich["need"]["high"] == 1.0
    with pytest.raises(ValueError, match="below"):
        budget_thresholds(results, prompts, cfg, 1e-9)


def test_the_budget_prices_prompts_as_the_gateway_does(tiny_classifier, config_file):
    """A budget calibration counts prompts as `x-router-estimated-cost-usd` does: 3,000 characters of
    Chinese are ~3,000 input tokens on every tier (a flat characters / 4 priced them as 750); English
    four characters a token, plus 4 a message."""
    cfg = load_router_config(str(config_file))
    prompts = [[{"role": "user", "content": "机器学习是人工智能的一个分支。" * 200}],
               [{"role": "user", "content": "Q: 2+2?\nA: 4\n\n" * 200 + "Q: 3+5?\nA:"}]]
    results = tiny_classifier.score_batch(prompts)
    cost = cost_matrix(results, prompts, cfg)
    for j, tier in enumerate(cfg.tiers.values()):
        model = cfg.models[tier.model]
        input_tokens = (cost[:, j] - np.array([r.expected_completion_tokens(tier.effort, tier.thinking_budget) for r in results])
                        * model.output / 1e6) * 1e6 / model.input
        assert input_tokens[0] == pytest.approx(3004, abs=1), tier
        assert input_tokens[1] == pytest.approx(len(prompts[1][0]["content"]) / 4 + 4, abs=1), tier
