"""How much of a prompt is pasted code: the length prior measures the problem statement, not the
material that comes with it.

Inside a math, code or reasoning domain the length prior reads a longer prompt as a longer problem.
Code pasted with a question ("Why does this function fail? ```…```", an indented class) is the
material the question is about, and the outcome data says so: on arena_bench the long prompts with
pasted code are those a weak model answers as well as a strong one (a widget's `updateLabelText`
method scored 1.00 with the strong–weak gap at −4.3). Code in fences or on indented lines does not
count towards that length (the cost estimate and the other length features still read it all) —
except its docstrings: a function stub whose docstring states the task (HumanEval's format) is a
problem statement, and read whole it ranks the stubs by their solutions' length (0.51; without the
docstrings 0.01).

The tests a request for a program gives on lines of their own ("assert min_cost([[1, 2, 3]], 0, 2) == 6",
MBPP's format) are code too, and their numbers no quantities: read as a statement, three asserts
gave a one-line request the numbers of a math problem, which took it out of the code domain
(feature version 36).
"""

from __future__ import annotations

import re

FENCE = "```"
#: A line indented as code (four spaces or a tab), with its line break.
_RE_INDENTED_LINE = re.compile(r"(?m)^(?:    |\t)[^\n]*\n?")
#: A triple-quoted string (a docstring), the quotes included; an unclosed one runs to the end.
_RE_DOCSTRING = re.compile(r'"""[^"]*(?:"(?!"")[^"]*)*(?:"""|\Z)|\'\'\'[^\']*(?:\'(?!\'\')[^\']*)*(?:\'\'\'|\Z)')


def code_chars(s: str) -> int:
    """Characters of ``s`` inside code fences (from a ``````` to the next, both included; an
    unclosed fence runs to the end) or on lines indented by four spaces or a tab outside them
    (each stretch between fences read as lines of its own), less those of its triple-quoted
    strings (at least 0)."""
    n = _fenced_or_indented_chars(s)
    if n and ('"""' in s or "'''" in s):
        n = max(0, n - sum(map(len, _RE_DOCSTRING.findall(s))))
    return n


def _fenced_or_indented_chars(s: str) -> int:
    if FENCE not in s:
        return _indented_chars(s)
    n = 0
    at = 0
    while (a := s.find(FENCE, at)) >= 0:
        b = s.find(FENCE, a + len(FENCE))
        end = len(s) if b < 0 else b + len(FENCE)
        n += _indented_chars(s[at:a]) + end - a
        at = end
    return n + _indented_chars(s[at:])


def _indented_chars(s: str) -> int:
    if "    " not in s and "\t" not in s:
        return 0
    return sum(map(len, _RE_INDENTED_LINE.findall(s)))


#: A test a program must pass, on a line of its own outside code fences and unindented (fenced and
#: indented lines are pasted code already).
_RE_TEST_LINE = re.compile(r"(?m)^assert\b[^\n]*\n?")


def assert_lines(s: str) -> str:
    """The unfenced, unindented ``assert`` lines of ``s`` with their line breaks, joined (``""`` if none)."""
    if "assert" not in s:
        return ""
    if FENCE not in s:
        return "".join(_RE_TEST_LINE.findall(s))
    return "".join(line for part in s.split(FENCE)[::2] for line in _RE_TEST_LINE.findall(part))


#: A test on a line of its own anywhere, in a fence or indented too.
_RE_ANY_TEST_LINE = re.compile(r"(?m)^[ \t]*assert\b[^\n]*\n?")


def every_assert_line(s: str) -> str:
    """Every ``assert`` line of ``s``, fenced and indented ones too (``""`` if none): whatever is written around them,
    a test's numbers are no quantities. A chat-style MBPP prompt fences its tests, and their numbers opened the math
    domain: a tuple-sorting task with long tests (0.888) outranked edit distance and domino tilings (feature version 39)."""
    return "".join(_RE_ANY_TEST_LINE.findall(s)) if "assert" in s else ""
