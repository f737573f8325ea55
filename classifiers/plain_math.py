"""Math and logic written in plain text, outside LaTeX: "x^2 - 3y^2 = 1", "sqrt(x + 7)", "0 < x < 1000", "(p -> q)".

LaTeX gets notation credit (the math domain, a computation's extra characters); the same formula typed in plain text
got none, so a short hard question ("Now find all integer solutions of x^2 - 3y^2 = 1 with 0 < x < 1000." 0.51, "The
sum of the series from n = 1 to infinity of n / 3^n equals" 0.58) scored as chat. Code writes the same signs ("a ^ b",
"x**2", "p->next", "i < n;"): the caller reads them only in a text with no code cue. Versions and dates ("3.9", "3.12",
"2023-05-12") match none of the patterns; a chemical charge ("HPO4^2-", "Fe^3+") is no exponent. Unicode math ("x² −
5x + 6 = 0", "√x · x³", "∑ n/3ⁿ") is read as its ASCII spelling (``ascii_reading``, version 97): it scored as chat (0.38
against 0.49 for "x^2 - 5x + 6 = 0").
"""

from __future__ import annotations

import re
from functools import lru_cache

from classifiers.lexicons import lower

__all__ = ["PLAIN_READ_CHARS", "ROOT_OF_A_VARIABLE", "SHORT_TEXT_CHARS", "ascii_reading", "computes_plainly", "plain_notation", "short_formula"]

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


#: Unicode math (version 97) is read as its ASCII spelling: a run of superscripts an exponent ("x²" "x^2", "3ⁿ" "3^n",
#: "x⁻¹" "x^(-1)"; a charge "Fe³⁺" "Fe^3+", none), subscripts an index ("log₂" "log_2"), "−" "-", "≤" "<=", "≥" ">=",
#: "→" "⇒" "->", "↔" "⇔" "<->", "¬" "~". A square or cube after a unit of length is an area or a volume, no exponent
#: ("54 m²", "12m³", "€3,000/m²", "per m²", "9.8 m/s²"), unless an operator follows ("3m² + 2m = 0"). "×", "·", "÷",
#: "≈", "½", Greek letters are read as nothing: "1920×1080", a "·" bullet, "≈ 5 minutes", "½ cup", Greek prose.
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹ⁿⁱˣʸᵏ⁺⁻"
_SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉ₙᵢ"
_SUPER_ASCII = str.maketrans(_SUPERSCRIPTS, "0123456789nixyk+-")
_SUB_ASCII = str.maketrans(_SUBSCRIPTS, "0123456789ni")
#: The reading of a superscript or a subscript alone (most runs are one character: "x²").
_ONE = {c: ("^" if c in _SUPERSCRIPTS else "_") + c.translate(_SUPER_ASCII).translate(_SUB_ASCII)
        for c in _SUPERSCRIPTS + _SUBSCRIPTS}
_SYMBOLS = {"−": "-", "≤": "<=", "≥": ">=", "→": "->", "⇒": "->", "↔": "<->", "⇔": "<->", "¬": "~"}
#: "→" and "⇒" are implications only in a text of propositions: a connective (¬ ∧ ∨ ↔ ⇔) or a letter p-s alone before
#: one. Between labels in prose they are routes ("(A) → (B) or (A) → (C)?" read as logic: review rev43 M4).
_RE_PROPOSITIONS = re.compile(r"[¬∧∨↔⇔]|(?<![A-Za-z])[p-s] ?[→⇒]")
_NO_ARROWS = [(sign, ascii) for sign, ascii in _SYMBOLS.items() if sign not in "→⇒"]
#: A unit of length that a square or a cube after it makes an area or a volume, after a number, "per", "sq" or "/"
#: (looked for only after a unit's last letter, ``_UNIT_ENDS``).
_RE_UNIT_BEFORE = re.compile(
    r"(?:(?:(?P<glued>[0-9])|[0-9] |\bper |\bsq\.? )(?:[cmkd]?m|ft|in|yd|mi)|/ ?(?:[cmkd]?m|ft|in|yd|mi|s|h))\Z")
