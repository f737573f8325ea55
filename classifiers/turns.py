"""Last user turns that inherit nothing from the conversation before them, whatever their length or opening.

- A closing turn only thanks or says goodbye ("Thanks, that's all I needed!", "thank you so much :)"): its answer is a
  line. Read as a follow-up ("Thanks, …" opens many), it took the difficulty of the proof before it (0.71, a thinking
  tier, against 0.08 alone).
- A quiz turn after a bare answer: the examples of a few-shot prompt sent as turns (a question, its letter; a question,
  its letter; … then the question). A short question read as a follow-up inherited every example: "What is 7 + 5?"
  with its four options scored 0.79 (high) after five solved examples, 0.39 alone.
- A turn that says it changes the subject ("New question: …", "On another note, …", "Unrelated, but …") and does not
  point back: "Now a different question: how many legs does a spider have?" after a proof scored the proof (0.80
  against 0.37 alone).
"""

from __future__ import annotations

import re

from classifiers.features import letter_option_lines
from classifiers.fewshot import asks_for_an_answer, holds_an_answer

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
))
#: A closing turn is no longer than this (a longer one says more than thanks).
CLOSING_MAX_CHARS = 120
#: An assistant reply this short is a bare answer ("B", "The answer is C.", "(C) 12").
BARE_ANSWER_CHARS = 30
_WORD = re.compile(r"[a-z']+")
#: Where a turn says it changes the subject: in its first ``SWITCH_HEAD`` characters, after at most three words
#: ("Ok, now a new question: …"), the phrase ending a clause ("new question:", not "a new question about your proof",
#: "a new topic modelling pipeline"). "Other", "another question" and "new task" are left out: "the other question",
#: "Another question: why did you …", "New task: now add tests to it" point back. (The words before the phrase and the
#: spaces after them are disjoint classes: an apostrophe in both made a run of them backtrack for seconds.)
SWITCH_HEAD = 60
_CLAUSE_END = r"(?=\s*(?:[:.,;!\-\u2013\u2014(]|$|now\b|here\b|please\b|but\b|for\s+you\b))"
_RE_SWITCH = re.compile(
    r"^[^\w']*(?:[\w']+[^\w']+){0,3}?(?:"
    r"(?:(?:a|an)\s+)?(?:new|different|unrelated)\s+(?:question|topic|subject)s?" + _CLAUSE_END +
    r"|unrelated" + _CLAUSE_END +
    r"|(?:change|changing)\s+(?:of\s+|the\s+)?(?:topic|topics|subject)" + _CLAUSE_END +
    r"|switch(?:ing)?\s+(?:topics|subjects|gears)" + _CLAUSE_END +
    r"|on\s+(?:a\s+different|another|an\s+unrelated|a\s+separate|a\s+side)\s+note" + _CLAUSE_END +
    r"|neue\s+frage" + _CLAUSE_END + r"|nouvelle\s+question" + _CLAUSE_END + r"|nueva\s+pregunta" + _CLAUSE_END +
    r")")
#: What makes a turn that says it changes the subject a follow-up all the same: it points back at the conversation —
#: a pronoun or a demonstrative, the work ("the code", "the proof"), "you" and a verb, a step or line — or, after the
#: phrase, opens as a follow-up does ("what about …", "what if …"): "Different question: why did you choose a heap
#: there?", "New question: what happens if the input list is empty?". Looked for in its first ``POINTS_BACK_HEAD``
#: characters. A pronoun of the new subject ("what is DNS and how does it work?") keeps the context too: a cost,
#: never a quality loss. On a second review's lists (s35): 30 of 38 switch-phrased follow-ups keep their context (8
#: lose it: elliptic ones, "why a heap and not a balanced BST?"), and 19 of 38 genuine changes of subject drop theirs.
_RE_POINTS_BACK = re.compile(
    r"\b(?:it|its|your|yours|above|previous|earlier|same|these|those|this|that|here|there|them|they|again|also"
    r"|step\s+\d+|line\s+\d+"
    r"|the\s+(?:first|second|third|last|next|other)\s+\w+"
    r"|the\s+(?:code|function|proof|answer|solution|program|script|loop|cache|lemma|class|output|sum|input|variable"
    r"|tests?|algorithm|snippet|list|query|table|essay|story|poem|text|email|draft|example|result|case|edge\s+case)"
    r"|you\s+(?:just|wrote|write|used|use|gave|give|said|say|chose|choose|did|made|make|mentioned|suggested|forgot"
    r"|provided|showed|picked|pick|meant|proposed|recommended|cited))\b")
_RE_FOLLOW_UP_OPENING = re.compile(r"[^\w']*(?:what\s+about|what\s+if|how\s+about|and\s+what|and\s+if|why\s+not)\b")
POINTS_BACK_HEAD = 300


def closes(turn: str, reply: str = "") -> bool:
    """Whether the turn only thanks or says goodbye: no question, no request, and no answer to an offer or a question the
    ``reply`` before it ended with ("Want me to implement it?" — "thanks!" may be a yes)."""
    if len(turn) > CLOSING_MAX_CHARS or "?" in turn or reply.rstrip().endswith("?"):
        return False
    words = _WORD.findall(turn.lower())
    return bool(words) and not CLOSING_THANKS.isdisjoint(words) and all(word in CLOSING_WORDS for word in words)


def switches_topic(turn: str) -> bool:
    """Whether the turn opens by saying it changes the subject ("New question: …", "On another note, …", "Unrelated:
    …"): what it asks is its own, however short (a short turn after a long one reads as a follow-up)."""
    low = turn[:POINTS_BACK_HEAD].lower()
    found = _RE_SWITCH.match(low[:SWITCH_HEAD])
    return (found is not None and _RE_POINTS_BACK.search(low, found.end()) is None
            and _RE_FOLLOW_UP_OPENING.match(low, found.end()) is None)


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
