"""The optimized featurizer equals the plain definitions it replaced, exactly (no tolerance).

The full check (every training prompt, ~6,000 hostile strings, 2,000 conversations; see
docs/classifier.md) was run once against the previous code; this keeps a sample of it.
"""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers import lexicons, shape, written_code
from classifiers.code_blocks import code_chars
from classifiers.features import (
    _slice,
    conversation_features,
    inline_options,
    lexicon_counts,
    lexicon_counts_reference,
    problem_chars,
    words_of,
)
from classifiers.latex import RE_CURRENCY
from classifiers.lexicons import _PUNCT, _PUNCT_CHARS, words_and_head_words
from classifiers.options import labelled_options, tail_options, year_options
from classifiers.shape import GRAM_CHARS, gram_keys, shape_matches, shape_matches_reference
from classifiers.text import parse_messages
from tests.classifiers import reference_features as ref
from tests.classifiers.conftest import EASY, HARD, OLYMPIAD

#: Pieces that exercise the answer-shape keywords, numbers and the line/number/unit regexes.
PIECES = ("list", "give", "write", "name", "come up with", "two", "a few", "several", "3", "12345", "1,000.5", "2,500", "five",
          "words", "sentence", "paragraphs", "lines", "page", "bullet", "essay", "lesson plan", "in detail", "step by step",
          "step-by-step", "pros and cons", "one word", "a sentence", "tl;dr", "yes or no", "true or false", "which of",
          "is it", "c++", "python", "make it", "key points", "poem", "names for", "what", "is", "how", "why", "correct",
          "fix the grammar", "5 kg", "10%", "3m/s", "$", "\\frac", "```", "{", "=>", "if and only if", "how many ways",
          "İ", "ß", "Σ", "é", "٣", "≤", "。", "？", "\u00a0", "\ud800", "x",
          "a", "the", "rewrite", "function", "code", "unit", "tests", "story", "bash", "script", "go", "regular", "expression",  # "write <code>"
          "assert", "assert f(1, 2) == 3", "asserts", "prime",  # tests given with a request for a program
          "older than", "taller than", "north of",  # relations, in a quiz counted above its options
          "video script", "ad scripts", "script",  # a script to perform is writing
          "analysis", "design", "role", "fraction", "∨", "⊃", "¬", "7", "11",  # a quiz's stem cues, logic notation, computations
          "in", "c++17", "x86", "cuda", "kernel", "queue", "email", "validator", "python-script", "en", "w", "pythonie",  # "write … in <language>" (42)
          "lru", "cache", "tree", "red-black", "family", "linked", "list", "shortener", "service", "of", "for", "pool", "party",
          "min-heap", "b-tree", "counter", "word", "poem", "it", "should",  # the head of what "write" writes (43)
          "extract", "classify", "from", "these", "this", "following", "given", "recipe", "hours", "minutes", "price",
          "'", "please",  # an instruction over material (44)
          '{"a": ""}', '{"name": ..., "age": 0}', "{", "}", '"', ":", '"x"', "|", "<ISO code>", "[string]", "1-5", "return",
          "respond with", "json", "or", "format:", "=", "(", "null", "true/false", "...", "…", "{city, country}",  # templates (60)
          "; ", ";", "; I ", "; I'm", "É", "中",  # prose semicolons (77)
          "create table", "CREATE TABLE t (a INT, b NUMERIC(10,2));", "users(id INT, email TEXT)", "orders(id, user_id, total)",
          "Table: ", "| Column Name | Type |", "| id | int |", "+----+", "never", "top 3", "users", "order", "running total",
          "how many", "list all",  # a question over a schema (88)
          "search_flights(origin, destination, date)", "a(b, c);", "Tables:", "| Plan | Type | Price |", "| Field | Type |", "| x | varchar(9) |",
          "thanks", "query", "email", "customer_id", "between", "share", "each", "than their", "manager")  # tool lists, a question about the data (95)
SEPS = ("", " ", "  ", "\n", "\nassert ", "\n  assert ", "\nA. ", "\n    ", "\n- ", "\n2) ", "\n(b) ", ". ", "? ", ": ", "-", ",", "_", "options:",
        "\nB - ", "\nC \u2013 ")  # "A - x" options (version 37)
