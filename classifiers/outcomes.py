"""Outcome files: JSON lines ``{"prompt" | "messages" | "turns", "strong", "weak"}`` (the quality
of a strong and a weak model on that prompt), optionally ``"strong_cost"`` / ``"weak_cost"`` (USD
per call) and a ``"category"``. ``evaluate`` scores them; ``train --outcomes`` learns from them.
"""

from __future__ import annotations

import gzip
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.records import as_messages, json_line

#: Largest quality a line may give (scores, judgements and pass rates are far smaller); sums of larger ones overflow.
MAX_QUALITY = 1e9


@dataclass(frozen=True, slots=True)
class OutcomeTable:
    """The valid lines of an outcomes file (costs only when every line has both)."""

    conversations: list[Any]
    strong: np.ndarray
    weak: np.ndarray
    strong_cost: np.ndarray | None = None
    weak_cost: np.ndarray | None = None
    categories: list[str | None] | None = None


class _Skipped:
    """Lines left out, said on stderr: the first few each with its reason, then a count (a UTF-16 file printed a
    warning per line, then "need at least two valid outcome lines" without naming why)."""

    SHOWN = 5

    def __init__(self) -> None:
        self.count, self.wide = 0, False

    def add(self, n: int, line: str, exc: BaseException) -> None:
        self.count += 1
        self.wide = self.wide or "\x00" in line
        if self.count <= self.SHOWN:
            reason = (f"missing field {exc.args[0]!r}" if isinstance(exc, KeyError) else
                      type(exc).__name__ if isinstance(exc, RecursionError) else str(exc))
            print(f"warning: skipping line {n}: {reason}", file=sys.stderr)

    def summarize(self) -> None:
        if self.count > self.SHOWN:
            print(f"warning: skipped {self.count} lines in all", file=sys.stderr)
        if self.wide:
            print("warning: the file holds NUL characters: is it UTF-16? outcomes are read as UTF-8", file=sys.stderr)


def read_outcomes(path: str | Path) -> OutcomeTable:
    """Parse the JSON lines at ``path``; bad lines are skipped with a warning on stderr."""
    convs: list[Any] = []
    quality: list[tuple[float, float]] = []
    costs: list[tuple[float, float] | None] = []
    categories: list[str | None] = []
    skipped = _Skipped()
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="\n") as fh:  # -sig: a byte-order mark (Windows tools write one) is no text
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json_line(line)
                if not isinstance(obj, dict):
                    raise TypeError("a line must be a JSON object")
                msgs = as_messages(obj)
                q = _quality(obj)
            except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
                skipped.add(n, line, exc)
                continue
            c = _costs(obj, n)
            convs.append(msgs)
            quality.append(q)
            costs.append(c)
            categories.append(str(obj["category"]) if obj.get("category") is not None else None)
    skipped.summarize()
    strong, weak = (np.array([q[i] for q in quality]) for i in (0, 1))
    if any(c is None for c in costs) and any(c is not None for c in costs):
        print("warning: only some lines have strong_cost and weak_cost; the cost table is skipped", file=sys.stderr)
    if costs and all(c is not None for c in costs):
        sc, wc = (np.array([c[i] for c in costs]) for i in (0, 1))  # type: ignore[index]
        return OutcomeTable(convs, strong, weak, sc, wc, categories)
    return OutcomeTable(convs, strong, weak, categories=categories)


def _quality(obj: dict[str, Any]) -> tuple[float, float]:
    """A line's (strong, weak); a ValueError that quotes both unless each is a finite number (or its text) up to
    ``MAX_QUALITY`` (a null had said "float() argument must be a string or a real number, not 'NoneType'")."""
    try:
        q = (float(obj["strong"]), float(obj["weak"]))
    except (ValueError, TypeError):
        q = (math.nan, math.nan)
    if not all(math.isfinite(x) and abs(x) <= MAX_QUALITY for x in q):  # 1e308 - (-1e308) overflowed every APGR to NaN
        raise ValueError(f"strong and weak must be finite numbers up to {MAX_QUALITY:g}, not {obj['strong']!r} and {obj['weak']!r}")
    return q


def _costs(obj: dict[str, Any], n: int) -> tuple[float, float] | None:
    """A line's (strong_cost, weak_cost), None when it has none; costs that are no finite number leave the line's
    quality in and its costs out (a warning), so the cost table is skipped rather than priced on a NaN."""
    if "strong_cost" not in obj or "weak_cost" not in obj:
        return None
    try:
        costs = (float(obj["strong_cost"]), float(obj["weak_cost"]))
    except (ValueError, TypeError):
        costs = (math.nan, math.nan)
    if all(map(math.isfinite, costs)):
        return costs
    print(f"warning: line {n}: strong_cost and weak_cost must be finite numbers, not {obj['strong_cost']!r} and {obj['weak_cost']!r}",
          file=sys.stderr)
    return None
