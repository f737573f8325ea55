"""From the request's `model` field and a complexity score to a route.

The policy knows tiers and thresholds; the classifier knows nothing about tiers. `auto` asks
for a score; `auto:TIER` forces a tier; a configured model name goes straight to that model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Literal

from router.config import DIRECT_TIER, RouterConfig, TierConfig
from router.protocol import APIError

AUTO = "auto"
Reason = Literal["classifier", "forced", "direct", "fallback", "context", "escalation"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One model to try, with the effort it should be asked for."""

    model: str
    tier: str
    effort: str | None  # None: leave reasoning fields as the client sent them
    thinking_budget: int | None
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Target:
    """What the `model` field asked for, before any score is known."""

    kind: Literal["auto", "tier", "model"]
    name: str = ""


def tier_for_score(tiers: Mapping[str, TierConfig], score: float) -> str:
    """The first tier (cheapest first) whose `max_score` is at least `score`; the last catches the rest."""
    names = list(tiers)
    for name in names[:-1]:
        if score <= tiers[name].upper_bound:
            return name
    return names[-1]


class Policy:
    """Routing rules compiled once from the configuration."""

    def __init__(self, config: RouterConfig) -> None:
        self.config = config
        self.tier_names = list(config.tiers)
        self._candidates: dict[str, tuple[Candidate, ...]] = {}

    def target(self, requested: str) -> Target:
        """Resolve the `model` field; unknown names are OpenAI's 404 `model_not_found`."""
        if requested == AUTO:
            return Target("auto")
        if requested.startswith(AUTO + ":"):
            tier = requested[len(AUTO) + 1 :]
            if tier in self.config.tiers:
                return Target("tier", tier)
        elif requested in self.config.models:
            return Target("model", requested)
        raise APIError(
            404,
            f"The model '{_shown(requested)}' does not exist; use 'auto', 'auto:<tier>' or a configured model",
            error_type="invalid_request_error",
            code="model_not_found",
            param="model",
        )

    def tier_for_score(self, score: float) -> str:
        return tier_for_score(self.config.tiers, score)

    def candidates(self, tier_name: str) -> list[Candidate]:
        """The tier's model, its fallbacks, then (if configured) the tiers above it.

        Built once per tier (the config is immutable; a reload builds a new `Policy`); each call
        returns a fresh list of the same frozen candidates."""
        cached = self._candidates.get(tier_name)
        if cached is None:
            cached = self._candidates[tier_name] = tuple(self._build_candidates(tier_name))
        return list(cached)

    def _build_candidates(self, tier_name: str) -> list[Candidate]:
        order = [tier_name]
        if self.config.routing.fallback_to_next_tier:
            order += self.tier_names[self.tier_names.index(tier_name) + 1 :]
        result: list[Candidate] = []
        seen: set[tuple[str, str]] = set()
        for name in order:
            tier = self.config.tiers[name]
            for model in [tier.model, *tier.fallbacks]:
                if (model, name) not in seen:
                    seen.add((model, name))
                    result.append(Candidate(model, name, tier.effort, tier.thinking_budget, tier.params))
        return result

    def direct(self, model: str) -> list[Candidate]:
        """A model named by the client: no tier, no effort of ours (the client's own fields apply)."""
        return [Candidate(model, DIRECT_TIER, None, None)]

    @property
    def top_tier(self) -> TierConfig:
        return self.config.tiers[self.tier_names[-1]]

    def label_sets(self) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
        """The (tier, model, backend) label sets a request can be served under, and the (from, to) backend moves from one
        candidate to the next: what `RouterMetrics.publish_series` creates at 0 (every pair of backends a failure can skip
        to grew as backends squared times the reasons: 5,481 series at 20 backends)."""
        backend = {name: model.backend for name, model in self.config.models.items()}
        served = [(DIRECT_TIER, model, backend[model]) for model in self.config.models]
        moves: list[tuple[str, str]] = []
        for name in self.tier_names:
            candidates = self.candidates(name)
            served += [(c.tier, c.model, backend[c.model]) for c in candidates if (c.tier, c.model, backend[c.model]) not in served]
            for source, target in pairwise(candidates):
                if (backend[source.model], backend[target.model]) not in moves:
                    moves.append((backend[source.model], backend[target.model]))
        return served, moves


def _shown(name: str, limit: int = 200) -> str:
    """A client's model name as an error quotes it: a 5 MB name came back whole in the 404."""
    return name if len(name) <= limit else name[:limit] + f"… ({len(name)} characters)"
