"""The self-consistency extractors and the vote as properties (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from router.strategies import parse_judgement, vote
from router.strategies.extractors import (
    EXTRACTORS,
    extract_auto,
    extract_boxed,
    extract_choice,
    extract_last_line,
    extract_number,
    normalize_line,
    normalize_number,
)

pytestmark = pytest.mark.anyio


# -- extractors and the vote as properties ---------------------------------------------------------
integers = st.integers(min_value=-10**12, max_value=10**12)
decimals = st.decimals(min_value=-10**6, max_value=10**6, places=3, allow_nan=False, allow_infinity=False)


@given(integers, st.sampled_from(["#### {}", "The answer is {}.", "so we get {} apples", "Final answer: {}", "{}"]))
def test_number_extractor_reads_integers_in_any_template(value: int, template: str) -> None:
    assert extract_number(template.format(value)) == str(value)
    assert extract_number(template.format(f"{value:,}")) == str(value)
    assert extract_auto("work: 3 + 4 = 7\n" + template.format(value)) == str(value)


@given(decimals)
def test_number_normalisation_is_canonical(value: Any) -> None:
    text = normalize_number(str(value))
    assert text is not None
    assert normalize_number(text) == text, "idempotent"
    assert normalize_number(f"{value}0") == text, "trailing zeros do not matter"
    from decimal import Decimal

    assert Decimal(text) == value


@given(st.text(alphabet="abcxyz0123456789+-*^_ ", min_size=1, max_size=20).filter(lambda s: s.strip()))
def test_boxed_extractor_keeps_nested_braces(inner: str) -> None:
    latex = f"\\frac{{{inner}}}{{2}}"
    assert extract_boxed(f"so $\\boxed{{{latex}}}$ done") == extract_boxed(f"\\boxed{{ {latex} }}")
    assert extract_boxed(f"first \\boxed{{1}} then \\boxed{{{latex}}}").startswith("\\frac{")


@given(st.sampled_from("ABCDEFGHIJ"), st.sampled_from(["The answer is ({}).", "Answer: {}", "I pick option {}.", "**{}**", "({})"]))
def test_choice_extractor(letter: str, template: str) -> None:
    assert extract_choice("Let me think about (A) and (B).\n" + template.format(letter)) == letter


@given(st.text(max_size=200))
def test_extractors_never_raise_and_normalise_idempotently(text: str) -> None:
    for extractor in EXTRACTORS.values():
        result = extractor(text)
        assert result is None or (isinstance(result, str) and result)
    line = extract_last_line(text)
    if line is not None:
        assert normalize_line(line) == line
    assert extract_last_line(text + "\n\n  ") == extract_last_line(text)


@given(st.lists(st.one_of(st.none(), st.sampled_from(["1", "2", "3", "4"])), min_size=1, max_size=15))
def test_vote_picks_a_maximal_answer(answers: list[str | None]) -> None:
    result = vote(answers)
    assert 0.0 <= result.agreement <= 1.0
    if result.answer is None:
        assert all(a is None for a in answers)
        return
    assert answers[result.index] == result.answer
    assert all(count <= result.counts[result.answer] for count in result.counts.values())
    assert result.agreement == pytest.approx(result.counts[result.answer] / len(answers))
    assert vote(list(reversed(answers))).counts == result.counts, "counts do not depend on order"


def test_ties_go_to_the_answer_seen_first() -> None:
    assert vote(["b", "a", "a", "b"]).answer == "b"


def test_parse_judgement() -> None:
    assert parse_judgement("Response 2", 3) == 1
    assert parse_judgement("7 is not valid, 1 is", 3) == 0
    assert parse_judgement("none", 3) is None
