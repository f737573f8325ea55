"""A multiple-choice question read by its stem: the text above the lettered options that end it.

The options are the candidates' words, not the question's: "Content analysis" / "Experimental design" as options made a
sociology recall item a reasoning question (0.71, reworded 0.58), and a Winogrande item written as two whole-sentence
options doubled its one comparison into an ordering puzzle. So the cues of reasoning, logic, science, writing and
role-play (and the relations) are counted above the options (``stem_cues``); math and arithmetic cues and logic
connectives still count from them ("use half the length", "twice the radius" are the computation's). A stem that gives
a computation — three or more quantities with algebra, or LaTeX — asks for work its words do not show, as a request
for a program does (``computes``). A formula in logic notation is a logic cue (``logic_notation``): "(S ∨ F) • ~(S •
F)" read as nothing, and the same options in words ("if and only if") as logic (0.46 against 0.63).
"""

from __future__ import annotations

import re

from classifiers.glued import add_glued_words
from classifiers.latex import latex_notation
from classifiers.lexicons import LEXICON_NAMES, add_dense_cues, lexicon_counts, lower, lower_words
from classifiers.math_hardness import hardness_chars
from classifiers.options import inline_start, option_start
from classifiers.plain_math import computes_plainly, plain_notation
from classifiers.quantities import count_quantities, digits_zeroed
from classifiers.word_problems import NUMBER_WORDS

#: The cues a multiple-choice question's options do not add to (counted in its stem only). The options' logic
#: connectives ("implies", "if and only if") stay: "(S or F) implies not (S and F)" is the item's content, as its
#: symbols are; its other logic words are topic words ("argument", "conclusion", "Logical positivism").
STEM_ONLY = tuple(LEXICON_NAMES.index(k) for k in ("logic", "reason", "stem", "writing", "roleplay", "relation"))
_LOGIC = LEXICON_NAMES.index("logic")
_MATH = LEXICON_NAMES.index("math")
_ARITH = LEXICON_NAMES.index("arith")
#: How much later (in log-characters) the length of a quiz whose stem has no math (``recalls``) starts to count:
#: e^5.5 ≈ 245 characters, not e^5 ≈ 150. A long recall stem (a Fourth Amendment exception, 0.77) outranked short
#: computations (a series' sum, 0.58; elements of order 4 in a unit group, 0.64): knowledge recall barely separates
#: strong and weak models, calculation and formal logic do. A prior, with no multiple-choice outcomes to fit it by.
RECALL_ANCHOR_EXTRA = 0.5
#: A recall stem asks one thing in at most this many sentences (a lead-in such as "The following is a multiple choice
#: question." and one of context count): a longer one states a process to follow ("First, Claire and Bob swap books.
#: Then …": BIG-Bench's object tracking, whose within-task ranking fell 0.891 -> 0.797 with every stem read as recall).
RECALL_MAX_SENTENCES = 3
_RE_SENTENCE_END = re.compile(r"[.?!](?:\s|$)")
#: A stem giving at least this many quantities and algebra (a math word, a variable beside a digit or an operator, an
#: exponent, a subscript), or LaTeX, gives a computation. Numbers alone are no steps: by count alone "What is 2 + 3 +
#: 4?" went 0.41 → 0.63 at three, "2 + 3 + 4 + 5" and a phone-number question the same at four, while the remainder
#: of 2^100 divided by 7 (three numbers) was left out. A prior, as the extra characters are.
COMPUTATION_QUANTITIES = 3
_RE_ALGEBRA = re.compile(r"[0-9][a-rt-z]\b|\b[a-z]\s*[\^=]|\^|[A-Za-z]_\{?[0-9]")  # "3x", "x =", "^", "Z_4"; not "1960s"
#: ``_RE_ALGEBRA``'s alternatives, each searched only where its literal occurs (the whole pattern tries four alternatives at
#: every character: 220 us on a 1,900-character stem with no algebra): a digit before a letter on zeroed digits, a
#: letter before "=" (before "^": "^" alone is one), a subscript.
_RE_DIGIT_VARIABLE0 = re.compile(r"0[a-rt-z]\b")
_RE_DIGIT_VARIABLE = re.compile(r"[0-9][a-rt-z]\b")
_RE_EQUATION = re.compile(r"\b[a-z]\s*=")
_RE_SUBSCRIPT = re.compile(r"[A-Za-z]_\{?[0-9]")
#: Years and decades ("1969", "the 1960s") are no quantities of a computation: three of them and "World Series" made
#: trivia one.
_RE_YEAR = re.compile(r"\b(?:1[0-9]|20)[0-9][0-9]s?\b")
#: A question that asks for a quantity (in its last ``ASKS_TAIL`` characters): a word problem's arithmetic words
#: ("per", "each", "total") are then its own, not a clinical vignette's "one pack per day", "6 hours ago".
ASKS_TAIL = 400
_RE_ASKS_QUANTITY = re.compile(
    r"how\s+(?:much|many)|\b(?:calculate|compute)\b|what\s+(?:is|was|will\s+be)\s+the\s+(?:total|value|sum|cost|amount|price)"
    r"|to\s+the\s+nearest\s+(?:whole|tenth|hundredth|thousandth|integer|cent|dollar|percent|degree|unit|ten|hundred"
    r"|thousand|million)")
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
        options = add_glued_words(add_dense_cues(options, below), below, words)
    options[_LOGIC] -= connectives(words)
    out = list(lex)
    for k in STEM_ONLY:
        out[k] = max(out[k] - options[k], 0)
    return out


