import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.metrics import apgr, bootstrap_apgr, routing_curve, spearman


def test_oracle_apgr_near_one_and_random_half():
    rng = np.random.default_rng(0)
    n = 2000
    needs_strong = rng.random(n) < 0.1
    strong = np.ones(n)
    weak = np.where(needs_strong, 0.0, 1.0)
    assert apgr(needs_strong.astype(float), strong, weak) > 0.94
    assert apgr(np.zeros(n), strong, weak) == pytest.approx(0.5)
    rand = np.mean([apgr(rng.random(n), strong, weak) for _ in range(20)])
    assert rand == pytest.approx(0.5, abs=0.03)
    assert apgr(-needs_strong.astype(float), strong, weak) < 0.1


def test_cpt_and_curve_endpoints():
    c = routing_curve(np.array([3.0, 2.0, 1.0, 0.0]), np.array([1.0, 1, 1, 1]), np.array([0.0, 1, 1, 1]))
    assert c.pgr[0] == 0 and c.pgr[-1] == pytest.approx(1.0)
    assert c.cpt(0.5) == pytest.approx(0.125)
    assert c.cpt(1.0) == pytest.approx(0.25)


def test_undefined_gap_raises():
    with pytest.raises(ValueError):
        apgr(np.arange(3.0), np.ones(3), np.ones(3))


def test_spearman():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 45]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)


def _curve_by_loop(scores, strong, weak, cost):
    """The definition, one tied block at a time (reference for the vectorized curve): the
    (cost share, PGR) points after each prompt, gains and costs averaged over tied blocks."""
    order = np.argsort(-scores, kind="stable")
    s, g, c = scores[order], (strong - weak)[order], cost[order]
    gains, spent, i = [], [], 0
    while i < len(s):
        j = i
        while j < len(s) and s[j] == s[i]:
            j += 1
        gains += [g[i:j].mean()] * (j - i)
        spent += [c[i:j].mean()] * (j - i)
        i = j
    return (np.concatenate([[0.0], np.cumsum(spent)]) / np.sum(cost),
            np.concatenate([[0.0], np.cumsum(gains)]) / np.sum(strong - weak))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.floats(0, 1), st.floats(0, 1), st.floats(0.01, 5)), min_size=2,
                max_size=60))
def test_tied_blocks_are_averaged_like_the_definition(rows):
    sc, strong, weak, cost = (np.array(c, dtype=float) for c in zip(*rows))
    if abs(np.sum(strong - weak)) < 1e-6:
        return
    x, pgr = _curve_by_loop(sc, strong, weak, cost)
    assert routing_curve(sc, strong, weak).pgr == pytest.approx(pgr, abs=1e-9)
    by_cost = routing_curve(sc, strong, weak, cost)
    assert by_cost.pgr == pytest.approx(pgr, abs=1e-9) and by_cost.share == pytest.approx(x, abs=1e-9)


def test_cost_curve_rewards_cheap_gains_first():
    # two prompts need the strong model; one of them is ten times cheaper to upgrade
    strong, weak = np.array([1.0, 1.0, 1.0, 1.0]), np.array([0.0, 0.0, 1.0, 1.0])
    extra = np.array([0.1, 1.0, 1.0, 1.0])
    cheap_first, dear_first = np.array([4.0, 3.0, 2.0, 1.0]), np.array([3.0, 4.0, 2.0, 1.0])
    assert routing_curve(cheap_first, strong, weak).apgr == routing_curve(dear_first, strong, weak).apgr
    assert routing_curve(cheap_first, strong, weak, extra).apgr > routing_curve(dear_first, strong, weak, extra).apgr
    assert routing_curve(cheap_first, strong, weak, extra).cpt(0.5) == pytest.approx(0.1 / 3.1)
    equal = routing_curve(cheap_first, strong, weak, np.full(4, 2.5))
    assert equal.apgr == pytest.approx(routing_curve(cheap_first, strong, weak).apgr)
    stepping_back = routing_curve(cheap_first, strong, weak, np.array([0.1, -1.0, 1.0, 1.0]))  # a weak call dearer
    assert not stepping_back.monotone and equal.monotone
    assert stepping_back.cpt(1.0) == pytest.approx(-0.9 / 1.1), "both gains bought for less than the all-weak cost"
    with pytest.raises(ValueError, match="more than the weak one in total"):
        routing_curve(cheap_first, strong, weak, np.array([0.1, -1.0, 0.1, 0.1]))


def test_bootstrap_is_paired_and_reproducible():
    rng = np.random.default_rng(1)
    n = 400
    needs_strong = rng.random(n) < 0.3
    strong, weak = np.ones(n), np.where(needs_strong, 0.0, 1.0)
    scores = {"oracle": needs_strong + 0.1 * rng.random(n), "noise": rng.random(n), "constant": np.zeros(n)}
    a = bootstrap_apgr(scores, strong, weak, n_boot=200, seed=3)
    assert all(len(v) == 200 for v in a.values())
    assert np.array_equal(a["oracle"], bootstrap_apgr(scores, strong, weak, n_boot=200, seed=3)["oracle"])
    assert np.all(a["constant"] == pytest.approx(0.5))
    lo, hi = np.percentile(a["noise"], [2.5, 97.5])
    assert lo < apgr(scores["noise"], strong, weak) < hi and 0.01 < hi - lo < 0.2
    assert np.all(a["oracle"] - a["noise"] > 0)  # the same resamples: paired differences


def test_bootstrap_skips_missing_qualities_and_undefined_resamples():
    strong = np.array([1.0, np.nan, 1.0, 0.0, 1.0, 1.0])
    weak = np.array([0.0, 0.0, 1.0, 0.0, 1.0, np.nan])
    out = bootstrap_apgr({"a": np.arange(6.0), "b": np.zeros(6)}, strong, weak, n_boot=50, seed=0)
    assert len(out["a"]) == len(out["b"]) == 50 and np.all(out["b"] == pytest.approx(0.5))
    assert bootstrap_apgr({"a": np.arange(2.0)}, np.ones(2), np.ones(2), n_boot=5)["a"].size == 0


def test_the_pairs_of_a_source_share_each_resample():
    """Several strong/weak pairs rate the same prompts; one pair lacks a rating on one prompt. Each pair drew its own
    resamples (a different row count gives other indices), and the average of unrelated resamples narrowed the interval."""
    from classifiers.metrics import bootstrap_apgr, bootstrap_pair_apgr

    rng = np.random.default_rng(1)
    scores = rng.random(300)
    strong = (rng.random(300) < 0.3 + 0.5 * scores).astype(float)
    weak = (rng.random(300) < 0.3).astype(float)
    gappy = strong.copy()
    gappy[0] = np.nan
    single = bootstrap_apgr({"a": scores}, strong, weak, n_boot=200)["a"]
    paired = bootstrap_pair_apgr({"a": scores}, [(strong, weak), (gappy, weak)], n_boot=200)["a"]
    assert np.corrcoef(single, paired)[0, 1] > 0.95, "replicate k of every pair is drawn on the same prompts"
