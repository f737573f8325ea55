"""Routing metrics: quality-gap-recovered curve, APGR, CPT; Spearman correlation.

Curve: sort prompts by score (highest first) and send the top share ``x`` to the strong
model, the rest to the weak one. ``PGR(x) = (Q(x) - Q_weak) / (Q_strong - Q_weak)``.
Tied scores are routed in expectation (their gains averaged), so a constant score gives
exactly the diagonal and APGR = 0.5. APGR is the trapezoid area under PGR(x) on x in [0, 1];
CPT(p) is the smallest share of strong calls with PGR >= p (linear interpolation).

With per-prompt costs, ``x`` can instead be the share of the strong model's *extra cost* spent
(``extra_cost`` = strong call cost − weak call cost): a router that sends the cheap hard prompts
up first recovers more of the gap per dollar than one that counts calls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class RoutingCurve:
    share: np.ndarray  # x: share of calls (or of the extra cost) sent to the strong model, 0..1
    pgr: np.ndarray  # performance gap recovered at x

    @property
    def monotone(self) -> bool:
        """x never steps back (always so by calls; by cost, when no prompt's weak call cost more)."""
        return bool(np.all(np.diff(self.share) >= 0))

    @property
    def apgr(self) -> float:
        y, x = self.pgr, self.share
        return float(np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2.0)

    def cpt(self, target: float) -> float:
        """Share of strong-model calls needed to recover ``target`` of the gap (nan if never)."""
        hit = np.nonzero(self.pgr >= target - 1e-12)[0]
        if len(hit) == 0:
            return float("nan")
        i = int(hit[0])
        if i == 0:
            return 0.0
        y0, y1, x0, x1 = self.pgr[i - 1], self.pgr[i], self.share[i - 1], self.share[i]
        return float(x0 + (target - y0) / (y1 - y0) * (x1 - x0)) if y1 != y0 else float(x1)


def routing_curve(scores: np.ndarray, strong: np.ndarray, weak: np.ndarray,
                  extra_cost: np.ndarray | None = None) -> RoutingCurve:
    """PGR curve for routing the highest-scored prompts to the strong model; ``x`` is the share
    of calls, or with ``extra_cost`` (per prompt) the share of the total extra cost. A prompt whose weak call cost
    more (a verbose weak answer) has a negative extra: the curve steps back along ``x`` there, so ``cpt`` is the cost
    at which the routing order first recovers the share, and an area is no longer an APGR (``monotone`` says)."""
    scores = np.asarray(scores, dtype=float)
    strong = np.asarray(strong, dtype=float)
    weak = np.asarray(weak, dtype=float)
    cost = np.ones(len(scores)) if extra_cost is None else np.asarray(extra_cost, dtype=float)
    ok = np.isfinite(scores) & np.isfinite(strong) & np.isfinite(weak) & np.isfinite(cost)
    scores, strong, weak, cost = scores[ok], strong[ok], weak[ok], cost[ok]
    n = len(scores)
    gap_total = float(np.sum(strong - weak))
    if n == 0 or abs(gap_total) < 1e-12:
        raise ValueError("strong and weak have the same total quality; PGR is undefined")
    if float(np.sum(cost)) <= 0:
        raise ValueError("the strong model must cost more than the weak one in total")
    order = np.argsort(-scores, kind="stable")
    s, g, c = scores[order], (strong - weak)[order], cost[order]
    # average gains (and costs) over tied blocks (expected value under random tie-breaking);
    # -s is sorted, so each block of equal scores is contiguous and starts at its first index
    _, start, counts = np.unique(-s, return_index=True, return_counts=True)
    gains = np.repeat(np.add.reduceat(g, start) / counts, counts)
    pgr = np.concatenate([[0.0], np.cumsum(gains)]) / gap_total
    if extra_cost is None:
        return RoutingCurve(np.arange(n + 1) / n, pgr)
    spent = np.repeat(np.add.reduceat(c, start) / counts, counts)
    return RoutingCurve(np.concatenate([[0.0], np.cumsum(spent)]) / float(np.sum(c)), pgr)


def bootstrap_apgr(scores: Mapping[str, np.ndarray], strong: np.ndarray, weak: np.ndarray, n_boot: int = 1000,
                   seed: int = 0) -> dict[str, np.ndarray]:
    """APGR of each router on ``n_boot`` resamples of the prompts (with replacement, fixed seed).

    Every router is scored on the same resamples, so differences between routers are paired:
    ``np.percentile(out["a"] - out["b"], [2.5, 97.5])`` is the interval of the difference. Rows
    without a finite strong and weak quality are dropped first; a resample on which some
    router's PGR is undefined (equal strong and weak totals) is drawn again."""
    strong, weak = np.asarray(strong, dtype=float), np.asarray(weak, dtype=float)
    ok = np.isfinite(strong) & np.isfinite(weak)
    return bootstrap_pair_apgr({k: np.asarray(v, dtype=float)[ok] for k, v in scores.items()}, [(strong[ok], weak[ok])], n_boot, seed)


def bootstrap_pair_apgr(scores: Mapping[str, np.ndarray], pairs: Sequence[tuple[np.ndarray, np.ndarray]], n_boot: int = 1000,
                        seed: int = 0) -> dict[str, np.ndarray]:
    """APGR averaged over several strong/weak ``pairs`` rating the same prompts, on ``n_boot`` resamples: one draw of
    prompts a resample, shared by every pair and every router (a pair leaves out its own rows without a finite
    quality). Drawn per pair, the resamples averaged were unrelated, which narrowed the interval."""
    vals = {k: np.asarray(v, dtype=float) for k, v in scores.items()}
    qualities = [(np.asarray(s, dtype=float), np.asarray(w, dtype=float)) for s, w in pairs]
    n = len(qualities[0][0]) if qualities else 0
    rng = np.random.default_rng(seed)
    out: dict[str, list[float]] = {k: [] for k in vals}
    done = 0
    for _ in range(10 * n_boot if n else 0):
        if done == n_boot:
            break
        idx = rng.integers(0, n, n)
        try:
            row = {k: float(np.mean([routing_curve(v[idx], s[idx], w[idx]).apgr for s, w in qualities])) for k, v in vals.items()}
        except ValueError:
            continue
        done += 1
        for k, a in row.items():
            out[k].append(a)
    return {k: np.array(v) for k, v in out.items()}


def apgr(scores: np.ndarray, strong: np.ndarray, weak: np.ndarray) -> float:
    return routing_curve(scores, strong, weak).apgr


def rankdata(a: np.ndarray) -> np.ndarray:
    """Average ranks (ties share the mean rank)."""
    a = np.asarray(a, dtype=float)
    order = np.argsort(a, kind="stable")
    sa = a[order]
    ranks = np.empty(len(a))
    _, start, counts = np.unique(sa, return_index=True, return_counts=True)
    for st, c in zip(start, counts):
        ranks[order[st : st + c]] = st + (c - 1) / 2.0
    return ranks


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3:
        return float("nan")
    ra, rb = rankdata(a[ok]), rankdata(b[ok])
    if ra.std() == 0 or rb.std() == 0:
        return 0.0
    return float(np.corrcoef(ra, rb)[0, 1])
