"""LaTeX commands: the backslash words of math notation, not every backslash.

A backslash followed by letters was counted as a LaTeX command, so the escapes of pasted code
(``"a\\nb"``, ``"\\t"``, regexes' ``\\d+``) and Windows paths (``C:\\Users\\bob``) read as notation:
LaTeX is a strong math cue, so a traceback or a Python snippet opened the math domain. Only the
commands of math writing count (those of MATH, olympiad and college problems, and the common rest).
``latex_notation`` adds the pairs of math dollars; an amount of money (``RE_CURRENCY``) is none.

Math written with Unicode symbols is the same notation (version 108): "F(ω) = ∫ f(t) e^{−iωt} dt" scored 0.70, the same in
LaTeX 0.85. ``unicode_math`` counts the symbols of one meaning (integrals, sums, roots, relations, sets, logic, the
number sets) and the Greek letters standing alone as a symbol ("ω", "F(ω)", "2π"; "μm", "kΩ" are units), never in a text
with a Greek word: Greek prose's articles "η", "ή" are words. "→", "×", "·", "°" are read as nothing (routes,
resolutions, bullets, temperatures).
"""

from __future__ import annotations

import re

from classifiers.lexicons import SPEEDUPS

#: The commands of math writing: Greek letters, operators and relations, functions, arrows, sets and
#: logic, delimiters, accents, fonts, environments, spacing and the text commands used inside math.
_COMMANDS = """
alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi omicron pi varpi rho varrho
sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega
frac dfrac tfrac cfrac sqrt binom dbinom tbinom choose over cdot times div pm mp ast star circ bullet oplus otimes odot
le leq leqslant ge geq geqslant neq ne approx equiv sim simeq cong propto ll gg prec succ mid nmid parallel perp
sum prod coprod int iint iiint oint lim limsup liminf sup inf max min arg det dim ker deg gcd lcm hom exp log ln lg
sin cos tan sec csc cot arcsin arccos arctan sinh cosh tanh coth mod bmod pmod
to rightarrow leftarrow Rightarrow Leftarrow leftrightarrow Leftrightarrow longrightarrow longleftarrow
Longrightarrow Longleftrightarrow mapsto implies iff uparrow downarrow
in notin ni subset subseteq supset supseteq subsetneq cup cap bigcup bigcap setminus emptyset varnothing
forall exists nexists neg lnot land lor wedge vee bigwedge bigvee therefore because top bot
infty partial nabla prime ell hbar Re Im aleph angle measuredangle triangle square diamond
left right big Big bigg Bigg bigl bigr Bigl Bigr langle rangle lfloor rfloor lceil rceil lvert rvert lVert rVert vert Vert
overline underline overbrace underbrace hat widehat bar vec dot ddot tilde widetilde overrightarrow overleftrightarrow
mathbb mathbf mathcal mathfrak mathrm mathit mathsf mathscr boldsymbol operatorname mathop text textbf textit textsf
textrm mbox fbox boxed displaystyle textstyle
begin end array matrix pmatrix bmatrix vmatrix cases aligned align equation hline cline substack stackrel overset
underset limits nolimits quad qquad cdots ldots dots dotsb dotsm vdots ddots tag label not degree
"""
LATEX_COMMANDS = frozenset(_COMMANDS.split())
_BACKSLASHED = frozenset("\\" + name for name in LATEX_COMMANDS)
_RE_COMMAND = re.compile(r"\\[a-zA-Z]+")
#: A dollar sign that is currency, not a LaTeX math delimiter: an unescaped "$" before an amount that
#: ends a clause or is followed by a word ("costs $100.", "$2.50 per person"); "$3$", "$3 + 4$" and
#: "$5 \\cdot 3$" are math.
RE_CURRENCY = re.compile(r"(?<!\\)\$[0-9][0-9,]*(?:\.[0-9]+)?(?=[.,;:!?)'\"]|\s+[A-Za-z]|\s*\Z)")


