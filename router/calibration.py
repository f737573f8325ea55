"""`calibrate`'s thresholds for the gateway's config: the shares checked with the config's tolerance, and a budget's
prompts priced as the gateway's estimate prices them (the search itself is the classifier's, ``classifiers/calibrate.py``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from classifiers import calibrate
from classifiers.classifier import ScoreResult
from router.config import SHARE_TOLERANCE, RouterConfig
from router.context import TokenCounter
from router.estimate import estimate_cost
from router.forecast import CompletionForecast
from router.policy import Policy


def share_thresholds(scores: Sequence[float], tiers: list[str], shares: Mapping[str, float]
                     ) -> tuple[dict[str, float | None], dict[str, Any]]:
    """``calibrate.share_thresholds`` with the config's tolerance for `expected_share` (thirds as 0.33, not a typo)."""
    return calibrate.share_thresholds(scores, tiers, shares, tolerance=SHARE_TOLERANCE)


def cost_matrix(results: Sequence[ScoreResult], prompts: Sequence[Any], config: RouterConfig) -> np.ndarray:
    """USD per request for each prompt (rows) on each tier (columns), priced as the gateway's estimate
    prices them: the prompt counted per model (``router.context.TokenCounter``), the expected completion
    tokens per tier, and every upstream call the tier makes (a sampled tier's samples and judge;
    ``router.estimate``). A model without prices is a ValueError."""
    counter, policy, forecast = TokenCounter(config), Policy(config), CompletionForecast(config)
    per_tier = [forecast.per_tier(r, {}) for r in results]  # as the gateway forecasts (no usage learnt offline)
    n_in: dict[str, list[int]] = {}
    cols = []
    for name, tier in config.tiers.items():
        candidate = policy.candidates(name)[0]
        if tier.model not in n_in:
            n_in[tier.model] = [counter.count(tier.model, p).tokens for p in prompts]
        out_tok = [tiers[name].tokens for tiers in per_tier]
        costs = [estimate_cost(config, candidate, {}, p, c) for p, c in zip(n_in[tier.model], out_tok, strict=True)]
        if any(cost is None for cost in costs):  # as free, it took every prompt to that tier at "0.0000 USD"
            raise ValueError(f"tier {name!r}: model {candidate.model!r} has no prices; a budget needs them (0 for a free local model)")
        cols.append(costs)
    return np.array(cols, dtype=float).T


def budget_thresholds(results: Sequence[ScoreResult], prompts: Sequence[Any], config: RouterConfig, usd_per_1k: float,
                      need: Mapping[str, float] | None = None) -> tuple[dict[str, float | None], dict[str, Any]]:
    """``calibrate.budget_thresholds`` over ``cost_matrix``: the ``need`` shares (an even split by default), checked
    before the prompts are priced, cut down to what ``usd_per_1k`` affords."""
    tiers = list(config.tiers)
    weights = calibrate.share_weights(need, tiers, tolerance=SHARE_TOLERANCE) if need is not None else None
    cost = cost_matrix(results, prompts, config)
    return calibrate.budget_thresholds([r.score for r in results], cost, tiers, usd_per_1k, weights)
