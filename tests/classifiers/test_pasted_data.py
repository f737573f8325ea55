"""Pasted data (``classifiers/pasted_data.py``): a long run of records is read as a sample."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.pasted_data import RECORD_RUN_MIN, RECORD_SAMPLE_LINES, sample_pasted_data, sample_pasted_data_python
from tests.classifiers._speedups_helpers import RECORD_LINES
from tests.classifiers.conftest import user

_rng = random.Random(0)
CSV = "region,month,units,revenue\n" + "\n".join(
    f"{_rng.choice(['north', 'south', 'east', 'west'])},2024-{_rng.randint(1, 12):02d},{_rng.randint(10, 500)},{_rng.randint(1000, 90000)}.50"
    for _ in range(80))
LOGS = "\n".join(
    f"2024-05-0{_rng.randint(1, 9)} 12:{_rng.randint(10, 59)}:{_rng.randint(10, 59)},{_rng.randint(100, 999)} "
    f"{_rng.choice(['INFO', 'WARN', 'ERROR'])} [worker-{_rng.randint(1, 8)}] {_rng.choice(['served', 'cache miss', 'reset by peer'])}"
    for _ in range(120))


def is_record(line: str) -> bool:
    runs = list(re.finditer(r"[0-9]+", line))
    return len(runs) >= 3 and runs[0].start() <= 400


def longest_run(text: str) -> int:
    best = run = 0
    for line in text.split("\n"):
        run = run + 1 if is_record(line) else 0
        best = max(best, run)
    return best


def test_a_table_is_cut_to_its_header_and_first_rows():
    text = f"Here is my sales data:\n{CSV}\nWhich region had the highest total revenue?"
    lines = CSV.split("\n")
    assert sample_pasted_data(text) == "\n".join(["Here is my sales data:", *lines[:1 + RECORD_SAMPLE_LINES],
                                                  "Which region had the highest total revenue?"])


def test_a_short_table_and_a_numbered_list_are_read_whole():
    table = "\n".join(CSV.split("\n")[:RECORD_RUN_MIN])  # header + RECORD_RUN_MIN - 1 rows
    steps = "\n".join(f"{i}. Add {i + 1} cups of flour" for i in range(1, 30))  # two numbers a line
    for text in (table, steps, "no lines at all 1 2 3"):
        assert sample_pasted_data(text) is text


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(RECORD_LINES), max_size=40).map("\n".join))
def test_the_sample_keeps_lines_in_order_and_leaves_no_long_run(text):
    out = sample_pasted_data_python(text)
    assert longest_run(out) < RECORD_RUN_MIN
    it = iter(text.split("\n"))
    assert all(line in it for line in out.split("\n"))  # a subsequence of the lines
    assert sample_pasted_data_python(out) == out
    assert (out == text) == (longest_run(text) < RECORD_RUN_MIN)


@pytest.mark.parametrize("ask", ["Make a short title for a chart of this data:\n{csv}",
                                 "Summarize what went wrong in these logs:\n{logs}",
                                 "Convert this to JSON:\n{csv}"])
def test_pasted_data_scores_like_its_sample(default, ask):
    """Before version 21 each of these scored 0.93-0.97: every number of the data opened the math
    domain and the length prior read the block as a long problem."""
    full = ask.format(csv=CSV, logs=LOGS)
    sample = ask.format(csv="\n".join(CSV.split("\n")[:3]), logs="\n".join(LOGS.split("\n")[:2]))
    assert default.score(user(full)).score == pytest.approx(default.score(user(sample)).score, abs=1e-9)
    assert default.score(user(full)).score < 0.75


def test_route_says_how_many_lines_of_data_were_not_scored(capsys):
    import json
    from pathlib import Path

    from router.cli import main

    config = str(Path(__file__).resolve().parents[2] / "configs" / "default.yaml")
    assert main(["route", f"Convert this to JSON:\n{CSV}", "--config", config]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pasted_data_lines_not_scored"] == 80 - RECORD_SAMPLE_LINES
    assert out["estimated_prompt_tokens"] > len(CSV) / 5  # the cost estimate reads all of it
    assert main(["route", "Convert this to JSON: a=1", "--config", config]) == 0
    assert "pasted_data_lines_not_scored" not in json.loads(capsys.readouterr().out)
