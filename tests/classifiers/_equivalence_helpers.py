"""The text pieces and the whole-featurizer check the equivalence tests share (test_equivalence_*.py,
test_speedups_*.py, test_math_hardness.py)."""

from __future__ import annotations

from hypothesis import strategies as st

from classifiers.features import conversation_features
from classifiers.shape import gram_keys
from classifiers.text import parse_messages
from tests.classifiers import reference_features as ref

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
