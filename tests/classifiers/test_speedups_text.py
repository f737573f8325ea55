"""The optional C accelerator (``classifiers/_speedups.c``) equals the pure-Python code, exactly: lower-casing and
word splitting, glued words, the shape walk, pasted data, and the classifier's scores with and without it.

Elsewhere than under ``CI=true`` the C-only tests are skipped when it is not built."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers import lexicons, pasted_data, shape
from classifiers.features import words_of
from classifiers.glued import glued_words, glued_words_python
from classifiers.lexicons import lexicon_counts, lower_split, lower_split_python, lower_words, lower_words_python
from classifiers.shape import shape_matches, shape_matches_python, shape_matches_reference
from tests.classifiers._equivalence_helpers import PIECES
from tests.classifiers._speedups_helpers import PURE, RECORD_LINES, VOCAB, _speedups, needs_c, texts
from tests.classifiers.conftest import EASY, HARD, OLYMPIAD, SHARED_DATA

SHAPE_TABLE = _speedups and _speedups.shape_table(shape._FIRST, shape._ANCHORED, shape._NUM_TOKENS_LISTN,
                                                  tuple(k[1:] for k in shape._NUM_KEYS_LISTN), (shape._A_FEW,),
                                                  shape._NWORDS_NOUNS, shape._LISTN, shape._NWORDS[0], shape._NUM_WORDS[:-1])


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
