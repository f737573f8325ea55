"""Everyday words of the code lexicon (``classifiers/code_words.py``, version 48): alone, without code syntax, no code."""

import pytest

from classifiers.code_words import not_code_cues
from classifiers.feature_schema import FEATURE_NAMES
from classifiers.lexicons import LEXICON_NAMES, lexicon_counts, lower_words

CODE = LEXICON_NAMES.index("code")

#: Everyday requests whose only code cues are such words (before version 48: 0.70-0.74, a request for a program).
EVERYDAY = [
    "My lymph nodes are swollen and I have a sore throat. Should I see a doctor?",
    "I got bitten by a bug while hiking and now there is a red ring. Is that Lyme disease?",
    "Write a thank-you note to the server at our anniversary dinner.",
    "How do I thread a sewing machine needle?",
    "Which guitar string should I tune first, and what is the standard tuning?",
    "Rewrite the text and correct the spelling errors.",
]
#: Code keeps its cues: another code cue beside them, code syntax, inline code, an assignment, or a request to write code.
CODE_TEXTS = [
    "Given a graph with n nodes, return the number of connected components.",
    "Why does my server return a 500 error?",
    "My server doesn't have enough RAM for `rails assets:precompile`. What can I do?",
    "The loop never ends: while (i < n) { i++; }",
    "x = [1, 2] raises an error in my loop.",
    "Implement a thread pool.",
]


def _domain(default, text: str) -> float:
    return default.estimator.featurize([{"role": "user", "content": text}]).h[FEATURE_NAMES.index("code domain")]


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_words_alone_are_no_code(default, text):
    assert _domain(default, text) == 0.0
    assert default.score([{"role": "user", "content": text}]).score < 0.35


@pytest.mark.parametrize("text", CODE_TEXTS)
def test_code_keeps_its_cues(default, text):
    assert _domain(default, text) > 0.0


def test_more_than_three_everyday_cues_read_as_code():
    text = "The bug, the error, the loop and the server are four of them."
    words = lower_words(text)
    code = lexicon_counts(words)[CODE]
    assert code == 4 and not_code_cues(text, words, code, 0) == 0
    three = "The bug, the error and the loop."
    assert not_code_cues(three, lower_words(three), 3, 0) == 3 and not_code_cues(three, lower_words(three), 3, 1) == 0
