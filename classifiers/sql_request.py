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

Version 95 (an outside review): a schema needs types or a label, so a tool list ("search_flights(origin, destination,
date)" a line) or a table of plans with a "Type" column is none; and a question under a system prompt's schema is a
request for a query only if it asks about the data or names a table or a column ("thanks, that worked!" is none).
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from classifiers.lexicons import lower, lower_words, positions
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
_QUOTES = frozenset(("'", '"', "`"))
_RE_PARENS = re.compile(r"[()]")
#: A table line: "users(id INT, email TEXT)", "- orders(id, customer_id, total)", "Table: users(id, email)", alone on
#: its line (a ";", "," or "." may end it). Its columns (nested parentheses taken out: "NUMERIC(10,2)") are two or more
#: names, each with type words or none. It is a schema's with a label; or unindented, its name without a "." and a
#: column typed with a word of ``SQL_TYPES``; or unindented with three or more columns beside such a line or under a
#: label line ("Tables:"). An indented call in pasted code ("  pinMode(LED_PIN, OUTPUT);") is none, nor a tool list,
#: one untyped signature a line ("search_flights(origin, destination, date)": every user turn under it was a query,
#: version 95). Only the first ``LINE_CANDIDATES_MAX`` lines ending in ")" are read (bounded work on code).
LINE_CANDIDATES_MAX = 64
#: Words of a column's type (a word after its name): a table line or a markdown table of columns needs one (95).
SQL_TYPES = frozenset((
    "int", "integer", "bigint", "smallint", "tinyint", "mediumint", "serial", "bigserial", "smallserial", "text", "varchar",
    "nvarchar", "varchar2", "char", "nchar", "character", "clob", "date", "datetime", "datetime2", "timestamp", "timestamptz",
    "time", "interval", "numeric", "decimal", "float", "double", "real", "money", "bool", "boolean", "bit", "blob", "bytea",
    "varbinary", "uuid", "json", "jsonb", "enum", "pk", "fk", "primary", "references", "unsigned",
))
#: Lines that label the table lines under them, alone on theirs (their ":" and blanks stripped, lower-cased).
SCHEMA_LABEL_LINES = frozenset(("tables", "schema", "database schema", "db schema", "database tables", "the schema"))
_RE_TABLE_LINE = re.compile(r"(?i)[ \t]*(?:[-*][ \t]+)?(table[ \t]*:?[ \t]*|tables[ \t]*:[ \t]*|schema[ \t]*:[ \t]*)?"
                            r"([A-Za-z_][\w.]*)[ \t]*\(([^()\n]*(?:\([^()\n]*\)[^()\n]*)*)\)[ \t]*[;,.]?[ \t\r]*")
#: A markdown or ASCII table that describes columns: a run of lines opening with "|" (rows) or "+" ("+----+" borders,
#: "+", "-", "=" only), whose first row has a cell naming the column (``SCHEMA_NAME_HEADERS``) and one naming its type
#: (``SCHEMA_TYPE_HEADERS``), and half or more of whose first ``MARKDOWN_ROWS_READ`` other rows (not "|---|" rules) hold
#: a cell opening with a word of ``SQL_TYPES``; named by a "Table: Person" line right before it ("| Column Name | Type |", "| personId | int |").
#: A "Type" or "Field" header alone was a schema: "| Plan | Type | Price |", "| Field | Description |" (95).
SCHEMA_NAME_HEADERS = frozenset(("column", "columns", "column name", "column_name", "field", "field name", "name", "attribute"))
SCHEMA_TYPE_HEADERS = frozenset(("type", "data type", "datatype", "data_type"))
MARKDOWN_ROWS_READ = 16
_RULE = frozenset("|-:=+ \t\r")
_RE_TABLE_NAME = re.compile(r"(?i)[ \t]*table[ \t]*:?[ \t]*([A-Za-z_]\w*)[ \t\r]*")
_BORDER = frozenset("+-= \t\r")
#: What an indented table line must open with to count: a label (an indented call in code has none).
_RE_LABELLED = re.compile(r"(?i)[ \t]*(?:[-*][ \t]+)?(?:table|schema)")
_RE_NESTED = re.compile(r"\([^()\n]*\)")
#: The end of a line ending in ")" (then ";", ",", "." or blanks).
_RE_LINE_END = re.compile(r"\)[ \t\r;,.]*(?=\n|\Z)")
_RE_COLUMN = re.compile(r"[A-Za-z_]\w*(?:[ \t]+[A-Za-z_][\w>.-]*)*")
#: What a two-column line must hold to be read: a label's word or a column with a type (a word, blanks, a letter);
#: other two-column lines ("a(b, c);" in code) are none whatever follows (a shortcut, bounded work: no rule).
_RE_TYPE_HINT = re.compile(r"[^ \t,(][ \t]+[A-Za-z]")


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
    folded = s.encode("ascii", "replace").lower()  # a byte a character (str.lower may not keep them: "İ" is two)
    while (m := _next_create(s, folded, at)) is not None:
        depth, end, stop = 1, min(len(s), m.end() + CREATE_MAX_CHARS), min(len(s), m.end() + CREATE_MAX_CHARS)
        for p in _RE_PARENS.finditer(s, m.end(), stop):
            depth += 1 if p.group() == "(" else -1
            if not depth:
                end = p.end()
                break
        end += s.startswith(";", end)
        if s[:m.start()].rstrip(" \t")[-1:] not in _QUOTES:  # in a string of code (execute('CREATE TABLE ...): code's (95)
            out.append((m.start(), end, m.group(1).lower()))
        at = end
    return out