#: Inline answer-option markers, whole and in pieces.
OPTIONS = ("(A) ", "(B) ", "(C) ", "(D)", " A) ", " B) ", " C) ", " D. ", " E. ", " A.", "B", "C", "(", ")", ".")
texts = st.lists(st.sampled_from(PIECES + SEPS + OPTIONS), max_size=60).map("".join)


def _same(text: str, system: str = "", history: str = "") -> None:
    msgs = [{"role": "system", "content": system}] if system else []
    msgs += [{"role": "assistant", "content": history}] if history else []
    c = parse_messages(msgs + [{"role": "user", "content": text}])
    h, shape, head, _ = conversation_features(c)
    assert h == ref.handcrafted(c)
    assert shape == ref.answer_shape(c)
    assert sorted(gram_keys(head, c.system)) == ref.grams(c)


#: A system prompt holding a schema (version 88: the user turn is a question over it).
SYSTEM_SCHEMA = "You write PostgreSQL.\nCREATE TABLE users (id INT, email TEXT);\norders(id INT, user_id INT, total NUMERIC(10,2))"
#: A system prompt holding no schema: a tool list, a table of plans (version 95: every turn under them was a query).
SYSTEM_TOOLS = ("Tools:\nsearch_flights(origin, destination, date)\nbook_hotel(city, checkin, nights)\n| Plan | Type | Price |\n|---|---|---|\n"
                "| Basic | Monthly | $7 |")
#: A system prompt holding documents (version 78: their figures count in a calculation's word problem).
SYSTEM_DOCUMENTS = ("Answer from the documents below.\nDocument 1: The monthly plan costs $39 and the annual plan $399; students pay "
                    "20% less.\nDocument 2: Guest passes cost $12 each; annual members get four free passes a year.")


@settings(max_examples=400, deadline=None)
@given(texts, st.sampled_from(["", "You are a Python expert. Answer briefly.", SYSTEM_DOCUMENTS, SYSTEM_SCHEMA, SYSTEM_TOOLS]), st.sampled_from(["", "x = 1; {"]),
       st.sampled_from([str.lower, str.upper, str.title, str.strip]))
def test_features_equal_the_reference(text, system, history, case):
    _same(case(text), system, history)


#: Quiz-shaped texts (an outside review's fuzz, s36: it found two mismatches the pieces above never build): a stem of
#: cue words, numbers, notation and other scripts, then options in one of the layouts, maybe an answer line after.
QUIZ_WORDS = ("the", "which", "of", "following", "is", "correct", "prove", "compute", "analysis", "design", "older than",
              "north of", "3x = 12", "x^2", "Z_4", "5 kg", "$3", "\\frac{1}{2}", "1969", "(vitamin A)", "Plan A.", "town A.",
              '"quoted"', "“curly”", "∨", "¬", "下列", "首都", "Какая", "¿Cuál")
OPTION_FORMS = ("{}. ", "({}) ", "{}) ", "{}: ", "{} - ", "{}– ")
quiz_sentences = st.lists(st.sampled_from(QUIZ_WORDS), max_size=25).map(" ".join)


@st.composite
def quiz_texts(draw: st.DrawFn) -> str:
    form = draw(st.sampled_from(OPTION_FORMS))
    letters = draw(st.sampled_from(("ABCDEFG", "abcdefg")))[:draw(st.integers(2, 7))]
    sep = draw(st.sampled_from(("\n", " ", "", "\n  ")))  # "": an empty option ends on the next one's space
    options = sep.join(form.format(letter) + draw(quiz_sentences) for letter in letters)
    after = draw(st.sampled_from(("", "\nAnswer:", " Answer:", "\nExplain.", "\nLet's think step by step.", "\n\nThe answer is")))
    return draw(quiz_sentences) + draw(st.sampled_from(("?", "", ":", "."))) + sep + options + after


@settings(max_examples=300, deadline=None)
@given(quiz_texts())
def test_features_equal_the_reference_on_quiz_shaped_texts(text):
    _same(text)