def connectives(words: list[str]) -> int:
    """The logic connectives among ``words``: "implies", "if and only if"."""
    n = words.count("implies")
    if "only" in words:
        n += sum(words[i:i + 4] == ["if", "and", "only", "if"] for i in range(len(words) - 3))
    return n


def recalls(stem: str) -> bool:
    """Whether a multiple-choice question's stem asks for recall: at most ``RECALL_MAX_SENTENCES`` sentences, no quantity
    (years are none), no math word, no LaTeX or plain formula. Then its options' math and arithmetic words ("price equals marginal cost", "total cost divided by
    output") are the candidates', not a computation's (``stem_math``: a perfect-competition definition item 0.82)."""
    return _recall_words(stem) is not None


def _recall_words(stem: str) -> list[str] | None:
    """The lower-cased words of a ``stem`` that ``recalls`` (read once: ``number_candidates`` reads them too), else None."""
    if len(_RE_SENTENCE_END.findall(stem)) > RECALL_MAX_SENTENCES:
        return None
    if count_quantities(stem)[0] - len(_RE_YEAR.findall(stem)) > 0 or latex_notation(stem) or sum(plain_notation(stem)):
        return None
    words = lower_words(stem)
    return words if lexicon_counts(words)[_MATH] == 0 else None


def stem_math(lex: list[int], s: str, stem: str | None, numbers: int, units: int) -> tuple[list[int], float, int, int]:
    """(``lex`` without the options' math and arithmetic cues — those below ``stem`` in ``s`` — for a stem that
    ``recalls``; the log-characters its length counts later, ``RECALL_ANCHOR_EXTRA``; ``numbers`` and ``units`` (the
    quantities of ``s``) without the options' when they are candidates (``number_candidates``: then no arithmetic cue
    either, the stem's "how many" asking for a count it recalls)), else (``lex``, 0,
    ``numbers``, ``units``)."""
    words = None if stem is None else _recall_words(stem)
    if stem is None or words is None:
        return lex, 0.0, numbers, units
    options = lexicon_counts(lower_words(s[len(stem):]))
    out = list(lex)
    for k in (_MATH, _ARITH):
        out[k] = max(out[k] - options[k], 0)
    if number_candidates(s, stem, words):  # nor its own arithmetic words: "How many legs does a spider have?" is recalled
        own, own_units = count_quantities(stem)
        numbers, units, out[_ARITH] = min(numbers, own), min(units, own_units), 0
    return out, RECALL_ANCHOR_EXTRA, numbers, units


#: An answer option that is a number and nothing else: a sign, a currency, digits (a decimal, a fraction, a range, an
#: ordinal, a percent), at most two unit words ("-10", "98.6", "1/6", "13th", "343 m/s", "50 km/h"). Not a formula
#: ("sqrt(3g/L)", "1 - 3e^-2": a rod's angular speed at its lowest point, no figure in its stem, is a computation).
_RE_NUMBER_OPTION = re.compile(
    r"[-+\u2212~\u2248$\u20ac\u00a3]?[0-9][0-9,.]*(?:/[0-9]+)?(?:[-\u2013][0-9][0-9,.]*)?(?:st|nd|rd|th)?%?(?: ?[A-Za-z\u00b0/.]{1,10}){0,2}")
