"""Runtime API the gateway calls: ``load_classifier`` → ``ComplexityClassifier.score``."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.model import ComplexityEstimator, answer_tokens_from_log
from classifiers.persist import ClassifierLoadError, load_estimator, read_metadata, resolve

EFFORTS = ("none", "minimal", "low", "medium", "high")

#: Reasoning tokens expected at score 0.5 for each effort. The expectation scales
#: linearly with the score, from 0.3x (score 0) to 2x (score 1): thinking length grows
#: with difficulty. These are priors (orders of magnitude of published reasoning-token
#: usage for o-series / Qwen3 thinking modes), not learned; see docs/classifier.md.
REASONING_TOKENS_AT_MID = {"none": 0, "minimal": 128, "low": 1024, "medium": 3072, "high": 8192}


def reasoning_tokens(score: float, effort: str, thinking_budget: int | None = None) -> int:
    """Expected reasoning tokens for ``effort`` at ``score``, capped by ``thinking_budget``."""
    if effort not in REASONING_TOKENS_AT_MID:
        raise ValueError(f"unknown effort {effort!r}; expected one of {EFFORTS}")
    base = REASONING_TOKENS_AT_MID[effort]
    r = int(round(base * (0.3 + 1.7 * min(max(score, 0.0), 1.0)) / 1.15))
    if thinking_budget is not None:
        r = min(r, max(int(thinking_budget), 0))
    return r


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """Complexity score of one request and what drove it."""

    score: float
    expected_answer_tokens: int
    top_features: tuple[tuple[str, float], ...]

    def expected_completion_tokens(self, effort: str, thinking_budget: int | None = None) -> int:
        """Answer tokens plus expected reasoning tokens for ``effort`` (see ``reasoning_tokens``)."""
        return self.expected_answer_tokens + reasoning_tokens(self.score, effort, thinking_budget)


class ComplexityClassifier:
    """A loaded estimator plus its metadata; thread-safe (read-only after load)."""

    def __init__(self, estimator: ComplexityEstimator, metadata: dict[str, Any] | None = None) -> None:
        self.estimator = estimator
        self.metadata: dict[str, Any] = metadata or {}

    def _result(self, x: Any) -> ScoreResult:
        est = self.estimator
        f = est.featurize(x)
        logit = est.logit_one(f)
        s = 1.0 / (1.0 + math.exp(-logit)) if logit > -700 else 0.0
        return ScoreResult(float(s), answer_tokens_from_log(est.log_tokens_one(f)), est.contributions(f))

    def score(self, messages: Sequence[Mapping[str, Any]]) -> ScoreResult:
        """Score one OpenAI-style conversation. Never raises on malformed messages."""
        try:
            return self._result(messages)
        except Exception:  # last-resort guard: a score is always returned
            return ScoreResult(0.5, 300, (("unparseable input", 0.0),))

    def score_batch(self, conversations: Sequence[Sequence[Mapping[str, Any]]]) -> list[ScoreResult]:
        """Score many conversations (same results as calling :meth:`score` on each)."""
        return [self.score(c) for c in conversations]

    def score_prompts(self, prompts: Sequence[str]) -> np.ndarray:
        """Scores for plain user prompts (evaluation / calibration helper)."""
        return np.array([self.score([{"role": "user", "content": p}]).score for p in prompts])


def load_classifier(artifact: str = "default") -> ComplexityClassifier:
    """Load ``"default"`` (the packaged artifact) or a ``.skops`` path.

    Raises :class:`ClassifierLoadError` on a missing, corrupt or untrusted artifact.
    """
    path: Path = resolve(artifact)
    est = load_estimator(path)
    meta = read_metadata(path)
    return ComplexityClassifier(est, meta)
