"""Where `calibrate --budget-usd-per-1k` puts the thresholds: the wanted mix of tiers cut down to what a budget
affords, searched on the sorted scores (pure numpy; router/calibration.py prices the prompts, router/calibration_yaml.py writes the result)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Threshold placements the coarse pass weighs at most; a refinement at full resolution follows it.
BUDGET_COMBINATIONS = 1_000_000
#: Costs that differ by less than this (USD per 1k requests) are equal: float noise in the prefix sums decided between
#: two tiers of one price, and sent easy prompts up.
COST_TOLERANCE = 1e-9


def budget_cuts(s: np.ndarray, cost: np.ndarray, usd_per_1k: float, weights: np.ndarray) -> np.ndarray:
    """How many of the sorted scores ``s`` fall below each threshold (one per tier but the last) in the best mix
    within budget: the most tier steps needed met, then the least cost, then the higher thresholds (a tier no prompt
    needed stays out of reach of a prompt above the sample's scores). ``cost`` is USD per prompt (rows) per tier;
    ``weights`` the wanted share of each tier. A coarse pass over every monotone placement of a subset of the cut
    points, and the wanted mix itself, is refined one threshold at a time over all of them."""
    n, k = cost.shape
    mix = _Mix(s, cost, weights)
    every = tie_boundaries(s)
    wanted = every[np.abs(every[None, :] - np.round(np.cumsum(weights)[:-1] * n)[:, None]).argmin(axis=1)]
    coarse = _thinned(every, _per_threshold(k - 1))
    best = mix.best(np.r_[coarse[_monotone(len(coarse), k - 1)], wanted[None, :]], usd_per_1k)  # the wanted mix: a candidate
    if best is None:
        cheapest = float(cost.min(axis=1).mean() * 1000)
        raise ValueError(f"budget {usd_per_1k} USD per 1k requests is below the least these prompts can cost ({cheapest:.4f}: each on its cheapest tier)")
    while True:  # one threshold at a time, between its neighbours, over every cut point
        before = best.copy()
        for i in range(k - 1):
            low, high = best[i - 1] if i else 0, best[i + 1] if i + 1 < k - 1 else n
            options = every[(every >= low) & (every <= high)]
            trial = np.repeat(best[None, :], len(options), axis=0)
            trial[:, i] = options
            best = mix.best(np.r_[best[None, :], trial], usd_per_1k)  # type: ignore[assignment]
        if np.array_equal(best, before):
            return best


def rounded_cost(usd_per_1k: np.ndarray | float) -> np.ndarray:
    """A mix's cost (USD per 1k requests) on the search's grid of ``COST_TOLERANCE``: the budget admits what is at most
    one step above it once rounded, so a check of the search's choice rounds the same way."""
    return np.round(np.asarray(usd_per_1k) / COST_TOLERANCE) * COST_TOLERANCE


def tie_boundaries(s: np.ndarray) -> np.ndarray:
    """Where a threshold can fall in the sorted scores ``s`` (a count of prompts below it): between two different
    scores, or at either end."""
    return np.unique(np.r_[0, np.flatnonzero(np.diff(s) > 0) + 1, len(s)])


def needed_tiers(s: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The tier each sorted score needs: the one its rank reaches in the wanted mix; a run of equal scores needs what
    its first member does (no threshold splits it, and ranked past a boundary its last members sent all 40 copies of a
    greeting up a tier)."""
    n = len(s)
    by_rank = np.searchsorted(np.round(np.cumsum(weights)[:-1] * n), np.arange(n), side="right")
    first = np.maximum.accumulate(np.where(np.r_[True, np.diff(s) > 0], np.arange(n), 0))
    return by_rank[first]


@dataclass
class _Mix:
    """Prefix sums over the sorted prompts: a placement of thresholds is priced and scored in O(tiers)."""

    s: np.ndarray
    cost: np.ndarray
    weights: np.ndarray

    def __post_init__(self) -> None:
        needed = needed_tiers(self.s, self.weights)
        k = self.cost.shape[1]
        self.usd = [np.r_[0.0, np.cumsum(self.cost[:, i])] for i in range(k)]
        self.met = [np.r_[0, np.cumsum(np.minimum(i, needed))] for i in range(k)]

    def best(self, grid: np.ndarray, usd_per_1k: float) -> np.ndarray | None:
        """The best row of ``grid`` (placements, one column per threshold) within budget; None if none fits."""
        n, k = self.cost.shape
        bounds = np.c_[np.zeros(len(grid), dtype=int), grid, np.full(len(grid), n)]
        per_1k, steps = (sum(table[i][bounds[:, i + 1]] - table[i][bounds[:, i]] for i in range(k)) for table in (self.usd, self.met))
        per_1k = rounded_cost(per_1k / n * 1000)
        fits = per_1k <= usd_per_1k + COST_TOLERANCE
        if not fits.any():
            return None
        grid, per_1k, steps = grid[fits], per_1k[fits], steps[fits]
        return grid[np.lexsort((*grid.T[::-1], -per_1k, steps))[-1]].copy()


def _per_threshold(d: int) -> int:
    """The most cut points whose monotone placements of ``d`` thresholds number at most ``BUDGET_COMBINATIONS``."""
    if d == 1:
        return BUDGET_COMBINATIONS
    p = 2
    while math.comb(p + d, d) <= BUDGET_COMBINATIONS:
        p += 1
    return p


def _thinned(cuts: np.ndarray, limit: int) -> np.ndarray:
    """At most ``limit`` of ``cuts``, evenly spaced by rank, both ends kept."""
    if len(cuts) <= limit:
        return cuts
    return cuts[np.unique(np.round(np.linspace(0, len(cuts) - 1, limit)).astype(int))]


def _monotone(p: int, d: int) -> np.ndarray:
    """Every non-decreasing ``d``-tuple of indices below ``p``, one per row (built column by column, no Python loop
    over the rows: a full grid filtered to its monotone rows spent most of its budget on the rest)."""
    rows = np.arange(p)[:, None]
    for _ in range(d - 1):
        last = rows[:, -1]
        counts = p - last
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        following = np.arange(counts.sum()) - starts + np.repeat(last, counts)
        rows = np.c_[np.repeat(rows, counts, axis=0), following]
    return rows