def test_features_equal_the_reference_on_fixed_prompts():
    for t in EASY + HARD + [OLYMPIAD, "", " ", "x" * 100_000, "write 3 poems. " * 5000, "a" * 5000 + "\n" + "b " * 3000,
                            "Why is the sky blue?\nLet's think step by step.", "Q: 7 * 6?\nA: Let's think step by step.",
                            "Write f.\nassert f(1) == 2\n```\nassert f(3) == 4\n```\nassert f(4) == 5.5 kg", "assert 1\r\nassert 2",
                            "Write f.\n```python\n    assert f([(1, 9), (2, 3)]) == [(2, 3), (1, 9)]\n```",
                            "Prices: 3 apples cost $2 in total.\n2022-01-03,152.69,166.95\n2022-01-10,165.22,159.44\nHow much more?",
                            "Tom sells 3 cakes.\n1 3 1\nHow many in all?",
                            ("Which is a good sentence?\nA. Ann is taller than Bo because Bo is older than Cy.\n"
                             "B. Ann is taller than Bo because Cy is older than Bo.\nAnswer:"),
                            "Which method is used?\nA. Content analysis\nB. Experimental design\nC. Role play\nD. Survey",
                            "If 3x - 7 = 11, what is 6x + 2?\nA. 34\nB. 38\nC. 40\nD. 44\nAnswer:",
                            "Either S or F, not both.\nA. (S \u2228 F) \u2022 \u00ac(S \u2022 F)\nB. S \u2283 F",
                            "A 60-year-old man, BP 150/90 mmHg, pulse 110/min, ejection fraction 25%. " * 12
                            + "Which drug combination?\nA. x\nB. y\nC. z",
                            "Ann is older than Bo. What is 2 + 3 + 4 + 5? (A) 7 (B) 14 (C) role play (D) design analysis",
                            "下列哪位是古代中国的思想家？\nA. 孔子，他证明了很多逻辑推理 Python写\nB. 牛顿\nC. 爱因斯坦",
                            "Which planet is closest to the Sun?\nA. $\\text{Mercury}$\nB. $\\text{Venus}$\nC. $\\text{Mars}$",
                            "Compute $\\frac{1}{2}+\\frac{1}{3}$.\nA. 5/6\nB. 1\nC. 2/5",
                            "A car leaves town A. It goes 60 km/h for 2 h, then 3 h. (A) 240 km (B) 300 km (C) 360 km",
                            "Which vitamin (vitamin A) helps? Deduce it. (A) retinol (B) niacin (C) folate (D) none",
                            "Symbolize: S or F.\nA. S implies F\nB. S if and only if if and only if F\nC. argument",
                            "Find the remainder when 2^100 is divided by 7 and 3.\nA. 1\nB. 2\nC. 4",
                            "If $f(x) = x^2 + 1$, what is $f(f(1))$? It costs $5.\nA. 5\nB. 2\nC. 26",
                            "A man smokes one pack per day for 30 years; 6 hours ago pain began. " * 10
                            + "How much is the total dose? Ratio?\nA. 1\nB. 2\nC. 3",
                            "Which team won the World Series in 1969, 1986 and 2000 and in the 1960s? (A) Mets (B) Cubs (C) Cards",
                            "A CT scan was computed to the nearest hospital. How much? " * 9 + "Ratio?\n(A) Plan A. x (B) y (C) z",
                            "Let \u0663x = 5, y = 2, z = 7. Find x.\nA. 1\nB. 2\nC. 3",
                            "Which chord?\nA - C major\nB \u2013 G7\n  C - Am\nD. F", "C - G - Am - F\nA - x\nB - y",
                            "Which one is it? A) B) deduce it logically C) no D) analyze", "Pick the town: town A. A. B. Bonn C. Cork D. Dax or older than",
                            'Fill in this JSON for Mars: {"name": "", "moons": 0}', 'Return {"capital": ..., "x": [string]} for Japan.',
                            'Respond with {"answer": "yes"} or {"answer": "no"}: Is 7 prime?', 'x = {"a": ""}; return {"b": 0}',
                            'Output JSON {"language": <ISO code>} for "Hallo".', 'Extract as {name, email_address}: Ann, a@b.c',
                            'Parse this JSON in Python: {"a": ""}', 'Rate it. Return {"score": 1-5, "why": "<text>"}' * 20,
                            "write one two three four five six seven in python", "write uno dos tres cuatro cinco seis siete in c++17",
                            "assert B) 2000\nb) options:", "\nassert \u0663\n7", "Compute \u0663 + \u0664 + \u0665 + \u0666 + \u0667.\nA. x\nB. y\nC. z"]:
        _same(t)
        _same(t, history="```python\nprint(1)\n```")


