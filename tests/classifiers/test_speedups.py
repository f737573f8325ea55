"""The optional C accelerator (``classifiers/_speedups.c``) equals the pure-Python code, exactly.

Under ``CI=true`` the accelerator must be built (a silent build failure fails here); elsewhere
the C-only tests are skipped when it is not.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import subprocess
import sys
from array import array
from collections import Counter
from pathlib import Path
from zlib import crc32

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers import lexicons, pasted_data, shape
from classifiers.features import _CODESYN, _MATHOPS, _SENT, _slice, scan_counts, scan_counts_python, words_of
from classifiers.glued import glued_words, glued_words_python
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
from classifiers.shape import GRAM_CHARS, gram_keys, shape_matches, shape_matches_python, shape_matches_reference, system_words
from tests.classifiers._equivalence_helpers import PIECES, SEPS
from tests.classifiers.conftest import EASY, HARD, OLYMPIAD, SHARED_DATA

try:
    from classifiers import _speedups
except ImportError:  # not built: the pure-Python path runs
    _speedups = None

CI = os.environ.get("CI") == "true"
PURE = os.environ.get("COMPLEXITY_ROUTER_PURE_PYTHON", "") not in ("", "0")
needs_c = pytest.mark.skipif(_speedups is None and not CI, reason="C accelerator not built")

#: Lexicon entries, their prefixes extended, phrase words, "sys:" collisions, unicode and surrogates.
VOCAB = (sorted(lexicons._WORDS) + [w for p in lexicons._PHRASES for w in p.split()]
         + [p + s for p, _ in lexicons._PREFIXES for s in ("", "s", "ation", "é", "日", "😀")]
         + ["", "sys:you", "sys:a", "you", "a", "eigenvalué", "İmplement", "ß", "Σ", "日本", "\ud800", "x\udfff", "é"])
words_lists = st.lists(st.one_of(st.sampled_from(VOCAB), st.text(max_size=6)), max_size=50)
texts = st.lists(st.sampled_from(PIECES + SEPS + tuple(VOCAB)), max_size=60).map(" ".join)


def _table(rng: random.Random, size: int = 1 << 15) -> list[float]:
    """Coefficients over many magnitudes (cancellation and rounding put fsum to the test)."""
    return [rng.choice((-1, 1)) * rng.random() * 10.0 ** rng.randint(-20, 20) for _ in range(size)]


SCAN_TABLE = _speedups and _speedups.count_table((_MATHOPS, _CODESYN, _SENT))
TH = _table(random.Random(0))
TABLE = _speedups and _speedups.lexicon_table(lexicons._WORDS, lexicons._PREFIXES, lexicons._PHRASES,
                                              len(lexicons.LEXICON_NAMES))
TH_C = array("d", TH)
SHAPE_TABLE = _speedups and _speedups.shape_table(shape._FIRST, shape._ANCHORED, shape._NUM_TOKENS_LISTN,
                                                  tuple(k[1:] for k in shape._NUM_KEYS_LISTN), (shape._A_FEW,),
                                                  shape._NWORDS_NOUNS, shape._LISTN, shape._NWORDS[0], shape._NUM_WORDS[:-1])


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


#: Every ASCII character (separators, punctuation, upper case, control), non-ASCII and surrogates.
WORD_PIECES = tuple(map(chr, range(128))) + ("Ab", "HELLO", "x-y", "c++", "c#", "don't", "a:b", "é", "É", "İ", "ß",
                                             "\u201c", "\u2019", "\u00a0", "\u2028", "日本", "\ud800", "\udfff", "𝔸", "\u212a",
                                             "\u0130x", "Straße", "ǅ", "\u1680", "\u2000", "\u200b", "\u3000", "\x85", "\u202f",
                                             "ПРИВЕТ", "a" * 30 + "é", "B" * 30) + tuple(c for c in lexicons._PUNCT_CHARS if ord(c) > 127)
word_texts = (st.lists(st.sampled_from(WORD_PIECES), max_size=120).map("".join) | st.text(max_size=80)
              | st.text(alphabet=st.characters(max_codepoint=127), max_size=400) | texts)


@needs_c
@settings(max_examples=1500, deadline=None)
@given(word_texts, st.integers(0, 500))
def test_c_lower_words_and_split_equal_python(s, n):
    expected = (s[:n].lower(), words_of(s.lower()), words_of(s[:n].lower()))
    assert lower_split_python(s, n) == expected == lower_split(s, n)
    assert lower_words_python(s) == expected[1] == lower_words(s)
    c_words, c_split = _speedups.lower_words(lexicons._SEPS, s), _speedups.lower_split(lexicons._SEPS, s, n)
    assert (c_words, c_split) == (expected[1], expected)
    assert all(type(w) is str and w for w in c_words + c_split[2])


@needs_c
def test_c_split_reads_every_character_as_python_does():
    """Each character of the Basic Multilingual Plane (and a few beyond) between two letters: the C separators (the
    whitespace of str.split, ``_PUNCT``'s marks, its own table of the non-ASCII ones) are Python's."""
    for c in map(chr, [*range(0x80, 0x10000), 0x1D538, 0x1F600, 0xE0020]):
        s = f"A{c}b"
        assert _speedups.lower_words(lexicons._SEPS, s) == lower_words_python(s), hex(ord(c))


@needs_c
def test_c_lower_equals_str_lower_on_every_code_point():
    """Each code point alone, and all of them in one text: the simple lower case of the C pass is str.lower's (U+0130
    and U+03A3, which it is not, go to str.lower), in the narrowest kind (KELVIN SIGN is an ASCII "k": str equality
    compares the kinds first, and a str in a wider kind than its characters need equals none)."""
    every = "".join(map(chr, range(0x110000)))
    assert _speedups.lower(every) == every.lower()
    for c in every:
        assert _speedups.lower(c) == c.lower(), hex(ord(c))


@needs_c
@settings(max_examples=1500, deadline=None)
@given(word_texts | st.lists(st.sampled_from(WORD_PIECES + ("ΟΔΟΣ", "Σ", "ΣΑ", "A\u03a3.", "İstanbul", "Ÿ", "ẞ", "Å")),
                             max_size=40).map("".join))
def test_c_lower_equals_str_lower(s):
    """On mixed texts too, the final sigma's context among them (Greek "ΟΔΟΣ" lower-cases to "οδος")."""
    low = _speedups.lower(s)
    assert low == s.lower() and type(low) is str


