"""Inline answer templates: a brace object that shows the answer's form, not code to read or write (version 59).

JSON mode written into the user turn ('Return {"capital": ..., "currency": ...} for Japan.', 'Fill in this JSON for
the planet Mars: {"name": "", "moons": 0}', 'Classify the sentiment … Return {"label": "positive" | "negative"}.')
put braces in the code-syntax density and "return", "json", "string" in the code cues: a trivial lookup read as a
request for a program, with the request's extra length in the closed-problem prior (0.62-0.79, the same questions
without the template 0.25-0.28). Version 47 (``output_format``) drops format phrases, not an object. A template is:

- a flat brace object (no brace inside, at most ``MAX_TEMPLATE_CHARS``, fewer than ``MAX_ENTRIES`` entries) whose entries are ``key: value`` with a quoted
  or bare key and a placeholder value (``placeholder``: "", "...", …, 0, 0.0, null, true/false, a type name such as
  string / number / bool, "<…>", "1-10", alternatives "a" | "b", a list of those), or an ellipsis entry;
- or, after an answer's lead (a word of ``LEAD_WORDS`` among the last ``LEAD_GAP`` words before it in its sentence:
  'Respond with {"answer": "yes"} or {"answer": "no"}', 'Extract as {proposed_dates, conflicts}'), an object of short
  literal values (``MAX_LITERAL_CHARS``) or of keys only.

Not when it is code's: a "=", "(", "[", "," or a word character right before the brace ("x = {", "f({"), a code fence
or code syntax outside the templates (``CODE_SYNTAX``: "def f(): return {…}"), a word naming a program or a format's
program thing in its sentence outside the braces ("Parse this JSON in Python: {…}", "a JSON Schema for {…}"), a tool or
language anywhere ("Fix this invalid JSON …: {…real values…}" holds no placeholder and no answer lead). Its code-syntax
tokens, numbers and characters are then no code, no quantities and no statement; its words, and the format words of
its sentence before it ("Fill in this JSON …", "Return"), no code cues. Bounded: the first ``MAX_BRACES`` braces of
the featurizer's slice (``MAX_TEMPLATES`` templates), each read at most ``MAX_TEMPLATE_CHARS`` ahead and ``LEAD_CHARS`` back.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from classifiers.lexicons import lower, words_of
from classifiers.output_format import FORMAT_BLOCKERS, FORMAT_NAMES, NEIGHBOUR_WORDS, PROGRAM_SENTENCE_WORDS
from classifiers.quantities import count_quantities
from classifiers.sentences import sentence_end, sentence_start

#: The code-syntax tokens of the featurizer (``features._CODESYN``; a test keeps them equal).
CODE_SYNTAX = ("{", "}", ";", "=>", "->", "::", "==", "!=", "()", "[]")
MAX_TEMPLATES = 4
MAX_BRACES = 4
MAX_ENTRIES = 12
MAX_TEMPLATE_CHARS = 240
LEAD_CHARS = 200
LEAD_GAP = 4
MAX_LITERAL_CHARS = 40
MAX_LITERAL_WORDS = 4
#: Type names and empty values: what a field holds, not a value.
TYPE_NAMES = frozenset((
    "string", "str", "text", "number", "num", "int", "integer", "float", "double", "decimal", "bool", "boolean",
    "null", "none", "nil", "true", "false", "date", "datetime", "time", "timestamp", "url", "email", "uuid", "any",
    "object", "array", "list", "dict", "enum", "value", "string[]", "number[]", "int[]", "?", "_", "x", "xx", "xxx",
    "...", "..", "\u2026", "", "0", "0.0", "0.00", "-1",
))
#: Words that lead to an answer's form: its verbs, the format's names and nouns, "as", "like", "or" (a second form).
LEAD_WORDS = FORMAT_NAMES | frozenset((
    "return", "output", "respond", "reply", "answer", "give", "provide", "extract", "fill", "format", "format:",
    "template", "template:", "structure", "structure:", "shape", "schema:", "object", "object:", "objects", "array",
    "records", "fields", "keys", "as", "like", "with", "or", "e.g.", "eg", "json:", "output:", "answer:", "response:",
    "result:", "returns:", "reply:",
))
#: Code cues of a template's sentence before it that are the answer's form ("Return {…}", "Fill in this JSON: {…}").
LEAD_CUES = FORMAT_NAMES | frozenset(("return", "output", "array", "dict", "string", "object", "json:"))
#: A program's words in the template's sentence outside its braces (a language, "function", "parse", "schema" …).
BLOCK_WORDS = PROGRAM_SENTENCE_WORDS | FORMAT_BLOCKERS

_RE_RANGE = re.compile(r"-?\d+(?:\.\d+)?\s*(?:-|–|to|\.\.)\s*-?\d+(?:\.\d+)?")
_RE_KEY = re.compile(r"[A-Za-z_][\w \-]{0,40}")
_RE_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_RE_ALTERNATIVE = re.compile(r"\s*(?:\||/|\bor\b)\s*")
_RE_TOKEN = re.compile(r'"[^"]*"|[^"\[\]<>,:]+|.', re.DOTALL)


class Templates(NamedTuple):
    """What a text's answer templates hold: no statement, code, quantity or code cue."""

    chars: int
    syntax: int
    numbers: int
    words: tuple[str, ...]


