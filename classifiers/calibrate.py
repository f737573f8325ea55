"""Tier thresholds from score quantiles or a cost budget, and writing them into the YAML config."""

from __future__ import annotations

import math
import os
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.budget_search import budget_cuts
from classifiers.classifier import ScoreResult

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


def _share_weights(shares: Mapping[str, float], tiers: list[str]) -> np.ndarray:
    """The shares as fractions in tier order: every tier named once, adding up to 1 (or 100, as percentages)."""
    if set(shares) != set(tiers):
        raise ValueError(f"--shares must name every tier exactly once: {', '.join(tiers)}")
    w = np.array([shares[t] for t in tiers], dtype=float)
    if (w < 0).any() or w.sum() <= 0:
        raise ValueError("shares must be non-negative and not all zero")
    from router.config import SHARE_TOLERANCE  # the config's for `expected_share`: rounding (thirds as 0.33), not a typo

    if not any(abs(w.sum() - whole) <= SHARE_TOLERANCE * whole + 1e-9 for whole in (1.0, 100.0)):  # fractions, or percentages (1.1 was 0.55/0.27/0.18)
        raise ValueError(f"the shares add up to {w.sum():g}, not 1 (or 100, as percentages): a typo would be calibrated as meant")
    return w / w.sum()


def share_thresholds(scores: Sequence[float], tiers: list[str], shares: Mapping[str, float]
                     ) -> tuple[dict[str, float | None], dict[str, Any]]:
    """``max_score`` per tier (None for the last) so the given shares of ``scores`` land in each tier."""
    w = _share_weights(shares, tiers)
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


def cost_matrix(results: Sequence[ScoreResult], prompts: Sequence[Any], config: Any) -> np.ndarray:
    """USD per request for each prompt (rows) on each tier (columns), priced as the gateway's estimate
    prices them: the prompt counted per model (``router.context.TokenCounter``), the expected completion
    tokens per tier, and every upstream call the tier makes (a sampled tier's samples and judge;
    ``router.estimate``). A model without prices is a ValueError."""
    from router.context import TokenCounter
    from router.estimate import estimate_cost
    from router.forecast import CompletionForecast
    from router.policy import Policy

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


def budget_thresholds(results: Sequence[ScoreResult], prompts: Sequence[Any], config: Any, usd_per_1k: float,
                      need: Mapping[str, float] | None = None) -> tuple[dict[str, float | None], dict[str, Any]]:
    """Thresholds whose expected cost is within ``usd_per_1k``: the ``need`` shares (an even split by default) cut
    down to what the budget affords. Each prompt needs the tier its score's rank reaches in that mix; the thresholds
    give the prompts as many of the tier steps they need as the budget pays for (the highest scores first, as
    thresholds must), at the least cost. The budget is a cap: a mix that costs less leaves the rest unspent. The
    objective it replaces, ``sum(score x tier index)``, spent the budget on thinking for "hi" before a hard prompt
    reached the top tier (a step up the cheap tiers cost a hundredth as much)."""
    tiers = list(config.tiers)
    weights = _share_weights(need, tiers) if need is not None else np.full(len(tiers), 1.0 / len(tiers))
    cost = cost_matrix(results, prompts, config)
    if len(tiers) == 1:
        return {tiers[0]: None}, {"shares": {tiers[0]: 1.0}, "usd_per_1k": float(cost[:, 0].mean() * 1000), "need": {tiers[0]: 1.0}}
    scores = np.array([r.score for r in results], dtype=float)
    order = np.argsort(scores, kind="stable")
    s, cost = scores[order], cost[order]
    thr = _strict([_threshold_at(s, int(m)) for m in budget_cuts(s, cost, usd_per_1k, weights)])
    out, info = _finish(scores, tiers, thr)
    info["usd_per_1k"] = float(cost[np.arange(len(s)), _assign(s, thr)].mean() * 1000)
    info["need"] = {t: float(w) for t, w in zip(tiers, weights, strict=True)}
    return out, info


_TIER_LINE = re.compile(r"^(?P<ind>\s+)(?P<name>[^\s:#]+):\s*(?P<rest>.*)$")


def _key(name: str) -> re.Pattern[str]:
    """``name: value`` for a value YAML reads as a number or null, tagged or quoted too ("'0.40'", "~", "!!float 0.4"):
    unmatched, the key was added a second time (a duplicate key other YAML parsers refuse)."""
    number = r"[-+0-9.eE]+|null|Null|NULL|~"
    return re.compile(rf"(?<![\w-]){name}:[ \t]*(?:!!\w+[ \t]+)?(?:{number}|'(?:{number})'|\"(?:{number})\")")