def _glued_reference(s: str) -> list[str]:
    """The words of ``s`` with every non-ASCII character a space, less its ASCII words (as the reference featurizer)."""
    glued = Counter(words_of("".join(c if c.isascii() else " " for c in s).lower()))
    glued.subtract(w for w in words_of(s.lower()) if w.isascii())
    return list(glued.elements())


@settings(max_examples=1500, deadline=None)
@given(word_texts | st.lists(st.sampled_from(WORD_PIECES + ("Python", "写一个", "函数", "SQL", "Kelvin\u212a", "what is", " what",
                                                            "is ", "step", " by ", "on the other hand")),
                             max_size=40).map("".join))
def test_glued_words_equal_the_reference(s):
    """The C pass (the ASCII runs of the words that hold another character) and the Python one find what the
    reference does, and count as it does where a phrase's words are glued ("what is请解方程what is"); a Kelvin sign
    (lower-cased to an ASCII "k") goes to Python."""
    words, expected = lower_words(s), _glued_reference(s)
    assert glued_words_python(s, words) == expected
    assert sorted(glued_words(s, words)) == sorted(expected)
    assert lexicon_counts(glued_words(s, words)) == lexicon_counts(expected)
    if _speedups is not None:
        c_glued = _speedups.glued_words(lexicons._SEPS, s)
        assert c_glued is None if "\u212a" in s else sorted(c_glued) == sorted(expected)