NO_TEMPLATES = Templates(0, 0, 0, ())


def answer_templates(s: str, words: list[str], code_syntax: int) -> Templates:
    """The answer templates of the featurizer's slice ``s`` (``words``: its lower-cased words; ``code_syntax``: its
    code-syntax tokens), or ``NO_TEMPLATES``."""
    if "{" not in s or "```" in s or not NEIGHBOUR_WORDS.isdisjoint(words):
        return NO_TEMPLATES
    low = lower(s)
    spans: list[tuple[int, int, int]] = []  # (start, end, start of its sentence)
    prev = 0
    for a in _brace_starts(low):
        b = low.find("}", a + 1, a + MAX_TEMPLATE_CHARS)
        if b < 0 or "{" in low[a + 1 : b]:
            continue
        lo = sentence_start(low, a, max(a - LEAD_CHARS, prev))
        if _template(low, a, b, lo):
            spans.append((a, b + 1, lo))
            prev = b + 1
            if len(spans) == MAX_TEMPLATES:
                break
    if not spans:
        return NO_TEMPLATES
    syntax = sum(low.count(t, a, b) for a, b, _ in spans for t in CODE_SYNTAX)
    if syntax < code_syntax:  # code syntax outside the templates: they are code's
        return NO_TEMPLATES
    found: list[str] = []
    for a, b, lo in spans:
        found += words_of(low[a:b]) + [w for w in words_of(low[lo:a]) if w in LEAD_CUES]
    return Templates(sum(b - a for a, b, _ in spans), syntax,
                     sum(count_quantities(s[a:b], True)[0] for a, b, _ in spans), tuple(found))


def _brace_starts(low: str) -> list[int]:
    """Where the first ``MAX_BRACES`` opening braces of ``low`` are."""
    starts: list[int] = []
    a = low.find("{")
    while a >= 0 and len(starts) < MAX_BRACES:
        starts.append(a)
        a = low.find("{", a + 1)
    return starts


def _template(low: str, a: int, b: int, lo: int) -> bool:
    """Whether the brace object ``low[a:b + 1]`` (no brace inside), its sentence starting at ``lo``, is a template."""
    before = low[lo:a].rstrip()
    if before[-1:] in ("=", "(", "[", ",") or (before[-1:].isalnum() and len(before) == a - lo):
        return False
    if low.count(",", a, b) >= MAX_ENTRIES:  # a template has a few fields
        return False
    entries = _split(low[a + 1 : b], ",")
    if entries is None or not any(e.strip() for e in entries):
        return False
    lead: bool | None = None  # (read lazily: without a lead the first entry with no placeholder ends it)
    kinds: set[str] = set()
    for e in entries:  # (the entries before the sentence's words: a block of code fails at its first, 20 us sooner)
        if not e.strip():
            continue
        kind = _entry(e.strip())
        if kind is None:
            return False
        if kind != "placeholder":
            if lead is None:
                lead = not LEAD_WORDS.isdisjoint(words_of(before)[-LEAD_GAP:])
            if not lead:
                return False
        kinds.add(kind)
    end = sentence_end(low, b + 1, LEAD_CHARS)
    if not BLOCK_WORDS.isdisjoint(words_of(before + " " + low[b + 1 : end])):
        return False
    return kinds == {"placeholder"} or "key" not in kinds or kinds == {"key"}