#: Every word a lexicon or a rule looks for (a phrase's words one by one), for texts that no targeted strategy writes:
#: differential fuzzing over these found a write verb's object read one word short ("write one two three four five six
#: seven in python", version 104) and a misspelt reference word (Ukrainian "доведіть").
RULE_WORDS = tuple(sorted({*lexicons._WORDS, *(w for p in lexicons._PHRASES for w in p.split()), *written_code._WRITE_VERB_SET,
                           *written_code.IN_LANGUAGES, *written_code._PART_WORDS, *shape._FIRST}))
SOUP_GLUE = ("\n", ". ", "? ", ", ", ": ", "(", ")", "```", "\n- ", "\n1. ", "A. ", "{", "}", '"name": ""', "|", "=", "3", "42", "2.5",
             "$x^2$", "%", "exactly", "letters", "each", "different", "写", "é")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(RULE_WORDS) | st.sampled_from(SOUP_GLUE + PIECES), min_size=1, max_size=50).map(" ".join),
       st.sampled_from(["", "You are a Python expert.", "Tools: get_weather(city), send_email(to, body)"]),
       st.sampled_from(["", "```python\nprint(1)\n```", "Sure, here it is."]))
def test_features_equal_the_reference_on_a_soup_of_rule_words(text, system, history):
    _same(text, system, history)


def test_features_equal_the_reference_on_training_prompts(shared_data):
    from classifiers.data import load_all

    examples, _ = load_all(shared_data)
    for e in random.Random(0).sample(examples, 400):
        _same(e.text)


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


#: Pieces of output-format phrases (version 47): openers whole and inside words, fillers, demonstratives, format names
#: whole and glued, nouns, blockers, colons, member access, sentence ends, leads before "return", program words, and
#: filler that moves the sentence's start and end across SENTENCE_CHARS (and the neighbours' across NEIGHBOUR_CHARS);
#: data verbs and objects, HTTP words, file names, paths and blank lines (version 50).
FORMAT_PIECES = ("as", "As", "into", "in", "with", "respond", "Reply", "only", "Return", "return", "give", "me", "output",
                 "provide", "back", "now", "and", "then", "it", "the", "results", "a", "valid", "this", "following", "JSON",
                 "json", "jsonl", "YAML", "xml", "csv", "HTML", "markdown", "/", "or", "array", "arrays", "of", "strings",
                 "object", "table", "code", "block", "format", "file", "schema", "parser", "python", "function",
                 "returns", "string", "dict", ":", ".", ". ", "\n", ",", "?", "(", "x", "tasks", "İ", "x" * 120, "y " * 60,
                 # version 50: the sentences around the phrase, in its paragraph
                 "parse", "read", "Load", "log", "files", "below", "post", "request", "status", "404", "code", "use",
                 "fastapi", "server", "data.csv", "x.js", "/health", "and/or", "\n\n", "\n \n", "z " * 45, "e.g.x")


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(FORMAT_PIECES), max_size=30).map(" ".join)
       | st.lists(st.sampled_from(FORMAT_PIECES), max_size=30).map("".join))
def test_format_code_cues_equal_the_reference(text):
    from classifiers.output_format import format_code_cues

    code = lexicon_counts(words_of(text.lower()))[LEXICON_NAMES_CODE]
    assert format_code_cues(text, words_of(text.lower()), code) == ref._format_code_cues(text, code)
    _same(text)


LEXICON_NAMES_CODE = ref.LEXICON_NAMES.index("code")