#: An option's letter marker at a line's start or after a space ("A) ", "(b) ", "C. ").
_RE_OPTION_MARK = re.compile(r"(?:^|(?<=\s))\(?[A-Ea-e][).:][ \t]")
#: Options this long or longer are no list of numbers (and are not split).
CANDIDATE_OPTIONS_CHARS = 400
#: A recall stem's words that ask to work on its candidates or to count ("Which of these is the sum …", "In how many
#: ways can the letters of BANANA be arranged?", "What is half of …"): then the options' numbers stay quantities,
#: as a number written as a word does ("What is seven times eight?": ``word_problems.NUMBER_WORDS``).
COMPUTE_WORDS = frozenset((
    "sum", "product", "difference", "quotient", "average", "mean", "median", "total", "times", "twice", "half", "percent",
    "percentage", "plus", "minus", "divided", "multiplied", "squared", "cubed", "square", "cube", "multiple",
    "multiples", "factor", "factors", "even", "odd", "ways", "arrange", "arranged", "arrangements", "orderings",
    "equal", "equals", "next", "convert", "converted", "calculate", "compute", "estimate", "remaining", "altogether",
    # quantities a science item works out (version 93: "What is the oxidation state of chromium in potassium dichromate?
    # A) +3 B) +6 …" 0.55 -> 0.37 read as recall, review rev42 L1)
    "oxidation", "charge", "ph", "molar", "molarity", "velocity", "acceleration", "probability", "expected",
    "energy", "force", "frequency", "wavelength", "concentration", "derivative", "integral", "momentum", "pressure",
))

_COMPUTING = COMPUTE_WORDS | NUMBER_WORDS


def number_candidates(s: str, stem: str, words: list[str] | None = None) -> bool:
    """Whether the numbers of the options below a recall ``stem`` in ``s`` are candidates, not quantities: two or more
    options hold digits and each is a number (``_RE_NUMBER_OPTION``), and the stem has no word of a computation
    (``COMPUTE_WORDS``, a number word; ``words``: its lower-cased words, if read), no plain formula or count of mathematical
    objects (``computes_plainly``). "Water freezes at what temperature in degrees Celsius at sea level? A) 0 B) 32
    C) 100 D) -10" scored 0.55 as arithmetic, 0.37 with the options in words (review s42 sweep, cluster 3)."""
    below = s[len(stem):]
    if len(below) >= CANDIDATE_OPTIONS_CHARS:
        return False
    options = [part.strip().split("\n", 1)[0].rstrip(" .") for part in _RE_OPTION_MARK.split(below)]
    numeric = [o for o in options if any(c in "0123456789" for c in o)]
    if len(numeric) < 2 or any(_RE_NUMBER_OPTION.fullmatch(o) is None for o in numeric):
        return False  # (the options first: most recall stems' are words, and a long stem's words are not read again)
    words = lower_words(stem) if words is None else words
    if not _COMPUTING.isdisjoint(words):
        return False
    return "many" not in words or not computes_plainly(stem)  # (a recall stem has no formula: a count's "how many")


def computes(stem: str, notation: int) -> bool:
    """Whether a multiple-choice question's stem gives a computation: LaTeX in the stem itself (``notation``: its
    commands and pairs of dollar signs; in the options only, "$\\text{Mercury}$" lifted a trivia item 0.70 → 0.82), a
    plain-text formula or a count of mathematical objects (``computes_plainly``: "n / 3^n", "(p -> q)",
    "{1,2,3}", "modulo 15", "How many functions …"), or ``COMPUTATION_QUANTITIES`` or more quantities with algebra."""
    if notation > 0 or computes_plainly(stem):
        return True
    if count_quantities(stem)[0] - len(_RE_YEAR.findall(stem)) < COMPUTATION_QUANTITIES:
        return False
    return has_algebra(stem) or lexicon_counts(lower_words(stem))[_MATH] > 0


