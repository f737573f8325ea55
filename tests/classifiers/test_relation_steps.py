"""Relations between a word problem's unknowns are steps (version 74: word_problems.relation_steps)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.feature_schema import FEATURE_NAMES
from classifiers.features import handcrafted
from classifiers.text import parse_messages
from classifiers.word_problems import RELATION_STEP, RELATION_STEPS_MAX, relation_steps
from tests.classifiers import reference_features as ref
from tests.classifiers.conftest import user

PRIOR = FEATURE_NAMES.index("numbers in a word problem")


def _prior(text: str) -> float:
    return handcrafted(parse_messages(user(text)))[PRIOR]


def test_each_kind_counts_once_and_at_most_three() -> None:
    assert relation_steps("A box holds 12 eggs. How many eggs are in 4 boxes?") == 0.0
    assert relation_steps("Ann is twice as old as Bo. Cy is three times as old as Bo.") == RELATION_STEP
    assert relation_steps("3 times more than") == 2 * RELATION_STEP  # the lookahead leaves "more than" to its kind
    assert relation_steps("She has 7 more dimes than nickels.") == RELATION_STEP  # a noun between
    assert relation_steps("more remaining than") == 2 * RELATION_STEP  # "remaining" is not taken by "more … than"
    assert relation_steps("together, more than twice as many, 2 years ago, neither, the rest, average speed") == (
        RELATION_STEPS_MAX * RELATION_STEP)


def test_two_unknown_problems_get_the_numbers_prior() -> None:
    # three quantities ("twice", "six", "four") were GSM8K's median: no prior at all before version 74
    assert _prior("Rita is twice as old as Tom. Six years ago, Rita was four times as old as Tom. How old is Tom?") > 0.0
    assert _prior("A desk and a chair cost $150 together. The desk costs $6 more than three times the chair. "
                  "How much is the chair?") > _prior("A desk costs $120 and a chair costs $30. A lamp costs $6. "
                                                     "How much do they cost?")


def test_routine_problem_unchanged() -> None:
    text = "Pens cost $2 each and pads cost $3 each. Lee buys 4 pens and 5 pads. How much does he pay?"
    assert _prior(text) == ref.handcrafted(parse_messages(user(text)))[PRIOR]
    assert relation_steps(text) == 0.0


PIECES = ("twice", "three", "3", "times", " as ", "the", "more", "than", "older", "years", "ago", "in", "a few", "later",
          "together", "average", "speed", "slips", "falls back", "loses", "neither", "both", "rest", "remaining",
          "left over", "%", " of ", "her", "how many", "cost", "$5", "?", " ", "  ", "\n", ". ", ",", "K", "İ", "٣")


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_same_as_reference(text: str) -> None:
    assert relation_steps(text) == ref._relation_steps(text)
    c = parse_messages(user(text))
    assert handcrafted(c) == ref.handcrafted(c)
