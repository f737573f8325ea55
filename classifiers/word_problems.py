"""What makes a text an arithmetic word problem's statement: its numbers given in words, and where it starts.

``classifiers.features`` reads a short text with arithmetic cues and two or more quantities as a closed problem
(``WORD_PROBLEM_MAX_CHARS``) when it asks (``asks_for_an_answer``) and counts its length from the first paragraph
that gives a number (``problem_chars``); a table's figures are no quantities of it (``table_rows``).
"""

from __future__ import annotations

import math
import re

from classifiers.lexicons import lower, lower_words
from classifiers.quantities import count_quantities

#: An arithmetic word problem (arithmetic cues; at least two numbers, in digits or ``NUMBER_WORDS``;
#: no LaTeX, code fences, answer options — two or more: a lone "A: Let's think step by step." is an
#: answer marker —, code or writing domain) of at most this many characters (GSM8K's 99th percentile
#: is 527; counted from the first paragraph with a number, ``problem_chars``) is a closed problem
#: whatever its cue density (an instruction around it dilutes the density, not the problem), and gets
#: ``log(1 + numbers) - WORD_PROBLEM_NUMBERS_ANCHOR`` when positive: every number given is about one
#: more step to take, and the fitted weights cannot say so (the outcome data has few word problems).
#: The anchor is GSM8K's median count of digit numbers, 3, so that bonus never lowers a score.
WORD_PROBLEM_MAX_CHARS = 600
#: A text longer than this is no short word problem, whatever instruction it starts with.
WORD_PROBLEM_SCAN = 2_000
WORD_PROBLEM_NUMBERS_ANCHOR = math.log1p(3)

_RE_DIGIT = re.compile(r"\d")
#: Quantities written as words, counted with the digits in a word problem ("two fish tanks", "twice
#: the size", "half as many"): each is a number given. Not "one" (mostly a pronoun: "which one").
NUMBER_WORDS = frozenset((
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen",
    "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
    "eighty", "ninety", "hundred", "thousand", "million", "half", "twice", "double", "triple", "thrice", "quarter",
    "third", "dozen",
)) | frozenset(  # fractions and compounds written with a hyphen: "two-thirds", "one-quarter", "twenty-five"
    f"{a}-{b}" for a in ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    for b in ("half", "halves", "third", "thirds", "fourth", "fourths", "quarter", "quarters", "fifth", "fifths",
              "sixth", "sixths", "seventh", "sevenths", "eighth", "eighths", "ninth", "ninths", "tenth", "tenths")
) | frozenset(
    f"{a}-{b}" for a in ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
    for b in ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
)


def problem_chars(text: str, whole: bool = True) -> int:
    """Characters from the first paragraph that gives a number on: the paragraphs before it are an
    instruction around the problem ("Solve this math problem. Give the reasoning steps …"), not part
    of its length. A text longer than ``WORD_PROBLEM_SCAN`` characters counts whole, and so does one
    within a word problem's ``WORD_PROBLEM_MAX_CHARS`` if ``whole`` (for the limit only: its length
    prior counts the problem alone). (Instructions after the problem are rarely long enough to
    matter; counting them out too cost arena_bench.)"""
    n = len(text)
    if (whole and n <= WORD_PROBLEM_MAX_CHARS) or n > WORD_PROBLEM_SCAN:
        return n
    first = _RE_DIGIT.search(text)
    if first is None:
        return n
    brk = text.rfind("\n\n", 0, first.start())
    return n if brk < 0 else n - brk - 2


#: A table of data: at least ``TABLE_ROWS`` lines of at least ``TABLE_ROW_NUMBERS`` numbers each, numbers half their
#: words or more (a CSV export, a price history). A word problem's own small table ("Monday 12 30 8" for three days,
#: a timetable) has fewer columns and keeps its figures: they are the numbers to combine.
TABLE_ROWS = 3
TABLE_ROW_NUMBERS = 4


def table_rows(text: str) -> str:
    """The rows of a table of data in ``text``, joined, or ``""``: its figures are data to read, not the quantities of
    a word problem, each another step (a six-row price table under "extract the highest and lowest closing prices"
    scored 0.99 from its 30 numbers)."""
    if text.count("\n") < TABLE_ROWS - 1:
        return ""
    rows = []
    for line in text.split("\n"):
        numbers = count_quantities(line)[0]  # 0 at once without an ASCII digit
        if numbers >= TABLE_ROW_NUMBERS and 2 * numbers >= len(line.split()):
            rows.append(line)
    return "\n".join(rows) if len(rows) >= TABLE_ROWS else ""


