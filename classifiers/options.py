"""Answer options a question is written with, where the line-start rule for "A." / "(b)" lines
misses them: options inline on the question's line, and options numbered 1, 2, 3 ...

A numbered option list read as a list (a request for a long answer) and its markers as quantities:
"Which city is the capital of Australia?" with options "1. Sydney" … "4. Perth" scored 0.52 against
0.36 with "A." … "D.", while a physics question went the other way (0.62 against 0.68).
"""

from __future__ import annotations

import re

#: Answer options written on one line ("... (A) 12 (B) 15 (C) 18", "? A. Sydney B. Canberra C. Perth"):
#: the marker forms, and how many consecutive letters from A must appear in order to count.
INLINE_OPTION_MARKS = ("({}) ", " {}) ", " {}. ")
INLINE_OPTIONS_MIN = 3
#: Characters at the end of the text where numbered options are looked for.
NUMBERED_TAIL_CHARS = 800
#: A question, then 2-6 short numbered lines that end the text (one short line that is not an option,
#: "Answer:", may follow).
#: The markers are the list rule's ("1." / "1)"), so every option line is a list line it counted.
_RE_NUMBERED_TAIL = re.compile(r"\?[ \t]*\n((?:[ \t]*[1-9][.)][ \t][^\n]{1,100}\n){1,5}"
                               r"[ \t]*[1-9][.)][ \t][^\n]{1,100})(?:\n(?![ \t]*[1-9][.)][ \t])[^\n]{0,20})?\Z")


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


def numbered_options(s: str) -> int:
    """How many numbered answer options end ``s``: lines numbered 1, 2, 3 ... in order (up to 6, each
    at most 100 characters) right after a line that ends with a question mark; 0 if there are none.
    A list that answers no question ("Steps:\\n1. …") or runs on is a list."""
    tail = s[-NUMBERED_TAIL_CHARS:].rstrip()
    if "?" not in tail:
        return 0
    m = _RE_NUMBERED_TAIL.search(tail)
    if m is None:
        return 0
    marks = [line.lstrip(" \t")[0] for line in m.group(1).split("\n")]
    return len(marks) if marks == [str(i) for i in range(1, len(marks) + 1)] else 0