def _next_create(s: str, folded: bytes, at: int) -> re.Match[str] | None:
    """``_RE_CREATE.search(s, at)``, tried only where ``folded`` (``s`` as ASCII bytes, lower-cased, "?" for any other
    character) has "create", a word only ASCII letters spell in any case (the case-blind pattern, tried at every
    character, took ~40 us on 2,000 characters that say "create" and "table" apart)."""
    p = folded.find(b"create", at)
    while p >= 0:
        if (m := _RE_CREATE.match(s, p)) is not None:
            return m
        p = folded.find(b"create", p + 1)
    return None


def _line_spans(s: str, low: str = "") -> list[tuple[int, int, str]]:
    """(start, end, table name) of the table lines of ``s`` that are a schema's (``_RE_TABLE_LINE``; ``low``: ``s``
    lower-cased, or "" if not yet)."""
    candidates = []  # the lines that end in ")" (then ";", ",", "." or blanks), not indented unless labelled
    for m, _ in zip(_RE_LINE_END.finditer(s), range(LINE_CANDIDATES_MAX)):  # (found by re: a loop over every line cost 30-60 us)
        at = s.rfind("\n", 0, m.start()) + 1
        line = s[at:m.end()]
        if line[:1] not in " \t" or _RE_LABELLED.match(line) is not None:
            candidates.append((at, line))
    found = []
    for start, line in candidates:  # (a line with no comma has one column at most: no table's)
        if (commas := line.count(",")) == 0 or commas < 2 and not _may_be_marked(line) or (m := _RE_TABLE_LINE.fullmatch(line)) is None:
            continue
        columns = [c.strip(" \t") for c in _RE_NESTED.sub("", m.group(3)).split(",")]
        if len(columns) < 2 or not all(_RE_COLUMN.fullmatch(c) for c in columns):
            continue
        typed = any(not SQL_TYPES.isdisjoint(c.lower().split()[1:]) for c in columns)
        if m.group(1) is not None or (line[:1] not in " \t" and "." not in m.group(2) and (typed or len(columns) >= 3)):
            found.append((start, start + len(line), m.group(2).lower(), m.group(1) is not None or typed))
    # a line that may be marked (a label's word, a typed column); an unmarked one counts only beside one or under a label
    if not found or not any(map(_may_be_marked, (line for _, line in candidates))) and "tables" not in (low := low or lower(s)) and (
            "schema" not in low):
        return []
    if any(marked for *_, marked in found) or any(  # untyped lines: beside a marked one or under a label
            line.strip(" \t\r").rstrip(":").rstrip(" \t").lower() in SCHEMA_LABEL_LINES for line in s.split("\n") if line.rstrip(" \t\r").endswith(":")):
        return [(a, b, name) for a, b, name, _ in found]
    return []


def _may_be_marked(line: str) -> bool:
    """Whether a table line may be a schema's by itself: a label's word, or a column with a type (a word, blanks, a letter)."""
    return "table" in (low := line.lower()) or "schema" in low or _RE_TYPE_HINT.search(line) is not None


#: A markdown table's row after the first line: a line whose first character past blanks is "|" (a literal line break
#: first: ``(?m)^`` is tried at every position, 20 us on 2,000 characters).
_RE_ROW = re.compile(r"\n[ \t]*\|")


def _markdown_spans(s: str) -> list[tuple[int, int, str]]:
    """(start, end, table name or "") of the markdown tables of ``s`` that describe columns (``SCHEMA_NAME_HEADERS``,
    ``SCHEMA_TYPE_HEADERS``, rows typed with ``SQL_TYPES``)."""
    row = _RE_ROW.search(s)  # a table has two rows: without them no line is read (the loop took 180 us on code)
    if row is None or (s.lstrip(" \t")[:1] != "|" and _RE_ROW.search(s, row.end()) is None):
        return []
    return _markdown_tables(s)


