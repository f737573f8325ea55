"""The quantities a prompt gives: how many numbers, and how many of them carry a unit.

Counted on the last user turn's slice, in patterns that stay fast on text that is nothing but numbers
(2,000 characters of them scored in 0.54 ms with a single pattern, over the 0.5 ms target).
"""

from __future__ import annotations

import re

from classifiers.lexicons import SPEEDUPS

_UNITS = r"%|°|\$|kg|km|cm|mm|m/s|mph|mol|ml|hz|kj|j|n|w|v|s|m|g|l|k"
#: A unit's first character, looked ahead for before the units are tried one by one: a text of prices ("$3944.17") has
#: hundreds of digits, and trying 22 units after each took 270 us on 2,000 characters (50 us with it).
_UNIT_FIRST = r"(?=[%°$kcmhjnwvsgl])(?:"
#: Numbers (ranges and dates "1-2-3", decimals) and numbers with a unit, counted by separate patterns: a
#: unit can only follow a number's last digit, so each unit match is one number's. (One pattern with the
#: unit group, tried after every number, cost ~0.4 µs a number: 2,000 characters of "1\n" took 0.54 ms
#: to score. Numbers alone cost ~0.1 µs; the unit pattern runs only when a digit is followed by a unit's
#: first character, which a C-speed search finds.)
_RE_NUMBER = re.compile(r"\d+(?:(?:[-/:]\d+){2,})?(?:[.,]\d+)?")
_RE_UNIT = re.compile(r"\d\s?(?i:" + _UNIT_FIRST + _UNITS + r"))\b")
_RE_UNIT_START = re.compile(r"\d\s?[%°$kcmhjnwvsgl]", re.IGNORECASE)
#: The same on ASCII text with every digit turned into "0" first (``DIGITS_TO_ZERO``): a literal first
#: character lets the engine jump between numbers with a fast search instead of testing a character
#: class at every position (~5x faster); units contain no digits, so the counts are the same.
DIGITS_TO_ZERO = str.maketrans("123456789", "000000000")
_RE_NUMBER0 = re.compile(r"00*(?:(?:[-/:]0+){2,})?(?:[.,]0+)?")
_RE_UNIT0 = re.compile(r"0\s?(?i:" + _UNIT_FIRST + _UNITS + r"))\b")
_RE_UNIT0_START = re.compile(r"0\s?[%°$kcmhjnwvsgl]", re.IGNORECASE)


#: Zeroed text with more digits than this and no two runs of them joined by one separator ("0.0", "0-0", "0:0",
#: ``_JOINED0``) has one number per run of digits, counted with ``str`` methods: the pattern cost 0.1 us a number,
#: 50 us for 2,000 characters of option lines ("1. 2\n- 3\nA. 4 …").
DENSE_DIGITS = 32
_JOINED0 = ("0.0", "0,0", "0-0", "0/0", "0:0")  # (a substring search each: the pattern "0[-/:.,]0" took 27 us on 400 digits)


#: Both counts of zeroed text in one C pass (``_speedups_numbers.c``: the patterns tried at every "0" took 50-90 us on
#: 2,000 characters of a receipt or of decimals); units -1 when a character the pattern reads case-blind (the long s,
#: the Kelvin sign …) stands where a unit would, and the pattern counts them.
_QUANTITIES0 = SPEEDUPS.quantities0 if SPEEDUPS is not None else None


def numbers_and_units(s: str, zeroed: bool) -> tuple[int, int]:
    """How many numbers, and numbers with a unit, ``s`` holds (``zeroed``: its digits are all "0").
    Property-tested against the one-pattern count these replace."""
    if zeroed and _QUANTITIES0 is not None:
        numbers, units = _QUANTITIES0(s)
        return numbers, units if units >= 0 else len(_RE_UNIT0.findall(s))
    number, unit, start = (_RE_NUMBER0, _RE_UNIT0, _RE_UNIT0_START) if zeroed else (_RE_NUMBER, _RE_UNIT, _RE_UNIT_START)
    units = len(unit.findall(s)) if start.search(s) else 0
    if zeroed and s.count("0") > DENSE_DIGITS and not any(map(s.__contains__, _JOINED0)):
        return _digit_runs(s), units
    return len(number.findall(s)), units


def _digit_runs(s0: str) -> int:
    """How many runs of "0" zeroed ``s0`` has (each run shrunk to one "0")."""
    while "00" in s0:
        s0 = s0.replace("00", "0")
    return s0.count("0")


def _digits_zeroed_python(s: str) -> str | None:
    """``digits_zeroed`` without the C accelerator: ``None`` for non-ASCII text (there ``str.translate`` looks every
    character up in the table, slower than the ``\\d`` scan it would save)."""
    return s.translate(DIGITS_TO_ZERO) if s.isascii() else None


#: Text ``s`` with its ASCII digits turned into "0", or None if it holds another decimal digit (which "0" cannot
#: stand for). In C: 0.9 us on 600 characters, against 3.3 us for ``str.translate`` on ASCII text.
digits_zeroed = SPEEDUPS.ascii_digits_zeroed if SPEEDUPS is not None else _digits_zeroed_python


def count_quantities(s: str, any_digit: bool = False) -> tuple[int, int]:
    """(numbers, numbers with a unit) in ``s``. Numbers count only when an ASCII digit occurs (as
    trained), though ``\\d`` matches any decimal digit; or with ``any_digit`` (``s`` is a part of a text
    that has one: the numbers taken off are then those the text counted)."""
    s0 = digits_zeroed(s)  # None: another decimal digit occurs (ASCII text has none)
    if s0 is not None:
        return numbers_and_units(s0, zeroed=True) if "0" in s0 else (0, 0)
    return numbers_and_units(s, zeroed=False) if any_digit or any(d in s for d in "0123456789") else (0, 0)
