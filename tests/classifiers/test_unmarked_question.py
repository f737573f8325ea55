"""A question sent without its "?" counts as one (version 107): "why is the sky blue" scored 0.28, "Why is the sky
blue?" 0.14 — users often leave the mark off, and a missing "?" read as a request lifted plain questions toward the
thinking tier."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.feature_schema import FEATURE_NAMES
from classifiers.lexicons import lower_words
from classifiers.request_question import UNMARKED_CHARS, UNMARKED_OPENERS, unmarked_question

_QUESTIONS = FEATURE_NAMES.index("questions")

UNMARKED = ["why is the sky blue", "What is Python", "how do I boil an egg.", "Who wrote Hamlet", "is it safe to eat raw eggs",
            "When did World War II end", "Which planet is closest to the sun", "what's the capital of peru"]
NOT_QUESTIONS = [
    "Do my taxes",  # an imperative
    "Can you write a poem about rain",  # a polite request asks for the work
    "Explain recursion",
    "Write a haiku about autumn",
    "How to train your dragon. Review it in three paragraphs.",  # two sentences: the second the request
    "What is Python\nWrite a tutorial about it",  # two lines
    "what " + "word " * 60,  # longer than one question
]


def _features(default, text: str) -> list[float]:
    return default.estimator.featurize([{"role": "user", "content": text}]).h


@pytest.mark.parametrize("text", UNMARKED)
def test_a_question_without_its_mark_reads_as_one(default, text: str) -> None:
    assert unmarked_question(text, lower_words(text))
    marked = text.rstrip(".") + "?"
    assert _features(default, text)[_QUESTIONS] == _features(default, marked)[_QUESTIONS] > 0
    # the mark adds one sentence end (a logit ~0.02); near 0.2 the calibration is steep (~1.7 a logit): 7.88.0's
    # "Which planet is closest to the sun" 0.200 against 0.168 marked (7.87.0 0.191 / 0.166; 7.91.0 0.209 / 0.168, a
    # retrain's drift: 0.041), so 0.045 the bound
    assert abs(default.score([{"role": "user", "content": text}]).score
               - default.score([{"role": "user", "content": marked}]).score) < 0.045


@pytest.mark.parametrize("text", NOT_QUESTIONS)
def test_requests_and_longer_texts_are_no_unmarked_question(default, text: str) -> None:
    assert not unmarked_question(text, lower_words(text))
    assert _features(default, text)[_QUESTIONS] == 0


def test_the_mark_counts_as_before() -> None:
    """A turn with "?" is counted by its marks; the rule reads only turns without one (the caller's ``or``)."""
    assert UNMARKED_CHARS == 200 and "do" not in UNMARKED_OPENERS and "can" not in UNMARKED_OPENERS


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(UNMARKED_OPENERS)), st.text(alphabet="abcdefghij .!\n", max_size=240))
def test_an_unmarked_question_is_one_short_line_of_one_sentence(opener: str, rest: str) -> None:
    text = f"{opener} {rest}"
    body = text.strip().rstrip(".!")
    one_sentence = not any(mark + space in body for mark in ".!" for space in " \n")
    expected = len(text) <= UNMARKED_CHARS and "\n" not in body and one_sentence
    assert unmarked_question(text, lower_words(text)) == expected
