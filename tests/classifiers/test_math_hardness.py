"""How hard a formula's problem reads (classifiers/math_hardness.py, version 92): hand-written probes, no benchmark items.

Version 80 gave every plain formula with a variable a flat 100 characters, LaTeX none outside a quiz: easy and hard
follow-ups rose alike, and stats shorthand ("p < 0.05") read as a problem."""

from __future__ import annotations

import pytest

from classifiers.feature_schema import PRIOR_FEATURE
from classifiers.math_hardness import HARDNESS_CHARS, HARDNESS_MAX, hardness, hardness_chars
from tests.classifiers import reference_features as ref
from tests.classifiers._equivalence_helpers import _same
from tests.classifiers.conftest import turn_features

EASY_FORMULAS = ["Solve 4x - 7 = 9.", "Now solve 2x + 3 = 11.", "Simplify 3x + 2x - 4.", "What's sqrt(16)?",
                 "What is 2^3?", "Compute $2^5$.", "Solve $3x + 4 = 19$.", "What is $\\frac{1}{2} + \\frac{1}{3}$?"]
NEGATIVES = ["My A/B test gave p < 0.05 with a tiny effect. Should we ship it?", "Draw a 3x4 grid of emoji for my header.",
             "How long does an x-ray of the wrist take?", "Is your customer support really 24/7?",
             "We need n > 30 people per group. How do I recruit volunteers quickly?",
             "Rate this reply from {1,2,3,4,5} for politeness: 'ok fine whatever'", "Is 2x optical zoom enough for birds?",
             "In Google Sheets, how do I square every value, like =B2^2, down a column?"]
HARD_FORMULAS = ["Now find all integer solutions of x^2 - 5y^2 = 4 with 0 < x < 2000.",
                 "Find all pairs of positive integers (m, n) with m^2 - 2n^2 = 7 and m < 200.",
                 "Prove that for every integer n > 1, n^5 - n is divisible by 30.",
                 "Differentiate y = x^(sin x) for x > 0 and find where the tangent is horizontal on (0, 10).",
                 "For which values of the parameter $k$ does the system $kx + y = 1$, $x + ky = k$ have no solution?",
                 "Solve the system x^2 + y^2 = 25, xy = 12 over the reals."]


@pytest.mark.parametrize("text", EASY_FORMULAS + NEGATIVES)
def test_easy_formulas_and_everyday_signs_read_no_hardness(text: str) -> None:
    assert hardness(text) == 0


@pytest.mark.parametrize("text", HARD_FORMULAS)
def test_hard_formulas_read_three_cues_or_more(text: str) -> None:
    assert hardness(text) >= 3


@pytest.mark.parametrize("text", ["x^2 - 9 = 0", "sqrt(2x + 5) = x", "\\sqrt{x} = 3", "(x+1)^2", "x² = 4"])
def test_a_variable_s_power_or_root_is_nonlinear(text: str) -> None:
    assert hardness(text) >= 1


@pytest.mark.parametrize("text", ["3^(x+1) = 5", "2^{2x} = 8", "log_2(x + 1) = 3", "\\sin x = 0", "ln x = 2"])
def test_a_variable_in_an_exponent_or_a_function_is_transcendental(text: str) -> None:
    assert hardness(text) >= 1


def test_the_cues_are_capped_and_the_read_is_bounded() -> None:
    assert hardness_chars(HARD_FORMULAS[1]) == HARDNESS_CHARS * HARDNESS_MAX
    assert hardness("x" * 400 + " Prove that all integers n > 1 divide n^5 - n.") == 0


def test_the_reference_reads_the_same_cues() -> None:
    for text in EASY_FORMULAS + NEGATIVES + HARD_FORMULAS + ["b-ra o\n\n){l", "y = 2^x", "\\log_3 (x", "√(2y)"]:
        assert ref._ref_hardness(text) == hardness(text)
        _same(text)


def closed(text: str) -> float:
    return turn_features(text)[PRIOR_FEATURE]


def test_an_easy_follow_up_reads_far_shorter_than_a_hard_one() -> None:
    """Version 80's flat credit: "Differentiate x^3." 0.78 and the Pell-type follow-up 1.12 (gap 0.35)."""
    assert closed(HARD_FORMULAS[0]) - closed("Differentiate x^3.") > 1.0


def test_stats_shorthand_is_no_problem() -> None:
    """Version 80-84: "p < 0.05" and "n > 30" were a formula with a variable (1.11, 1.14 in the closed problem)."""
    assert closed(NEGATIVES[0]) < 0.3
    assert closed(NEGATIVES[4]) < 0.3


def test_latex_outside_a_quiz_reads_its_hardness() -> None:
    """Version 80-84: LaTeX outside a quiz had no computation credit (0.11 against 0.0 for a linear equation)."""
    hard = "Find all real $x$ such that $\\log_2(x+1) + \\log_2(x-1) = 3$."
    assert closed(hard) - closed("Solve $3x + 4 = 19$.") > 0.8


@pytest.mark.parametrize(("text", "cues"), [
    ("Expand (x + 1)^2 for me, and show each step.", 1),  # "each step" is no quantifier (review rev42 M5; 93)
    ("Is $\\log x$ defined for all real $x$? Yes or no.", 0),  # no work asked
    ("Explain what $E = mc^2$ means in simple words for my 12 year old.", 0),
    ("Find the remainder when 7^2025 is divided by 13.", 1),  # a number's power opens the task words
    ("Find all real x with sqrt(2x + 5) = x - 5.", 2),
])
def test_quantifiers_need_an_object_and_a_request_for_no_work_reads_none(text: str, cues: int) -> None:
    assert hardness(text) == cues
