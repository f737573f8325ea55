"""Prompts that arrive serialized a second time, read as the text they encode.

Dataset exports often store a prompt JSON-encoded twice (a one-line text with ``\\n`` escapes),
as a JSON string literal, or as a Python list repr (``"['Question …\\nA. …']"``). Read literally,
such a prompt has no lines: option lists, paragraphs and code blocks vanish, and the score
ranks BBH puzzles at Spearman 0.12 instead of 0.31 and arena-hard prompts at 0.22 instead of
0.46. Both functions are cheap on ordinary text (a substring test) and never raise.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

#: LaTeX commands that begin with ``\\n`` (``\\neq``, ``\\nabla``, ``\\nu`` …): in a one-line math prompt they
#: are commands, not escaped line breaks.
_LATEX_N = ("eq|e|abla|u|ot|otin|mid|i|in|ewline|ewcommand|ewpage|oindent|olimits|onumber|ormalsize|atural|eg|"
            "earrow|exists|leq|geq|leqslant|geqslant|subseteq|supseteq|subset|supset|parallel|cong|sim|less|gtr|"
            "prec|succ|leftarrow|rightarrow|Leftarrow|Rightarrow|leftrightarrow|vdash|vDash|warrow|searrow")
#: An escaped line break, not a LaTeX ``\\n…`` command; and such a command.
_LINE_BREAK = re.compile(r"\\n(?!(?:" + _LATEX_N + r")(?![A-Za-z]))")
_LATEX_N_COMMAND = re.compile(r"\\n(?:" + _LATEX_N + r")(?![A-Za-z])")
#: Above this many escaped line breaks a text is serialized lines, not a formula: all are undone
#: by one ``str.replace`` (bounded work: the regex costs ~150 ns a match).
MAX_CHECKED_BREAKS = 4_096
#: Stands in for an escaped backslash while line breaks are undone (a private-use character).
_BACKSLASH = "\ue000"
#: Longest list literal decoded, and most items read from it (a Python parse takes ~2 µs an item
#: and ~50 ns a character; one string's repr takes a faster path, JSON the C parser).
MAX_LITERAL_CHARS = 200_000
MAX_LITERAL_ITEMS = 256
#: Longest literal given to the Python parser, and most quotes, commas and colons in it: it costs
#: ~40 ns a character of string and ~0.8 µs a token (2,500 of those marks: ~2 ms).
MAX_PYTHON_LITERAL_CHARS = 50_000
MAX_PYTHON_LITERAL_MARKS = 2_500
#: Most characters of syntax outside its strings (spaces aside) a literal given to the Python parser
#: may hold: ~0.5 µs each. A list of 70 messages has ~500 (`{: , : },` each); "['a', [1]*[1]*…]"
#: is all syntax (2,000 characters took 1 ms, 48,000 took 16 ms) and is read as text.
MAX_PYTHON_LITERAL_SYNTAX = 512
#: A string literal, for measuring what lies outside them.
_RE_STRING_LITERAL = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")
#: A JSON ``\\uXXXX`` escape: a surrogate pair's two, or one character outside the surrogates (a lone one stays text).
_RE_U_ESCAPE = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})|\\u(?!d[89a-f])([0-9a-f]{4})", re.IGNORECASE)
#: The same in a one-line text, only inside a word ("caf\\u00e9") and only of a non-ASCII character: a JSON export's
#: residue. An escape standing alone ("what does \\u00e9 mean?", '"\\u00e9"' in code) is meant literally.
_RE_U_IN_WORD = re.compile(r"(?<=[^\W\d_])(?:\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})|\\u(?!d[89a-f]|00[0-7])([0-9a-f]{4}))",
                           re.IGNORECASE)


def _u_char(m: re.Match[str]) -> str:
    """The character a ``_RE_U_ESCAPE`` match encodes."""
    if m.group(3) is not None:
        return chr(int(m.group(3), 16))
    return chr(0x10000 + ((int(m.group(1), 16) - 0xD800) << 10) + int(m.group(2), 16) - 0xDC00)


#: A backslash ``repr`` never writes (``unicode_escape`` would warn on it).
_NOT_REPR_ESCAPE = re.compile(r"\\[^\\'\"nrtxuU]")


def unescape(text: str) -> str:
    """The text a doubly encoded prompt encodes: a JSON string literal decoded, or a one-line
    text's escaped line breaks, quotes, backslashes and ``\\uXXXX`` characters undone (version 109; in a text without an
    escaped line break only a non-ASCII character's inside a word: ``_RE_U_IN_WORD``). Text with a real line break is
    kept as is (there an escape is meant literally: code, regexes), and so is a one-line text
    with no escaped line break (a LaTeX formula's ``\\\\``, ``\\neq`` stay) or a quoted
    formula that JSON would read as control characters (``"\\frac"``: a form feed)."""
    if "\n" in text:
        return text
    stripped = text.strip()
    if len(stripped) > 1 and stripped[0] == '"' and stripped[-1] == '"':
        try:
            decoded = json.loads(stripped)
        except ValueError:
            decoded = None
        if isinstance(decoded, str) and ("\n" in decoded or not any(c in decoded for c in "\b\f\r\t")):
            return decoded
    if "\\n" not in text:
        # (a backslash first: one memchr; a two-character search costs ~1 ns a character)
        return _RE_U_IN_WORD.sub(_u_char, text) if "\\" in text and "\\u" in text else text
    work = text.replace("\\\\", _BACKSLASH) if _BACKSLASH not in text else text
    work = work.replace("\\r\\n", "\n")
    if work.count("\\n") > MAX_CHECKED_BREAKS or _LATEX_N_COMMAND.search(work) is None:
        work = work.replace("\\n", "\n")
    else:
        work = _LINE_BREAK.sub("\n", work)
    if "\n" not in work:
        return text
    if "\\u" in work:  # its non-ASCII characters too: "caf\\u00e9" read "u00e9" as a number (0.19 -> 0.49, version 109)
        work = _RE_U_ESCAPE.sub(_u_char, work)
    return work.replace('\\"', '"').replace(_BACKSLASH, "\\")


def serialized_messages(text: str) -> list[dict[str, Any]] | None:
    """The chat messages a text that is a serialized conversation encodes, else ``None``: a list
    literal (JSON or Python repr, e.g. a dataframe's ``str(list)`` column) of strings is read as
    user turns, of ``{"role", "content"}`` objects as those messages; a JSON object that is a
    request body (``{"messages": [...]}``) or one message as its messages. Other arrays and
    objects are data, not a conversation, and stay text."""
    stripped = text.strip()
    if len(stripped) > MAX_LITERAL_CHARS:
        return None
    # objects are parsed only if they name a role (a substring scan): a JSON document sent as a
    # message is data, and parsing it on the request path would cost ~2 ms at 100,000 characters
    if "{" in stripped[:2] and "role" not in stripped:
        return None
    if stripped[:1] == "{" and stripped[-1:] == "}":
        value = _literal(stripped)
        if isinstance(value, dict):
            value = value.get("messages", [value])
    elif stripped[:1] == "[" and stripped[-1:] == "]" and stripped[1:].lstrip()[:1] in ("'", '"', "{"):
        # a single-quoted string is Python's; JSON (tried first by _literal) reads escaped
        # surrogate pairs as one character where the repr fast path would keep two
        value = _one_string_repr(stripped[1:-1]) if stripped[1:2] == "'" else None
        if value is None:
            value = _literal(stripped)
    else:
        return None
    if not isinstance(value, list) or not value or len(value) > MAX_LITERAL_ITEMS:
        return None
    if all(isinstance(t, str) for t in value):
        return [{"role": "user", "content": t} for t in value]
    if all(isinstance(m, dict) and isinstance(m.get("role"), str) and "content" in m for m in value):
        return [{"role": m["role"], "content": m["content"]} for m in value]
    return None


def _literal(text: str) -> Any:
    """``text`` parsed as JSON, else as a Python literal; ``None`` if it is neither, or if it
    may hold more than ``MAX_LITERAL_ITEMS`` items (a separator count bounds the parse)."""
    if text.count("',") + text.count('",') + text.count("},") >= 4 * MAX_LITERAL_ITEMS:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested past the parser's limit
        pass
    if len(text) > MAX_PYTHON_LITERAL_CHARS or sum(map(text.count, "'\",:")) > MAX_PYTHON_LITERAL_MARKS:
        return None
    syntax = _RE_STRING_LITERAL.sub("", text)
    if len(syntax) - syntax.count(" ") > MAX_PYTHON_LITERAL_SYNTAX:
        return None
    if syntax.count(",") > MAX_LITERAL_ITEMS and "{" not in text and "'''" not in text and '"""' not in text:
        # more items than a conversation holds, whatever they are (no message objects: a comma outside the strings
        # parts items or nested ones): none is read, so none is parsed (499 strings: 0.8 ms parsed, then dropped)
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _one_string_repr(literal: str) -> list[str] | None:
    """``[text]`` when ``literal`` is exactly ``repr(text)`` (what ``str([text])`` holds), decoded
    by the C codecs; ``None`` otherwise (then ``ast.literal_eval`` decides)."""
    quote = literal[:1]
    if quote not in ("'", '"') or len(literal) < 2 or literal[-1] != quote or _NOT_REPR_ESCAPE.search(literal):
        return None
    try:
        text = literal[1:-1].encode("ascii", "backslashreplace").decode("unicode_escape")
    except UnicodeError:
        return None
    return [text] if repr(text) == literal else None
