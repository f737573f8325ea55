"""Answers that return their input (``classifiers/echo.py``): the answer-length floor."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifiers.echo import CHARS_PER_TOKEN, ECHO_MIN_CHARS, INSTRUCTION_CHARS, echoed_tokens

_rng = random.Random(0)
_WORDS = ["the", "of", "and", "to", "in", "market", "city", "people", "water", "time", "year", "work", "school", "river"]
ARTICLE = ". ".join(" ".join(_rng.choice(_WORDS) for _ in range(15)) for _ in range(200))  # ~3,300 tokens


def u(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


@pytest.mark.parametrize("ask", ["Translate this article into French:\n{a}",
                                 "Please proofread the text below and return it corrected.\n\n{a}",
                                 "{a}\n\nNow rewrite it in a more formal tone."])
def test_an_answer_that_returns_a_long_text_is_expected_as_long(default, ask):
    """The answer-length model alone expected 183-214 tokens for these (3,300 tokens of article)."""
    r = default.score(u(ask.format(a=ARTICLE)))
    assert r.expected_answer_tokens >= 0.9 * len(ARTICLE) / CHARS_PER_TOKEN
    assert default.score_batch([u(ask.format(a=ARTICLE))])[0].expected_answer_tokens == r.expected_answer_tokens


@pytest.mark.parametrize("ask", ["Summarize this article in three sentences:\n{a}",
                                 "{a}\n\nWhy did the city fail to convert the river into a water supply?",
                                 "Translate 'good morning' into French."])
def test_other_requests_keep_the_model_estimate(default, ask):
    assert echoed_tokens(ask.format(a=ARTICLE)) == 0.0
    assert default.score(u(ask.format(a=ARTICLE))).expected_answer_tokens < 0.2 * len(ARTICLE) / CHARS_PER_TOKEN


@given(st.lists(st.sampled_from(["a", " ", ".", "\n", "Translate ", "please edit ", "x" * 90]), max_size=60).map("".join))
def test_the_floor_is_the_input_beyond_the_instruction(text):
    t = echoed_tokens(text)
    assert t == 0.0 or (len(text) >= ECHO_MIN_CHARS and t == (len(text) - INSTRUCTION_CHARS) / CHARS_PER_TOKEN)
