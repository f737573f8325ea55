"""The optional C accelerator (``classifiers/_speedups.c``) equals the pure-Python code, exactly: lexicon, scan,
dense-cue and digit counts, the gram sum, and the training prompts through both paths.

Under ``CI=true`` the accelerator must be built (a silent build failure fails here); elsewhere
the C-only tests are skipped when it is not."""

from __future__ import annotations

import math
import random
import re
import sys
from array import array
from zlib import crc32

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers import lexicons
from classifiers.features import _CODESYN, _MATHOPS, _SENT, _slice, scan_counts, scan_counts_python, words_of
from classifiers.lexicons import (
    LEXICON_NAMES,
    add_dense_cues,
    add_dense_cues_python,
    lexicon_counts,
    lexicon_counts_python,
    lexicon_counts_reference,
    lower_split,
    lower_split_python,
    lower_words,
    lower_words_python,
)
from classifiers.lexicons_intl import DENSE_CUES
from classifiers.quantities import DIGITS_TO_ZERO
from classifiers.shape import GRAM_CHARS, gram_keys, shape_matches, shape_matches_python, system_words
from tests.classifiers._speedups_helpers import CI, PURE, VOCAB, _speedups, needs_c, texts

words_lists = st.lists(st.one_of(st.sampled_from(VOCAB), st.text(max_size=6)), max_size=50)


def _table(rng: random.Random, size: int = 1 << 15) -> list[float]:
    """Coefficients over many magnitudes (cancellation and rounding put fsum to the test)."""
    return [rng.choice((-1, 1)) * rng.random() * 10.0 ** rng.randint(-20, 20) for _ in range(size)]


SCAN_TABLE = _speedups and _speedups.count_table((_MATHOPS, _CODESYN, _SENT))
TH = _table(random.Random(0))
TABLE = _speedups and _speedups.lexicon_table(lexicons._WORDS, lexicons._PREFIXES, lexicons._PHRASES,
                                              len(lexicons.LEXICON_NAMES))
TH_C = array("d", TH)


def _gram_reference(head: list[str], system: str, th: list[float] = TH) -> tuple[float, int]:
    keys = gram_keys(head, system)
    return math.fsum(th[crc32(k.encode("utf-8", "replace")) & (len(th) - 1)] for k in keys), len(keys)


def test_accelerator_built_under_ci():
    if not CI:
        pytest.skip("checked under CI=true only")
    assert _speedups is not None, "classifiers/_speedups.c did not build"
    assert lexicons.SPEEDUPS is (None if PURE else _speedups)


@needs_c
@settings(max_examples=600, deadline=None)
@given(words_lists)
def test_c_lexicon_counts_equal_python(words):
    assert lexicon_counts(words) == lexicon_counts_python(words)
    if any(" " in w for w in words):  # never from words_of: left to Python
        assert _speedups.lexicon_counts(TABLE, words) is None
    else:
        assert _speedups.lexicon_counts(TABLE, words) == lexicon_counts_reference(words)


@needs_c
@settings(max_examples=400, deadline=None)
@given(texts, st.sampled_from([str.lower, str.upper, str.title]))
def test_c_lexicon_counts_equal_python_on_text(text, case):
    w = words_of(_slice(case(text)).lower())
    assert _speedups.lexicon_counts(TABLE, w) == lexicon_counts_reference(w)


@needs_c
def test_c_lexicon_counts_fixed_inputs():
    table = TABLE
    for w in ([], [""], ["step", "by", "step", "by", "step"], ["if", "and", "only", "if"] * 3, ["how", "many"],
              ["how"], ["i", "and", "ii", "and", "iii"], ["implementation"], ["eigen"], ["eigé"]):
        assert _speedups.lexicon_counts(table, w) == lexicon_counts_reference(w)

    class S(str):
        pass

    # anything but a list of exact str is left to Python (None), and still counted right
    assert _speedups.lexicon_counts(table, ("how", "many")) is None
    assert _speedups.lexicon_counts(table, [S("how"), "many"]) is None
    assert _speedups.lexicon_counts(table, ["how many", "ways"]) is None  # a space: joins into a phrase
    assert _speedups.lexicon_counts(table, ["x", "日 本"]) is None
    assert lexicon_counts(["how many", "ways"]) == lexicon_counts_python(["how many", "ways"])
    assert lexicon_counts(("how", "many")) == lexicon_counts([S("how"), "many"]) == lexicon_counts_reference(["how", "many"])


