"""The rules a logic puzzle sets on its world, read as reasoning cues (versions 102–103).

A riddle or a logic puzzle states rules its world keeps — "the boat can carry only him and one item", "every label is
wrong", "knights always tell the truth", "each painted a different color", "without looking inside", "two at a time" —
and asks for the one answer they allow. Without a digit, or a word like "puzzle" or "deduce", nothing read such a text
as a problem: "Three boxes are labeled apples, oranges, and mixed. Every label is wrong. You may take one fruit from one
box without looking inside. How can you label all the boxes correctly?" scored 0.14, as small talk, while weak models
fail such puzzles (on arena-bench's five houses and its party of liars and truth-tellers its weak models lose 87 % and
57 % of the judge's ten points). Those are the only two prompts with outcomes in ``shared/`` that the rule reads, so no
weight of their own can be learned; as with letter tasks, each kind of rule found counts one reasoning cue, which the
model already weighs (the reasoning domain opens the closed-problem gate).

Read only in a short turn (``PUZZLE_MAX_CHARS``) that asks (``word_problems.asks_for_an_answer``) and holds one of a
puzzle's own idioms (the first ``STRONG_KINDS`` kinds), at most ``MAX_RULE_KINDS`` kinds: two kinds or more, or one told
as a story about others (no first-person word) in two sentences or more. The everyday kinds alone are everyday talk ("I
can only work two days at a time … if either works", "My car cannot start and the battery light is next to the oil
light"), and so is one idiom in the user's own life ("My son always lies about his homework …") or in a one-sentence
question ("Why is every snowflake different?"). Of the training prompts in ``shared/`` ten fire: the two arena-bench
puzzles and eight counting problems of GSM8K, MATH and competitions ("no two sides … are parallel"). Each kind's pattern
is searched only when one of its trigger words is among the turn's words (a set intersection), so a turn without a
puzzle idiom's trigger costs one.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

from classifiers.lexicons import lower
from classifiers.sentences import RE_SENTENCE_END
from classifiers.word_problems import asks_for_an_answer

__all__ = ["FIRST_PERSON", "MAX_RULE_KINDS", "PUZZLE_MAX_CHARS", "RULE_KINDS", "STRONG_KINDS", "puzzle_rules"]

#: Only a turn up to this many characters is read: a puzzle is stated in a paragraph or a list of clues (the five houses'
#: fifteen clues take ~1,100); a longer text with such words is a policy, a contract or a story.
PUZZLE_MAX_CHARS = 1600
#: At most this many kinds count.
MAX_RULE_KINDS = 4
#: Each kind of rule: (its trigger words, any of which must be among the turn's words; its pattern, on the lower-cased
#: turn). The first ``STRONG_KINDS`` kinds are a puzzle's own idioms; the rest are everyday words ("I can only …", "next
#: to", "cannot", "either") that count only beside one of them.
RULE_KINDS: dict[str, tuple[frozenset[str], str]] = {
    "truth": (frozenset(("lie", "lies", "truth", "liar", "liars", "truth-teller", "truth-tellers", "knave", "knaves")),
              r"\b(?:always|never|sometimes) (?:lies?|tells? the truth)\b|\btruth[- ]tellers?\b|\bliars?\b|\bknaves?\b"),
    "exactly one": (frozenset(("exactly",)), r"\bexactly (?:one|two|three) of\b"),
    "distinct": (frozenset(("different", "two")),  # "each painted a different color", "no two adjacent"
                 r"\b(?:each|every) (?:\w+ ){0,2}(?:a )?different\b|\bno two\b|\ball different\b"),
    "one of which": (frozenset(("which",)), r"\bone of which\b"),
    "unseen": (frozenset(("without", "blindfold", "blindfolded")),
               r"\bwithout (?:looking|seeing|opening|knowing|peeking)\b|\bblindfold"),
    "mislabelled": (frozenset(("wrong", "incorrect", "mislabeled", "mislabelled")),
                    r"\b(?:every|each|all) (?:\w+ ){0,2}(?:is|are) (?:wrong|incorrect)\b|\bmislabell?ed\b"),
    "left alone": (frozenset(("alone", "unattended")), r"\bleft (?:alone|unattended) with\b"),
    "weighing": (frozenset(("scale", "weighings", "heavier", "lighter")),  # not "each weighing 5 ounces"
                 r"\bbalance scale\b|\bweighings\b|\b(?:heavier or lighter|lighter or heavier)\b"),
    "limit": (frozenset(("only", "once", "time", "most")),  # "can carry only him", "two at a time", "at most two"
              r"\b(?:can|may|could)(?: \w+)? only\b|\bonly (?:one|two|three|once)\b|\bat (?:a time|once|most)\b"),
    "either": (frozenset(("either", "neither")), r"\b(?:either|neither)\b"),
    "forbidden": (frozenset(("cannot", "can't", "not", "mustn't")),
                  r"\b(?:cannot|can't|can not|must not|mustn't|may not)\b|\b(?:not|isn't|aren't) allowed\b"),
    "order": (frozenset(("immediately", "next", "left", "right", "row", "line", "circle")),
              (r"\bimmediately (?:to the )?(?:left|right)\b|\bnext to\b|\bto the (?:left|right) of\b"
               r"|\bin a (?:row|line|circle)\b")),
}
STRONG_KINDS = 8
_STRONG = frozenset(list(RULE_KINDS)[:STRONG_KINDS])
_KIND_OF: dict[str, list[str]] = {}
for _kind, (_triggers, _) in RULE_KINDS.items():
    for _w in _triggers:
        _KIND_OF.setdefault(_w, []).append(_kind)
_TRIGGERS = frozenset(_KIND_OF)
#: A first-person word: a turn holding one speaks of the user's own life, not a puzzle's story (unless two kinds say so).
FIRST_PERSON = frozenset(("i", "me", "my", "we", "our", "us", "i'm", "i've", "i'd", "i'll", "mine", "myself"))
_PATTERNS = {kind: re.compile(pattern) for kind, (_, pattern) in RULE_KINDS.items()}


def puzzle_rules(text: str, present: AbstractSet[str]) -> int:
    """The kinds of puzzle rule (``RULE_KINDS``) in ``text``, a user turn of at most ``PUZZLE_MAX_CHARS`` characters
    that asks for an answer, at most ``MAX_RULE_KINDS``, when one of them is a puzzle's own and there are two or more,
    or the turn tells its story about others (no first-person word: "My son always lies …" is the user's life) in two
    sentences or more ("Why is every snowflake different?" is a question); else 0. ``present``: the set of the turn's
    lower-cased words (``lexicons.lower_words``). A puzzle's own kinds are read first: most turns hold none of them."""
    if len(text) > PUZZLE_MAX_CHARS or not (found := _TRIGGERS.intersection(present)):
        return 0
    kinds = {kind for w in found for kind in _KIND_OF[w]}
    if _STRONG.isdisjoint(kinds):
        return 0
    low = lower(text)
    strong = [kind for kind in _STRONG.intersection(kinds) if _PATTERNS[kind].search(low)]
    if not strong:
        return 0
    n = len(strong) + sum(1 for kind in kinds.difference(_STRONG) if _PATTERNS[kind].search(low))
    # one kind alone: a puzzle's own idiom in a story told about others (no first-person word), two sentences or more
    if n < 2 and not (FIRST_PERSON.isdisjoint(present) and len(RE_SENTENCE_END.findall(text)) >= 2):
        return 0
    return min(n, MAX_RULE_KINDS) if asks_for_an_answer(text) else 0