#: Pieces of algorithmic and plumbing cues (version 50): everyday words and their context, "queries" / "intervals" and
#: the words before them, moduli in every spelling beside large bounds, "O(" with and without a complexity, the words
#: "o" and "e" alone, and program words, glued or spaced.
ALGO_PIECES = ("Write a function", "implement", "returns", "return to", "code", "connected", "cycle", "cycles", "graph",
               "graphs", "edges", "edge", "nodes", "directed", "prerequisites", "partition", "partitions", "array", "minimize", "maximized",
               "sum", "window", "queries", "search", "intervals", "regular", "Intervals", "minimum number of", "minimum",
               "number", "of", "true if", "check whether", "average", "is even", "is prime", "leap year", "palindrome",
               "modulo", "mod", "MOD", "10", "9", "9+7", "^", "**", "10**9+7", "10**5", "1e9", "1e9+7", "1e5", "109",
               "10\u2079", "10\u2075", "10\u00b9\u2078", "+ 7", "5", "18", "O(", "o(", "O", "o", "(", ")", "n", "N", "log",
               "sqrt", "nm", "V+E", "e", "a", "s", "1", "x", "_", "'", "\u00e9", "\u0130", "K", " ", "  ", "\n", ",", ".",
               "O (", "nlogn", "logn", "(n)", "(123456789)", "2^n", "\u00b2", "\u221a", "os", "grid", "matrix", "set", "makespan")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(ALGO_PIECES), max_size=30).map(" ".join)
       | st.lists(st.sampled_from(ALGO_PIECES), max_size=30).map("".join))
def test_algorithmic_cues_equal_the_reference(text):
    from classifiers.algorithmic import request_work_chars
    from classifiers.lexicons import lower_words

    assert request_work_chars(lower_words(text), text) == ref._request_work_chars(words_of(text.lower()), text), text
    _same(text)


#: Pieces of requests that build code (version 51): the verbs, fillers, code nouns (those a made thing names outside
#: code too), languages, a program's parts (everyday ones among them) and their kinds, texts, and what ends an object.
BUILD_PIECES = ("implement", "Implement", "design", "build", "create", "develop", "write", "a", "an", "the", "simple", "new",
                "python", "c", "go", "in", "rust", "function", "program", "programs", "class", "classes", "code", "script",
                "bash", "query", "sql", "python-class", "python-based", "api", "segment", "tree", "family", "linked", "list",
                "rate", "limiter", "service", "pool", "library", "cache", "lru", "engine", "server", "schedule", "for",
                "that", "of", "poem", "about", "validator", "email", "min-heap", "it", "10", "5", "^", "=")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(BUILD_PIECES), max_size=25).map(" ".join))
def test_built_code_equals_the_reference(text):
    from classifiers.built_code import builds_code
    from classifiers.lexicons import lower_words

    assert builds_code(lower_words(text)) == ref._builds_code(words_of(text.lower())), text
    _same(text)


#: Pieces of bounds and moduli (version 51): "10" with powers and coefficients, "1e5", "10**6", superscripts, "mod" /
#: "modulo" before moduli, "+ 7" written apart, numbers of no bound, and the words naming a program (or not).
BOUND_PIECES = ("10", "5", "9", "18", "19", "3", "2", "1", "*", "^", "**", "+", "7", "+7", "9+7", "1e5", "1e9", "1e9+7", "1e3",
                "10**6", "10**9+7", "109", "1000000007", "10\u2075", "10\u2079", "10\u2079+7", "10\u00b9\u2078", "mod",
                "modulo", "n", "<=", "up to", "function", "implement", "returns", "return to", "numbers", "integers",
                "find", "how many", "grid", "sum", "of", "is", "a", " ", ",", "\n")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(BOUND_PIECES), max_size=30).map(" ".join)
       | st.lists(st.sampled_from(BOUND_PIECES), max_size=30).map("".join))
def test_bound_numbers_equal_the_reference(text):
    from classifiers.algorithmic import bound_numbers
    from classifiers.lexicons import lower_words

    assert bound_numbers(lower_words(text)) == ref._bound_numbers(words_of(text.lower())), text
    _same(text)


#: Everyday code words with their markers, computing words and sentence ends (classifiers/code_words.py, versions
#: 50 and 51): the pieces above never build a text whose every code cue is one of them with a marker near. Fillers
#: are most pieces, so that a marker falls near a word, and just outside a window, often.
CODE_WORDS = ("node", "nodes", "bug", "bugs", "server", "thread", "threads", "loop", "error", "errors", "string",
              "strings", "Error", "rust", "Java", "pandas")
