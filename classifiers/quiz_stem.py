"""A multiple-choice question read by its stem: the text above the lettered options that end it.

The options are the candidates' words, not the question's: "Content analysis" / "Experimental design" as options made a
sociology recall item a reasoning question (0.71, reworded 0.58), and a Winogrande item written as two whole-sentence
options doubled its one comparison into an ordering puzzle. So the cues of reasoning, science, writing and role-play
(and the relations) are counted above the options (``stem_cues``); math, arithmetic and logic cues still count from
them ("use half the length", "twice the radius" are the computation's). A stem that gives a computation — four or
more quantities, or LaTeX — asks for work its words do not show, as a request for a program does (``computes``).
A formula in logic notation is a logic cue (``logic_notation``): "(S ∨ F) • ~(S • F)" read as nothing, and the same
options in words ("if and only if") as logic (0.46 against 0.63).
"""

from __future__ import annotations

from classifiers.latex import latex_commands
from classifiers.lexicons import LEXICON_NAMES, add_dense_cues, add_glued_words, lexicon_counts, lower_words
from classifiers.options import inline_start, option_start
from classifiers.quantities import count_quantities

#: The cues a multiple-choice question's options do not add to (counted in its stem only). Not logic: connectives in
#: the options ("(S or F) implies not (S and F)") are the item's content, as its symbols are.
STEM_ONLY = tuple(LEXICON_NAMES.index(k) for k in ("reason", "stem", "writing", "roleplay", "relation"))
#: A stem giving at least this many quantities (or LaTeX) gives a computation. Fewer are a step or two, which weak
#: models get right: at two "What is 7 + 5?" went 0.40 → 0.62, at three "What is 2 + 3 + 4?" 0.41 → 0.63, above a
#: ring-theory item (0.47). A prior, as the extra characters are.
COMPUTATION_QUANTITIES = 4
#: The characters a computation's statement reads longer in the length prior: its work is not in its words (a
#: 68-character "If 3x - 7 = 11, what is the value of 6x + 2?" scored 0.48, the same worded in 157 characters 0.71).
#: The smaller of an outside review's two probes (100 and ``written_code.REQUEST_EXTRA_CHARS``, 245): a prior, there
#: being no multiple-choice outcome data in ``shared/`` to choose it by.
COMPUTATION_EXTRA_CHARS = 100
#: Logic notation: quantifiers, connectives, turnstiles (not "→" and "•": arrows and bullets in chat).
LOGIC_SYMBOLS = "\u2200\u2203\u00ac\u2227\u2228\u2283\u2261\u2194\u22a2\u22a8"  # ∀ ∃ ¬ ∧ ∨ ⊃ ≡ ↔ ⊢ ⊨


def quiz_stem(s: str, quiz: bool) -> str | None:
    """The text above the lettered options that end ``s`` (``options.option_start``), or before options written inline
    (``options.inline_start``), when ``quiz`` (it has answer options); else ``None``."""
    if not quiz:
        return None
    start = option_start(s) if "\n" in s else None
    if start is None:
        start = inline_start(s)
    return None if start is None else s[:start]


def stem_cues(lex: list[int], s: str, stem: str, dense: bool = False) -> list[int]:
    """``lex`` (the cue counts of ``s``) without what the options after ``stem`` add to the ``STEM_ONLY`` cues
    (``dense``: with the Chinese and Japanese cues and glued Latin words, as ``lex`` counted them)."""
    below = s[len(stem):]
    words = lower_words(below)
    options = lexicon_counts(words)
    if dense:
        options = add_glued_words(add_dense_cues(options, below), below.encode("utf-8", "replace"), words)
    out = list(lex)
    for k in STEM_ONLY:
        out[k] = max(out[k] - options[k], 0)
    return out


def computes(stem: str) -> bool:
    """Whether a multiple-choice question's stem gives a computation: ``COMPUTATION_QUANTITIES`` or more quantities,
    or LaTeX commands in the stem itself (in the options only, "$\\text{Mercury}$" lifted a trivia item 0.70 → 0.82)."""
    return count_quantities(stem)[0] >= COMPUTATION_QUANTITIES or latex_commands(stem) > 0


def logic_notation(s: str) -> int:
    """The logic symbols (``LOGIC_SYMBOLS``) in ``s``."""
    return 0 if s.isascii() else sum(map(s.count, LOGIC_SYMBOLS))
