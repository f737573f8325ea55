"""The sampled tiers' configs the strategy tests share (test_strategies_*.py)."""

from __future__ import annotations

BEST = {"strategy": {"kind": "best_of_n", "samples": 3, "judge": "spare-big"}}
