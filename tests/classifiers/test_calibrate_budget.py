"""The budget search of `calibrate --budget-usd-per-1k`: the wanted mix cut down to what the budget affords."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.budget_search import COST_TOLERANCE, budget_cuts, rounded_cost

#: USD per request of the review's tiers (no thinking, thinking, a reasoning API): 0.037 / 0.416 / 37.13 per 1k.
REVIEW_TIERS = np.array([0.037, 0.416, 37.13]) / 1000


def _steps_and_usd(cuts: tuple[int, ...], cost: np.ndarray, needed: np.ndarray) -> tuple[int, float]:
    bounds = (0, *cuts, len(cost))
    tier = np.concatenate([np.full(b - a, i) for i, (a, b) in enumerate(itertools.pairwise(bounds))])
    return int(np.minimum(tier, needed).sum()), float(cost[np.arange(len(cost)), tier].sum() / len(cost) * 1000)


@st.composite
def pools(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    n = draw(st.integers(1, 14))
    k = draw(st.integers(2, 4))
    scores = np.sort(np.array(draw(st.lists(st.sampled_from([0.05, 0.2, 0.4, 0.41, 0.7, 0.9]), min_size=n, max_size=n))))
    steps = draw(st.lists(st.lists(st.floats(0.0, 5.0), min_size=k, max_size=k), min_size=n, max_size=n))
    cost = np.cumsum(np.array(steps), axis=1) / 1000  # dearer up the tiers, per prompt
    weights = np.array(draw(st.lists(st.integers(0, 3), min_size=k, max_size=k).filter(lambda w: sum(w) > 0)), dtype=float)
    floor, top = cost[:, 0].mean() * 1000, cost[:, -1].mean() * 1000
    budget = floor + draw(st.floats(0.0, 1.2)) * (top - floor)
    return scores, cost, budget, weights / weights.sum()


def _reference_needs(s: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The spec, written out: a prompt needs the tier its rank reaches in the wanted mix; equal scores, what the first
    of them needs."""
    n = len(s)
    bounds = np.round(np.cumsum(weights)[:-1] * n)
    need = [int(sum(rank >= b for b in bounds)) for rank in range(n)]
    for rank in range(1, n):
        if s[rank] == s[rank - 1]:
            need[rank] = need[rank - 1]
    return np.array(need)


@settings(max_examples=300, deadline=None)
@given(pools())
def test_the_search_finds_the_best_mix_any_thresholds_reach(pool):
    """Against every threshold placement on a small pool: no mix within budget meets more of the tier steps the
    prompts need, or meets as many for less."""
    s, cost, budget, weights = pool
    n, k = cost.shape
    needed = _reference_needs(s, weights)
    found = _steps_and_usd(tuple(int(c) for c in budget_cuts(s, cost, budget, weights)), cost, needed)
    assert rounded_cost(found[1]) <= budget + COST_TOLERANCE  # the search's own rounding
    assert found[1] <= budget + 2 * COST_TOLERANCE  # and within half a step of it unrounded (a broken rounding fails)
    places = [0, *(i for i in range(1, n) if s[i] != s[i - 1]), n]  # a threshold falls between different scores
    reachable = [_steps_and_usd(c, cost, needed) for c in itertools.combinations_with_replacement(places, k - 1)]
    best = max((steps, -usd) for steps, usd in reachable if rounded_cost(usd) <= budget + COST_TOLERANCE)
    assert found[0] == best[0] and found[1] == pytest.approx(-best[1], abs=1e-9)


