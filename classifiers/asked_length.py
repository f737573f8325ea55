"""A length the request asks for: "Write a 2,000-word essay", "in 5 paragraphs", "a 3-page report".

The answer-length model reads that a length was named (the ``nwords`` shape cue), not the number: "Write a 5,000-word
story." was forecast at 118 tokens, below "a 500-word essay" (181), and a cost cap sized from the estimate let such a
request cost many times it. A length asked for is the answer's floor (as a returned input is: ``classifiers.echo``), in
the answer model's tokens; a limit ("in 50 words or less", "under 200 words", "at most 3 sentences") is none.
"""

from __future__ import annotations

import math
import re

from classifiers.echo import INSTRUCTION_CHARS

#: Answer tokens (characters / 4, the answer model's unit) per unit asked for: an English word is ~5.5 characters with
#: its space; a sentence ~20 words, a paragraph ~100, a page ~500.
UNIT_TOKENS = {"word": 1.35, "sentence": 27.0, "paragraph": 135.0, "page": 675.0}
#: The share of the length asked for that the floor takes: answers run under a long length asked for (in the answer-length
#: data, essays asked 1,000 words ran 842 and 931 tokens, one asked 2,000 ran 847).
FLOOR_SHARE = 0.6
#: The most a floor says (a "50,000-word novel" is capped by what the model may write, not by this).
MAX_FLOOR_TOKENS = 32_768

_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                 "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100}
_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?k?|" + "|".join(_NUMBER_WORDS)
_ASKED = re.compile(rf"(?<![\w.,$£€])({_NUMBER})(?:\s*(?:-|–|to)\s*(?:{_NUMBER}))?[ -]?(words?|sentences?|paragraphs?|pages?)\b",
                    re.IGNORECASE)
#: A count these precede (a few words before) or follow is a limit, not a length asked for.
_LIMIT_BEFORE = re.compile(r"\b(?:under|below|less than|fewer than|at most|no more than|not more than|up to|maximum|max|within|"
                           r"limit|not exceed|shorter than|only|brief)\b", re.IGNORECASE)
_LIMIT_AFTER = re.compile(r"^\s*(?:or (?:less|fewer|under|below|shorter)|max(?:imum)?\b|at most|long at most)", re.IGNORECASE)
#: A count these end right before describes the material, not the answer ("this 300-page report", "the book has 300 pages").
_MATERIAL_BEFORE = re.compile(r"\b(?:this|the|that|these|those|my|your|his|her|its|our|their|has|have|had|contains?|containing|"
                              r"read|wrote|written)\s+(?:\w+\s+)?$", re.IGNORECASE)
#: A request for writing in the count's sentence: an imperative at its start or after "please", "you", "me", "to", "and"
#: ("Write me a 2,000-word essay", "Can you write …", "… and write a 1,000-word essay"). A word problem's statement
#: ("A 420-page book contains 600 words per page", "Matt can write 10 words a minute") asks for no length.
_REQUEST = re.compile(r"(?:^\W*|[,;:]\s*|\b(?:please,?|you|me|to|and|then|now)\s+)(?:write|compose|draft|create|generate|produce|give|"
                      r"make|prepare|craft|expand|describe|explain|summari[sz]e|tell|provide|rewrite|continue|answer|respond|reply)\b"
                      r"|\b(?:i|we)\s+(?:need|want|would like)\b", re.IGNORECASE)
#: A rate ("10 words a minute", "600 words per page") or a count of items ("a list of 5 words") is no length.
_RATE_AFTER = re.compile(r"^\s*(?:per|a|an|each|every)\b", re.IGNORECASE)
_ITEMS_BEFORE = re.compile(r"\b(?:list|set|number|pair|group)s?\s+of\s+$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?\n]")


def asked_tokens(text: str) -> float:
    """Answer tokens the length ``text`` asks for (0 for none), read in its instruction: the first and last
    ``INSTRUCTION_CHARS`` of a longer text (a document's "300 pages" is its content, not the request)."""
    if len(text) > 2 * INSTRUCTION_CHARS:
        text = text[:INSTRUCTION_CHARS] + "\n" + text[-INSTRUCTION_CHARS:]
    best = 0.0
    for match in _ASKED.finditer(text):
        before, after = text[max(0, match.start() - 30): match.start()], text[match.end():]
        if _LIMIT_BEFORE.search(before) or _LIMIT_AFTER.match(after) or _RATE_AFTER.match(after):
            continue
        if _MATERIAL_BEFORE.search(before) or _ITEMS_BEFORE.search(before):
            continue
        if not _REQUEST.search(_sentence(text, match.start(), match.end())):
            continue
        count = _count(match.group(1))
        unit = match.group(2).lower().rstrip("s")
        best = max(best, count * UNIT_TOKENS[unit] * FLOOR_SHARE)
    return min(best, MAX_FLOOR_TOKENS)


def asked_floor(text: str) -> float:
    """``log`` of ``asked_tokens`` (a floor of the answer's log tokens), 0 when nothing is asked."""
    tokens = asked_tokens(text)
    return math.log(tokens) if tokens > 1.0 else 0.0


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence (or line) holding ``text[start:end]``."""
    ends = [found.end() for found in _SENTENCE_END.finditer(text, 0, start)]
    after = _SENTENCE_END.search(text, end)
    return text[ends[-1] if ends else 0: after.start() if after else len(text)]


def _count(text: str) -> float:
    lowered = text.lower()
    if lowered in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[lowered])
    if lowered.endswith("k"):
        return float(lowered[:-1]) * 1000
    return float(lowered.replace(",", ""))
