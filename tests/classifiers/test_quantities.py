"""The quantities a prompt gives (numbers, and numbers with a unit), counted fast and as before."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.quantities import numbers_and_units
from tests.classifiers.reference_features import _RE_NUM_UNIT


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet="0000 \n\t\u00a0\u2003.,-/:%°$kgmcsKGMSlLhzjnwvHJNWVob\u212a\u017f", max_size=60), st.booleans(),
       st.sampled_from(["", "7", "\u0661", "\u0967"]))
def test_numbers_and_units_count_what_one_pattern_counted(text: str, zeroed: bool, digit: str):
    """Numbers and units are counted by two patterns now (the unit one only when a digit is followed by
    a unit's first letter): the counts are those of the single pattern, case folding included (the
    Kelvin sign, the long s), on zeroed text and on text with any decimal digits."""
    if not zeroed:
        text = text.replace("0", digit or "0", 2)
    found = _RE_NUM_UNIT.findall(text)  # the frozen featurizer's one pattern (zeros are digits to it)
    assert numbers_and_units(text, zeroed) == (len(found), len(found) - found.count(""))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="000000 \n\t.,-/:%kg\u212aA(", min_size=80, max_size=300))
def test_dense_digits_are_counted_as_the_pattern_counts_them(text: str):
    """Past ``DENSE_DIGITS`` digits with no two runs joined by one separator, a number is a run of digits (counted
    without the pattern); with a joined pair, the pattern counts. Both as the one pattern did."""
    found = _RE_NUM_UNIT.findall(text)
    assert numbers_and_units(text, True) == (len(found), len(found) - found.count(""))
    spaced = text.replace(".", " ").replace(",", " ").replace("-", " ").replace("/", " ").replace(":", " ")
    found = _RE_NUM_UNIT.findall(spaced)
    assert numbers_and_units(spaced, True) == (len(found), len(found) - found.count(""))