def _markdown_tables(s: str) -> list[tuple[int, int, str]]:
    """``_markdown_spans`` line by line."""
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
        header = {c.strip(" \t\r").lower() for c in rows[0].split("|")} if len(rows) >= 2 else set()
        if not SCHEMA_NAME_HEADERS.isdisjoint(header) and not SCHEMA_TYPE_HEADERS.isdisjoint(header):
            data = [r for r in rows[1:] if not _RULE.issuperset(r)][:MARKDOWN_ROWS_READ]
            typed = sum(1 for r in data if any(_opens_with_type(c) for c in r.split("|")))
            if typed and 2 * typed >= len(data):
                named = _RE_TABLE_NAME.fullmatch(lines[i - 1]) if i else None
                out.append((starts[i - 1] if named else starts[i], starts[j] - 1, named.group(1).lower() if named else ""))
        i = max(j, i + 1)
    return out


def _opens_with_type(cell: str) -> bool:
    """Whether a markdown cell opens with a word of ``SQL_TYPES`` ("int", "VARCHAR(255)", "decimal(10, 2)")."""
    word = cell.lstrip(" \t").split("(", 1)[0].split(None, 1)
    return bool(word) and word[0].lower() in SQL_TYPES


def schema_spans(s: str) -> list[tuple[int, int, str]]:
    """(start, end, table name) of the tables of a schema in ``s`` (a bounded slice), in order, none overlapping."""
    low = ""  # s.lower() once a test needs it (7 us on 2,000 characters of Chinese)
    spans = _create_spans(s) if ("reate" in s or "REATE" in s) and ("able" in s or "ABLE" in s) and "create" in (  # (no regex scan
        low := lower(s)) and "table" in low else []  # for "variable" and "create" in code, 10 us)
    if "(" in s and "," in s:
        spans += [t for t in _line_spans(s, low) if not any(a < t[1] and t[0] < b for a, b, _ in spans)]
    if "|" in s and "type" in (low or lower(s)):  # a type header's word first
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
    "rank ranked ranking ties tied second|highest second|largest second|most nth most|recent latest "
    # runs, running totals, comparisons over time
    "running cumulative rolling moving|average consecutive streak streaks gaps islands previous prior growth "
    "month-over-month year-over-year week-over-week "
    # order statistics and shares
    "median percentile quartile percentage percent ratio proportion "
    # self-joins, correlated comparisons and hierarchies ("Who is the manager of Ana?" is a lookup: 95)
    "manager's than|their than|its than|his|manager than|her|manager than|everyone each|other pairs|of same|day recursive hierarchy chain ancestors descendants subordinates "
    # date ranges, relational division, joins named
    "last|# past|# quarter in|every join joins"
)
#: Cues of some craft only beside a grouping or comparison (``SQL_GROUPING_WORDS``) or with two tables named: "Show the
#: top 5 employees by salary.", "List employees hired between 2020 and 2022." are one-line SELECTs (95).
SQL_GROUPED_TEXT = "top|# bottom|# between share"
SQL_GROUPING_WORDS = frozenset(("each", "per", "every", "than", "compared", "versus", "vs"))
#: Words that ask about the data (a query, its rows, a count, a list): a question under a system prompt's schema is a
#: request for a query only with one of them or a name of the schema's (a table, a column). "thanks, that worked!"
#: under a CREATE TABLE system prompt was (0.08 -> 0.52 at version 88; 95).
SQL_ASK_TEXT = ("query queries sql select join joins count how|many list show find total sum average rows records table tables "
                "column columns database")
#: Cues of a one-line SELECT: a count, everything, one aggregate; a lookup with no cue of craft ("Who is the manager of
#: Ana?", "List employees hired in 2021.", "What share of the budget does Sales have?": 95).
SQL_PLUMBING_TEXT = "how|many list|all list|the show|all show|the get|all count total sum average list show who what which"
_NUMBER_WORDS = frozenset(("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twenty", "hundred"))


def _compile(text: str) -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
    singles = frozenset(e for e in text.split() if "|" not in e)
    return singles, tuple(tuple(e.split("|")) for e in text.split() if "|" in e)


