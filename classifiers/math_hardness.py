"""How hard a formula's problem reads: the signs of a problem a weak model fails, not the presence of notation.

Plain-text and LaTeX formulas got one flat credit (version 80: 100 characters more), so "Now solve 2x + 3 = 11." rose
as much as "Now find all integer solutions of x^2 - 3y^2 = 1 with 0 < x < 1000.", and LaTeX proofs scored alike whatever
their difficulty. Each distinct cue below is a separate sign of hardness: a nonlinear formula (a variable's power, a root
of a variable), a transcendental one (a variable in an exponent, a log or a trig function of a variable), two or more
variables, and the task's words (all / every, integers and divisibility, a proof, how many solutions, a parameter,
an optimum, a system). A single linear equation in one variable with small numbers has none. On MATH (5,000 problems,
levels 1-5) the count's Spearman with the level is 0.26, and log(length + 50 · min(count, 4)) ranks the levels at 0.408
against 0.357 for the length alone; every cue's share rises with the level.
"""

from __future__ import annotations

import re

from classifiers.lexicons import lower
from classifiers.plain_math import ROOT_OF_A_VARIABLE, ascii_reading

__all__ = ["HARDNESS_CHARS", "HARDNESS_MAX", "HARDNESS_READ_CHARS", "hardness", "hardness_chars"]

#: The cues are read in the first this many characters: a formula's problem states itself early (MATH: the same ranking
#: at 300 to 1,000), and each pass costs about 0.04 µs a character.
HARDNESS_READ_CHARS = 400
#: Characters each cue adds to the statement's length in the length prior (MATH: 30 -> 0.399, 50 -> 0.406, 100 -> 0.401).
HARDNESS_CHARS = 50
#: At most this many cues count.
HARDNESS_MAX = 4
#: A power of a variable or of a parenthesis ("x^2", "(x+1)^2", "y^n", "x_{n}^{2}"; "x²" read as "x^2",
#: ``plain_math.ascii_reading``, an area's "54 m²" not), a root of a variable ("sqrt(2x + 5)", "\\sqrt{x}", "√x"); not a
#: number's power or root ("2^3", "sqrt(16)", "\\sqrt{2}").
_RE_POWER = re.compile(r"(?<=[a-z)}])\^\{?\(?(?:[2-9]|[a-z])")
_RE_ROOT = re.compile(r"\bsqrt ?\( ?[0-9]*[a-z]|\\sqrt\{ ?[0-9]*[a-z]|√" + ROOT_OF_A_VARIABLE)
#: A variable in an exponent ("3^(x+1)", "2^{2x}", "4^x"), a log, exponential or trig function of a variable
#: ("log_2(x + 1)", "ln x", "\\sin x", "\\log_3 (x"); not of a number ("\\sin 30^\\circ", "\\log_2 8").
_RE_EXPONENT = re.compile(r"(?<=[a-zA-Z0-9)}])\^\{?\(?-?[0-9]*[a-z]")
_RE_FUNCTION = re.compile(
    r"\b(?:ln|log|exp|sin|cos|tan)(?:_\{?\w+\}?)? ?\(? ?[0-9]*[a-z]\b"
    r"|\\(?:ln|log|exp|sin|cos|tan|sec|csc|cot)(?:_\{?\w+\}?)?\s*(?:\\left)?\(?\s*[0-9]*[a-z]\b")
_FUNCTIONS = ("ln", "log", "exp", "sin", "cos", "tan", "sec", "csc", "cot")
#: A one-letter variable beside an operator, a digit, a bracket or a LaTeX delimiter ("3x", "x^", "(m, n)", "y =",
#: "$n$", "\\frac{x}{2}"); not "a" or "i", which are words, and not a letter inside a word.
_RE_VARIABLE = re.compile(
    r"(?<![A-Za-z\\])[b-hj-z](?![A-Za-z])(?:(?= ?[-+=<>^*/)_,$}]|[0-9])|(?<=[-+=<>^*/(0-9${][b-hj-z]))")
