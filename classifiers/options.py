"""Answer options a question is written with, where the line-start rule for "A." / "(b)" lines
misses them or misreads them: options inline on the question's line, options numbered 1, 2, 3 … or
bulleted after a question, "Option 1:" lines, and options that are years.

A numbered option list read as a list (a request for a long answer) and its markers as quantities:
"Which city is the capital of Australia?" with options "1. Sydney" … "4. Perth" scored 0.52 against
0.36 with "A." … "D.", while a physics question went the other way (0.62 against 0.68). Bulleted
options scored 0.07, "Option 1:" lines 0.53, and a history question whose options are years 0.52
(its capital-city twin 0.37): each read as something other than a quiz.

``option_start`` finds where lettered options that end a question start (the text above them is its stem), and
``inline_start`` where inline ones do.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from classifiers.quantities import digits_zeroed

#: Answer options written on one line ("... (A) 12 (B) 15 (C) 18", "? A. Sydney B. Canberra C. Perth"):
#: the marker forms, and how many consecutive letters from A must appear in order to count.
INLINE_OPTION_MARKS = ("({}) ", " {}) ", " {}. ")
INLINE_OPTIONS_MIN = 3
#: Characters at the end of the text where numbered or bulleted options are looked for.
TAIL_OPTIONS_CHARS = 800
#: The markers of a numbered or bulleted option line: the list rule's ("1." / "1)" / "-" / "*" / "•"),
#: so every option line is a list line it counted.
_MARK = r"[ \t]*(?:[1-9][.)]|[-*•])[ \t]"
#: A question, then 2-6 short numbered or bulleted lines that end the text (one short line that is not
#: an option, "Answer:", may follow).
_RE_OPTIONS_TAIL = re.compile(rf"\?[ \t]*\n((?:{_MARK}[^\n]{{1,100}}\n){{1,5}}{_MARK}[^\n]{{1,100}})"
                              rf"(?:\n(?!{_MARK})[^\n]{{0,20}})?\Z")
#: "Option 1: …" / "Choice 2) …" lines (Winogrande's two options are often written so).
_LABEL = r"(?:[Oo]ption|OPTION|[Cc]hoice|CHOICE)[ \t]?([1-9])[:.)]"
_RE_LABELLED = re.compile(rf"(?m)^[ \t]*{_LABEL}[ \t]")
#: An answer option that is a year (1000-2099) and nothing else: an option marker at a line start or
#: after a space, the year, then the end of the line or the next marker ("(A) 1987 (B) 1989").
_RE_YEAR_OPTION = re.compile(rf"(?m)(?:^|(?<=[ \t]))(?:\(?[A-Ea-e][).:]|[1-9][.)]|{_LABEL})"
                             r"[ \t]+(?:1\d|20)\d\d(?=[ \t]*$|[ \t]+\(?[A-Ea-e][).:][ \t])")
#: The year every such option holds (a text without one has none).
_RE_YEAR = re.compile(r"(?:1\d|20)\d\d")


class TailOptions(NamedTuple):
    """Numbered or bulleted options ending a text: how many, and how many of their markers are
    numbers (a number marker is no quantity)."""

    count: int
    numbered: int


NO_TAIL_OPTIONS = TailOptions(0, 0)


def inline_options(s: str) -> int:
    """How many answer options ``s`` writes inline: the longest run of letters A, B, C, ... whose
    markers (``INLINE_OPTION_MARKS``) occur in that order; 0 below ``INLINE_OPTIONS_MIN``. Quiz
    sets often put the options on the question's line, where the line-start rule sees none."""
    if "B)" not in s and " B. " not in s:  # every marker form of the second option holds one of these
        return 0
    pos = n = 0
    for letter in "ABCDE":
        hits = [i for i in (s.find(m.format(letter), pos) for m in INLINE_OPTION_MARKS) if i >= 0]
        if not hits:
            break
        pos, n = min(hits) + 1, n + 1
    return n if n >= INLINE_OPTIONS_MIN else 0


def inline_start(s: str) -> int | None:
    """Where options written inline (``inline_options``) start: the marker of the A before the B before the last of
    their letters, in one marker form, found from the end (the first "A." anywhere was "town A." or "(vitamin A)": the
    question cut short), the earliest of the forms that run through all their letters; ``None`` without them."""
    n = inline_options(s)
    if not n:
        return None
    starts = [_chain_start(s, mark, n) for mark in INLINE_OPTION_MARKS]  # the earliest: "(A) Plan A. Go (B) Plan B. …"
    return min((i for i in starts if i is not None), default=None)