#: Unicode math symbols with one meaning: integrals, sums, products, derivatives, sets, quantifiers, implications, the
#: number sets. A root counts before a variable only ("√x", "√(2x)"; "√2" is a constant, as ``plain_math`` reads it).
UNICODE_MATH_SIGNS = "∫∬∮∑∏∂∇≡∈∉⊂⊆⊃⊇∪∩∀∃∅⇒⇔ℝℤℕℚℂ"
#: Signs that prose writes too ("costs ≤ $5", "≈ 20 minutes", "∞ love"): they count beside another symbol, or two of them.
PROSE_SIGNS = "≤≥≠≈∞"
#: The Greek letters that are symbols outside Greek: the small ones but omicron (a Latin "o" to the eye) and pi (a number:
#: "2π", as "√2"), their variant forms, the capitals unlike a Latin one (those of LaTeX's commands).
GREEK_SYMBOLS = "αβγδεζηθικλμνξρστυφχψωϕϵϑϱΓΔΘΛΞΠΣΥΦΨΩ"
_RE_ANY_MATH = re.compile(f"[{UNICODE_MATH_SIGNS}{PROSE_SIGNS}{GREEK_SYMBOLS}√]")
_RE_SIGN = re.compile(f"[{UNICODE_MATH_SIGNS}]")
_RE_PROSE_SIGN = re.compile(f"[{PROSE_SIGNS}]")
#: A root of a variable: after an optional "(", digits and a letter ("√x", "√(2x + 1)"; "√2", "√ passport" none).
_RE_ROOT = re.compile(r"√(?= ?\(? ?[0-9]*[A-Za-z](?![A-Za-z]))")
#: A letter: a word character but a digit, "_", a superscript or a subscript ("π²", "θ₁" stand alone).
_LETTER = "[^\\W\\d_\u00b2\u00b3\u00b9\u2070-\u209f]"
#: A Greek letter standing alone as a symbol: no letter on either side ("ω", "F(ω)", "α = 3"; not "iωt", "μm", "kΩ"), and
#: not a word between words ("what does β measure", "the angle θ between"). The letter first: a fast search for it.
_RE_GREEK_ALONE = re.compile(f"[{GREEK_SYMBOLS}](?<!{_LETTER}.)(?!{_LETTER})(?!(?<={_LETTER}\\s.)\\s{_LETTER})")
#: Two Greek characters in a row (accented ones too): a Greek word, so a Greek text.
_RE_GREEK_WORD = re.compile("[\u0370-\u03ff\u1f00-\u1fff]{2}")


def unicode_math_python(s: str) -> int:
    """How many Unicode math symbols ``s`` holds: ``UNICODE_MATH_SIGNS``, a root of a variable, the Greek letters standing
    alone (none in a text with a Greek word), and ``PROSE_SIGNS`` beside one of those or two of them. 0 at once for an
    ASCII text, one search for a text with none (Chinese, Russian)."""
    if s.isascii() or _RE_ANY_MATH.search(s) is None:
        return 0
    return _symbols(s, len(_RE_SIGN.findall(s)), len(_RE_PROSE_SIGN.findall(s)), 1, 1)


def _symbols(s: str, signs: int, prose: int, greek: int, roots: int) -> int:
    """The count given the signs and the prose signs of ``s``, and whether it holds a Greek letter or a root sign."""
    signs += len(_RE_ROOT.findall(s)) if roots else 0
    if greek and _RE_GREEK_WORD.search(s) is None:
        signs += len(_RE_GREEK_ALONE.findall(s))
    return signs + prose if signs or prose >= 2 else 0


if SPEEDUPS is not None:  # the signs and the Greek letters counted in one C pass: 2-3 us over 2,000 characters, a search 9-13
    _UNICODE_TABLE = SPEEDUPS.count_table((tuple(UNICODE_MATH_SIGNS), tuple(PROSE_SIGNS), tuple(GREEK_SYMBOLS), ("√",)))
    _count_groups = SPEEDUPS.count_groups

    def unicode_math(s: str) -> int:
        """``unicode_math_python``."""
        if s.isascii():
            return 0
        return _symbols(s, *_count_groups(_UNICODE_TABLE, s))
else:
    unicode_math = unicode_math_python


def latex_commands(s: str) -> int:
    """How many commands of ``LATEX_COMMANDS`` ``s`` holds (0 at once without a backslash)."""
    if "\\" not in s:
        return 0
    return sum(map(_BACKSLASHED.__contains__, _RE_COMMAND.findall(s)))


def latex_notation(s: str) -> int:
    """LaTeX in ``s``: its commands and pairs of math delimiters (amounts of money are none)."""
    symbols = unicode_math(s)  # Unicode math too (version 108)
    if "$" not in s and "\\" not in s:
        return symbols
    return latex_commands(s) + (s.count("$") - len(RE_CURRENCY.findall(s))) // 2 + symbols
