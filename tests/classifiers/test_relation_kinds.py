"""Relations between a word problem's unknowns are a prior of their own (version 87: word_problems.relation_kinds),
not half a quantity under the numbers prior's anchor, which left two-figure problems with three relations at 0."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.feature_schema import FEATURE_NAMES, NUMBERS_PRIOR_FEATURE, RELATIONS_PRIOR_FEATURE
from classifiers.features import handcrafted
from classifiers.text import parse_messages
from classifiers.word_problems import RELATION_KINDS_MAX, relation_kinds, sets_a_trap
from tests.classifiers import reference_features as ref
from tests.classifiers.conftest import user


def _feats(text: str) -> list[float]:
    return handcrafted(parse_messages(user(text)))


def _relations(text: str) -> float:
    return _feats(text)[RELATIONS_PRIOR_FEATURE]


def test_the_column_is_named() -> None:
    assert FEATURE_NAMES[RELATIONS_PRIOR_FEATURE] == "relations in a word problem"


def test_kinds_count_once_traps_twice_at_most_four() -> None:
    assert relation_kinds("A box holds 12 eggs. How many eggs are in 4 boxes?") == 0
    assert relation_kinds("Ann is twice as old as Bo. Cy is three times as old as Bo. How old is Bo?") == 1
    assert relation_kinds("3 times more than. How many?") == 2  # the lookahead leaves "more than" to its kind
    assert relation_kinds("A pen has 26 heads and 74 legs. How many pigs?") == 2  # heads and legs: a trap
    assert relation_kinds("A pig has 4 legs. How many legs do 9 pigs have?") == 0  # legs alone: none
    assert relation_kinds("Ann paints it in 6 hours, Bo in 3. If they work together, how long does it take?") == 3
    assert relation_kinds("If they work together, how long does it take?") == 1  # joint work: a time taken (93)
    assert relation_kinds("I missed 3 consecutive payments. How much will my score drop?") == 0  # no numbers' (93)
    assert relation_kinds("The sum of three consecutive odd integers is 87. What is the largest?") == 2
    assert relation_kinds("How long is the drive there and back from Denver? We leave at 8.") == 0  # no speed (93)
    assert relation_kinds("A boat goes 24 km upstream in 3 hours and back in 2. Find the speed of the current.") == 2
    assert relation_kinds("together, twice as many, 2 years ago, neither, the rest, consecutive. Find x.") == (
        RELATION_KINDS_MAX)


def test_relations_count_only_when_a_number_is_asked() -> None:
    assert relation_kinds("My sister is twice as funny as me and we both love baking together. Any ideas?") == 0
    assert not sets_a_trap("We took a round trip to Maine, 4 days there and back. Where should we eat?")


def test_two_figure_traps_get_the_prior() -> None:
    # each scored 0 in both priors before version 87: two figures are below the numbers prior's anchor, and a trap
    # with no arithmetic cue ("km/h", "consecutive") was no word problem at all
    for text in ("A yard holds hens and sheep, 20 heads and 56 legs in all. How many sheep are there?",
                 "Rob cycles to the lake at 12 km/h and rides back at 18 km/h. What is his average speed overall?",
                 "Four consecutive even numbers add up to 68. What is the smallest?",
                 "Two numbers add up to 40 and their difference is 8. Find the two numbers."):
        assert _relations(text) >= 2.0, text


def test_routine_problems_and_everyday_text_get_none() -> None:
    routine = "Pens cost $2 each and pads cost $3 each. Lee buys 4 pens and 5 pads. How much does he pay?"
    assert _relations(routine) == 0.0 and _feats(routine)[NUMBERS_PRIOR_FEATURE] > 0
    for text in ("I run twice a week and my friend runs 3 times a week. What stretches should we both do?",
                 "We plan to cycle the first day at 15 km/h and drive the rest at 90 km/h. Which towns are nice?",
                 "Our team of 6 will work together for 2 weeks. What is a good way to split tasks?"):
        assert _relations(text) == 0.0, text


PIECES = ("twice", "three", "3", "times", " as ", "the", "more", "than", "older", "years", "ago", "in", "a few", "later",
          "together", "average", "speed", "slips", "falls back", "loses", "neither", "both", "rest", "remaining",
          "left over", "%", " of ", "her", "how many", "cost", "$5", "?", " ", "  ", "\n", ". ", ",", "K", "İ", "٣",
          "heads", "legs", "vehicles", "wheels", "round trip", "there and back", "back", "returns", " at 4", "at ",
          "harmonic", "consecutive", "digits", "reversed", "reverse the digits", "work", "alone", "in 3", "it takes",
          "if both are", "two numbers", "sum of", "their difference", "ratio", "what fraction", "every other",
          "find", "what is the", "speed", "km/h", "mph")


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_same_as_reference(text: str) -> None:
    assert relation_kinds(text) == ref._relation_kinds(text)
    assert sets_a_trap(text) == ref._sets_a_trap(text)
    c = parse_messages(user(text))
    assert handcrafted(c) == ref.handcrafted(c)