def _chain_start(s: str, mark: str, n: int) -> int | None:
    """Where ``mark`` written for the letters A… up to the ``n``-th runs last in ``s``, found from the end; or None.
    A marker may end on the space the next one opens with ("A. B. C."): each is looked for up to one past the next."""
    pos = len(s)
    for letter in reversed("ABCDE"[:n]):
        pos = s.rfind(mark.format(letter), 0, pos + 1)
        if pos < 0:
            return None
    return pos


def tail_options(s: str) -> TailOptions:
    """The answer options that end ``s``: lines numbered 1, 2, 3 ... in order, or lines with one
    bullet ("-", "*", "•"), up to 6, each at most 100 characters, right after a line that ends with a
    question mark. A list that answers no question ("Steps:\\n1. …"), runs on or mixes markers is a list."""
    tail = s[-TAIL_OPTIONS_CHARS:].rstrip()
    if "?" not in tail:
        return NO_TAIL_OPTIONS
    m = _RE_OPTIONS_TAIL.search(tail)
    if m is None:
        return NO_TAIL_OPTIONS
    marks = [line.lstrip(" \t")[0] for line in m.group(1).split("\n")]
    if marks == [str(i) for i in range(1, len(marks) + 1)]:
        return TailOptions(len(marks), len(marks))
    return TailOptions(len(marks), 0) if marks[0] in "-*•" and marks.count(marks[0]) == len(marks) else NO_TAIL_OPTIONS


def labelled_options(s: str) -> int:
    """How many "Option 1:" / "Choice 1:" lines ``s`` has, numbered 1, 2, 3 … in order (the longest
    such run of the labels in text order); 0 below 2."""
    if "ption" not in s and "hoice" not in s and "PTION" not in s and "HOICE" not in s:
        return 0
    n = 0
    for m in _RE_LABELLED.finditer(s):
        if m.group(1) == str(n + 1):
            n += 1
    return n if n >= 2 else 0


def year_options(s: str) -> int:
    """How many answer options of ``s`` are years: a history question whose options are 1943 … 1950
    asks what a capital-city question asks, not for a calculation. The year is searched first (``_RE_YEAR``): the
    options' pattern opens with no literal and is tried at every position (70 us on 2,000 characters of option lines)."""
    if not ("1" in s or "2" in s) or ((s0 := digits_zeroed(s)) is not None and "0000" not in s0):
        return 0  # (no four digits in a row, a str search on zeroed text: the year's pattern took 8 us on 2,000 characters of digits)
    return len(_RE_YEAR_OPTION.findall(s)) if _RE_YEAR.search(s) is not None else 0


_RE_OPTION_LETTER = re.compile(r"[ \t]*\(?([A-Ea-e])[).:][ \t]")
#: "A - x" options, under a question (as ``features.letter_option_lines`` counts them): they end a stem too (version 101;
#: without it a quiz so laid out had no stem, and no rare words: 0.37 against 0.72 with "A." options).
_RE_OPTION_DASH = re.compile(r"[ \t]*([A-E])[ \t]+[-\u2013][ \t]")
#: Characters of an answer marker after the options that still ends them ("Answer:", "Correct answer:").
OPTION_TAIL_CHARS = 40


def _option_letter(line: str) -> re.Match[str] | None:
    """``_RE_OPTION_LETTER`` or ``_RE_OPTION_DASH`` at the start of ``line``."""
    return _RE_OPTION_LETTER.match(line) or _RE_OPTION_DASH.match(line)


def option_start(s: str) -> int | None:
    """Where the lettered options that end ``s`` start: the lines "A." … (under a question "A - x" … too) up to the last
    one, lettered in sequence (an answer marker, a short line ending in ":", may follow them); ``None`` if ``s`` does
    not end so. Clues lettered "a)" … "d)" right before options "(A)" … are no options, nor are lettered lines followed
    by a question and its inline or numbered options."""
    letter = _option_letter if "?" in s else _RE_OPTION_LETTER.match
    t = s.rstrip()  # its lines read from the end, each found by ``str.rfind`` (splitting 300 lines cost 20 us)
    hi = len(t)
    lo = t.rfind("\n") + 1  # the line t[lo:hi]
    tail = t[lo:hi].strip()
    if lo and letter(t[lo:hi]) is None and len(tail) <= OPTION_TAIL_CHARS and tail.endswith(":"):
        hi = lo - 1
        lo = t.rfind("\n", 0, hi) + 1
    found = letter(t[lo:hi])
    while found is not None and found.group(1) not in "Aa" and lo:
        above_lo = t.rfind("\n", 0, lo - 1) + 1
        above = letter(t[above_lo:lo - 1])
        if above is None or ord(above.group(1)) != ord(found.group(1)) - 1:
            return None
        lo, found = above_lo, above
    return lo if found is not None and found.group(1) in "Aa" else None