MARKERS = ("lymph", "swollen", "bite", "waiter", "tipping", "sewing", "guitar", "rope", "spelling", "standard", "margin",
           "bike", "coffee", "zoo", "borrow", "dataframe")
CODE_WORD_NOISE = ("memory", "app", "list", "List", "tree", "pool", "for", "fix", "stream", "error TS2322", "node.js",
                   "node's", "as a JSON array of strings", "as a JSON array", ";", "=", "`", ". ", "! ", "? ", ".\n",
                   "\n", ",", "é", "\u00a0", "\u2014", "x" * 45)
CODE_WORD_PIECES = (*CODE_WORDS, *MARKERS, *CODE_WORD_NOISE, *(("a", "the", "my", "x", "of") * 6))


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(CODE_WORD_PIECES), max_size=24).map(" ".join)
       | st.lists(st.sampled_from(CODE_WORD_PIECES), max_size=24).map("".join),
       st.sampled_from(["", "", "", "x = 1; {"]))
def test_everyday_code_words_equal_the_reference(text, history):
    _same(text, history=history)


def test_everyday_code_word_windows_equal_the_reference():
    """The window edges, which random pieces seldom hit: a marker or a computing word d words away, either side, with
    or without a sentence end between, and a marker at the edge of AROUND_CHARS."""
    for word, marker, computing in (("node", "lymph", "memory"), ("errors", "spelling", "app")):
        for d in range(9):
            for end in ("", ". ", "? ", "\n", ".", ", "):
                gap = "a " * d
                for text in (f"{marker} {gap}{end}{word}", f"{word} {gap}{end}{marker}",
                             f"{marker} {word} {gap}{end}{computing}", f"{computing} {gap}{end}{marker} {word}"):
                    _same(text)
        for k in range(92, 106):
            _same(f"{marker} {'y' * k} {word}")
            _same(f"{word} {'y' * k} {marker}")


#: Pieces of letter tasks (version 57): the words of each kind's alternatives, quotes, single letters, numbers, decimals,
#: sentence ends, code and LaTeX that turn the reading off, and filler to push a task past the request's 400 characters.
LETTER_PIECES = ("how many", "letters", "letter", "vowels", "syllables", "characters", "in", "the", "word", "words", "name",
                 "sentence", "times", "does", "appear", "r's", "'r'", "count", "number of", "fifth", "7th", "last", "of",
                 "each", "every", "from the end", "spell", "backwards", "reverse", "sort", "alphabetical", "order",
                 "anagram", "are", "anagrams", "write", "a", "palindrome", "pangram", "lipogram", "is", "racecar",
                 "without", "no", "using", "e", "x", "'e'", "“a”", "line", "lines", "starts", "begin", "ends", "with",
                 "capital", "first", "spell out", "one", "longer", "under", "40", "exactly", "12", "ten", "8", "twenty-one",
                 "which", "larger", "bigger than", "9.11", "9.9", "3.5", "or", "vs.", ",", ". ", "? ", "!", "\n", " ", "-",
                 "write a function", "python", "```", "$x$", "\\frac", "İ", "filler " * 20,
                 # version 61: format instructions that are no task, and the new alternatives
                 "sentences", "four", "five", "seven", "hundred", "one hundred", "150", "151", "7", "2000", "has",
                 "at most", "no longer than", "'i remember'", "i", "rhymes", "same", "consecutive", "next", "b", "c",
                 "to", "in reverse", "chronological", "count the", "r's", "appears", "syllable", "characters")


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(LETTER_PIECES), max_size=40).map(" ".join)
       | st.lists(st.sampled_from(LETTER_PIECES), max_size=40).map("".join))
def test_letter_tasks_equal_the_reference(text):
    from classifiers.letter_tasks import letter_tasks

    assert letter_tasks(text) == ref._letter_tasks(text), text
    _same(text)