def test_easy_prompts_stay_on_the_cheap_tier_while_hard_ones_climb():
    """review_s36_cli F4: maximizing sum(score x tier index) moved every prompt to the thinking tier (0 / 93 / 7 % at
    5 USD per 1k) before hard prompts reached the top one: a step up the cheap tiers costs a hundredth as much."""
    s = np.linspace(0.02, 0.98, 120)
    cost = np.tile(REVIEW_TIERS, (120, 1))
    cuts = budget_cuts(s, cost, 5.0, np.full(3, 1 / 3))
    assert cuts[0] == 40, "the easiest third needs the cheapest tier only"
    low, medium, high = REVIEW_TIERS * 1000
    affordable = int((5.0 * 120 - 40 * low - 80 * medium) // (high - medium))  # the rest of the budget, in upgrades to the top
    assert 120 - cuts[1] == affordable == 15


def test_a_budget_above_the_wanted_mix_leaves_the_rest_unspent():
    """The budget is a cap on the mix wanted (`--shares`), not a target: more money does not send easy prompts up."""
    s = np.linspace(0.02, 0.98, 100)
    cost = np.tile(REVIEW_TIERS, (100, 1))
    assert budget_cuts(s, cost, 1e6, np.array([0.5, 0.3, 0.2])).tolist() == [50, 80]
    assert budget_cuts(s, cost, 1e6, np.array([0.0, 0.0, 1.0])).tolist() == [0, 0]


def test_thresholds_never_split_identical_scores():
    s = np.array([0.1] * 50 + [0.9] * 50)
    cost = np.tile(REVIEW_TIERS, (100, 1))
    assert set(budget_cuts(s, cost, 1e6, np.array([0.7, 0.2, 0.1])).tolist()) <= {0, 50, 100}


@pytest.mark.parametrize("k", [3, 4, 6, 8])
def test_many_tiers_and_prompts_reach_the_wanted_mix_and_spend_a_tight_budget(k: int):
    """20,000 prompts: with 6 tiers a grid of 15 cut points per threshold overspent an ample budget by 18 % on cuts far
    from the wanted mix (29 % and an empty cheapest tier with 8), and left 7.6 % of a tight one unspent (review_s37 F1)."""
    rng = np.random.default_rng(k)
    n = 20_000
    s = np.sort(rng.random(n))
    cost = np.tile(np.geomspace(0.037, 37.13, k) / 1000, (n, 1))
    weights = np.full(k, 1 / k)
    wanted = np.round(np.cumsum(weights)[:-1] * n).astype(int)
    assert budget_cuts(s, cost, 1e6, weights).tolist() == wanted.tolist()
    bounds = (0, *wanted, n)
    mix_cost = sum(cost[0, i] * (b - a) for i, (a, b) in enumerate(itertools.pairwise(bounds))) / n * 1000
    cuts = budget_cuts(s, cost, mix_cost / 2, weights)
    spent = sum(cost[0, i] * (b - a) for i, (a, b) in enumerate(itertools.pairwise((0, *cuts, n)))) / n * 1000
    assert mix_cost / 2 * 0.99 <= spent <= mix_cost / 2 + 1e-9


def test_a_run_of_equal_scores_needs_what_its_first_member_needs():
    """40 copies of a greeting across the even split's first boundary: ranked past it, the last seven "needed" medium
    and took all forty with them, the cheap tier empty whatever the budget (review_s37 F2)."""
    s = np.r_[np.full(40, 0.05), np.linspace(0.3, 0.95, 60)]
    cost = np.tile(REVIEW_TIERS, (100, 1))
    assert budget_cuts(s, cost, 1e6, np.full(3, 1 / 3)).tolist() == [40, 67]
    assert budget_cuts(np.full(50, 0.5), np.tile(REVIEW_TIERS, (50, 1)), 1e6, np.full(3, 1 / 3)).tolist() == [50, 50]


def test_tiers_of_one_price_keep_the_higher_threshold_whatever_the_float_noise():
    """Two tiers priced alike: costs differing by 1e-16 in their prefix sums sent easy prompts up (review_s37 F9)."""
    rng = np.random.default_rng(1)
    for _ in range(200):
        s = np.sort(rng.random(60))
        per_prompt = rng.uniform(0.1, 3.0, 60) / 1000
        assert budget_cuts(s, np.c_[per_prompt, per_prompt, per_prompt * 50], 1e6, np.full(3, 1 / 3))[0] == 20
