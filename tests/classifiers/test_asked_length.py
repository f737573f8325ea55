"""A length the request asks for (``classifiers/asked_length.py``): the answer-length floor."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifiers import asked_length
from classifiers.asked_length import FLOOR_SHARE, MAX_FLOOR_TOKENS, UNIT_TOKENS, asked_tokens
from tests.classifiers.conftest import user


@pytest.mark.parametrize(("text", "words"), [
    ("Write a 500-word essay about Rome.", 500), ("Write a 5,000-word story.", 5000), ("Can you write a 1000 word essay on dogs?", 1000),
    ("Give me a 1500-2000 word article on tides", 1500), ("I need a 800-word blog post about tea.", 800),
    ("Act like a student and write a 1000-1250 word essay", 1000), ("Write a 10k word chapter.", 10_000),
    ("I want you to write a 1000-word essay on dogs.", 1000), ("The essay should be 1500 words long. Topic: tides.", 1500),
    ("Write a 500 word essay and then a 50 word summary.", 500), ("Write a 1000-word review of the movie Inception.", 1000),
    ("Write an essay on the topic below. Minimum length 1500 words.", 1500), ("Convert my outline into a 2,000-word essay.", 2000),
    ("500 word essay on my summer vacation", 500), ("Write a 2000+ word guide to tides.", 2000),
    ("My essay is 2000 words. Can you shorten it to 500 words?", 500),
])
def test_a_length_asked_for_is_read(text: str, words: int) -> None:
    assert asked_tokens(text) == pytest.approx(words * UNIT_TOKENS["word"] * FLOOR_SHARE)


@pytest.mark.parametrize("text", [
    "Summarize this in 50 words or less.", "Explain in under 200 words.", "Answer in at most 3 sentences.", "Limit your answer to 100 words.",
    "Summarize this 300-page report.", "The book has 300 pages. What is its theme?", "Write a short essay about Rome.",
    # found in review: the size of what the request reads, or asks about
    "Summarize a 300-page report in bullet points.", "Can you summarize a 50-page PDF for me?", "Give me feedback on a 3000 word story.",
    "Explain a 10-page contract in plain English.", "Tell me how long it takes to write a 300 page novel.",
    "Give me an outline for a 5000-word essay.", "Give me 10 words that rhyme with cat.", "Keep it no longer than 250 words.",
    "Answer in a 50-word limit.", "Don't exceed 50 words.",
    # word problems state counts
    "A 420-page book contains an average of 600 words per page. How long to read it?",
    "Matt can write 10 words a minute with his right hand.", "Give me a list of 5 words where the letters are in order.",
    "Cyrus has been contracted to write a 500 page book. On his first day, he writes 25 pages. How many are left?",
    "Abigail has a report due tomorrow which needs to be 1000 words in length. She types 300 words in half an hour.",
    "Write 40 words per line of the poem.", "Write a Python script that reads a 500-page PDF and extracts the tables.",
    "I want to write a 50,000-word novel. Where do I start?", "Give me tips for writing a 2000-word essay.",
    "Here is my query letter. Word count: 95,000. Please give feedback on the hook.",
])
def test_a_limit_a_rate_or_the_material_s_length_is_no_floor(text: str) -> None:
    assert asked_tokens(text) == 0.0


def test_only_the_instruction_of_a_long_text_is_read() -> None:
    """The first and last `INSTRUCTION_CHARS`: a request quoted in the middle of a document is its content."""
    document = "Revenue grew. " * 30 + "Write a 300-page appendix next year. " + "Revenue grew. " * 60
    assert asked_tokens("Write a 2-page summary of this report:\n" + document) == pytest.approx(2 * UNIT_TOKENS["page"] * FLOOR_SHARE)
    assert asked_tokens("Summarize the report below.\n" + document) == 0.0
    assert asked_tokens(document[:470]) > 2 * UNIT_TOKENS["page"], "read where the text is short enough to be all instruction"


def test_a_floor_is_bounded() -> None:
    assert asked_tokens("Write a 100,000-word novel.") == MAX_FLOOR_TOKENS
    assert asked_tokens("Write a one-page summary.") == pytest.approx(UNIT_TOKENS["page"] * FLOOR_SHARE)


#: Pieces of requests, with the letters a case-blind match reads as ASCII ("ſ", "ı", "İ", the Kelvin sign) and other digits.
_PIECES = st.sampled_from(["Write ", "a ", "1,000", "99999999", "-", "word ", "pages", " in ", "under ", "five ", "k", ".", "\n", "ſentences ",
                           "fıve ", "İ", "\u212a ", "５", "password ", "+", "a single ", "the ", "please ", "essay", " to "])


@given(st.lists(_PIECES, max_size=40).map("".join))
def test_any_text_gets_a_bounded_floor(text: str) -> None:
    assert 0.0 <= asked_tokens(text) <= MAX_FLOOR_TOKENS


@given(st.lists(_PIECES, max_size=40).map("".join))
def test_the_scan_is_skipped_only_where_it_finds_nothing(text: str) -> None:
    found = asked_tokens(text)
    with patch.object(asked_length, "_counted_unit", lambda text, lowered: True):
        assert asked_tokens(text) == found


@pytest.mark.parametrize(("text", "tokens"), [("Write me a 5 ſentences story, no password.", 5 * UNIT_TOKENS["sentence"]),
                                              ("Write a fıve words story.", 5 * UNIT_TOKENS["word"])])
def test_letters_read_as_ascii_are_read_as_their_letter(text: str, tokens: float) -> None:
    """Found by a fuzz: "5 ſentences" beside a "word" raised a KeyError, "fıve" a ValueError."""
    assert asked_tokens(text) == pytest.approx(tokens * FLOOR_SHARE)


def test_the_classifier_s_forecast_follows_the_length_asked(default) -> None:
    """Found in review: "Write a 5,000-word story." was forecast at 118 answer tokens, "a 500-word essay" at 181, and the
    forecasts for 500 to 5,000 words were not even in order."""
    forecasts = [default.score(user(f"Write a {n:,}-word essay about the history of Rome.")).expected_answer_tokens for n in (500, 1000, 2000, 5000)]
    assert forecasts == sorted(forecasts) and forecasts[-1] >= 0.99 * 5000 * UNIT_TOKENS["word"] * FLOOR_SHARE, forecasts
    assert default.score(user("Write a short essay about the history of Rome.")).expected_answer_tokens < forecasts[0]


def test_a_floored_estimate_says_so(default) -> None:
    """The gateway learns no correction from an answer whose estimate was a floor's (router/forecast.py)."""
    asked, plain = (default.score(user(text)) for text in ("Write a 5,000-word story.", "Write a short story."))
    assert asked.floored and not plain.floored
    assert default.score_batch([user("Write a 5,000-word story.")])[0].floored


@given(st.lists(st.sampled_from(["write", "WRİTE", "wrıte", "please ", "you ", "and ", "I need", "we'd like", "can I get",
                                 "length:", "minimum length", "the essay must be", "it should be", "a ", "story", ", ",
                                 "; ", "\n", "5 words", "ſummarize", "summarise", "turn", "Kelvin \u212a"]), max_size=12).map("".join))
def test_the_request_search_is_skipped_only_where_it_finds_nothing(sentence: str) -> None:
    """Review rev43 L7: the words gate in front of ``_REQUEST`` never hides a match."""
    assert asked_length._read(asked_length._REQUEST, sentence, {}, asked_length._REQUEST_WORDS) == (
        asked_length._REQUEST.search(sentence) is not None)