def quantities_in(text: str) -> int:
    """The quantities ``text`` gives: its numbers but a table of data's, and the numbers written as words (a RAG
    prompt's question read alone, ``retrieved.outside_context``: a few hundred characters, once)."""
    table = table_rows(text)
    numbers = count_quantities(text)[0] - (count_quantities(table)[0] if table else 0)
    return numbers + sum(map(NUMBER_WORDS.__contains__, lower_words(text)))


#: What a word problem asks: a question mark (Latin, full-width, Arabic) or a request to compute. Statements with
#: figures and no ask are none: "I demand a helicopter and a million dollars in 30 minutes or else. Respond, using
#: de-escalation techniques." read as a word problem (0.64). Of GSM8K's 7,473 training problems two ask neither way.
QUESTION_MARKS = ("?", "\uff1f", "\u061f")
_RE_ASKS = re.compile(r"\b(?:calculate|compute|find|determine|work out|how (?:much|many|long|far|old|fast|often)|total|"
                      r"solve|what (?:is|was|are|were|will)|estimate|express|evaluate|simplify)\b")


def asks_for_an_answer(text: str) -> bool:
    """Whether ``text`` asks a question or for a computation (version 49); its first and last ``WORD_PROBLEM_SCAN``
    characters are read (the instruction before a problem, the question that ends it)."""
    if len(text) > 2 * WORD_PROBLEM_SCAN:
        text = text[:WORD_PROBLEM_SCAN] + "\n" + text[-WORD_PROBLEM_SCAN:]
    return any(mark in text for mark in QUESTION_MARKS) or _RE_ASKS.search(lower(text)) is not None



#: Relations between a word problem's unknowns, each a step its figures do not show: "twice as old … six years ago …
#: four times as old" gives two numbers and takes four steps, a list of prices gives eight and takes two. Each distinct
#: kind found counts 1 in the "relations in a word problem" prior, a trap (``TRAP_KINDS``) 2, at most
#: ``RELATION_KINDS_MAX`` in all (version 87). They were 0.5 quantities a kind in the numbers prior (version 74), under
#: its anchor of three: a problem of two figures and three relations ("26 heads and 74 legs", "50 km/h there and 75 km/h
#: back") got nothing. On GSM8K's 7,473 training problems each kind marks about half a solution step more at every
#: count of figures (two figures: 0 / 1 / 2 / 3 kinds take 2.5 / 2.9 / 3.5 / 4.1 steps). Only the last
#: ``WORD_PROBLEM_MAX_CHARS`` characters are read (the problem: it ends the text), lower-cased, in one pass.
RELATION_KINDS_MAX = 4
_SMALL = r"(?:\d+(?:\.\d+)?|two|three|four|five|six|seven|eight|nine|ten|a few)"
_RE_RELATIONS = re.compile(  # what follows a cue is looked ahead at, not taken: "three times more than" holds two kinds
    r"\b(?:(?P<times>(?:twice|thrice|half|" + _SMALL + r" times)(?= (?:as|the|more|less|fewer|that|what|his|her|their|"
    r"its)\b))"
    r"|(?P<than>(?:more|less|fewer|older|younger|taller|shorter|longer|heavier|cheaper)(?= (?:\w+ )?than\b))"  # 7 more dimes than
    r"|(?P<shift>(?:years?|months?|weeks?|days?) (?:ago|from now|later)|in " + _SMALL + r" years)"
    r"|(?P<together>together|combined)"
    r"|(?P<speed>average (?:speed|rate|pace))"
    r"|(?P<loss>slips?|slides?|falls?(?= back\b)|loses|gains|leaks?|drains?)"
    r"|(?P<overlap>neither|both)"
    r"|(?P<rest>the rest|remaining|remainder|left over)"
    r"|(?P<ratio>ratio|what (?:fraction|percent(?:age)?)|every (?:other|second|third))"  # GSM8K: +0.3 to +1.0 steps
    # traps: two unknowns behind two totals, a mean of rates, a number's digits, work rates
    r"|(?P<heads>heads?|vehicles|animals)|(?P<limbs>legs|wheels|feet)"  # both: 26 heads and 74 legs, 40 vehicles and 136 wheels
    r"|(?P<trip>round[- ]trip|there and back|return (?:trip|journey)|(?:back|returns?)(?= (?:\w+ ){0,5}at \d))"
    r"|(?P<mean>harmonic|consecutive(?= (?:\w+ )?(?:integers?|numbers?|odd|even|whole|multiples?|pages|terms)\b))"
    r"|(?P<stream>upstream|downstream)"
    r"|(?P<digits>digits?(?= (?:are |is )?(?:reversed|swapped|interchanged))|revers\w* (?:the |its )?digits)"
    r"|(?P<work>work(?:ing|s)?(?= (?:together|alone)\b)|alone(?= (?:it takes|in \d))|if(?= both are\b))"
    r"|(?P<system>two numbers|sum of (?:two|the two|their|its)|their difference))\b"
    r"|(?P<part>%(?=\s+of (?:the|her|his|their|its|those|these|them)\b))",
)
#: Kinds that hold a problem's trap: two unknowns from two totals ("heads" and "legs" found), the mean of two rates
#: over a trip there and back, consecutive numbers, digits, joint work.
TRAP_KINDS = frozenset(("legs", "trip", "mean", "digits", "work", "system", "stream"))
#: A trip there and back is a trap only with a speed figure, joint work only with a time a worker takes ("in 6 hours"):
#: "How long is the drive there and back from Denver to Aspen …?", "Our 3 designers work together with 2 developers …
#: How long should our sprints be?" are everyday questions (version 93, review rev42 M4).
_RE_SPEED = re.compile(r"\d ?(?:km/h|kmh|kph|mph|m/s|knots|km per hour|miles per hour|kilomet(?:er|re)s per hour)")
_RE_TIME_TAKEN = re.compile(r"\bin (?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve) "
                            r"(?:hours?|days?|minutes?|weeks?)\b")