@needs_c
@settings(max_examples=600, deadline=None)
@given(words_lists, st.sampled_from(["", "You are a Python expert. Answer briefly.", "sys:you a a you", "Résumé ß",
                                     "x\ud800 y"]) | st.text(max_size=40))
def test_c_gram_sum_equals_fsum(head, system):
    _check_gram_sum(head, system)


_SURROGATES = re.compile("[\ud800-\udfff]")


def _check_gram_sum(head: list[str], system: str) -> None:
    got = _speedups.gram_sum(head, system_words(system), TH_C)
    if all(not _SURROGATES.search(w) for w in head + system_words(system)):
        assert got == _gram_reference(head, system)
    else:
        assert got is None  # the Python path handles lone surrogates ("replace" can merge distinct keys)


@needs_c
@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from(["", "You are a helpful assistant.", "sys:you"]))
def test_c_gram_sum_equals_fsum_on_text(text, system):
    _check_gram_sum(words_of(text.lower()[:GRAM_CHARS]), system)


@needs_c
def test_c_gram_sum_rounding_and_specials():
    rng = random.Random(1)
    head = [f"w{i}" for i in range(300)]
    for _ in range(20):  # huge cancellations: the sum rests on the last partials
        th = [rng.choice((1e300, -1e300, 1.0, -1.0, 1e-300, 2.0 ** -60, 3.0)) for _ in range(1024)]
        assert _speedups.gram_sum(head, [], array("d", th)) == _gram_reference(head, "", th)
    for special in (math.inf, -math.inf, math.nan):  # left to math.fsum (its errors and specials)
        assert _speedups.gram_sum(head, [], array("d", [special] * 16)) is None
    assert _speedups.gram_sum(head, [], array("d", [1e308] * 16)) is None  # intermediate overflow
    assert _speedups.gram_sum([], [], TH_C) == (0.0, 0)
    with pytest.raises(ValueError):
        _speedups.gram_sum(head, [], array("d", [0.0] * 3))  # not a power of two
    with pytest.raises(ValueError):
        _speedups.gram_sum(head, [], array("f", [0.0] * 16))  # not doubles


@needs_c
def test_c_paths_on_training_prompts(default, shared_data):
    """Every training prompt (required under CI): word split, lexicon counts, answer-shape matches, n-gram sum."""
    from classifiers.data import load_all

    sc = default.estimator.scorer
    examples, _ = load_all(shared_data)
    for e in examples:
        w = words_of(_slice(e.text).lower())
        assert lower_split(_slice(e.text), GRAM_CHARS) == lower_split_python(_slice(e.text), GRAM_CHARS)
        assert lower_words(e.text) == lower_words_python(e.text)
        assert _speedups.lexicon_counts(TABLE, w) == lexicon_counts_python(w)
        head = words_of(e.text[:GRAM_CHARS].lower())
        low = e.text[:GRAM_CHARS].lower().lstrip()
        assert shape_matches(low) == shape_matches_python(low)
        keys = gram_keys(head, "")
        assert sc.gram_stats(head, "") == ((sc._gram_sum(keys) if keys else 0.0), len(keys))


#: The counted substrings, their overlaps ("===", "::::", "->>", "?\n"), unicode and surrogates.
SCAN_PIECES = _MATHOPS + _CODESYN + _SENT + ("=", ":", "-", ">", ".", "?", "!", "\n", " ", "a", "é", "日", "\ud800", "𝔸",
                                            "Ф", "ｑ")  # share a non-ASCII pattern's slot (≤, ∑)


@needs_c
@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(SCAN_PIECES), max_size=80).map("".join) | st.text(max_size=60))
def test_c_scan_counts_equal_str_count(s):
    assert _speedups.count_groups(SCAN_TABLE, s) == scan_counts_python(s) == scan_counts(s)


