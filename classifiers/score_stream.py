"""Scoring a stream of JSON lines: one answer line out per line in, in order, batched for throughput yet answered as
soon as the writer pauses. What an answer says is the caller's (`score` adds the gateway's tier and forecasts,
``router/classifier_commands.py``)."""

from __future__ import annotations

import json
import select
from collections.abc import Callable
from typing import Any, NamedTuple, TextIO

from classifiers.classifier import ComplexityClassifier, ScoreResult
from classifiers.records import as_messages, json_line

CHUNK = 512


def _parse_line(line: str) -> Any:
    if not line.strip():  # json's "Expecting value: line 2 column 1 (char 1)" named no cause
        raise ValueError("empty line")
    obj = json_line(line)
    if not isinstance(obj, dict):
        raise TypeError("each line must be a JSON object")
    return as_messages(obj)


class Scored(NamedTuple):
    """What ``score_stream`` read: input lines, and how many of them were errors."""

    lines: int
    errors: int


def score_stream(clf: ComplexityClassifier, answer: Callable[[ScoreResult], dict[str, Any]], inp: TextIO, out: TextIO) -> Scored:
    """JSON lines in → one JSON line out per input line, in order: ``answer`` of its score, or an error line for one
    that is no prompt."""
    errors = total = 0
    pending: list[tuple[int, Any]] = []
    lines: list[str | None] = []

    def flush() -> None:
        results = clf.score_batch([m for _, m in pending])
        by_slot = {slot: r for (slot, _), r in zip(pending, results)}
        for i, err in enumerate(lines):
            out.write(json.dumps({"error": err}) if err is not None else json.dumps(answer(by_slot[i])))
            out.write("\n")
        pending.clear()
        lines.clear()

    for raw in inp:
        total += 1
        try:
            pending.append((len(lines), _parse_line(raw)))
            lines.append(None)
        except (ValueError, TypeError, RecursionError) as exc:  # RecursionError: JSON nested past the parser's limit
            errors += 1
            lines.append(f"bad input line: {type(exc).__name__ if isinstance(exc, RecursionError) else exc}")
        if len(lines) >= CHUNK or not _input_waiting(inp):  # a caller that writes a line and waits for its answer gets it
            flush()
    flush()
    out.flush()
    return Scored(total, errors)


def _input_waiting(inp: TextIO) -> bool:
    """Whether more input can be read at once (a file, a pipe with bytes in it): lines are scored in batches of
    ``CHUNK``, a batch cut short when its writer pauses (in-memory text is all there)."""
    try:
        return bool(select.select([inp.fileno()], [], [], 0)[0])
    except (AttributeError, OSError, ValueError):  # no descriptor (StringIO), or one select cannot watch
        return True
