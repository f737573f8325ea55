"""A multiple-choice question read by its stem (classifiers/quiz_stem.py): an outside review's MMLU-style probes (s35,
hand-written items, never tuned on), each a misread that the stem's reading mends."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifiers.classifier import ComplexityClassifier
from classifiers.feature_schema import FEATURE_NAMES
from classifiers.features import LEXICON_NAMES, lexicon_counts
from classifiers.lexicons import lower_words
from classifiers.quiz_stem import COMPUTATION_QUANTITIES, computes, logic_notation, quiz_stem, stem_cues


def score(default: ComplexityClassifier, text: str) -> float:
    return default.score([{"role": "user", "content": text}]).score


def feature(default: ComplexityClassifier, text: str, name: str) -> float:
    return default.estimator.featurize([{"role": "user", "content": text}]).h[FEATURE_NAMES.index(name)]


def test_the_stem_is_the_text_above_the_options_that_end_it() -> None:
    item = "Which gas do plants absorb?\nA. Oxygen\nB. Carbon dioxide\nC. Helium\nAnswer:"
    assert quiz_stem(item, True) == "Which gas do plants absorb?\n"
    assert quiz_stem(item, False) is None, "no answer options counted: no quiz"
    assert quiz_stem("Which gas do plants absorb? (A) Oxygen (B) Carbon dioxide", True) is None, "inline options: read whole"


@given(st.text(max_size=200), st.lists(st.text(alphabet=st.characters(blacklist_characters="\n"), max_size=30), min_size=2, max_size=5))
def test_stem_cues_never_exceed_the_whole_texts(stem: str, options: list[str]) -> None:
    text = stem.replace("\n", " ") + "\n" + "\n".join(f"{'ABCDE'[i]}. {o}" for i, o in enumerate(options))
    lex = lexicon_counts(lower_words(text))
    found = quiz_stem(text, True)
    if found is not None:
        cues = stem_cues(lex, text, found)
        assert all(0 <= c <= w for c, w in zip(cues, lex, strict=True))


def test_the_options_words_open_no_domain(default: ComplexityClassifier) -> None:
    """"Content analysis" / "Experimental design" as options made a sociology recall item a reasoning question (0.71;
    reworded options 0.58). A question whose stem reasons keeps its domain; math words in the options still count."""
    stem = "Which research method involves the researcher taking part in the daily life of the group being studied?"
    cued = f"{stem}\nA. Content analysis\nB. Experimental design\nC. Participant observation\nD. Surveys"
    plain = f"{stem}\nA. Content coding\nB. Laboratory experiments\nC. Participant observation\nD. Surveys"
    assert feature(default, cued, "reasoning domain") == feature(default, plain, "reasoning domain") == 0.0
    assert score(default, cued) == pytest.approx(score(default, plain), abs=0.03)
    reasoned = "Analyze the argument and deduce which conclusion follows logically.\nA. All\nB. Some\nC. None"
    assert feature(default, reasoned, "reasoning domain") > 0.5
    wire = "A wire has resistance R. What is the resistance of a wire of the same metal?\nA. half the length, twice the radius\nB. R"
    assert lexicon_counts(lower_words(wire))[LEXICON_NAMES.index("math")] == stem_cues(
        lexicon_counts(lower_words(wire)), wire, quiz_stem(wire, True) or "")[LEXICON_NAMES.index("math")]


def test_a_short_computation_reads_as_the_work_it_asks_for(default: ComplexityClassifier) -> None:
    """The same computation scored 0.48 in 68 characters and 0.71 in 157: the length prior read its words, not the work.
    A one-step sum ("What is 7 + 5?", two quantities) is no computation: it stays below a ring-theory item."""
    terse = "If 3x - 7 = 11, what is the value of 6x + 2?\nA. 34\nB. 38\nC. 40\nD. 44"
    assert computes("If 3x - 7 = 11, what is the value of 6x + 2?\n", 0.0)
    assert score(default, terse) > 0.6
    easy = "What is 7 + 5?\nA. 10\nB. 11\nC. 12\nD. 13\nAnswer:"
    hard = "Find the characteristic of the ring 2Z.\nA. 0\nB. 3\nC. 12\nD. 30\nAnswer:"
    assert not computes("What is 7 + 5?\n", 0.0) and COMPUTATION_QUANTITIES == 3
    assert score(default, easy) < 0.45 < score(default, hard)
    recall = "Which of the following is the holy book of Islam?\nA. Torah\nB. Quran\nC. Vedas\nD. Tripitaka"
    assert score(default, recall) < score(default, terse) - 0.2


def test_logic_notation_is_a_logic_cue(default: ComplexityClassifier) -> None:
    """A formal-logic item scored 0.46 with ∨ ⊃ ≡ and 0.63 with the same options in words."""
    stem = "Which is the best symbolization of: Either Anna studies or she fails, but not both?"
    symbols = f"{stem}\nA. (S \u2228 F) \u2022 \u00ac(S \u2022 F)\nB. (S \u2228 F) \u2283 \u00ac(S \u2022 F)\nC. S \u2261 F\nD. \u00acS \u2228 F"
    assert logic_notation(symbols) == 8 and logic_notation("a -> b • c") == 0
    assert feature(default, symbols, "reasoning domain") > 0.2
    assert score(default, symbols) > 0.55


def test_a_math_word_in_a_long_vignette_makes_no_math_problem_of_its_figures(default: ComplexityClassifier) -> None:
    """"ejection fraction" and "drug combinations" made a cardiology vignette's vital signs a math problem: 0.91, the
    top of 130 quiz items, against 0.75 with "LVEF" and "pairs of drugs"."""
    vignette = ("A 52-year-old man comes to the emergency department because of shortness of breath for 3 weeks. He drinks 12 "
                "beers daily. His pulse is 112/min, respirations are 24/min, and blood pressure is 100/70 mm Hg. Crackles are "
                "heard at both lung bases. An echocardiogram shows a dilated left ventricle with an {ef} of 25%. Serum "
                "sodium is 131 mEq/L, potassium 4.1 mEq/L, creatinine 1.2 mg/dL. He is started on furosemide. Which of the "
                "following {combo} is most likely to reduce mortality in this patient over the next 2 years?\n"
                "A. Digoxin and hydralazine\nB. Metoprolol and lisinopril\nC. Amiodarone and warfarin\nD. Verapamil and aspirin")
    worded = vignette.format(ef="ejection fraction", combo="drug combinations")
    plain = vignette.format(ef="LVEF", combo="pairs of drugs")
    assert feature(default, worded, "math domain") < 0.3
    assert score(default, worded) == pytest.approx(score(default, plain), abs=0.05)