_UNIT_ENDS = frozenset("mtndish")
#: What makes a square glued to its number a formula's after all: an operator after it ("3m² + 2m = 0"; "/" only before
#: a number or "("). A spaced one is an area whatever follows ("50 m² + 10 m²", "43,560 ft² = 1 acre", "10 m³/h":
#: review rev43 M2, M3).
_RE_OPERATOR_AFTER = re.compile(r" ?(?:[-+−=*·×^(]|/ ?[0-9(])")
#: An ordinal's "ⁿᵈ" ("2ⁿᵈ place"): no exponent (review rev43 L1).
_ORDINAL_AFTER = "ᵈ"
_RE_SCRIPTS = re.compile(f"[{_SUPERSCRIPTS}]+|[{_SUBSCRIPTS}]+")
#: Signs with no ASCII spelling, each a math sign: a root of a variable ("√x", "∛(2x + 1)", as math_hardness reads a
#: root), an integral, a sum or product, a partial derivative or nabla, set membership and inclusion, union,
#: intersection ("⊃", "≡" are logic's: ``quiz_stem.LOGIC_SYMBOLS``). A number's root ("√2", "√(2)") is a constant's
#: notation, no sign: counted, it lifted arena-bench-v1's "Find all solutions for 2 sin(x) = √(2), where x is between
#: 0 and 2π" (held out 0.61 -> 0.88, weak models above strong ones there) and its APGR 0.6610 -> 0.6564.
_MATH_SIGNS = "√∛∫∑∏∂∇∈∉⊂⊆∪∩"
#: What a root sign's variable is: after an optional "(", digits and one letter alone ("√x", "∛(2x + 1)"; a tick's "√
#: passport" is none: review rev43 M1).
ROOT_OF_A_VARIABLE = r" ?\(? ?[0-9]*[a-z](?![a-z])"
_RE_MATH_UNICODE = re.compile(_RE_MATH.pattern + r"|[√∛](?=" + ROOT_OF_A_VARIABLE + r")|[∫∑∏∂∇∈∉⊂⊆∪∩]")
#: Any character the reading or the signs know: most non-ASCII texts hold none, and are read as before.
_RE_UNICODE_ANY = re.compile(f"[{_SUPERSCRIPTS}{_SUBSCRIPTS}{''.join(_SYMBOLS)}{_MATH_SIGNS}]")


def _script_run(m: re.Match[str]) -> str:
    """The ASCII reading of a run of superscripts or subscripts (a unit's square or cube kept, the rest of its run read)."""
    run = m.group()
    start, s = m.start(), m.string
    if s[m.end():m.end() + 1] == _ORDINAL_AFTER:
        return run
    if run[0] in "²³" and s[start - 1:start] in _UNIT_ENDS and (unit := _RE_UNIT_BEFORE.search(s, max(start - 8, 0), start)) \
            and not (unit.group("glued") and _RE_OPERATOR_AFTER.match(s, start + 1)):
        return run[0] + _RE_SCRIPTS.sub(_script_run, run[1:])
    if len(run) == 1:
        return _ONE[run]
    if run[0] in _SUBSCRIPTS:
        return "_" + run.translate(_SUB_ASCII)
    t = run.translate(_SUPER_ASCII)
    return f"^({t})" if t[0] in "+-" else "^" + t


def ascii_reading(s: str) -> str:
    """``s`` with its Unicode math spelled in ASCII; ``s`` itself if it holds none. On a shared 2-core box: a 61-character
    formula (x² − 3y² … ≤ 1000) 5 µs; a Chinese or Russian text with none pays one search, 1.7 µs on 300 characters."""
    return s if s.isascii() or _RE_UNICODE_ANY.search(s) is None else _read_unicode(s)


@lru_cache(maxsize=4)  # the same text is read for its formulas, then for their hardness (math_hardness)
def _read_unicode(s: str) -> str:
    """``ascii_reading`` of a text known to hold Unicode math."""
    s = _RE_SCRIPTS.sub(_script_run, s)
    for sign, ascii in _SYMBOLS.items() if _RE_PROPOSITIONS.search(s) else _NO_ARROWS:
        if sign in s:
            s = s.replace(sign, ascii)
    return s


def plain_notation(s: str) -> tuple[int, int]:
    """(math, logic): the plain-text formulas' signs in the first ``PLAIN_READ_CHARS`` of ``s`` (Unicode math read as
    ASCII, ``ascii_reading``, and its signs with no ASCII spelling, ``_MATH_SIGNS``, counted too)."""
    head = s[:PLAIN_READ_CHARS]
    if not head.isascii() and _RE_UNICODE_ANY.search(head) is not None:
        read = _read_unicode(head)
        return len(_RE_MATH_UNICODE.findall(read)), len(_RE_LOGIC.findall(read)) if ">" in read else 0
    if not any(sign in head for sign in _SIGNS):
        return 0, 0
    return len(_RE_MATH.findall(head)), len(_RE_LOGIC.findall(head)) if ">" in head else 0


def short_formula(s: str) -> tuple[int, int]:
    """``plain_notation`` of a text of at most ``SHORT_TEXT_CHARS`` (else (0, 0))."""
    return plain_notation(s) if len(s) <= SHORT_TEXT_CHARS else (0, 0)


def computes_plainly(stem: str) -> bool:
    """Whether a question's stem gives a computation in plain text: a formula or a count of mathematical objects."""
    math_signs, logic_signs = plain_notation(stem)
    return math_signs + logic_signs > 0 or _RE_COUNTS.search(lower(stem[:PLAIN_READ_CHARS])) is not None
