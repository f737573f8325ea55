"""The shared sentence bounds: a line break or a stop before a space or the end ends a sentence, in a bounded window."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifiers.sentences import RE_SENTENCE_END, sentence_end, sentence_start


@pytest.mark.parametrize(("text", "at", "span"), [
    ("Hi there. Return it as JSON. Thanks!", "JSON", " Return it as JSON"),  # the start is past the stop, before its space
    ("Use node.js, e.g.x and 3.5 here\nnext", "3.5", "Use node.js, e.g.x and 3.5 here"),
    ("Why? Because\tit is.", "Because", " Because\tit is"),
    ("Ends at the text's end.", "end", "Ends at the text's end"),
])
def test_sentence_around_a_position(text: str, at: str, span: str) -> None:
    i = text.index(at)
    assert text[sentence_start(text, i, 0):sentence_end(text, i, 200)] == span


def test_a_stop_right_before_the_position_ends_the_sentence_before_it() -> None:
    text = "One.\nTwo"
    assert sentence_start(text, text.index("Two"), 0) == text.index("Two")
    assert sentence_start(text, text.index("\n"), 0) == text.index("\n")  # the stop before the line break ends "One."


def test_the_window_bounds_the_reading() -> None:
    text = "a" * 500
    assert sentence_start(text, 400, 250) == 250
    assert sentence_end(text, 100, 200) == 300
    assert sentence_end("a. " + "b" * 10, 0, 1) == 1  # a stop at the window's last character is past it


@given(st.text(alphabet="ab .!?\n\t", max_size=60), st.integers(0, 60), st.integers(0, 30))
def test_bounds_hold_no_sentence_end(text: str, i: int, chars: int) -> None:
    i = min(i, len(text))
    lo = max(0, i - chars)
    start, end = sentence_start(text, i, lo), sentence_end(text, i, chars)
    assert lo <= start <= max(i, lo) and i <= end <= min(len(text), i + chars) or end == len(text)
    inner = [m.start() for m in RE_SENTENCE_END.finditer(text) if start <= m.start() < end]
    assert all(p >= i for p in inner) and (not inner or min(inner) >= end)


def _start_by_pattern(low: str, i: int, lo: int) -> int:
    last = lo
    for m in RE_SENTENCE_END.finditer(low, lo, i + 1):  # i + 1: a "." right before i is followed by its character
        if m.start() < i:
            last = m.end()
    return last


def _end_by_pattern(low: str, i: int, chars: int) -> int:
    m = RE_SENTENCE_END.search(low, i, i + chars + 1)  # + 1: a "." is followed by its character
    return min(len(low), i + chars) if m is None or m.start() >= i + chars else m.start()


@given(st.text(alphabet="ab .!?\n\t\x1c\u3000\u2028.", max_size=80) | st.text(max_size=40), st.integers(-5, 90),
       st.integers(-5, 90), st.integers(0, 250))
def test_str_searches_find_what_the_pattern_does(text: str, i: int, lo: int, chars: int) -> None:
    """The bounds found by ``str`` searches are those ``RE_SENTENCE_END`` finds, for any position and window."""
    i, lo = max(0, min(i, len(text))), max(0, lo)
    assert sentence_start(text, i, lo) == _start_by_pattern(text, i, lo)
    assert sentence_end(text, i, chars) == _end_by_pattern(text, i, chars)