def has_algebra(stem: str) -> bool:
    """Whether ``_RE_ALGEBRA`` matches in ``stem`` (a variable beside a digit or before "=", an exponent, a subscript)."""
    if "^" in stem or "=" in stem and _RE_EQUATION.search(stem) is not None:
        return True
    if "_" in stem and _RE_SUBSCRIPT.search(stem) is not None:
        return True
    zeroed = digits_zeroed(stem)  # None: another decimal digit occurs ("[0-9]" matches ASCII digits only)
    return (_RE_DIGIT_VARIABLE0.search(zeroed) if zeroed is not None else _RE_DIGIT_VARIABLE.search(stem)) is not None

#: A quiz that opens by asking for work on code is a request for a program whatever its options ("Refactor my recursive
#: tree traversal into an iterative one. Choose the data structure: (a) a stack (b) a queue"; version 84, review
#: rev41b: 0.81 -> 0.61 under version 80's "a quiz's code words alone ask for no program").
CODE_WORK_OPENERS = frozenset(("refactor", "debug", "fix", "implement", "optimize", "optimise", "rewrite", "port", "convert"))

#: A quiz stem asking what its inline code evaluates to is at most this long (one line).
READS_CODE_CHARS = 400
#: "What does / is … evaluate to / output / print / return / the value of …": a question about what code gives.
_RE_READS_CODE = re.compile(
    r"\bwhat\b[^?\n]{0,200}?\b(?:evaluates?|evaluated|outputs?|prints?|printed|returns?|returned|logs?|logged"
    r"|displays?|displayed|value|result)\b")


def asks_for_a_program(stem: str | None, wl: list[str], syntax: bool, code: bool) -> bool:
    """Whether a text that reads as a request for a program still does as a quiz with ``stem`` (``None``: no quiz):
    with pasted ``code`` (fences, indented lines, tests) or a request to write it, an opening verb of work on code
    (``CODE_WORK_OPENERS``, version 84), or code ``syntax`` (its words alone ask for none: version 80) in a stem that
    does not ask what an inline expression gives (``reads_code``: reading code is no program to write)."""
    if stem is None or code or (wl[:1] != [] and wl[0] in CODE_WORK_OPENERS):
        return True
    return syntax and not reads_code(stem)


def reads_code(stem: str) -> bool:
    """Whether a quiz ``stem`` of one line (at most ``READS_CODE_CHARS``) asks what the code written in it evaluates to, outputs, prints or returns: "In
    Python, what does `len({1: 'a', 1.0: 'b', True: 'c'})` evaluate to?" read as a request for a program, 0.85 (label 3,
    above every label-5 quiz of review s42's sweep, cluster 4). Code pasted on lines of its own stays a program's."""
    line = stem.strip()
    if len(line) > READS_CODE_CHARS or "\n" in line or not any(c in line for c in "`([{"):
        return False
    return _RE_READS_CODE.search(line.lower()) is not None


def computation(stem: str | None, formula: bool, text: str, excluded: bool) -> int:
    """The characters a computation reads longer by in the length prior, as a request for a program: a quiz's ``stem``
    that gives one (``computes``) ``COMPUTATION_EXTRA_CHARS``; outside a quiz (``stem`` None), a text with a formula
    (plain or LaTeX) that is not ``excluded`` (a word problem, a question over documents, a program have their own length
    rules; a request to write is no computation: "Kids aged 3 < x < 6 love this toy. Write an Amazon product
    description.", version 83) ``math_hardness.hardness_chars``: by how hard it reads, not a flat credit ("Now solve
    2x + 3 = 11." none; "Now find all integer solutions of x^2 - 3y^2 = 1 with 0 < x < 1000." 200; version 92)."""
    if stem is not None:
        return COMPUTATION_EXTRA_CHARS if computes(stem, latex_notation(stem)) else 0
    return hardness_chars(text) if formula and not excluded else 0


def asks_for_a_quantity(text: str) -> bool:
    """Whether the question at the end of ``text`` asks for a quantity ("How much …", "… to the nearest cent")."""
    return _RE_ASKS_QUANTITY.search(lower(text[-ASKS_TAIL:])) is not None


def logic_notation(s: str) -> int:
    """The logic symbols (``LOGIC_SYMBOLS``) in ``s``."""
    return 0 if s.isascii() else sum(map(s.count, LOGIC_SYMBOLS))
