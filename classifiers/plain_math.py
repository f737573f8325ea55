"""Math and logic written in plain text, outside LaTeX: "x^2 - 3y^2 = 1", "sqrt(x + 7)", "0 < x < 1000", "(p -> q)".

LaTeX gets notation credit (the math domain, a computation's extra characters); the same formula typed in plain text
got none, so a short hard question ("Now find all integer solutions of x^2 - 3y^2 = 1 with 0 < x < 1000." 0.51, "The
sum of the series from n = 1 to infinity of n / 3^n equals" 0.58) scored as chat. Code writes the same signs ("a ^ b",
"x**2", "p->next", "i < n;"): the caller reads them only in a text with no code cue. Versions and dates ("3.9", "3.12",
"2023-05-12") match none of the patterns; a chemical charge ("HPO4^2-", "Fe^3+") is no exponent.
"""

from __future__ import annotations

import re

__all__ = ["PLAIN_READ_CHARS", "SHORT_TEXT_CHARS", "computes_plainly", "plain_notation", "short_formula"]

#: Plain notation is read in the first this many characters: a short formula is what lacks length; a long text has it.
PLAIN_READ_CHARS = 1000
#: A text read for its plain formulas (``short_formula``) is at most this long: a short formula is what lacks length, a
#: longer text's length already reads as a problem's. Read at any length, the formulas lifted four arena-bench-v1 prompts
#: (an 883-character card-deck puzzle, a 530-character Excel column question, a 305-character proof of the primes'
#: infinitude) and its leave-one-source-out outcome figure fell 0.6599 -> 0.6558; read up to 300, it is 0.6610.
SHORT_TEXT_CHARS = 300
#: Math: an exponent with no space ("x^2", "3^(x+1)", "n/3^n"; not a charge: a sign then no operand), a root or a
#: logarithm's call ("sqrt(", "log_2(", "ln("), an inequality between a one-letter variable and a number ("x > 0",
#: "0 < x"; not "<b>" or "->"), a set in braces ("{1,2,3}", "{a,b,c,d}"), a modulus ("modulo 15", "(mod 7)").
_RE_MATH = re.compile(
    r"[A-Za-z0-9)]\^(?:\(|[A-Za-z0-9](?![+-](?![\w(])))"
    r"|\b(?:sqrt|cbrt|ln)\s?\(|\blog_[A-Za-z0-9{]"
    r"|(?<![\w<>=-])[a-z] ?(?:<=?|>=?) ?-?[0-9]|[0-9] ?<=? ?[a-z](?![\w(])"
    r"|\{ ?-?\w{1,3} ?(?:, ?-?\w{1,3} ?)+\}"
    r"|\bmodulo [0-9]|\(mod [0-9]")
#: Logic: an arrow between propositional letters or parentheses ("p -> q", "(p -> q) -> (q -> p)", "p <-> not q").
_RE_LOGIC = re.compile(r"(?:\b[p-s]|\)) ?<?-> ?(?:not |~)?(?:[p-s]\b|\()")
#: The characters one of the patterns needs: most texts hold none, and are not searched.
_SIGNS = ("^", "<", ">", "{", "sqrt", "cbrt", "ln", "log_", "mod")
#: A counting question over a mathematical object ("How many functions f from …", "how many elements of order 4"):
#: the count is the computation. Not elements, zeros, roots, triangles alone: "How many zeros are in one billion?",
#: "How many noble gas elements are there?" are trivia (version 82, review rev41b H4).
_RE_COUNTS = re.compile(
    r"\bhow many (?:\w+ ){0,3}?(?:functions|subsets|elements of order|solutions|permutations|arrangements|divisors"
    r"|primes|integers|bijections|surjections|injections|subgroups|homomorphisms|paths|diagonals)\b")


def plain_notation(s: str) -> tuple[int, int]:
    """(math, logic): the plain-text formulas' signs in the first ``PLAIN_READ_CHARS`` of ``s``."""
    head = s[:PLAIN_READ_CHARS]
    if not any(sign in head for sign in _SIGNS):
        return 0, 0
    return len(_RE_MATH.findall(head)), len(_RE_LOGIC.findall(head)) if ">" in head else 0


def short_formula(s: str) -> tuple[int, int]:
    """``plain_notation`` of a text of at most ``SHORT_TEXT_CHARS`` (else (0, 0))."""
    return plain_notation(s) if len(s) <= SHORT_TEXT_CHARS else (0, 0)


def computes_plainly(stem: str) -> bool:
    """Whether a question's stem gives a computation in plain text: a formula or a count of mathematical objects."""
    math_signs, logic_signs = plain_notation(stem)
    return math_signs + logic_signs > 0 or _RE_COUNTS.search(stem[:PLAIN_READ_CHARS].lower()) is not None
