"""A quiz stem's uncommon words (feature version 101, ``classifiers.rare_words``): specialised knowledge, a prior."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from classifiers.derive_common_words import common_words
from classifiers.feature_schema import FEATURE_NAMES, RARE_PRIOR_FEATURE
from classifiers.features import handcrafted
from classifiers.inference import as_conversation
from classifiers.lexicons import lower_words
from classifiers.rare_words import (
    COMMON_WORDS_PATH,
    MAX_RARE,
    MIN_CHARS,
    RARE_ANCHOR,
    packaged_common_words,
    rare_words,
    stem_rare_words,
    word_parts,
)


def _options(*options: str) -> str:
    return "".join(f"\n{letter}. {o}" for letter, o in zip("ABCD", options))


RED_PLANET = "Which planet is known as the Red Planet?" + _options("Venus", "Mars", "Jupiter", "Saturn")
ECLOGA = ("Which Byzantine emperor issued the Ecloga, a Greek-language legal handbook that revised Justinianic law?"
          + _options("Heraclius", "Leo III", "Basil I", "Justinian II"))
LESCH_NYHAN = "Which enzyme is deficient in Lesch-Nyhan syndrome?" + _options("HGPRT", "ADA", "G6PD", "HexA")


def _rare(text: str) -> float:
    return handcrafted(as_conversation(text))[RARE_PRIOR_FEATURE]


def test_the_column_is_the_last_one():
    assert FEATURE_NAMES[RARE_PRIOR_FEATURE] == "rare words in a quiz" == FEATURE_NAMES[-1]


def test_a_specialised_quiz_stem_counts_its_uncommon_words_beyond_the_first():
    """Byzantine, Ecloga, handbook, Justinianic (Greek-language's parts are common); "Lesch-Nyhan" is two."""
    assert stem_rare_words(ECLOGA.split("\n")[0]) == 4 and _rare(ECLOGA) == pytest.approx(math.log1p(4 - RARE_ANCHOR))
    assert stem_rare_words(LESCH_NYHAN.split("\n")[0]) == 3  # deficient, lesch, nyhan
    assert _rare(LESCH_NYHAN) == pytest.approx(math.log1p(3 - RARE_ANCHOR))


def test_an_everyday_quiz_counts_none():
    assert _rare(RED_PLANET) == 0.0
    assert _rare("What is the capital of France?" + _options("Berlin", "Madrid", "Paris", "Rome")) == 0.0


def test_one_uncommon_word_counts_nothing():
    """One is often an everyday word the mathematical training prompts lack: "Islam" (0.36 -> 0.54 counted)."""
    text = "Which of the following is the holy book of Islam?" + _options("Torah", "Quran", "Vedas", "Tripitaka")
    assert stem_rare_words(text.split("\n")[0]) == 1 and _rare(text) == 0.0


def test_the_options_are_not_read():
    """The candidates' names are the options' ("Heraclius", "Justinian"), the question's words the stem's."""
    assert _rare("Which of these was an emperor?" + _options("Heraclius", "Justinian", "Ecloga", "Basileus")) == 0.0


def test_only_a_quiz_counts():
    """No options: no quiz stem, no count (a typo-heavy chat message, a specialised question asked openly)."""
    assert _rare(ECLOGA.split("\n")[0]) == 0.0
    assert _rare("hey so i tryed to recieve teh pakage but its delayd untill tommorow, wich is anoying. what shoud i do") == 0.0


def test_a_code_quiz_counts_none():
    """Identifiers (useState, setData, fetchData) are read by the code features: the code domain is at 1.0."""
    text = ("What does this React component do?\nfunction Results({ query }) {\n  const [data, setData] = useState([]);\n"
            "  useEffect(() => { fetchData(query).then(setData); });\n}" + _options("Fetches once", "Re-renders forever", "Nothing", "Throws"))
    assert _rare(text) == 0.0


@pytest.mark.parametrize("stem", [
    "¿Cuál de los siguientes planetas es conocido como el planeta rojo?",  # every word uncommon, and no English word
    "Welcher Planet ist als der rote Planet bekannt?",
    "Какая планета известна как Красная планета?",  # Cyrillic, Chinese: not ASCII letters
    "下列哪一个行星被称为红色星球？",
])
def test_another_language_counts_none(stem):
    assert _rare(stem + _options("Venus", "Mars", "Jupiter", "Saturn")) == 0.0


def test_a_passage_above_the_question_is_not_read():
    """Names in a pasted article are material: only the stem's last line (the question) is read."""
    article = ("Mayor Eleanor Whitcombe of Brackenridge said the Harrowgate Bridge works by Dunmore and Pryce would close Kestrel "
               "Avenue; Councillor Tobias Ashworth-Llewellyn objected. ") * 3
    question = "Which official spoke first?" + _options("The mayor", "A councillor", "A contractor", "Nobody")
    assert _rare(article + "\n\n" + question) == 0.0
    assert _rare(article + question) > 0.0  # one paragraph: the names are the question's


def test_numbers_short_words_and_parts():
    assert rare_words(lower_words("which 1215 ph ka ols")) == 1  # numbers none, "ph" and "ka" too short, "ols" counts
    assert word_parts("widow's") == ["widow", "s"] and word_parts("common-law") == ["common", "law"]
    assert word_parts("café") == [] and word_parts("x2") == []
    assert rare_words(lower_words("the widow's widow")) == 1  # a possessive is its word: counted once


def test_the_count_is_capped():
    many = "which " + " ".join(f"zqx{chr(97 + i)}{chr(97 + j)}" for i in range(5) for j in range(5))
    assert rare_words(lower_words(many)) == MAX_RARE
    assert stem_rare_words(many) == MAX_RARE


def test_the_common_word_list():
    """Sorted ASCII words of MIN_CHARS+ letters, small, and the derivation's rule: in two or more prompts."""
    words = COMMON_WORDS_PATH.read_text(encoding="ascii").split()
    assert words == sorted(words) and len(words) == len(packaged_common_words())
    assert all(w.isascii() and w.isalpha() and len(w) >= MIN_CHARS for w in words)
    assert COMMON_WORDS_PATH.stat().st_size < 300_000
    assert {"planet", "emperor", "which"} <= packaged_common_words() and not {"ecloga", "justinianic"} & packaged_common_words()
    assert common_words(["The Ecloga law.", "Ecloga, the law!", "law x2 ok"]) == ["ecloga", "law", "the"]


def test_the_weight_is_the_configured_prior(default):
    """No source in shared/ has multiple-choice outcomes to fit it by: a prior, and the answer-length fit leaves it out."""
    est = default.estimator
    assert est.rare_prior > 0
    assert abs(est.coef_[RARE_PRIOR_FEATURE] / est.scale_[RARE_PRIOR_FEATURE] - est.rare_prior) < 1e-9
    assert est.tok_coef_[RARE_PRIOR_FEATURE] == 0.0


def test_a_specialised_quiz_outranks_an_everyday_one_of_its_length(default):
    """Before version 101 they scored alike (0.37 and 0.36); at the prior of artifact 7.83.0 (0.3) 0.45 and 0.36."""
    assert default.score([{"role": "user", "content": ECLOGA}]).score > default.score([{"role": "user", "content": RED_PLANET}]).score + 0.05


def test_a_long_paragraph_is_read_at_its_end():
    """Its last STEM_CHARS characters: the question, not the head of a vignette or a passage run into it."""
    head = "The Ecloga of Byzantine emperors was a handbook. "
    filler = "The patient was well and the doctor said that the day was fine. " * 12
    assert _rare(head + "Which answer is right?" + _options("A one", "A two", "A three", "A four")) > 0.0
    assert _rare(head + filler + "Which answer is right?" + _options("A one", "A two", "A three", "A four")) == 0.0


def test_a_label_over_the_options_is_not_the_question():
    """BIG-Bench ends its stems with "Options:": the question is the line above it."""
    text = "Which Byzantine emperor issued the Ecloga?\nOptions:\n(A) Heraclius\n(B) Leo III\n(C) Basil I\n(D) Justinian II"
    assert _rare(text) == pytest.approx(math.log1p(2 - RARE_ANCHOR))  # byzantine, ecloga


def test_dashed_options_end_a_stem_too():
    """"A - x" options under a question had no stem, so no count (0.37 against 0.72 with "A. x")."""
    question = "Which cranial nerve innervates the lateral rectus muscle?"
    options = ["Abducens (VI)", "Trochlear (IV)", "Oculomotor (III)", "Facial (VII)"]
    dotted = question + "".join(f"\n{letter}. {o}" for letter, o in zip("ABCD", options))
    dashed = question + "".join(f"\n{letter} - {o}" for letter, o in zip("ABCD", options))
    assert _rare(dashed) == _rare(dotted) > 0.0


def test_the_word_list_is_read_at_load_not_at_import() -> None:
    """The team's rule: no work at import time (the list was read when the featurizer was imported)."""
    code = ("import classifiers.features, classifiers.rare_words as r; assert r.packaged_common_words.cache_info().currsize == 0;"
            "from classifiers.classifier import load_classifier; load_classifier(); assert r.packaged_common_words.cache_info().currsize == 1")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])
