"""Diagram code (``classifiers/diagrams.py``): an Asymptote figure is not read by the score."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.diagrams import MAX_DIAGRAMS, strip_diagrams
from tests.classifiers.conftest import user

FIGURE = ("[asy]\nimport graph; size(8cm); real lsf=0.5; pen dps=linewidth(0.7)+fontsize(10); defaultpen(dps);\n"
          "draw((0,0)--(10,0)--(10,6)--(0,6)--cycle); draw((0,6)--(4,0)); label(\"$A$\",(0,6),NW); "
          "label(\"$B$\",(4,0),S);\nfor(int i=0;i<10;++i){draw((i,0)--(i,0.2));}\n[/asy]")
QUESTION = "In the rectangle shown, $AB$ meets the bottom side at $B$. What is the area of triangle $AOB$?"


def test_a_figure_is_dropped_with_its_tags_kept():
    text = f"Consider the figure.\n{FIGURE}\n{QUESTION}"
    assert strip_diagrams(text) == f"Consider the figure.\n[asy][/asy]\n{QUESTION}"
    assert strip_diagrams(QUESTION) is QUESTION  # nothing to drop: the same object


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(("[asy]", "[/asy]", "[asy", "/asy]", "draw((0,0));", "x", "\n", "[")), max_size=60).map("".join))
def test_strip_diagrams_equals_a_regex(text):
    """Each "[asy]" to the next "[/asy]" (or the end of the text) loses what lies between, for the
    first ``MAX_DIAGRAMS`` figures; a text with nothing to drop is returned as it is."""
    out = strip_diagrams(text)
    assert out == re.sub(r"\[asy\].*?(?:(?=\[/asy\])|\Z)", "[asy]", text, count=MAX_DIAGRAMS, flags=re.DOTALL)
    assert out is text or len(out) < len(text)


def test_work_is_bounded_on_many_figures():
    text = "[asy]x[/asy]" * 9000
    assert strip_diagrams(text) == "[asy][/asy]" * MAX_DIAGRAMS + "[asy]x[/asy]" * (9000 - MAX_DIAGRAMS)


def test_a_figure_leaves_the_score_and_the_cost_estimate_reads_it(default):
    """A MATH-style problem with its figure scored like a long code block (0.95); without the figure as
    the text alone. The expected prompt tokens still count the figure."""
    with_figure = default.score(user(f"{FIGURE}\n{QUESTION}")).score
    alone = default.score(user(f"[asy][/asy]\n{QUESTION}")).score
    assert with_figure == alone


def test_route_says_how_many_characters_of_diagram_were_not_scored(capsys):
    from router.cli import main

    config = str(Path(__file__).resolve().parents[2] / "configs" / "default.yaml")
    assert main(["route", f"{FIGURE}\n{QUESTION}", "--config", config]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["diagram_chars_not_scored"] == len(FIGURE) - len("[asy][/asy]")
    assert out["estimated_prompt_tokens"] > len(FIGURE) / 5  # the cost estimate reads all of it
    assert main(["route", QUESTION, "--config", config]) == 0
    assert "diagram_chars_not_scored" not in json.loads(capsys.readouterr().out)


def test_training_reads_what_serving_reads(tiny_estimator):
    """The estimator's fit features and its served features are the same view of the prompt (before
    7.15.0 training read figures and pasted data whole)."""
    import numpy as np

    from tests.classifiers.test_pasted_data import CSV

    text = f"{FIGURE}\n{QUESTION}\n{CSV}"
    H, _ = tiny_estimator._raw([text])
    S, _ = tiny_estimator._tok_raw([text])
    served = tiny_estimator.featurize(text)
    assert np.allclose(H[0], served.h) and np.allclose(S[0], served.shape)
