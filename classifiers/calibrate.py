"""Tier thresholds from score quantiles or from a cost budget: pure search over scores, with the shares, tolerances and
per-prompt costs passed in as numbers (the gateway prices the prompts, ``router/calibration.py``, and writes the result
into its config, ``router/calibration_yaml.py``)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from classifiers.budget_search import budget_cuts

EPS = 1e-6
#: Decimals written for thresholds and shares: thresholds are at least ``EPS`` apart (four decimals
#: made two of them equal, and the config invalid).
DECIMALS = 6


def _assign(scores: np.ndarray, thr: Sequence[float]) -> np.ndarray:
    """Tier index per score: the first tier whose threshold >= score; the last catches the rest."""
    return np.searchsorted(np.asarray(thr, dtype=float), scores, side="left")


def _strict(thr: list[float]) -> list[float]:
    """Thresholds the config accepts: in [0, 1], rounded up to ``EPS`` (never moves a prompt to a dearer tier), each
    above the one before; only the last may be 1 (the tiers above it then get no score, as a share of 0 asks)."""
    scale = 10**DECIMALS  # thresholds in millionths (an integer times 1e6 is exact; a division by 1e-6 is not)
    units = [min(max(math.ceil(t * scale), 0), scale) for t in thr]
    for i in range(len(units) - 2, -1, -1):  # ties (a tier of share 0 in the middle): the lower one keeps a sliver less
        units[i] = min(units[i], units[i + 1] - 1)
    for i in range(len(units)):
        units[i] = max(units[i], 0 if i == 0 else units[i - 1] + 1)
    return [u / scale for u in units]


def share_weights(shares: Mapping[str, float], tiers: list[str], *, tolerance: float) -> np.ndarray:
    """The shares as fractions in tier order: every tier named once, adding up to 1 (or 100, as percentages) within
    ``tolerance`` (the gateway's for `expected_share`: rounding, thirds as 0.33, not a typo)."""
    if set(shares) != set(tiers):
        raise ValueError(f"--shares must name every tier exactly once: {', '.join(tiers)}")
    w = np.array([shares[t] for t in tiers], dtype=float)
    if (w < 0).any() or w.sum() <= 0:
        raise ValueError("shares must be non-negative and not all zero")
    if not any(abs(w.sum() - whole) <= tolerance * whole + 1e-9 for whole in (1.0, 100.0)):  # fractions, or percentages (1.1 was 0.55/0.27/0.18)
        raise ValueError(f"the shares add up to {w.sum():g}, not 1 (or 100, as percentages): a typo would be calibrated as meant")
    return w / w.sum()


def share_thresholds(scores: Sequence[float], tiers: list[str], shares: Mapping[str, float], *, tolerance: float
                     ) -> tuple[dict[str, float | None], dict[str, Any]]:
    """``max_score`` per tier (None for the last) so the given shares of ``scores`` land in each tier."""
    w = share_weights(shares, tiers, tolerance=tolerance)
    cum = np.cumsum(w)[:-1]
    s = np.sort(np.asarray(scores, dtype=float))
    thr = _strict([_threshold_at(s, round(c * len(s))) for c in cum])
    return _finish(np.asarray(scores, dtype=float), tiers, thr)


def _threshold_at(s: np.ndarray, m: int) -> float:
    """A threshold with the ``m`` lowest of the sorted scores ``s`` at or below it: midway between two scores."""
    if m <= 0:
        return max(float(s[0]) - EPS, 0.0)
    return 1.0 if m >= len(s) else float((s[m - 1] + s[m]) / 2.0)


def _finish(scores: np.ndarray, tiers: list[str], thr: list[float]) -> tuple[dict[str, float | None], dict[str, Any]]:
    idx = _assign(scores, thr)
    got = {t: float(np.mean(idx == i)) for i, t in enumerate(tiers)}
    out: dict[str, float | None] = {t: thr[i] for i, t in enumerate(tiers[:-1])}
    out[tiers[-1]] = None
    return out, {"shares": got}


def budget_thresholds(scores: Sequence[float], cost: np.ndarray, tiers: list[str], usd_per_1k: float,
                      weights: np.ndarray | None = None) -> tuple[dict[str, float | None], dict[str, Any]]:
    """Thresholds whose expected cost is within ``usd_per_1k``, given ``cost``, USD per request of each prompt (rows)
    on each tier (columns): the ``weights`` (fractions in tier order, ``share_weights``; an even split by default) cut
    down to what the budget affords. Each prompt needs the tier its score's rank reaches in that mix; the thresholds
    give the prompts as many of the tier steps they need as the budget pays for (the highest scores first, as
    thresholds must), at the least cost. The budget is a cap: a mix that costs less leaves the rest unspent. The
    objective it replaces, ``sum(score x tier index)``, spent the budget on thinking for "hi" before a hard prompt
    reached the top tier (a step up the cheap tiers cost a hundredth as much)."""
    weights = np.full(len(tiers), 1.0 / len(tiers)) if weights is None else weights
    cost = np.asarray(cost, dtype=float)
    if len(tiers) == 1:
        return {tiers[0]: None}, {"shares": {tiers[0]: 1.0}, "usd_per_1k": float(cost[:, 0].mean() * 1000), "need": {tiers[0]: 1.0}}
    scores = np.asarray(scores, dtype=float)
    order = np.argsort(scores, kind="stable")
    s, cost = scores[order], cost[order]
    thr = _strict([_threshold_at(s, int(m)) for m in budget_cuts(s, cost, usd_per_1k, weights)])
    out, info = _finish(scores, tiers, thr)
    info["usd_per_1k"] = float(cost[np.arange(len(s)), _assign(s, thr)].mean() * 1000)
    info["need"] = {t: float(w) for t, w in zip(tiers, weights, strict=True)}
    return out, info
