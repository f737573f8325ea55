"""Last user turns that inherit nothing from the conversation before them, whatever their length or opening.

- A closing turn only thanks or says goodbye ("Thanks, that's all I needed!", "thank you so much :)"): its answer is a
  line. Read as a follow-up ("Thanks, …" opens many), it took the difficulty of the proof before it (0.71, a thinking
  tier, against 0.08 alone).
- A quiz turn after a bare answer: the examples of a few-shot prompt sent as turns (a question, its letter; a question,
  its letter; … then the question). A short question read as a follow-up inherited every example: "What is 7 + 5?"
  with its four options scored 0.79 (high) after five solved examples, 0.39 alone.
- A turn that states its own equation and points at nothing before it ("Now solve 2x + 3 = 11."): its difficulty is its
  own. Read as a follow-up ("Now solve" opens one), it took the first turn's (0.65 after a Pell-type equation, 0.38
  alone; version 92).
"""

from __future__ import annotations

import re

from classifiers.features import letter_option_lines
from classifiers.fewshot import asks_for_an_answer, holds_an_answer
from classifiers.lexicons import lower

#: Words one of which a closing turn holds: thanks or goodbye. A bare "ok", "great", "perfect" is a go-ahead as often
#: ("Shall I write out the full proof?" — "ok"), which inherits the task as "yes" does ...
CLOSING_THANKS = frozenset((
    "thanks", "thank", "thx", "ty", "appreciate", "appreciated", "cheers", "bye", "goodbye",
    "danke", "merci", "gracias", "grazie", "obrigado", "obrigada",
))
#: ... and the only words it holds besides them.
CLOSING_WORDS = CLOSING_THANKS | frozenset((
    "perfect", "great", "awesome", "cool", "ok", "okay", "nice", "excellent", "wonderful", "brilliant",
    "you", "so", "much", "very", "a", "lot", "got", "it", "that's", "thats", "that", "all", "i", "needed", "need", "wanted",
    "exactly", "helpful", "this", "was", "is", "it's", "its", "for", "the", "your", "help", "works", "worked",
    "really", "again", "just", "now", "have", "good", "day", "bien", "beaucoup", "muchas", "mille", "vielen",
    # what a thanks says of the answer ("Thanks! That was really clear.", "makes sense now, thank you")
    "clear", "useful", "amazing", "fantastic", "super", "makes", "sense", "understand", "understood", "see", "glad",
    "lifesaver", "learned",
))
#: A closing turn is no longer than this (a longer one says more than thanks).
CLOSING_MAX_CHARS = 120
#: An assistant reply this short is a bare answer ("B", "The answer is C.", "(C) 12").
BARE_ANSWER_CHARS = 30
_WORD = re.compile(r"[a-z']+")
#: A turn that states its own equation is at most this long (a longer one says more than its equation).
OWN_EQUATION_MAX_CHARS = 200
#: An equation with an operation on one side of "=" and a one-letter variable ("2x + 3 = 11", "y = 3x^2 - 1",
#: "$4^x = 8$"); not "x = 3" alone ("solve for y when x = 3" needs the equation before it).
_RE_EQUATION = re.compile(
    r"(?<![A-Za-z])(?:[0-9]*[a-z]|[0-9]+)(?:\^\{?\(?[0-9a-z]+\)?\}?)? ?[-+*/] ?[0-9a-z(][^=\n]{0,30}= ?-?[0-9a-z(]"
    r"|(?<![A-Za-z])[a-z] ?= ?-?[0-9a-z(][^=\n]{0,30}?[-+*/^]")
_RE_LETTER = re.compile(r"(?<![A-Za-z])[a-z](?![A-Za-z])")
#: Words that point back at the conversation: a turn holding one follows up, whatever its equation ("Now solve it for
#: y = 2x + 1", "Check that answer with x = 3 - 1").
BACK_POINTERS = frozenset(("it", "its", "that", "this", "these", "those", "them", "your", "above", "previous", "earlier",
                           "same", "result", "answer", "solution", "again", "instead", "redo", "why", "would", "use",
                           "there", "also"))
