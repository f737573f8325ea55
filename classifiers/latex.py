"""LaTeX commands: the backslash words of math notation, not every backslash.

A backslash followed by letters was counted as a LaTeX command, so the escapes of pasted code
(``"a\\nb"``, ``"\\t"``, regexes' ``\\d+``) and Windows paths (``C:\\Users\\bob``) read as notation:
LaTeX is a strong math cue, so a traceback or a Python snippet opened the math domain. Only the
commands of math writing count (those of MATH, olympiad and college problems, and the common rest).
``latex_notation`` adds the pairs of math dollars; an amount of money (``RE_CURRENCY``) is none.
"""

from __future__ import annotations

import re

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


def latex_commands(s: str) -> int:
    """How many commands of ``LATEX_COMMANDS`` ``s`` holds (0 at once without a backslash)."""
    if "\\" not in s:
        return 0
    return sum(map(_BACKSLASHED.__contains__, _RE_COMMAND.findall(s)))


def latex_notation(s: str) -> int:
    """LaTeX in ``s``: its commands and pairs of math delimiters (amounts of money are none)."""
    if "$" not in s and "\\" not in s:
        return 0
    return latex_commands(s) + (s.count("$") - len(RE_CURRENCY.findall(s))) // 2