def _entry(e: str) -> str | None:
    """An entry's kind: "placeholder" (a key and a placeholder, or an ellipsis), "literal" (a key and a short literal),
    "key" (a key alone), or ``None`` (no template's)."""
    if e in ("...", "\u2026", ".."):
        return "placeholder"
    parts = _split(e, ":")
    if parts is None or len(parts) > 2:
        return None
    key = _key(parts[0].strip())
    if key is None:
        return None
    if len(parts) == 1:
        return "key" if len(key) > 1 and key not in ("...", "\u2026") else None
    value = parts[1].strip()
    return "placeholder" if placeholder(value) else "literal" if _literal(value) else None


def placeholder(v: str) -> bool:
    """Whether a value (stripped, lower-cased) stands for what the answer puts there."""
    inner = _unquote(v)
    if inner is not None:
        return inner.strip() in TYPE_NAMES or _angle(inner.strip())
    if v in TYPE_NAMES or _angle(v) or _RE_RANGE.fullmatch(v) is not None:
        return True
    if v[:1] == "[" and v[-1:] == "]":
        items = _split(v[1:-1], ",")
        return items is not None and all(placeholder(x.strip()) for x in items if x.strip())
    alternatives = _RE_ALTERNATIVE.split(v)
    return len(alternatives) >= 2 and all(placeholder(x) or _literal(x) for x in alternatives)


def _literal(v: str) -> bool:
    """Whether a value is a short literal: a quoted string of at most ``MAX_LITERAL_WORDS`` words, or a number."""
    inner = _unquote(v)
    if inner is not None:
        return len(inner) <= MAX_LITERAL_CHARS and len(inner.split()) <= MAX_LITERAL_WORDS
    return _RE_NUMBER.fullmatch(v) is not None


def _key(k: str) -> str | None:
    """A key's name: quoted (at most ``MAX_LITERAL_CHARS``), or a bare name."""
    inner = _unquote(k)
    if inner is not None:
        return inner if 0 < len(inner) <= MAX_LITERAL_CHARS else None
    return k if _RE_KEY.fullmatch(k) is not None else None


def _unquote(v: str) -> str | None:
    """The text inside a quoted value (no quote of its kind inside), or ``None``."""
    if len(v) >= 2 and v[0] == v[-1] == '"' and '"' not in v[1:-1]:
        return v[1:-1]
    return None


def _angle(v: str) -> bool:
    """Whether ``v`` is one "<…>" placeholder."""
    return len(v) >= 3 and v[0] == "<" and v[-1] == ">" and "<" not in v[1:-1] and ">" not in v[1:-1]


def _split(body: str, sep: str) -> list[str] | None:
    """``body`` split at ``sep`` outside quotes, brackets and angle brackets; ``None`` when these do not close."""
    if '"' not in body and "[" not in body and "<" not in body and "]" not in body and ">" not in body:
        return body.split(sep)  # (most entries: a C-speed split)
    parts, cur, depth = [], [], 0
    for tok in _RE_TOKEN.findall(body):  # a quoted string or a run of plain characters is one token
        if tok == '"':
            return None
        if tok in "[<":
            depth += 1
        elif tok in "]>":
            depth -= 1
            if depth < 0:
                return None
        elif tok == sep and not depth:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(tok)
    return None if depth else [*parts, "".join(cur)]
