"""The tokenizer-free token estimate: UTF-8 widths counted by two encodes, checked per character."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifiers.token_estimate import DEFAULT_CHARS_PER_TOKEN, SAMPLE_CHARS, estimate_tokens

#: A token's share per character, by UTF-8 width (4 bytes: an emoji, about two tokens).
PER_WIDTH = {1: 1 / DEFAULT_CHARS_PER_TOKEN, 2: 0.5, 3: 1.0, 4: 2.0}


def reference(text: str) -> float:
    """The estimate one character at a time (what the two encodes compute at once)."""
    return sum(PER_WIDTH[len(c.encode("utf-8", "surrogatepass"))] for c in text)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200)
       | st.lists(st.sampled_from(["word ", "é", "Привет", "漢字", "かな", "한국", "ไทย", "😀", "—"]), max_size=40).map("".join)
       | st.lists(st.sampled_from(["\ud800", "\udfff", "\ud83d", "a", "漢", "😀", "é"]), max_size=60).map("".join))  # lone surrogates too
def test_the_encodes_count_what_a_walk_over_the_characters_counts(text: str) -> None:
    assert estimate_tokens(text) == pytest.approx(reference(text))


def test_scripts_are_counted_as_tokenizers_spend_them() -> None:
    assert estimate_tokens("a" * 400) == 100
    assert estimate_tokens("漢字" * 50) == 100, "Chinese: a token a character, not four characters a token"
    assert estimate_tokens("Привет") == 3
    assert estimate_tokens("") == 0
    assert estimate_tokens("a" * 400, chars_per_token=2.0) == 200


def test_lone_surrogates_are_counted_not_raised() -> None:
    assert estimate_tokens("\ud800" + "x" * 8) == pytest.approx(1 + 2)


def test_a_long_text_is_counted_on_its_two_ends() -> None:
    """Bounded work: past SAMPLE_CHARS only the two ends are read, scaled to the whole length."""
    end = "漢" * (SAMPLE_CHARS // 2)
    text = end + "plain ascii " * 100_000 + end
    assert estimate_tokens(text) == pytest.approx(len(text)), "the middle's ASCII is not read"
    assert estimate_tokens("漢字" * SAMPLE_CHARS) == pytest.approx(2 * SAMPLE_CHARS)