def write_calibration(path: str | Path, thresholds: Mapping[str, float | None], shares: Mapping[str, float],
                      validate: Callable[[Path], Any] | None = None) -> None:
    """Set each tier's ``max_score`` (the last tier has none) and ``expected_share`` in the YAML
    file, keeping its comments and layout: the gateway exports the shares, so the drift alert can
    compare live traffic with what was calibrated. The new text is written beside the file and,
    once ``validate`` accepts it, renamed over it: a failed check leaves the config untouched."""
    p = Path(path).resolve()  # a symlinked config (a ConfigMap's) is written where it points, not replaced by a file
    lines = p.read_text(encoding="utf-8").splitlines(keepends=True)
    for key, values in (("expected_share", dict(shares)), ("max_score", {k: v for k, v in thresholds.items() if v is not None})):
        _write_key(lines, key, values)
    # the last tier takes every score above the others, whatever its max_score says: one it has (0.8, valid) stopped a
    # new threshold below it from being written ("max_score must increase"); it becomes 1, where it has one
    _write_key(lines, "max_score", {k: 1.0 for k, v in thresholds.items() if v is None}, add=False)
    staged = p.with_name(f".{p.name}.calibrating")
    staged.write_text("".join(lines), encoding="utf-8")
    try:
        shutil.copymode(p, staged)  # a 0600 config (it may hold api keys) stays 0600
        if validate is not None:
            validate(staged)
        os.replace(staged, p)
    finally:
        staged.unlink(missing_ok=True)


def _write_key(lines: list[str], key: str, values: dict[str, float], *, add: bool = True) -> None:
    """Set ``key`` of each tier in ``values`` in place (flow or block style); a missing key is
    added as the tier's last entry (``add``), or left missing."""
    pattern, todo = _key(key), dict(values)
    flow = next((i for i, ln in enumerate(lines) if re.match(r"^tiers:\s*\{", ln)), None)
    if flow is not None:
        for name in list(todo):
            lines[flow] = _set_in_flow(lines[flow], name, f"{key}: {todo.pop(name):.{DECIMALS}f}", pattern, add=add)
        return
    start = next((i for i, ln in enumerate(lines) if re.match(r"^tiers:\s*(#.*)?$", ln)), None)
    if start is None:
        raise ValueError("no 'tiers:' section found")
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"^[^\s#]", lines[i])), len(lines))  # a column-0 comment: still in
    tier_ind: str | None = None
    i = start + 1
    while i < end:
        m = _TIER_LINE.match(lines[i])
        if m and (tier_ind is None or m["ind"] == tier_ind) and not lines[i].lstrip().startswith("#"):
            tier_ind = m["ind"]
            name, rest = m["name"], m["rest"]
            if name in todo:
                val = f"{key}: {todo.pop(name):.{DECIMALS}f}"
                if rest.startswith("{"):  # a flow mapping, on this line or over several
                    k = _flow_end(lines, i, end)
                    lines[i : k + 1] = _set_in_flow("".join(lines[i : k + 1]), name, val, pattern, add=add).splitlines(keepends=True)
                else:
                    j, last, child = i + 1, i, None
                    while j < end and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > len(tier_ind)):
                        if lines[j].strip():
                            child = child or lines[j][: len(lines[j]) - len(lines[j].lstrip())]
                            last = j
                        if pattern.search(_code(lines[j])):  # the key itself, not a comment that names it
                            lines[j] = pattern.sub(val, lines[j], count=1)
                            break
                        j += 1
                    else:
                        if add:
                            lines.insert(last + 1, f"{child or tier_ind + '  '}{val}\n")
                            end += 1
        i += 1
    if todo:
        raise ValueError(f"tiers not found in the config: {', '.join(todo)}")


def _code(line: str) -> str:
    """A YAML line without its comment."""
    return re.split(r"(?:^|\s)#", line, maxsplit=1)[0]


def _flow_end(lines: list[str], start: int, end: int) -> int:
    """The line where the flow mapping opened on line ``start`` closes (``end - 1`` if it never does)."""
    depth = 0
    for k in range(start, end):
        for char in lines[k]:
            depth += {"{": 1, "}": -1}.get(char, 0)
        if depth <= 0:
            return k
    return end - 1


def _set_in_flow(line: str, name: str, val: str, pattern: re.Pattern[str], *, add: bool = True) -> str:
    """Set ``val`` (``key: value``) inside ``name: {...}`` on a flow-style line (a tier's own, or ``tiers:``)."""
    m = re.search(r"(?<![\w-])" + re.escape(name) + r"\s*:\s*\{", line)
    if not m:
        raise ValueError(f"tier {name!r} not found in the config")
    depth, j = 1, m.end()
    while j < len(line) and depth:
        depth += {"{": 1, "}": -1}.get(line[j], 0)
        j += 1
    if depth:  # the mapping goes on past this line: the key goes first
        rest = line[m.end() :]
        if pattern.search(rest):
            return line[: m.end()] + pattern.sub(val, rest, count=1)
        return (line[: m.end()] + f"{val}, {rest}") if add else line
    body = line[m.end() : j - 1]
    if not pattern.search(body):
        if not add:
            return line
        body = f"{body.rstrip()}, {val}"
    else:
        body = pattern.sub(val, body, count=1)
    return line[: m.end()] + body + line[j - 1 :]
