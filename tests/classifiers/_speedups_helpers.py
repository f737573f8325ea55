"""The accelerator, its skip mark and the tables and inputs the speedup tests share (test_speedups_*.py,
test_pasted_data.py)."""

from __future__ import annotations

import os

import pytest
from hypothesis import strategies as st

from classifiers import lexicons
from tests.classifiers._equivalence_helpers import PIECES, SEPS

try:
    from classifiers import _speedups
except ImportError:  # not built: the pure-Python path runs
    _speedups = None

CI = os.environ.get("CI") == "true"
PURE = os.environ.get("COMPLEXITY_ROUTER_PURE_PYTHON", "") not in ("", "0")
needs_c = pytest.mark.skipif(_speedups is None and not CI, reason="C accelerator not built")

#: Lexicon entries, their prefixes extended, phrase words, "sys:" collisions, unicode and surrogates.
VOCAB = (sorted(lexicons._WORDS) + [w for p in lexicons._PHRASES for w in p.split()]
         + [p + s for p, _ in lexicons._PREFIXES for s in ("", "s", "ation", "é", "日", "😀")]
         + ["", "sys:you", "sys:a", "you", "a", "eigenvalué", "İmplement", "ß", "Σ", "日本", "\ud800", "x\udfff", "é"])


texts = st.lists(st.sampled_from(PIECES + SEPS + tuple(VOCAB)), max_size=60).map(" ".join)


#: Lines for the record-run tests: records (three or more digit runs, the first within 400 characters;
#: listed several times so runs of nine and more are common), near-records and other lines.
RECORD_LINES = ("1,2,3", "1,2,3", "7 8 9 10", "7 8 9 10", "2024-05-07 12:58:36 INFO worker", "a1b2c3\r",
                "x" * 400 + "1 2 3", "x" * 401 + "1 2 3", "1 2", "1. Add 2 cups", "", "text", "日 1 2 3", "𝟘 1 2 ٣")