@needs_c
def test_c_glued_words_fixed_inputs():
    seps = lexicons._SEPS
    assert _speedups.glued_words(seps, "写一个Python函数, a SQL查询 and plain words") == ["python", "sql"]
    assert _speedups.glued_words(seps, "İstanbul x") == ["stanbul"]
    assert _speedups.glued_words(seps, "plain ASCII text") == []
    assert _speedups.glued_words(seps, "日本" + "A" * 40 + "語") == ["a" * 40]
    assert _speedups.glued_words(seps, "a\u212a b") is None
    with pytest.raises(TypeError):
        _speedups.glued_words(seps, b"ab")


@needs_c
def test_c_lower_split_fixed_inputs():
    seps = lexicons._SEPS
    long = "Hello, WORLD! foo_bar (x+y)=z; " * 5000
    for s in ("", " ", "!?.,;", "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f ", "A", "ab", "a" * 10_000, long, "x" * 299 + "YZ w"):
        for n in (0, 1, 2, 299, 300, 301, len(s), len(s) + 5, 1 << 40):
            assert _speedups.lower_split(seps, s, n) == lower_split_python(s, n)
        assert _speedups.lower_words(seps, s) == lower_words_python(s)
    assert lexicons._SEPS == bytes(c in " \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f!\"$%&()*,./;<=>?@[\\]^_`{|}~"
                                   for c in map(chr, range(128)))
    with pytest.raises(ValueError):
        _speedups.lower_split(seps, "a", -1)
    with pytest.raises(TypeError):
        _speedups.lower_words(seps, b"ab")
    with pytest.raises(TypeError):
        _speedups.lower_words(seps[:-1], "ab")
    with pytest.raises(TypeError):
        _speedups.lower_split(seps, "ab")


#: The answer-shape tokens (keyword starts, second words, number words), numbers, separators, nouns.
SHAPE_VOCAB = tuple(sorted({*shape._FIRST, *shape._ANCHORED, *shape._NUMWORD, *(w for v in shape._FIRST.values() for a in v
                                                                               for w in a[3] or ())}))
SHAPE_PIECES = SHAPE_VOCAB + ("3", "12", "2025", "c++", "tl;dr", "in-depth", "step-by-step", "come up with", "a few",
                              "Write", "LIST", "xlist", "list_", "word", "lines", "words", "sentences", "paragraph", "page",
                              "bullet", "twowords", "a", "3-paragraph", "٣", "tenth", "1,000", "in 200 words")
SHAPE_SEPS = (" ", " ", " ", "  ", "\n", "-", ", ", ". ", "? ", "!", ";", ":", "_", "'", "é", "\ud800", "写", "，", "。", "\u3000",
              "\u00a0", "٣", "３", "²", "Ⅻ", "\u212a", "İ", "ſ", "𝟘", "🙂")
shape_heads = st.lists(st.sampled_from(SHAPE_PIECES) | st.sampled_from(SHAPE_SEPS), max_size=70).map("".join)


@needs_c
@settings(max_examples=2000, deadline=None)
@given(shape_heads | st.text(max_size=60) | st.text(alphabet=st.characters(max_codepoint=127), max_size=120))
def test_c_shape_walk_equals_finditer(head):
    expected = shape_matches_reference(head)
    assert shape_matches_python(head) == expected == shape_matches(head)
    assert _speedups.shape_walk(SHAPE_TABLE, head) == expected  # any script: a decimal digit as "0", a letter in its run


