"""Shared fixtures: the anyio backend and a deterministic fake classifier."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis' per-example deadline (200 ms) and its too-slow health check are timings: on a loaded CI machine they
# failed correct code (test_any_body_becomes_a_chat_request_or_a_400). Speed lives in bench/, not in unit tests.
settings.register_profile("router", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("router")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass(frozen=True)
class FakeScore:
    score: float
    top_features: tuple[tuple[str, float], ...] = (("fake", 0.0),)
    expected_answer_tokens: int = 200
    floored: bool = False  # the answer estimate is a floor's (classifiers `ScoreResult.floored`)

    def expected_completion_tokens(self, effort: str, thinking_budget: int | None = None) -> int:
        reasoning = {"none": 0, "minimal": 100, "low": 300, "medium": 1000, "high": 3000, "xhigh": 6000, "max": 12000}[effort]
        if thinking_budget is not None:
            reasoning = min(reasoning, thinking_budget)
        return self.expected_answer_tokens + reasoning


class FakeClassifier:
    """Scores by a marker in the last message: `[score=0.9]`; otherwise 0.1."""

    def score(self, messages: Sequence[Mapping[str, Any]]) -> FakeScore:
        text = str(messages[-1].get("content") or "") if messages else ""
        if "[score=" in text:
            return FakeScore(float(text.split("[score=")[1].split("]")[0]))
        return FakeScore(0.1)


@pytest.fixture
def fake_classifier() -> FakeClassifier:
    return FakeClassifier()


def require_tool(name: str) -> str:
    """Path of an external tool the test needs; skipped when absent, except under CI=true where
    a missing tool is a failure (.ci/run installs everything)."""
    import os
    import shutil

    path = shutil.which(name) or (f"/usr/sbin/{name}" if os.path.exists(f"/usr/sbin/{name}") else None)
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is required under CI=true (install it in .ci/install-system-packages.sh)")
    pytest.skip(f"{name} not installed")