_NEEDS = {"trip": _RE_SPEED, "work": _RE_TIME_TAKEN}


#: What a problem with relations asks for (in its last ``ASKS_NUMBER_TAIL`` characters): a number. "My sister is twice as
#: funny as me and we both love baking together. Any ideas …?" has two figures, a question and three kinds of relation.
ASKS_NUMBER_TAIL = 300
_RE_ASKS_NUMBER = re.compile(
    r"\b(?:how (?:much|many|long|far|old|fast|tall|heavy|high)|calculate|compute|find|determine|work out|solve"
    r"|what percent(?:age)?|what(?:'s| is| was| will be| are| were) (?:the|her|his|their|its|my) (?:\w+ ){0,3}?(?:speed"
    r"|numbers?|ages?|cost|price|value|sum|total|combined|time|distance|mean|average|rate|percentage|fraction|ratio"
    r"|larger|largest|smaller|smallest|integers?|maximum|minimum|difference|amount|weight|height|length|area|profit))\b")


def _value(kinds: set[str | None]) -> int:
    """1 a kind, 2 a trap; heads and legs count (as a trap) only together."""
    pair = {"heads", "limbs"} <= kinds
    return len(kinds) - len(kinds & {"heads", "limbs"}) + len(kinds & TRAP_KINDS) + (2 if pair else 0)


def _kinds(text: str) -> int:
    """``_value`` of the kinds of relation in the last ``WORD_PROBLEM_MAX_CHARS`` characters of ``text``, at most
    ``RELATION_KINDS_MAX``: the scan stops there (a text of cue words had cost twice a typical problem's featurization)."""
    kinds: set[str | None] = set()
    low = lower(text[-WORD_PROBLEM_MAX_CHARS:])
    for m in _RE_RELATIONS.finditer(low):
        if m.lastgroup not in kinds and _stated(m.lastgroup, low):
            kinds.add(m.lastgroup)
            if _value(kinds) >= RELATION_KINDS_MAX:
                return RELATION_KINDS_MAX
    return min(_value(kinds), RELATION_KINDS_MAX)


def relation_kinds(text: str) -> int:
    """The "relations in a word problem" prior: 1 for each distinct kind of relation between the unknowns, 2 for a
    trap (``TRAP_KINDS``), at most ``RELATION_KINDS_MAX``, when the problem asks for a number: "A lamp and its shade
    cost $84 together. The lamp costs $4 more than three times the shade. Find the shade's price." gives two figures and
    three relations."""
    return 0 if _RE_ASKS_NUMBER.search(lower(text[-ASKS_NUMBER_TAIL:])) is None else _kinds(text)


def sets_a_trap(text: str) -> bool:
    """Whether a short text holds a trap (``TRAP_KINDS``) and asks for a number: a word problem with no arithmetic cue
    ("… at 50 km/h and returns … at 75 km/h. What is her average speed for the round trip?", "The sum of three
    consecutive odd integers is 87. What is the largest?"). Read only when the text has no arithmetic cue."""
    if _RE_ASKS_NUMBER.search(lower(text[-ASKS_NUMBER_TAIL:])) is None:
        return False
    low = lower(text[-WORD_PROBLEM_MAX_CHARS:])
    kinds = {m.lastgroup for m in _RE_RELATIONS.finditer(low) if _stated(m.lastgroup, low)}
    return not kinds.isdisjoint(TRAP_KINDS) or {"heads", "limbs"} <= kinds


def _stated(kind: str | None, low: str) -> bool:
    """Whether a kind found in ``low`` holds there: a trip with a speed figure, joint work with a time (``_NEEDS``)."""
    need = _NEEDS.get(kind or "")
    return need is None or need.search(low) is not None
