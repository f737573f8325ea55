"""A question asked over a database schema is a request for a SQL query: its words set its difficulty, not the schema
(version 88).

Text-to-SQL traffic sends the schema once, in the system prompt or pasted above the question, with or without a fence.
The user turn alone was read: "Which customers placed more than three orders in the last 30 days but never returned an
item?" under a system-prompt schema had no code domain and no closed problem (0.53), while "How many customers are from
Canada?" under five pasted ``CREATE TABLE`` lines read as a long statement in the code domain (0.92). A schema is found
in the user turn and in a bounded head of the system prompt (``CREATE TABLE`` statements, ``name(col TYPE, …)`` lines,
markdown tables of columns);
then the question's own characters count, plus ``SQL_REQUEST_CHARS``, plus ``SQL_HARD_CHARS`` for each distinct cue of
a query of some craft (an anti-join, a window or rank, a running total, a date range, a percentage, a self-join, a
recursion; each further table the question names is a join), or less ``SQL_PLUMBING_CHARS`` for a one-line SELECT
("how many", "list all", a count). The cues were written from what makes a query hard, not from a benchmark's words.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from classifiers.lexicons import lower_words, positions
from classifiers.quantities import count_quantities

#: Characters of the system prompt read for a schema (bounded work on long system prompts).
SYSTEM_SCHEMA_CHARS = 4000
#: Characters a question over a schema reads longer (a query to write; ``written_code.REQUEST_EXTRA_CHARS`` is 245).
SQL_REQUEST_CHARS = 100
#: Characters each distinct cue of a query of some craft adds, at most ``SQL_HARD_MAX`` cues.
SQL_HARD_CHARS = 150
SQL_HARD_MAX = 4
#: Characters each plumbing cue takes away when no hard cue is found, at most ``SQL_PLUMBING_MAX`` (never below 0).
SQL_PLUMBING_CHARS = 100
SQL_PLUMBING_MAX = 2
#: Further tables named by the question counted as joins, at most this many.
JOIN_MAX = 2
#: A ``CREATE TABLE`` statement's head, to its opening parenthesis; its body runs to the matching ")" (at most
#: ``CREATE_MAX_CHARS``) and a ";" right after it.
_RE_CREATE = re.compile(r"(?i)\bcreate[ \t]+(?:temp(?:orary)?[ \t]+)?table[ \t]+(?:if[ \t]+not[ \t]+exists[ \t]+)?"
                        r"[`\"\[]?([A-Za-z_][\w.]*)[`\"\]]?[ \t]*\(")
CREATE_MAX_CHARS = 3000
_RE_PARENS = re.compile(r"[()]")
#: A table line: "users(id INT, email TEXT)", "- orders(id, customer_id, total)", "Table: users(id, email)", alone on
#: its line (a ";", "," or "." may end it). Its columns (nested parentheses taken out: "NUMERIC(10,2)") are two or more
#: names, each with type words or none. It is a schema's with a label; or unindented, its name without a "." and with a
#: typed column, or three or more columns and another table line: an indented call in pasted code
#: ("    display.fillRect(x, y, W, H, BLACK);", "  pinMode(LED_PIN, OUTPUT);") is none.
_RE_TABLE_LINE = re.compile(r"(?i)[ \t]*(?:[-*][ \t]+)?(table[ \t]*:?[ \t]*|tables[ \t]*:[ \t]*|schema[ \t]*:[ \t]*)?"
                            r"([A-Za-z_][\w.]*)[ \t]*\(([^()\n]*(?:\([^()\n]*\)[^()\n]*)*)\)[ \t]*[;,.]?[ \t\r]*")
#: A markdown or ASCII table that describes columns: a run of lines opening with "|" (rows) or "+" ("+----+" borders,
#: "+", "-", "=" only), whose first row has a cell of ``SCHEMA_HEADERS`` and which has another row; named by a
#: "Table: Person" line right before it ("| Column Name | Type |", "| personId | int |").
SCHEMA_HEADERS = frozenset(("column", "columns", "column name", "column_name", "field", "field name", "type", "data type",
                            "datatype", "data_type"))
_RE_TABLE_NAME = re.compile(r"(?i)[ \t]*table[ \t]*:?[ \t]*([A-Za-z_]\w*)[ \t\r]*")
_BORDER = frozenset("+-= \t\r")
#: What an indented table line must open with to count: a label (an indented call in code has none).
_RE_LABELLED = re.compile(r"(?i)[ \t]*(?:[-*][ \t]+)?(?:table|schema)")
_RE_NESTED = re.compile(r"\([^()\n]*\)")
_RE_COLUMN = re.compile(r"[A-Za-z_]\w*(?:[ \t]+[A-Za-z_][\w>.-]*)*")


class SqlRequest(NamedTuple):
    """A question over a schema: the quantities in the turn's schema (outside fences: a fence's are read as code's),
    characters of the question (the turn outside its schema and fences), the characters its cues add, and whether the
    turn holds the schema (then it counts in the code domain as a fence does; a system prompt's does not: "List all
    department names." under one rose 0.16 -> 0.31 with it)."""

    numbers: int
    question: int
    work: int
    pasted: bool


def _create_spans(s: str) -> list[tuple[int, int, str]]:
    """(start, end, table name) of each ``CREATE TABLE`` statement of ``s``."""
    out = []
    at = 0
    while (m := _RE_CREATE.search(s, at)) is not None:
        depth, end, stop = 1, min(len(s), m.end() + CREATE_MAX_CHARS), min(len(s), m.end() + CREATE_MAX_CHARS)
        for p in _RE_PARENS.finditer(s, m.end(), stop):
            depth += 1 if p.group() == "(" else -1
            if not depth:
                end = p.end()
                break
        end += s.startswith(";", end)
        out.append((m.start(), end, m.group(1).lower()))
        at = end
    return out


def _line_spans(s: str) -> list[tuple[int, int, str]]:
    """(start, end, table name) of the table lines of ``s`` that are a schema's (``_RE_TABLE_LINE``)."""
    found = []
    at = 0
    for line in s.split("\n"):  # a line that ends in ")" (then ";", ",", "." or blanks) first: one regex per such line
        start, at = at, at + len(line) + 1
        if (not line.rstrip(" \t\r;,.").endswith(")") or line[:1] in " \t" and _RE_LABELLED.match(line) is None
                or (m := _RE_TABLE_LINE.fullmatch(line)) is None):
            continue
        columns = [c.strip(" \t") for c in _RE_NESTED.sub("", m.group(3)).split(",")]
        if len(columns) < 2 or not all(_RE_COLUMN.fullmatch(c) for c in columns):
            continue
        typed = any(" " in c or "\t" in c for c in columns)
        if m.group(1) is not None or (line[:1] not in " \t" and "." not in m.group(2) and (typed or len(columns) >= 3)):
            found.append((start, start + len(line), m.group(2).lower(), m.group(1) is not None or typed))
    return [(a, b, name) for a, b, name, marked in found if marked or len(found) >= 2]


def _markdown_spans(s: str) -> list[tuple[int, int, str]]:
    """(start, end, table name or "") of the markdown tables of ``s`` that describe columns (``SCHEMA_HEADERS``)."""
    out = []
    lines = s.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and ((x := lines[j].lstrip(" \t"))[:1] == "|" or x[:1] == "+" and _BORDER.issuperset(x)):
            j += 1
        rows = [r for r in lines[i:j] if r.lstrip(" \t")[:1] == "|"]
        if len(rows) >= 2 and not SCHEMA_HEADERS.isdisjoint(c.strip(" \t\r").lower() for c in rows[0].split("|")):
            named = _RE_TABLE_NAME.fullmatch(lines[i - 1]) if i else None
            out.append((starts[i - 1] if named else starts[i], starts[j] - 1, named.group(1).lower() if named else ""))
        i = max(j, i + 1)
    return out


def schema_spans(s: str) -> list[tuple[int, int, str]]:
    """(start, end, table name) of the tables of a schema in ``s`` (a bounded slice), in order, none overlapping."""
    spans = _create_spans(s) if "reate" in s or "REATE" in s else []
    if "(" in s and "," in s:
        spans += [t for t in _line_spans(s) if not any(a < t[1] and t[0] < b for a, b, _ in spans)]
    if "|" in s and ("olumn" in (low := s.lower()) or "type" in low or "field" in low):  # a header's word first
        spans += [t for t in _markdown_spans(s) if not any(a < t[1] and t[0] < b for a, b, _ in spans)]
    return sorted(spans)


def _fence_spans(s: str) -> list[tuple[int, int]]:
    """(start, end) of the fenced blocks of ``s`` (an unclosed fence runs to the end)."""
    out = []
    at = s.find("```")
    while at >= 0:
        close = s.find("```", at + 3)
        end = len(s) if close < 0 else close + 3
        out.append((at, end))
        at = s.find("```", end) if close >= 0 else -1
    return out


#: Cues of a query of some craft, as ``algorithmic.ALGORITHMIC_TEXT`` ("|" joins a phrase's words; "#" is any number).
SQL_HARD_TEXT = (
    # anti-joins
    "never without has|no have|no had|no with|no did|not didn't haven't hasn't "
    # windows, ranks, the greatest per group
    "rank ranked ranking top|# bottom|# ties tied second|highest second|largest second|most nth most|recent latest "
    # runs, running totals, comparisons over time
    "running cumulative rolling moving|average consecutive streak streaks gaps islands previous prior growth "
    "month-over-month year-over-year week-over-week "
    # order statistics and shares
    "median percentile quartile percentage percent share ratio proportion "
    # self-joins and hierarchies
    "manager manager's managers each|other pairs|of same|day recursive hierarchy chain ancestors descendants subordinates "
    # date ranges, relational division, joins named
    "last|# past|# between quarter in|every join joins"
)
#: Cues of a one-line SELECT: a count, everything, one aggregate.
SQL_PLUMBING_TEXT = "how|many list|all list|the show|all show|the get|all count total sum average"
_NUMBER_WORDS = frozenset(("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twenty", "hundred"))


def _compile(text: str) -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
    singles = frozenset(e for e in text.split() if "|" not in e)
    return singles, tuple(tuple(e.split("|")) for e in text.split() if "|" in e)


_HARD = _compile(SQL_HARD_TEXT)
_PLUMBING = _compile(SQL_PLUMBING_TEXT)


def _matches(word: str, key: str) -> bool:
    return word == key or key == "#" and (word[:1].isdigit() or word in _NUMBER_WORDS)


def _cues(words: list[str], present: set[str], kind: tuple[frozenset[str], tuple[tuple[str, ...], ...]]) -> int:
    """Distinct cues of ``kind`` (single words, phrases) in ``words``."""
    singles, phrases = kind
    n = len(singles & present)
    for phrase in phrases:
        if phrase[0] in present and any(all(_matches(w, k) for w, k in zip(words[i : i + len(phrase)], phrase)) and i + len(phrase) <= len(words)
                                        for i in positions(words, phrase[0])):
            n += 1
    return n


def _tables_named(present: set[str], tables: set[str]) -> int:
    """Tables of the schema the question names: the name, or its singular or plural ("customer", "orders")."""
    return sum(1 for t in tables if t in present or t + "s" in present or (t.endswith("s") and t[:-1] in present))


def sql_request(s: str, system: str) -> SqlRequest | None:
    """The question over a schema of the user turn's slice ``s``, or of the head of ``system`` when ``s`` holds none;
    ``None`` without a schema or without a question (no letter outside the schema and fences)."""
    own = schema_spans(s)
    spans = own or (schema_spans(system[:SYSTEM_SCHEMA_CHARS]) if system else [])
    if not spans:
        return None
    fences = _fence_spans(s) if "```" in s else []
    cut = sorted([(a, b) for a, b, _ in own] + fences)
    parts, at = [], 0
    for a, b in cut:
        if a > at:
            parts.append(s[at:a])
        at = max(at, b)
    parts.append(s[at:])
    question = "".join(parts)
    words = lower_words(question)
    if not any(c.isalpha() for c in question):
        return None
    present = set(words)
    hard = _cues(words, present, _HARD) + ("%" in question) + min(max(_tables_named(present, {t for _, _, t in spans if t}) - 1, 0), JOIN_MAX)
    work = SQL_REQUEST_CHARS + (SQL_HARD_CHARS * min(hard, SQL_HARD_MAX) if hard else
                                -SQL_PLUMBING_CHARS * min(_cues(words, present, _PLUMBING), SQL_PLUMBING_MAX))
    outside = [(a, b) for a, b, _ in own if not any(f <= a < g for f, g in fences)]
    schema_text = "\n".join(s[a:b] for a, b in outside)
    return SqlRequest(count_quantities(schema_text, True)[0] if schema_text else 0, len(question), max(work, 0), bool(own))
