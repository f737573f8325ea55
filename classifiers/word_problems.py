"""What makes a text an arithmetic word problem's statement: its numbers given in words, and where it starts.

``classifiers.features`` reads a short text with arithmetic cues and two or more quantities as a closed problem
(``WORD_PROBLEM_MAX_CHARS``) when it asks (``asks_for_an_answer``) and counts its length from the first paragraph
that gives a number (``problem_chars``); a table's figures are no quantities of it (``table_rows``).
"""

from __future__ import annotations

import math
import re

from classifiers.lexicons import lower_words
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
    return any(mark in text for mark in QUESTION_MARKS) or _RE_ASKS.search(text.lower()) is not None



#: Relations between a word problem's unknowns, each a step its figures do not show: "twice as old … six years ago …
#: four times as old" gives two numbers and takes four steps, a list of prices gives eight and takes two. Each distinct
#: kind found adds ``RELATION_STEP`` quantities to the "numbers in a word problem" prior, at most ``RELATION_STEPS_MAX``
#: kinds (version 74). On GSM8K's 7,473 training problems every kind marks more solution steps than its quantities
#: predict (+0.15 to +0.56 steps); the prior's Spearman with the steps rose 0.532 -> 0.564 at 0.5 a kind (1.0: 0.554,
#: 2.0: 0.507: a relation is less than a number's step on average). Only the last ``WORD_PROBLEM_MAX_CHARS`` characters
#: are read (the problem: it ends the text), lower-cased, in one pass (~40 µs; IGNORECASE over 2,000 took 0.28 ms).
RELATION_STEP = 0.5
RELATION_STEPS_MAX = 3
_SMALL = r"(?:\d+(?:\.\d+)?|two|three|four|five|six|seven|eight|nine|ten|a few)"
_RE_RELATIONS = re.compile(  # what follows a cue is looked ahead at, not taken: "three times more than" holds two kinds
    r"\b(?:(?P<times>(?:twice|thrice|half|" + _SMALL + r" times)(?= (?:as|the|more|less|fewer|that|what|his|her|their|"
    r"its)\b))"
    r"|(?P<than>(?:more|less|fewer|older|younger|taller|shorter|longer|heavier|cheaper)(?= (?:\w+ )?than\b))"  # 7 more dimes than
    r"|(?P<shift>(?:years?|months?|weeks?|days?) (?:ago|from now|later)|in " + _SMALL + r" years)"
    r"|(?P<together>together|combined)"
    r"|(?P<speed>average (?:speed|rate|pace))"
    r"|(?P<loss>slips?|slides?|falls? back|loses|gains|leaks?|drains?)"
    r"|(?P<overlap>neither|both)"
    r"|(?P<rest>the rest|remaining|remainder|left over))\b"
    r"|(?P<part>%(?=\s+of (?:the|her|his|their|its|those|these|them)\b))",
)


def relation_steps(text: str) -> float:
    """The quantities the relations between a word problem's unknowns add (``RELATION_STEP`` a distinct kind, at most
    ``RELATION_STEPS_MAX`` kinds): "A lamp and its shade cost $84 together. The lamp costs $4 more than three times the
    shade." gives two figures and three relations."""
    kinds: set[str | None] = set()
    for m in _RE_RELATIONS.finditer(text[-WORD_PROBLEM_MAX_CHARS:].lower()):
        kinds.add(m.lastgroup)
        if len(kinds) >= RELATION_STEPS_MAX:
            break
    return RELATION_STEP * len(kinds)