_HARD = _compile(SQL_HARD_TEXT)
_GROUPED = _compile(SQL_GROUPED_TEXT)
_PLUMBING = _compile(SQL_PLUMBING_TEXT)
_ASK = _compile(SQL_ASK_TEXT)
#: Words after "(" or "," in a schema that name no column: keys, constraints, types, a markdown header's.
SQL_NOT_NAMES = SQL_TYPES | frozenset(("foreign", "unique", "constraint", "check", "index", "key", "column", "columns", "field"))
#: A column's name: the identifier after "(" or "," (a table line, a statement) or opening a markdown row.
_RE_COLUMN_NAME = re.compile(r"[(,][ \t\r\n]*[`\"\[]?([A-Za-z_]\w*)")
_RE_FIRST_CELL = re.compile(r"(?m)^[ \t]*\|[ \t]*[`\"]?([A-Za-z_]\w*)")
#: Words of a column's name that name nothing alone ("department_id" names the department, "created_at" created).
NAME_FILLERS = frozenset(("id", "ids", "at", "on", "by", "no", "num"))
#: Under a system prompt's schema, a turn about the speaker's own account asks a support bot, not for a query, unless it
#: names a query's words: "What's the status of my order?" 0.16 -> 0.55, "Can you suggest a name for my new puppy?"
#: 0.19 -> 0.57 by a column's name (version 96, review rev42b H1); one column's name alone ("I never got a confirmation
#: email") is none either.
OWN_WORDS = frozenset(("my", "mine"))
#: Columns whose one-word name is an everyday word ("I never got a confirmation email, what should I do?").
GENERIC_COLUMNS = frozenset(("name", "email", "status", "type", "title", "description", "date", "phone", "address", "notes",
                             "note", "comment", "comments", "created", "updated", "time", "code", "state", "city", "country"))
SQL_WORDS = frozenset(("query", "queries", "sql", "select", "join", "joins", "rows", "records", "table", "tables", "column",
                       "columns", "database", "schema"))
#: System prompts whose schema is remembered (a router sends the same one with every turn: bounded work).
SYSTEM_MEMO = 32


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


def schema_names(s: str, spans: list[tuple[int, int, str]] | tuple[tuple[int, int, str], ...]) -> tuple[tuple[str, ...], ...]:
    """The words of each table's and column's name in the schema ``spans`` of ``s``, but ``NAME_FILLERS``
    ("customer_id": customer; "id": none)."""
    names = {t for _, _, t in spans if t}
    for a, b, _ in spans:
        names.update(n.lower() for n in _RE_COLUMN_NAME.findall(s, a, b))
        names.update(n.lower() for n in _RE_FIRST_CELL.findall(s[a:b]) if "|" in s[a:b])
    return tuple(sorted(w for n in names - SQL_NOT_NAMES if (w := tuple(x for x in lower_words(n) if x not in NAME_FILLERS))))


@functools.lru_cache(maxsize=SYSTEM_MEMO)
def _system_schema(head: str) -> tuple[tuple[tuple[int, int, str], ...], tuple[tuple[str, ...], ...]]:
    """The schema spans of a system prompt's head and the words of its names (remembered: the same prompt each turn)."""
    spans = tuple(schema_spans(head))
    return spans, schema_names(head, spans) if spans else ()


def _asks_the_schema(words: list[str], present: set[str], names: tuple[tuple[str, ...], ...]) -> bool:
    """Whether a question asks about a system prompt's data: a word of ``SQL_ASK_TEXT``, or all the words of a table's or
    column's name but a generic one's (``GENERIC_COLUMNS``; each in the singular or the plural: "customer" names
    customers, "signup date" signup_date); a turn about the speaker's own account (``OWN_WORDS``) only with a word of
    ``SQL_WORDS``."""
    if not OWN_WORDS.isdisjoint(present):
        return not SQL_WORDS.isdisjoint(present)
    if _cues(words, present, _ASK):
        return True
    forms = present | {w + "s" for w in present} | {w[:-1] for w in present if w.endswith("s")}
    return any(all(w in forms for w in name) for name in names if len(name) > 1 or name[0] not in GENERIC_COLUMNS)


def sql_request(s: str, system: str) -> SqlRequest | None:
    """The question over a schema of the user turn's slice ``s``, or of the head of ``system`` when ``s`` holds none
    (and the question asks about its data: ``_asks_the_schema``); ``None`` without a schema or without a question (no
    letter outside the schema and fences)."""
    own = schema_spans(s)
    spans, names = (own, ()) if own or not system else _system_schema(system[:SYSTEM_SCHEMA_CHARS])
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
    if not own and not _asks_the_schema(words, present, names):
        return None
    tables = _tables_named(present, {t for _, _, t in spans if t})
    grouped = _cues(words, present, _GROUPED) if tables >= 2 or not SQL_GROUPING_WORDS.isdisjoint(present) else 0
    hard = _cues(words, present, _HARD) + grouped + ("%" in question) + min(max(tables - 1, 0), JOIN_MAX)
    work = SQL_REQUEST_CHARS + (SQL_HARD_CHARS * min(hard, SQL_HARD_MAX) if hard else
                                -SQL_PLUMBING_CHARS * min(_cues(words, present, _PLUMBING), SQL_PLUMBING_MAX))
    outside = [(a, b) for a, b, _ in own if not any(f <= a < g for f, g in fences)]
    schema_text = "\n".join(s[a:b] for a, b in outside)
    return SqlRequest(count_quantities(schema_text, True)[0] if schema_text else 0, len(question), max(work, 0), bool(own))
