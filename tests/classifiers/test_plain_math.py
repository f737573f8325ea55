"""Plain-text math outside LaTeX (classifiers/plain_math.py) and a quiz read by its stem's math (quiz41, review41
clusters 5 and 6): hand-written probes, no benchmark items."""

from __future__ import annotations

import pytest

from classifiers.classifier import ComplexityClassifier
from classifiers.feature_schema import FEATURE_NAMES
from classifiers.math_hardness import hardness
from classifiers.plain_math import SHORT_TEXT_CHARS, ascii_reading, computes_plainly, plain_notation, short_formula
from classifiers.quiz_stem import computes, recalls


def feature(default: ComplexityClassifier, messages: list[dict[str, str]], name: str) -> float:
    return default.estimator.featurize(messages).h[FEATURE_NAMES.index(name)]


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


@pytest.mark.parametrize("text", ["x^2 - 3y^2 = 1 with 0 < x < 1000", "the series of n / 3^n", "sqrt(x + 7) = 2",
                                  "2^(x+1) + 2^(3-x) = 17", "if log_2(x) = 3", "functions from {1,2,3} to {1,2}",
                                  "the integers modulo 15", "minimum for x > 0"])
def test_plain_formulas_are_math_notation(text: str) -> None:
    assert plain_notation(text)[0] > 0


@pytest.mark.parametrize("text", ["From Python 3.9 to 3.12", "born on 2023-05-12", "Move it from 3 -> 4 pm",
                                  "Paris -> London", "x**2 fails", "what does 5 ^ 3 print", "<b>5</b>", "p->next",
                                  "HPO4^2-\n(C) PO4^3-", "Fe^3+ ions", "^_^ lol"])
def test_versions_dates_arrows_code_and_charges_are_none(text: str) -> None:
    assert plain_notation(text) == (0, 0)