@needs_c
def test_c_scan_counts_fixed_inputs():
    for s in ("", "===", "====", ":::", "::::", "()()[]", "a. b? c! d.\ne?\n", "。？！≤≥∑∫√π", "x" * 5000 + "=" * 7,
              "->" * 700 + "." * 600, "\ud800=\udfff;"):
        assert _speedups.count_groups(SCAN_TABLE, s) == scan_counts_python(s)
    with pytest.raises(TypeError):
        _speedups.count_groups(SCAN_TABLE, b"==")
    with pytest.raises(ValueError):
        _speedups.count_table((("",),))



#: Chinese and Japanese cues, their pieces and overlaps ("编程序": 编程 and 程序), other characters.
DENSE_PIECES = tuple(c for g in DENSE_CUES.values() for c in g) + ("编程序", "多少种", "一", "写", "的", "a", " ", "😀")


@needs_c
@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(DENSE_PIECES), max_size=60).map("".join) | st.text(max_size=60))
def test_c_dense_cue_counts_equal_str_count(s):
    expected = [0] * len(LEXICON_NAMES)
    for name, cues in DENSE_CUES.items():
        expected[LEXICON_NAMES.index(name)] += sum(s.count(c) for c in cues)
    assert add_dense_cues([0] * len(LEXICON_NAMES), s) == add_dense_cues_python([0] * len(LEXICON_NAMES), s) == expected

#: Every decimal digit the running Python knows beyond ASCII (Arabic-Indic, Devanagari, fullwidth,
#: mathematical ...): ``\\d`` matches each, so the "0" pattern cannot stand in for them.
OTHER_DIGITS = tuple(chr(c) for c in range(128, sys.maxunicode + 1) if chr(c).isdecimal())


@needs_c
@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(SCAN_PIECES + ("0", "7", "12", "٣", "１", "𝟘", "\u00a0", "Привет", "²")), max_size=60)
       .map("".join) | st.text(max_size=60))
def test_c_ascii_digits_zeroed_equals_translate(s):
    other = any(c.isdecimal() and not c.isascii() for c in s)
    assert _speedups.ascii_digits_zeroed(s) == (None if other else s.translate(DIGITS_TO_ZERO))


QUANTITY_PIECES = ("0", "0", "00", "-", "/", ":", ".", ",", " ", "\n", "\t", "\x1c", "\x00", "\xa0", "\u3000", "k", "K",
                   "g", "m", "M", "s", "S", "/s", "ph", "ol", "l", "Hz", "j", "n", "w", "v", "c", "%", "$", "\xb0", "x", "_",
                   "é", "\u017f", "\u212a", "Σ", "\U0001f600", "kg", "km", "mm", "ml", "kj", "mol", "mph", "m/s")


@needs_c
@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(QUANTITY_PIECES), max_size=40).map("".join))
def test_c_quantities0_equals_the_patterns(s):
    """One C pass counts what the number and the unit patterns find in zeroed text; it leaves the units to the pattern
    (-1) only where a character it cannot compare case-blind (neither ASCII nor the degree sign) stands in a unit's
    place."""
    from classifiers.quantities import _RE_NUMBER0, _RE_UNIT0

    numbers, units = _speedups.quantities0(s)
    assert numbers == len(_RE_NUMBER0.findall(s))
    assert units == len(_RE_UNIT0.findall(s)) or (units == -1 and any(ord(c) > 127 and c != "\xb0" for c in s))


@needs_c
def test_c_ascii_digits_zeroed_finds_every_other_digit():
    assert len(OTHER_DIGITS) > 600
    for d in OTHER_DIGITS:  # each kind of string: Latin-1 (none there), UCS-2, UCS-4
        assert _speedups.ascii_digits_zeroed("x1" + d) is None
        assert _speedups.ascii_digits_zeroed("日1" + d) is None
    # the scripts it skips the Unicode lookup for: no decimal digit there (nothing returns None)
    skipped = [chr(c) for r in (range(128, 0x660), range(0x1D00, 0xA600), range(0xAC00, 0xFF00)) for c in r
               if not 0xD800 <= c < 0xE000]
    assert _speedups.ascii_digits_zeroed("9" + "".join(skipped)) == "0" + "".join(skipped)
    with pytest.raises(TypeError):
        _speedups.ascii_digits_zeroed(b"12")