#: ... and it asks to work the equation out: a verb of solving, or "what is x" / "x = ?" (version 93: "Why can't I just
#: use n = 2k - 1 instead?" after a proof, "Would i = i + 1 inside the worker be a race condition there?" after code
#: were scored alone: 0.82 -> 0.37, review rev42 H4).
SOLVE_WORDS = frozenset(("solve", "find", "compute", "calculate", "evaluate", "simplify", "factor", "factorise",
                         "factorize", "differentiate", "integrate", "expand", "determine"))
#: Words that open a new problem whatever its letters ("Different question: …", "unrelated: 4x - 7 = 9, x=?").
NEW_PROBLEM_WORDS = frozenset(("unrelated", "different", "new", "another", "separate", "separately"))
#: Characters of the earlier user turns read for their variables.
EARLIER_READ_CHARS = 2000
_RE_WHAT_IS = re.compile(r"\bwhat(?:'s| is) [a-z]\b|(?<![A-Za-z])[a-z] ?= ?\?")


def closes(turn: str, reply: str = "", dropped: str = "") -> bool:
    """Whether the turn only thanks or says goodbye: no question, no request, and no answer to an offer or a question the
    ``reply`` before it ended with ("Want me to implement it?" — "thanks!" may be a yes). Read with the courtesy its
    reading dropped (``Conversation.dropped_courtesy``): "Thanks! That was really clear." is read "That was really
    clear.", and took a proof's 0.75 as a follow-up (versions 111-112)."""
    turn = f"{dropped} {turn}" if dropped else turn
    if len(turn) > CLOSING_MAX_CHARS or "?" in turn or reply.rstrip().endswith("?"):
        return False
    words = _WORD.findall(lower(turn))
    return bool(words) and not CLOSING_THANKS.isdisjoint(words) and all(word in CLOSING_WORDS for word in words)


def states_own_equation(turn: str, earlier: str = "") -> bool:
    """Whether the turn (at most ``OWN_EQUATION_MAX_CHARS``) states an equation in a one-letter variable of its own
    (``_RE_EQUATION``, the variable beside a digit or an operation), asks to work it out (``SOLVE_WORDS``, "what is x",
    "x = ?") and has no word of ``BACK_POINTERS``, nor two or more variables the ``earlier`` user turns name
    (``_shares_variables``) unless it says it is a new problem (``NEW_PROBLEM_WORDS``)."""
    if len(turn) > OWN_EQUATION_MAX_CHARS or "=" not in turn:
        return False
    m = _RE_EQUATION.search(turn.replace("$", ""))
    if m is None or _RE_LETTER.search(m.group()) is None:
        return False
    low = lower(turn)
    words = _WORD.findall(low)
    if not BACK_POINTERS.isdisjoint(words) or SOLVE_WORDS.isdisjoint(words) and _RE_WHAT_IS.search(low) is None:
        return False
    return not NEW_PROBLEM_WORDS.isdisjoint(words) or not _shares_variables(turn, earlier)


def _shares_variables(turn: str, earlier: str) -> bool:
    """Whether the turn's variables (one-letter words but "a" and "i"), two or more, include one the last
    ``EARLIER_READ_CHARS`` of ``earlier`` name: "what's k for y = kx + 3?" after a question about the line y = kx + b
    is the same problem's (0.67 -> 0.34 scored alone; review rev42b M1; "Now solve 2x + 3 = 11." has one)."""
    letters = set(_RE_LETTER.findall(turn)) - {"a", "i"}
    if len(letters) < 2 or not earlier:
        return False
    named = set(_RE_LETTER.findall(earlier[-EARLIER_READ_CHARS:]))
    return not letters.isdisjoint(named)


def quiz_after_bare_answer(turn: str, reply: str, earlier: str) -> bool:
    """Whether the turn is a quiz question (an answer label at its end, or lettered options), the reply before it a bare
    answer and the ``earlier`` user turns quiz questions too: a few-shot prompt's examples sent as turns, each question on
    its own (a follow-up with options after a short reply still follows up)."""
    answered = 0 < len(reply.strip()) <= BARE_ANSWER_CHARS
    return answered and _quiz(turn) and _quiz(earlier)


def _quiz(text: str) -> bool:
    """An item of a quiz: its answer asked for or given (the few-shot markers) under its question, or lettered options.
    A line of its own that gives an answer is a reply to one ("Correct answer: B. Can you explain why?")."""
    return asks_for_an_answer(text) or ("\n" in text.strip() and holds_an_answer(text)) or letter_option_lines(text) >= 2