#: A quantifier over a mathematical object ("all real x", "every pair", "for all n"), not "each step", "all your work"
#: ("Expand (x + 1)^2 for me, and show each step." 0.42 -> 0.64: version 93, review rev42 M5).
_QUANTIFIED = (r"\b(?:all|every|each) (?:(?:the|possible|positive|negative|real|natural|complex|prime|integer|rational) )*"
               r"(?:reals?|integers?|pairs?|values?|solutions?|functions?|primes?|roots?|numbers?|triples?|polynomials?"
               r"|[a-z](?![\w']))")
_RE_NUMBER_POWER = re.compile(r"(?<![A-Za-z0-9])[0-9]+\^")
#: A request that asks for no work on the formula: "Is $\log x$ defined for all real $x$? Yes or no.", "Explain what
#: $E = mc^2$ means in simple words" (0.48 -> 0.67 with its cues: version 93, review rev42 M5).
_RE_NO_WORK = re.compile(r"\b(?:yes or no|just the answer|explain what|in simple (?:words|terms)|for my [0-9]+[- ]year[- ]old)\b")
#: The task's words (lower case), one cue each: a quantifier, number theory, a proof, a count of solutions, a parameter,
#: an optimum, a system; each searched only when one of its stems occurs.
_TASKS = tuple((stems, re.compile(p)) for stems, p in (
    (("all", "every", "each"), _QUANTIFIED),
    (("integer", "prime", "divis", "rational", "remainder"),
     r"\b(?:integers?|primes?|divisible|divisors?|rational|irrational|remainder)\b"),
    (("prove", "show that", "proof"), r"\b(?:prove|show that|proof|disprove)\b"),
    (("how many",), r"\bhow many (?:\w+ ){0,3}?(?:solutions|roots|integers|pairs|values|ways|triples)\b"),
    (("for which", "for what", "value", "in terms of"),
     (r"\b(?:for (?:which|what) (?:values?|real|integers?|positive)|values? of (?:the )?(?:parameter |constant )?[a-z]\b"
      r"|in terms of)\b")),
    (("maxim", "minim", "largest", "smallest", "greatest", "least"),
     r"\b(?:maximum|minimum|maximi[sz]e|minimi[sz]e|largest|smallest|greatest|least)\b"),
    (("system", "simultaneous"), r"\b(?:system|simultaneous)\b"),
))


def hardness(s: str) -> int:
    """The distinct hardness cues in the first ``HARDNESS_READ_CHARS`` of ``s`` (0 to 10), its Unicode math read as
    ASCII (version 97: "Evaluate ∑ n/3ⁿ for n = 1 to ∞." 0 -> 1 cue, as "n/3^n"); the task's words only with a variable
    in a formula or in a text with LaTeX ("How many positive integers less than $100$ …" is MATH's)."""
    head = ascii_reading(s[:HARDNESS_READ_CHARS])
    caret = "^" in head
    nonlinear = caret and _RE_POWER.search(head) is not None
    if not nonlinear and ("sqrt" in head or "√" in head):
        nonlinear = _RE_ROOT.search(head) is not None
    transcendental = (caret and _RE_EXPONENT.search(head) is not None) or (
        any(f in head for f in _FUNCTIONS) and _RE_FUNCTION.search(head) is not None)
    variables = len(set(_RE_VARIABLE.findall(head)))
    power = caret and _RE_NUMBER_POWER.search(head) is not None  # "7^2025" (version 93), not a cell's "=B2^2"
    if not (nonlinear or transcendental or variables or power or "$" in head or "\\" in head):
        return 0
    low = lower(head)
    if _RE_NO_WORK.search(low) is not None:
        return 0
    tasks = sum(any(stem in low for stem in stems) and p.search(low) is not None for stems, p in _TASKS)
    return nonlinear + transcendental + (variables >= 2) + tasks


def hardness_chars(s: str) -> int:
    """The characters a formula's problem in ``s`` reads longer by: ``HARDNESS_CHARS`` per cue, at most ``HARDNESS_MAX``."""
    return HARDNESS_CHARS * min(hardness(s), HARDNESS_MAX)
