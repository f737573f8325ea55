import numpy as np
import pytest

from classifiers.metrics import apgr, routing_curve, spearman


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
