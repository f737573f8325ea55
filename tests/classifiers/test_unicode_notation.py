"""Unicode math symbols count as notation like LaTeX commands (version 108); Greek prose, units and lone letters in words do not."""

from __future__ import annotations

import math

import pytest

from classifiers.feature_schema import FEATURE_NAMES
from classifiers.features import handcrafted
from classifiers.inference import as_conversation
from classifiers.latex import latex_notation, unicode_math

LATEX = FEATURE_NAMES.index("LaTeX commands")


@pytest.mark.parametrize("text,count", [
    ("Using the convention F(ω) = ∫ f(t) e^{−iωt} dt, compute it.", 2),  # F(ω) and ∫; "iωt" is a product in a word
    ("Let f: ℝ → ℝ with f(x + y) = f(x) + f(y) ∀ x, y ∈ ℝ.", 5),
    ("If α = 3 and 2π < β, what is θ²?", 3),  # π is a number ("2π", as "√2")
    ("In finance, what does β measure for a stock?", 0),  # a word between words
    ("Find the root ξ = 1 of √x = 2, for 1 ≤ n ≤ 25.", 4), ("costs ≤ $5", 0), ("≈ 20 minutes", 0), ("√2 ≈ 1.41", 0),
    ("Let A ⊆ B and B ∩ C = ∅.", 3),
    ("Η Αθήνα είναι η πρωτεύουσα της Ελλάδας.", 0),  # Greek prose: "Η", "η" are articles
    ("Η περίοδος είναι T = 2π/ω, με ω ≥ 0 και ∫ f.", 2),  # Greek prose: its letters are words, its signs count
    ("The Greek word λόγος and the letter π.", 0),  # a Greek word: no letter counts
    ("A 5 μm film on a 10 kΩ resistor.", 0),  # units
    ("Объясните фотосинтез.", 0), ("请解释一下光合作用的过程。", 0), ("plain ASCII x <= 3", 0),
    ("Route A → B, 1920×1080, 20 °C, ½ cup, ο.", 0),  # arrows, products, degrees, fractions, omicron: nothing
])
def test_unicode_math_counts_symbols(text, count):
    assert unicode_math(text) == count


def test_unicode_math_is_latex_notation():
    assert latex_notation("Does ∑ 1/n² converge?") == 1
    assert latex_notation("Find $\\sum 1/n^2$ and ∑ 1/n.") == 3


def test_unicode_formula_reads_as_notation_like_latex():
    uni = "Using the convention F(ω) = ∫ f(t) e^{−iωt} dt, compute the Fourier transform of f(t) = t·e^{−a|t|} for a > 0."
    assert handcrafted(as_conversation(uni))[LATEX] == pytest.approx(math.log1p(2))
    assert handcrafted(as_conversation("Η Αθήνα είναι η πρωτεύουσα της Ελλάδας."))[LATEX] == 0.0