@needs_c
def test_c_shape_walk_fixed_inputs():
    for head in ("", " ", "list", "list 3", "write 3 poems about " * 30, "give me " + "x " * 600 + "five ideas",
                 "name" + " ." * 700 + " list two", "a few", "list a few", "c++ c", "tl;dr", "in", "is it",
                 "请list 3 ideas", "list ３ ideas", "写 list five ideas，" * 200, "list 3写", "é" * 3000 + " list 3 ideas"):
        assert _speedups.shape_walk(SHAPE_TABLE, head) == shape_matches_reference(head)
    with pytest.raises(TypeError):
        _speedups.shape_walk(SHAPE_TABLE, b"list")
    with pytest.raises(ValueError):
        _speedups.shape_table({"é": ()}, {}, (), (), (), (), 0, shape._NWORDS[0], ())


_SCORE = """
import json, sys
from classifiers import load_classifier
from classifiers.lexicons import SPEEDUPS
clf = load_classifier()
convs = json.load(sys.stdin)
one = [(c.score.hex(), c.expected_answer_tokens) for c in map(clf.score, convs)]
batch = [(c.score.hex(), c.expected_answer_tokens) for c in clf.score_batch(convs)]
print(json.dumps([SPEEDUPS is not None, one, batch]))
"""


def _scores(convs: list, pure: bool) -> list:
    env = {**os.environ, "COMPLEXITY_ROUTER_PURE_PYTHON": "1" if pure else "0"}
    out = subprocess.run([sys.executable, "-c", _SCORE], input=json.dumps(convs), capture_output=True, text=True,
                         env=env, cwd=Path(__file__).resolve().parents[2], check=True)
    return json.loads(out.stdout)


@needs_c
def test_classifier_output_identical_with_and_without_the_accelerator():
    rng = random.Random(2)
    users = EASY + HARD + [OLYMPIAD, "", "x" * 20_000, "Résumé: écris un poème ß \ud800 sys:you", "how many ways " * 50]
    users += [" ".join(rng.choice(VOCAB + list(PIECES)) for _ in range(rng.randrange(120))) for _ in range(300)]
    if SHARED_DATA.is_dir():
        from classifiers.data import load_all

        users += [e.text for e in random.Random(0).sample(load_all(SHARED_DATA)[0], 1000)]
    system = ["", "You are a Python expert. Answer briefly.", "sys:how many"]
    convs = [[{"role": "system", "content": system[i % 3]}, {"role": "user", "content": u}] for i, u in enumerate(users)]
    # follow-ups: the earlier user turns are featurized too (the conversation context)
    convs += [[{"role": "user", "content": a}, {"role": "assistant", "content": "ok"}, {"role": "user", "content": b}]
              for a, b in zip(users[::7], reversed(users[::7]))]
    convs = json.loads(json.dumps(convs))  # lone surrogates must survive the JSON round trip
    c, py = _scores(convs, pure=False), _scores(convs, pure=True)
    assert (c[0], py[0]) == (True, False)  # which path each process took
    assert c[1:] == py[1:]


#: Lines for the record-run tests: records (three or more digit runs, the first within 400 characters;
#: listed several times so runs of nine and more are common), near-records and other lines.
RECORD_LINES = ("1,2,3", "1,2,3", "7 8 9 10", "7 8 9 10", "2024-05-07 12:58:36 INFO worker", "a1b2c3\r",
                "x" * 400 + "1 2 3", "x" * 401 + "1 2 3", "1 2", "1. Add 2 cups", "", "text", "日 1 2 3", "𝟘 1 2 ٣")


@needs_c
@pytest.mark.skipif(PURE, reason="the module binds its C scan only when the accelerator is on")
@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(RECORD_LINES), max_size=40).map("\n".join) | st.text(max_size=80))
def test_c_pasted_data_sample_equals_the_regex(s):
    assert pasted_data._sample_c(s) == pasted_data.sample_pasted_data_python(s)


@needs_c
def test_c_record_runs_checks_its_arguments():
    with pytest.raises(TypeError):
        _speedups.record_runs(b"1 2 3", 9, 2)
    with pytest.raises(ValueError):
        _speedups.record_runs("1 2 3", 9, 9)
