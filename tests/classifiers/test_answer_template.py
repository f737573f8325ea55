"""Inline answer templates (version 59): a brace object showing the answer's form is no code, no problem's length."""

from __future__ import annotations

import pytest

from classifiers.answer_template import CODE_SYNTAX, NO_TEMPLATES, answer_templates, placeholder
from classifiers.feature_schema import FEATURE_NAMES
from classifiers.features import _CODESYN, handcrafted, scan_counts
from classifiers.lexicons import lower_words
from classifiers.text import parse_messages

TEMPLATES = [
    'Fill in this JSON for the planet Mars: {"name": "", "moons": 0, "distance_from_sun_au": 0.0}',
    'Return {"capital": ..., "currency": ...} for Japan.',
    'Classify the sentiment of "I love this phone". Return {"label": "positive" | "negative"}.',
    'Respond with {"answer": "yes"} or {"answer": "no"}: Is Paris in France?',
    'Output JSON {"language": <ISO code>} for the text: "Wie geht es dir?"',
    'Give the boiling point of water in JSON: {"celsius": number, "fahrenheit": number}',
    'Who painted the Mona Lisa? Format: {"artist": string, "year": int}',
    'Rate how formal this sentence is: "hey what\'s up". Return {"formality": 1-5}',
    'Tag this headline. Output: {"topic": "sports" | "politics" | "other", "tags": [string]}',
]
NOT_TEMPLATES = [
    'Fix this invalid JSON and explain each fix: {"name": "Ann", "tags": [a, "b",], \'age\': 031}',
    "Write a JSON Schema (draft 2020-12) for an order object: items array of at least 1 {sku, qty >= 1}.",
    'def f():\n    return {"a": 1}\n\nWhy does calling f()["b"] raise an error?',
    'Parse this JSON in Python and print the total: {"items": [], "total": 0}',
    'Write a Python function that takes a dict like {"name": "", "age": 0} and validates it.',
    'const user = {name: "", age: 0};\nWhy does TypeScript complain?',
    "Given the set S = {a, b, c, d}, how many subsets of S contain a but not b?",
    'Design a REST endpoint that accepts {"user_id": string, "items": array} and returns the total.',
    'My config fails to load: {"port": "8080", "debug": yes}. What is wrong?',
    "```json\n{\"a\": \"\"}\n```\nReturn it filled in.",
]


def _templates(text: str):
    return answer_templates(text, lower_words(text), scan_counts(text)[1])


def _feats(text: str) -> dict[str, float]:
    return dict(zip(FEATURE_NAMES, handcrafted(parse_messages([{"role": "user", "content": text}])), strict=False))


def test_code_syntax_is_the_featurizers():
    assert CODE_SYNTAX == _CODESYN


@pytest.mark.parametrize("text", TEMPLATES)
def test_a_template_is_no_code_and_no_closed_problem(text):
    t = _templates(text)
    assert t.chars > 0 and t.syntax >= 2
    f = _feats(text)
    assert f["code syntax density"] == 0.0
    assert f["code cues"] == 0.0
    assert f["length in a closed problem"] == 0.0


@pytest.mark.parametrize("text", NOT_TEMPLATES)
def test_code_and_real_data_keep_their_braces(text):
    assert _templates(text) == NO_TEMPLATES


def test_placeholders():
    for v in ('""', "...", "0", "0.0", "null", "true/false", "number", '"string"', "<ISO code>", '"<text>"',
              '"positive" | "negative"', "[string]", "[]", "1-10", "int or null"):
        assert placeholder(v), v
    for v in ('"Ann"', "42", "a", "[a, 1]", "x + 1", '"yes"'):
        assert not placeholder(v), v


def test_literals_only_after_an_answer_lead():
    assert _templates('Respond with {"answer": "yes"}').chars
    assert not _templates('The server sent {"answer": "yes"} today.').chars
    assert _templates("Extract as {proposed_dates, conflicts}: the emails below").chars
    assert not _templates("The pair {apples, pears} is here").chars


def test_bounded():
    """A text of more braces than MAX_BRACES holds no answer template (data or code, not an answer's form), so the scan
    stops there (its cost is measured in bench/classifier_bench.py, "built against the rules")."""
    assert _templates('Return {"a": ""}. ').chars == len('{"a": ""}')
    assert _templates(('Return {"a": ""}. ' * 10_000)[:4000]).chars == 0
    assert _templates(('{"a": ""} ' * 10_000)[:4000]).chars == 0


def test_a_template_in_a_test_line_takes_its_numbers_once() -> None:
    """'assert {"age": 0}' is a template and a test line: both took the 0 away, the count fell below zero and
    ``log`` raised (found by the equivalence test's hypothesis search)."""
    f = dict(zip(FEATURE_NAMES, handcrafted(parse_messages([{"role": "user", "content": '\nassert {"name": ..., "age": 0}'}])), strict=True))
    assert f["numbers"] == 0.0
