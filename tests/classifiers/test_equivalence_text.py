"""The optimized featurizer's text scanners equal the plain definitions they replaced, exactly: task and material
cues, answer options, code/currency/problem characters, the shape matcher, words and lexicon counts."""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers import shape
from classifiers.code_blocks import code_chars
from classifiers.features import _slice, inline_options, lexicon_counts, lexicon_counts_reference, problem_chars, words_of
from classifiers.latex import RE_CURRENCY
from classifiers.lexicons import _PUNCT, _PUNCT_CHARS, words_and_head_words
from classifiers.options import labelled_options, tail_options, year_options
from classifiers.shape import GRAM_CHARS, shape_matches, shape_matches_reference
from tests.classifiers import reference_features as ref
from tests.classifiers._equivalence_helpers import OPTIONS, PIECES, SEPS, _same, texts

#: Pieces of a long text with an instruction to work on it, at the rule's edges: verbs whole and cut,
#: leads, sentence ends, filler that moves them across the first and last 300 characters.
TEXT_TASK_PIECES = ("Translate", "translate:", "translated", "retranslate", "Summarize", "summary:", "summary::", ":summary",
                    "Please ", "please, ", "can you ", "Now ", "bitte ", "rewrite", "Proofread", "翻译成", "请", "x", " ", ". ",
                    "? ", "\n", ": ", "'", "x" * 97, "y " * 150)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(TEXT_TASK_PIECES), max_size=40).map("".join))
def test_works_on_text_equals_the_reference(text):
    from classifiers.echo import works_on_text

    assert works_on_text(text) == ref._works_on_text(text)


#: Pieces of an instruction over material (version 44): verbs whole and cut, leads, opening phrases, pointers, the
#: colon, line breaks and quotes that end it (an apostrophe does not), items, arithmetic cues and numbers.
MATERIAL_PIECES = ("Extract", "extract", "extracts", "List", "classify", "Pull", "sort", "Summarize", "Translate", "Find",
                   "Please ", "please, ", "can you ", "Now ", "From ", "from", "Given ", "In ", "based", "this", "these",
                   "the following", "below", "thisx", "a", ", ", ",", ": ", ":", "\n", "\n1. ", "\n- ", " '", "'", ' "',
                   "“", "product's", " ", "\t", "\x0c", " ,", "x", "x" * 25, "3 hours", "$2 each", "20 minutes", "price", "root", "x^2",
                   # version 56: echo and fix verbs, tl;dr, what is made of the material, shapes, work-out words
                   "Fix ", "correct ", "the grammar", "spelling", "TL;DR", "tldr", "Rewrite", "convert", "Give ", "headline",
                   "main point", "main", " point", "gist", " into ", " as ", "JSON", "table", "Here is x. ", "here",
                   ". ", "calculate", "total", "Extract")


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(MATERIAL_PIECES), max_size=30).map("".join))
def test_instructs_over_material_equals_the_reference(text):
    from classifiers.echo import instructs_over_material

    assert instructs_over_material(text) == ref._instructs_over_material(text)
    _same(text)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(OPTIONS + (" ", "x", "\n", "12")), max_size=40).map("".join))
def test_inline_options_equal_the_reference(text):
    assert inline_options(text) == ref._inline_options(text)


@st.composite
def option_lists(draw: st.DrawFn) -> str:
    """A text that ends with a question and option lines, near the rules' edges: 1-8 lines, numbered
    in order or not, "1." / "1)" / "(1)" / "-" / "*" markers, 0-101 characters of option text, a closing
    line of 0-21 characters (or an option), trailing blank lines."""
    k = draw(st.integers(1, 8))
    first = draw(st.sampled_from([1, 1, 1, 2]))
    lines = [draw(st.sampled_from(["Which one is it?", "Which one? ", "Pick one:", "x" * 30 + "?"]))]
    for i in range(k):
        mark = draw(st.sampled_from(["{}. ", "{}) ", " {}. ", "({}) ", "{}: ", "- ", "- ", "* ", "-"]))
        lines.append(mark.format(first + i if draw(st.booleans()) or i else 9)
                     + "y" * draw(st.sampled_from([0, 1, 20, 98, 99, 100, 101])))
    lines.append(draw(st.sampled_from(["", "Answer:", "z" * 20, "z" * 21, "3. z", "- z", "\n"])))
    return draw(st.sampled_from(["", "Context.\n", "1. a\n2. b\n"])) + "\n".join(lines) + draw(st.sampled_from(["", "\n", " \n\n"]))


@settings(max_examples=3000, deadline=None)
@given(option_lists() | st.lists(st.sampled_from(("\n", "?", "1. ", "2. ", "- ", " ", "x", "x" * 99)), max_size=30).map("".join))
def test_tail_options_equal_the_reference(text):
    assert tuple(tail_options(text)) == ref._tail_options(text)
    _same(text)  # and the features that read them (numbers, list items, options)