def test_only_a_short_texts_formulas_are_read() -> None:
    short = "What is the minimum of x^2 + 4/x^2 for x > 0?"
    assert short_formula(short) == plain_notation(short) != (0, 0)
    long = short + " Some context about the course." * (SHORT_TEXT_CHARS // 30)
    assert len(long) > SHORT_TEXT_CHARS and short_formula(long) == (0, 0)


def test_arrows_between_propositions_are_logic() -> None:
    assert plain_notation("(p -> q) -> (q -> p)")[1] == 3
    assert plain_notation("not (p -> q)") == (0, 1)


def test_a_stem_computes_with_a_plain_formula_or_a_count_of_objects() -> None:
    assert computes("The sum of the series from n = 1 to infinity of n / 3^n equals\n", 0)
    assert computes("How many elements of order exactly 4 does the group have?\n", 0)
    assert computes_plainly("Which formula is logically equivalent to not (p -> q)?")
    assert not computes("How many legs does a spider have?\n", 0)


def test_a_recall_stem_has_no_quantity_math_word_or_formula() -> None:
    assert recalls("Which of the following best defines opportunity cost?\n")
    assert recalls("The Treaty of Westphalia (1648) ended which conflict?\n"), "a year is no quantity"
    assert not recalls("What is the remainder when 7^100 is divided by 13?\n")
    assert not recalls("Which formula is logically equivalent to not (p -> q)?\n")


def test_a_recall_stems_options_add_no_arithmetic_cue(default: ComplexityClassifier) -> None:
    item = ("Which of the following best defines opportunity cost?\nA. The price paid for a good\nB. The value of the next "
            "best alternative forgone\nC. The total cost of production divided by output\nD. The marginal cost of the last "
            "unit\nAnswer:")
    assert feature(default, user(item), "arith cues") == pytest.approx(0.6931, abs=1e-3), "the stem's 'cost' only"


def test_a_short_plain_formula_is_notation_as_latex_is(default: ComplexityClassifier) -> None:
    """Version 82 (review rev41b H3): a plain formula outside a quiz sets the math domain, as LaTeX does, with no
    computation's length: "What's sqrt(16)?" scored 0.53 with it, above "What is $\\sqrt{16}$?"."""
    chat = [{"role": "user", "content": "Thanks!"}, {"role": "assistant", "content": "You're welcome!"},
            {"role": "user", "content": "One more: solve 2^(x+1) + 2^(3-x) = 17 for real x."}]
    assert feature(default, chat, "math domain") == 1.0
    assert feature(default, user("What's sqrt(16)?"), "length in a closed problem") == 0.0
    assert feature(default, user("From Python 3.9 to 3.12, is that a big jump?"), "length in a closed problem") == 0.0


def test_trivia_counts_are_no_computation() -> None:
    """Version 82 (review rev41b H4): zeros, roots, triangles, elements alone are trivia's counts."""
    assert not computes_plainly("How many zeros are in one billion?")
    assert not computes_plainly("How many noble gas elements are there?")
    assert computes_plainly("How many elements of order 4 are there in the group of units modulo 15?")


def test_a_request_for_code_with_options_keeps_its_code_domain(default: ComplexityClassifier) -> None:
    """Version 80's "a quiz's code words set no domain" took requests to write code out of the code domain when they
    ended in lettered approaches (review rev41b H1: 0.84 -> 0.46); undone in 82."""
    item = ("Write a Python function that removes duplicates from a list while keeping order. Pick one approach and "
            "implement it:\nA. Use a set and a list\nB. Use dict.fromkeys")
    assert feature(default, user(item), "code domain") == 1.0


def test_a_request_to_write_is_no_computation(default: ComplexityClassifier) -> None:
    """Version 83 (review rev41b H3): an inequality in a request to write is the product's, not a problem's."""
    text = "Kids aged 3 < x < 6 love this toy. Write an Amazon product description."
    assert feature(default, user(text), "length in a closed problem") < 0.4, "0.80 with the computation's 100 characters"


def test_a_quiz_that_asks_for_work_on_code_is_a_request_for_a_program(default: ComplexityClassifier) -> None:
    """Version 84 (review rev41b): version 80's "a quiz's code words alone ask for no program" took a refactoring
    request with lettered choices to 0.61 (0.81 before)."""
    item = ("Refactor my recursive tree traversal into an iterative one. Choose the data structure:\n(a) a stack\n"
            "(b) a queue\n(c) a heap")
    concept = ("In a recursive function that computes a sequence without memoization, the number of calls grows:\n"
               "A. Linearly\nB. Quadratically\nC. Exponentially\nD. Logarithmically")
    assert feature(default, user(item), "length in a closed problem") > feature(default, user(concept), "length in a closed problem")


#: Version 97: the same formula typed in Unicode (a phone's keyboard, a PDF, a chat answer) and in ASCII.
UNICODE_TWINS = [("Solve x² − 5x + 6 = 0.", "Solve x^2 - 5x + 6 = 0."),
                 ("Find all integer solutions of x² − 3y² = 1 with 0 < x ≤ 1000.",
                  "Find all integer solutions of x^2 - 3y^2 = 1 with 0 < x <= 1000."),
                 ("Prove that eˣ ≥ 1 + x for all real x.", "Prove that e^x >= 1 + x for all real x."),
                 ("Simplify (x⁴ − 1)/(x² + 1).", "Simplify (x^4 - 1)/(x^2 + 1)."),
                 ("Find x if log₂(x + 1) = 5.", "Find x if log_2(x + 1) = 5."),
                 ("Evaluate ∑ n/3ⁿ for n = 1 to ∞.", "Evaluate ∑ n/3^n for n = 1 to ∞."),
                 ("求解方程 x² − 5x + 6 = 0", "求解方程 x^2 - 5x + 6 = 0"),
                 ("Is (p → q) → ¬q valid?", "Is (p -> q) -> ~q valid?")]


@pytest.mark.parametrize(("unicode", "ascii"), UNICODE_TWINS)
def test_unicode_math_reads_as_its_ascii_spelling(unicode: str, ascii: str) -> None:
    assert plain_notation(unicode) == plain_notation(ascii) != (0, 0)
    assert hardness(unicode) == hardness(ascii)


def test_the_ascii_reading_of_unicode_math() -> None:
    assert ascii_reading("x⁻¹ + 10¹⁸ + Fe³⁺ + Cl⁻ + x₁₂ + aₙ") == "x^(-1) + 10^18 + Fe^3+ + Cl^- + x_12 + a_n"
    assert ascii_reading("p ⇔ q, p ⇒ r, 3 ≠ 4") == "p <-> q, p -> r, 3 ≠ 4"
    assert plain_notation("Fe³⁺ and SO₄²⁻ ions") == (0, 0), "a charge is no exponent, in Unicode as in ASCII"
    assert plain_notation("Compute ∫₀¹ x² dx.")[0] == 3, "∫ a sign, its bounds' 0^1 and x^2 exponents"
    assert plain_notation("f(x) = √x · ∛(2x + 1)") == plain_notation("f(x) = sqrt(x) * cbrt(2x + 1)") == (2, 0)
    assert plain_notation("Find all solutions for 2 sin(x) = √(2), where x is between 0 and 2π") == (0, 0), \
        "a number's root is a constant's notation (arena-bench-v1 APGR 0.6610 -> 0.6564 with it a sign)"


@pytest.mark.parametrize("text", ["Bright 2-room flat, 54 m², 3rd floor, balcony 6 m². Is €1,200/month fair?",
                                  "€3,000/m² or 45 ft² per m² in a 12m² room of 5 cm³, 9.8 m/s², 2 sq. ft²",
                                  "My monitor is 1920×1080, should I upgrade to 2560×1440?",
                                  "Our release workflow: dev → staging → prod. A → B → C.",
                                  "Agenda · intro · budget · Q&A", "The drive takes ≈ 5 minutes.", "It is −5 °C outside.",
                                  "Mix ½ cup sugar with ¼ cup butter.", "H₂O vs CO₂: which is heavier?",
                                  "α-blockers vs β-blockers: what's the difference? θ and π are letters.",
                                  "Ποια είναι η πρωτεύουσα της Ελλάδας;", "请帮我写一封感谢信给我的老师。",
                                  "Какие достопримечательности стоит посетить в Санкт-Петербурге?",
                                  "Price ≤ €500, battery ≥ 10 h: which laptop?"])
def test_units_dimensions_arrows_bullets_and_other_scripts_are_no_unicode_math(text: str) -> None:
    assert plain_notation(text) == (0, 0)


def test_a_units_square_is_an_exponent_before_an_operator() -> None:
    assert plain_notation("Solve 3m² + 2m = 0.") == plain_notation("Solve 3m^2 + 2m = 0.") == (1, 0)
    assert ascii_reading("a 50 m² flat") == "a 50 m² flat"


def test_an_area_is_no_nonlinear_cue() -> None:
    """Version 92 read any letter before ² as a power: "12 m²" made the room's x = 3 nonlinear (1 cue, 50 characters)."""
    assert hardness("The room is 12 m² and x = 3.") == 0
    assert hardness("The room is x² and x = 3.") == 1


@pytest.mark.parametrize(("unicode", "ascii"), [("Solve x² − 5x + 6 = 0.", "Solve x^2 - 5x + 6 = 0."),
                                                ("Find the derivative of f(x) = √x · x³.",
                                                 "Find the derivative of f(x) = sqrt(x) * x^3."),
                                                ("Evaluate ∑ n/3ⁿ for n = 1 to ∞.",
                                                 "Evaluate the sum of n/3^n for n = 1 to infinity."),
                                                ("Simplify (x⁴ − 1)/(x² + 1).", "Simplify (x^4 - 1)/(x^2 + 1).")])
def test_unicode_math_scores_as_its_ascii_twin(default: ComplexityClassifier, unicode: str, ascii: str) -> None:
    """Version 97: 0.381 / 0.389 / 0.401 / 0.372 against 0.486 / 0.549 / 0.557 / 0.519 at version 96."""
    assert default.score(user(unicode)).score == pytest.approx(default.score(user(ascii)).score, abs=0.05)
    assert feature(default, user(unicode), "length in a closed problem") > 0.0


@pytest.mark.parametrize("text", [
    "Checklist: √ passport √ tickets × hotel. What else do I need for a week in Japan?",  # a tick, no root
    "The pump moves 10 m³/h. Is that enough for a 40 m³ pool?",  # a unit's cube before "/h"
    "Is 50 m² + 10 m² of balcony enough for a family of four?",  # areas added
    "Our flat: 43,560 ft² = 1 acre of land?",  # a conversion
    "Which route is faster: (A) → (B) or (A) → (C)? I am driving from Lyon.",  # arrows between labels
    "I finished 2ⁿᵈ and my friend came 3ʳᵈ. Write a short congratulation message.",  # an ordinal
])
def test_review_rev43_unicode_misfires_read_no_formula(text: str) -> None:
    """Version 99 (review rev43 M1-M4, L1)."""
    assert plain_notation(text) == (0, 0), ascii_reading(text)


def test_formulas_beside_the_misfires_still_read() -> None:
    assert plain_notation("√x · ∛(2x + 1)") == (2, 0)
    assert plain_notation("3m² + 2m = 0")[0] == 1 and plain_notation("5m²/2 + x")[0] == 1  # glued, an operator after
    assert plain_notation("Is (p → q) ∧ ¬q → ¬p a tautology?")[1] == 2  # a text of propositions