#: A puzzle's rules (version 102): each kind's idioms and trigger words, look-alikes, a question, code and LaTeX.
PUZZLE_PIECES = ("always lies", "always tells the truth", "tell the truth", "truth-teller", "truth tellers", "liar", "knight", "knave", "knaves",
                 "exactly one of", "exactly two", "each painted a different", "every box a different", "no two", "all different",
                 "different-colored", "one of which", "one of them", "without looking", "without", "blindfold", "blindfolds",
                 "every label is wrong", "all are incorrect", "mislabeled", "is wrong", "left alone with", "alone",
                 "balance scale", "weighings", "heavier or lighter", "can carry only", "can only", "only one", "at a time",
                 "at most", "either", "neither", "cannot", "can't", "not allowed", "may not", "immediately to the left",
                 "next to", "in a row", "left", "Who", "which", "how do you", "?", ".", ",", "\n", " ", "the", "a", "box", "code",
                 "def f():", "```", "$x$", "word " * 60, "How many r's are in 'berry'?", "I", "my", "we",
                 "each weighing", "weighing", "One is lighter.")


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PUZZLE_PIECES), max_size=30).map(" ".join))
def test_puzzle_rules_equal_the_reference(text):
    from classifiers.lexicons import lower_words
    from classifiers.puzzle_rules import puzzle_rules

    assert puzzle_rules(text, set(lower_words(text))) == ref._puzzle_rules_ref(text, words_of(text.lower())), text
    _same(text)


#: Unicode math (version 97: plain_math.ascii_reading): superscripts and subscripts in runs, signs read as ASCII or
#: counted, units of length before a square or cube, operators after one, ASCII math, logic letters, and prose in
#: other scripts (Chinese, Russian, Greek) with its punctuation.
UNICODE_MATH_PIECES = ("x", "y", "n", "p", "q", "e", "3", "54", "1000", " ", "\n", "(", ")", "+", "-", "=", "<", "^2", "/", ",", ". ",
                       "²", "³", "⁴", "¹⁰", "ⁿ", "ˣ", "⁻¹", "⁺", "⁻", "₀", "₁", "₂", "ₙ", "−", "≤", "≥", "≠", "≈", "→", "⇒", "↔",
                       "⇔", "¬", "∧", "∨", "∀", "∃", "√", "∛", "∫", "∑", "∏", "∂", "∇", "∈", "⊆", "∪", "∩", "∞", "π", "θ",
                       "×", "÷", "·", "½", "m", " m", "cm", "km", "ft", "per ", "sq ", "/s", "€", "Solve", "Find", "prove",
                       "all integers", "log", "sqrt(", "x^2 - 3y^2 = 1", "0 < x", "请解方程", "的面积", "квартира", "решите",
                       "Λύσε", "η εξίσωση", "Fe³⁺", "H₂O", "1920×1080", "A → B", "≈ 5 minutes", "50 m²", "what is",
                       "ω", "α", "Ω", "μ", "ϕ", "ο", "Η", "ή", "5 μm", "10 kΩ", "F(ω)", "iωt", "λόγος", "ℝ", "ℤ", "∅", "∉", "⊇", "∮",
                       "_", "é")  # Unicode math as notation (version 108)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(UNICODE_MATH_PIECES), max_size=30).map("".join)
       | st.lists(st.sampled_from(UNICODE_MATH_PIECES), max_size=30).map(" ".join))
def test_unicode_math_equals_the_reference(text):
    from classifiers.latex import unicode_math
    from classifiers.math_hardness import hardness
    from classifiers.plain_math import ascii_reading, plain_notation

    assert ascii_reading(text) == ref._ref_ascii_reading(text), text
    assert plain_notation(text) == ref._plain_notation_ref(text), text
    assert hardness(text) == ref._ref_hardness(text), text
    assert unicode_math(text) == ref._unicode_math_ref(text), text
    _same(text)


@pytest.mark.parametrize("topic", ["python: ", "Pandas question: ", "In Python, ", "Using React, ", "with sql ", "Hi! Rust: ",
                                   "I'm writing a Flask app. In Python, ", "Task: "])
@pytest.mark.parametrize("rest", ["how do I print hello world?", "write a function that reverses a list.", "what is a monad",
                                  "now how do I sort a dict by value?"])
def test_a_topic_before_the_question_reads_as_the_reference(topic, rest):
    _same(topic + rest)  # version 98