#: Pieces of labelled and year options: markers in every form, years and near-years, separators.
OPTION_PIECES = ("Option 1: ", "Option 2: ", "option 3) ", "OPTION 2. ", "Choice1: ", "OPtion 1: ", "Option 1:",
                 "A) ", "(B) ", "c. ", "D: ", "1. ", "2) ", "(A)", "1987", "2099", "2100", "999", "19870", "x",
                 " ", "  ", "\t", "\n", "?")


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(OPTION_PIECES), max_size=30).map("".join))
def test_labelled_and_year_options_equal_the_reference(text):
    assert labelled_options(text) == ref._labelled_options(text)
    assert year_options(text) == ref._year_options(text)
    _same(text)


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(("```", "``", "`", "    ", "   ", "\t", "\n", "\n\n", "x", "def f():", " ", "\r",
                                 '"""', '"', "\'\'\'", "'")),
                max_size=30).map("".join))
def test_code_chars_equal_the_reference(text):
    assert code_chars(text) == ref._code_chars(text)
    _same("Why does this fail? " + text)  # and the length prior that leaves the code out


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(("$", "\\", "1", "25", ",", ".", " ", "  ", "\n", "x", "X", "é", ")", "?", "+", "^", "٣")),
                max_size=30).map("".join))
def test_currency_equals_the_reference(text):
    assert len(RE_CURRENCY.findall(text)) == ref._currency(text)
    _same(text)  # and the LaTeX feature that subtracts it


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(("\n", "\n\n", "x" * 97, "Solve it.", "7", "٣", "²")), max_size=40).map("".join))
def test_problem_chars_equal_the_reference(text):
    assert problem_chars(text) == ref._problem_chars(text)
    assert problem_chars(text, whole=False) == ref._problem_chars(text, whole=False)


@settings(max_examples=1500, deadline=None)
@given(texts)
def test_shape_matcher_equals_finditer(text):
    head = text.lower()[:GRAM_CHARS].lstrip()
    assert shape_matches(head) == shape_matches_reference(head)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=GRAM_CHARS))
def test_shape_matcher_equals_finditer_on_any_text(text):
    assert shape_matches(text) == shape_matches_reference(text)


#: Keywords beside letters, digits and marks of other scripts: ``\\w`` counts "é", "²", "Ⅻ" and "_"
#: as word characters (no token boundary there), not a combining accent or "«".
BESIDE = ("write", "what", "python", "is", "explain", "essay", "how", "кот", "日本", "é", "²", "_", "٣", "Ⅻ", "\u0301",
          " ", ",", "«", "\u00a0", "\n", "W")


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(BESIDE), max_size=30).map("".join))
def test_shape_matcher_on_keywords_beside_other_scripts(text):
    assert shape_matches(text) == shape_matches_reference(text)


def test_shape_keywords_are_lower_case_ascii_words():
    """The non-ASCII matcher finds keyword tokens as runs of a-z (``shape._keyword_candidates``)."""
    assert shape._KEYWORD_TOKENS and all(re.fullmatch("[a-z]+", t) for t in shape._KEYWORD_TOKENS)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([*PIECES, *SEPS, *_PUNCT_CHARS, "证明", "。", "é", "\u00a0", "\ud800"]), max_size=40).map("".join)
       | st.text())
def test_words_of_non_ascii_text_equals_the_translate_split(text):
    """Non-ASCII text is split with a replace per punctuation mark (translate is slow there)."""
    low = text.lower()
    assert words_of(low) == low.translate(_PUNCT).split()


@settings(max_examples=300, deadline=None)
@given(texts | st.text(), st.integers(0, 300))
def test_words_and_head_words(text, n):
    low = text.lower()
    assert words_and_head_words(low, n) == (words_of(low), words_of(low[:n]))


@settings(max_examples=500, deadline=None)
@given(texts)
def test_lexicon_counts_equal_the_position_scan(text):
    w = words_of(_slice(text).lower())
    assert lexicon_counts(w) == lexicon_counts_reference(w)


def test_lexicon_counts_survive_a_full_memo(monkeypatch):
    from classifiers import lexicons

    monkeypatch.setattr(lexicons, "_MEMO_MAX", 40)
    monkeypatch.setattr(lexicons, "_SEEN", {})
    monkeypatch.setattr(lexicons, "_HITS", {})
    rng = random.Random(1)
    for _ in range(300):
        w = words_of(" ".join(rng.choice(PIECES + (f"zz{rng.randrange(100)}",)) for _ in range(rng.randrange(30))))
        assert lexicon_counts(w) == lexicon_counts_reference(w)
        assert len(lexicons._SEEN) <= 40 + 30
