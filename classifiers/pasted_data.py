"""Pasted data read as a sample: a long run of records (log lines, CSV or table rows) is cut to its
first lines before the prompt is featurized.

A request's difficulty is in what it asks, not in how much data comes with it. Every number of a
pasted table or log opened the math domain, and the length prior read the block as a long problem
statement: "Make a short title for a chart of this data" over 80 CSV rows scored 0.95 (a thinking
tier), "Summarize what went wrong in these logs" over 120 log lines 0.97. A word problem or a table
in a puzzle rarely lists ``RECORD_RUN_MIN`` records, so they are read whole (20 of the 10,029 training
prompts hold such a run). The cost estimate still counts every character: only the features read the sample.
"""

from __future__ import annotations

import re

from classifiers.lexicons import SPEEDUPS

#: A run of at least this many consecutive records is pasted data.
RECORD_RUN_MIN = 9
#: Records of a run the score reads (its first ones): what the data looks like, not how much of it.
RECORD_SAMPLE_LINES = 2
#: A record: a line with at least three runs of ASCII digits (a timestamp, a row of columns), the first
#: within 400 characters of the line start ("1. Add 2 cups" is a list item, not data). Possessive
#: quantifiers: a line that is not a record fails without backtracking. (= ``_speedups_lines.c``)
_RECORD = r"[^\n0-9]{0,400}+[0-9]++[^\n0-9]++[0-9]++[^\n0-9]++[0-9][^\n]*+"
#: A maximal run of records, after the line break before it: the literal first lets the engine skip
#: between line breaks, and the possessive repeat takes the whole run, so no line is read twice.
_RE_RUN = re.compile(rf"\n{_RECORD}(?:\n{_RECORD})*+(?=\n|\Z)")


def sample_pasted_data_python(text: str) -> str:
    """The reference ``sample_pasted_data``: a regex over the text (~25 ns a character)."""
    lined = "\n" + text
    sampled = _RE_RUN.sub(_sampled_run, lined)
    return text if sampled == lined else sampled[1:]


def _sampled_run(m: re.Match[str]) -> str:
    run = m.group()  # the line break before the run, then the run
    if run.count("\n") < RECORD_RUN_MIN:
        return run
    end = 0
    for _ in range(RECORD_SAMPLE_LINES):
        end = run.index("\n", end + 1)
    return run[:end]


def _sample_c(text: str) -> str:
    """``sample_pasted_data_python`` from the spans the C accelerator finds (~1 ns a character)."""
    spans = _record_runs(text, RECORD_RUN_MIN, RECORD_SAMPLE_LINES)
    if not spans:
        return text
    parts = []
    at = 0
    for a, b in spans:
        parts.append(text[at:a])
        at = b
    parts.append(text[at:])
    return "".join(parts)


if SPEEDUPS is not None:
    _record_runs = SPEEDUPS.record_runs
    _sample = _sample_c
else:
    _sample = sample_pasted_data_python


def sample_pasted_data(text: str) -> str:
    """``text`` with every run of ``RECORD_RUN_MIN`` or more records cut to its first
    ``RECORD_SAMPLE_LINES`` lines; the text itself (the same object) when it has no such run."""
    if text.count("\n") < RECORD_RUN_MIN - 1:
        return text
    return _sample(text)
