"""Courtesy lines around a question are no part of it (version 111, invariance review inv53).

A user wraps a question in a sentence of pure courtesy or a help request that says nothing of what is asked: "Please
help me with this." or "Hi! I have a question:" before it, "Thanks in advance." after it, a heading of such words
("## Help needed", "# Question") over it. Read as the question's words they moved it: a code question 0.45 -> 0.78
after "Please help me with this." (its first word no longer opened a question), a trailing "Thanks!" by a learned
politeness weight (-0.24 logit), "# Question" over a chat question 0.33 -> 0.18. ``strip_courtesy`` drops such units
(``answer_format.units``: a line, split after each sentence) at the start and at the end of the last user turn, as
``answer_format.strip_answer_format`` drops a harness's format sentences, when something else is left: "Thanks!" alone
is small talk and stays, and a unit with a word of its own ("Please help me fix this segfault in my C code", "Can you
help me with my essay?") is content.
"""

from __future__ import annotations

import re

from classifiers.answer_format import units, units_from_end
from classifiers.greetings import GREETINGS
from classifiers.request_question import LEAD_LABELS

#: The longest unit read as courtesy, at most ``MAX_UNITS`` of them at each end, in its first or last ``SCAN_CHARS``.
COURTESY_CHARS = 80
MAX_UNITS = 3
SCAN_CHARS = 400

_HELP = r"(?:help|assistance|advice)"
_THIS = r"(?: (?:with|on) (?:this|that|something|a problem|an issue|it)| out| here)?"
_PLEASE = r"(?: please)?"
#: Whole units of courtesy, on their lower-cased ASCII words joined by one space (``_words``: "I'd" is one word).
_RE_COURTESY = re.compile(
    # thanks: "Thanks!", "Thank you so much in advance.", "Many thanks", "Any help is appreciated."
    r"(?:(?:thanks?(?: you)?|ty|thx|tia|cheers|many thanks)(?: (?:so|very) much| a lot| a ton| again| all)?"
    r"(?: in advance| for (?:your|the|any|all) (?:help|time|assistance|patience))?(?: (?:for|in) advance)?"
    r"|(?:(?:i|i'd|i would|i'll|we|we'd|we would) )?(?:really |greatly |much |very much )?appreciate(?:d)? "
    r"(?:it|any help|your help|that)"
    r"|(?:(?:any|your) )?" + _HELP + r" (?:is|would be|will be|are) (?:much |greatly |really |very |highly |most )?"
    r"(?:appreciated|welcome)|much appreciated"
    # help requests: "Please help me with this.", "Can you help me?", "I need help.", "Help needed"
    r"|(?:please )?help(?: me| us)?" + _THIS + _PLEASE +
    r"|(?:(?:hi|hey|hello|so|ok|okay) )?(?:can|could|would|will) (?:you|someone|anyone|somebody) (?:please )?"
    r"(?:help|assist)(?: me| us)?" + _THIS + _PLEASE +
    r"|(?:(?:i|we) (?:need|want|would like|could use|am looking for)|i'd like|we'd like|i'm looking for|we're looking for)"
    r" (?:some |your |a little |a bit of |urgent )?" + _HELP + _THIS + _PLEASE +
    r"|" + _HELP + r" (?:needed|wanted|please|required)"
    # a question announced: "I have a question:", "Quick question."
    r"|(?:(?:i|we) (?:have|got)|i've got|we've got|got|have) (?:a|one) (?:quick |small |simple |short )?question"
    r"(?: for you)?|(?:a |one )?(?:quick|small|simple|short) question(?: for you)?"
    # a greeting of ``greetings.GREETINGS``, and to whom
    r"|(?:" + "|".join(" ".join(map(re.escape, g)) for g in GREETINGS) + r"|good (?:morning|afternoon|evening|day)"
    r"|greetings)(?: (?:everyone|all|guys|folks|friend|there))?"
    r"|please)")
#: The words a unit of ``_RE_COURTESY`` (or a label) opens and ends with: a text that opens (ends) with another is not
#: read at that end (a set lookup; reading its first unit cost ~5 us). tests/classifiers/test_fast_paths.py checks that
#: the gates skip no end ``_leading_end`` / ``_trailing_start`` would drop.
FIRST_WORDS = frozenset((
    "thanks", "thank", "ty", "thx", "tia", "cheers", "many", "i", "i'd", "i'll", "i've", "i'm", "we", "we'd", "we've",
    "we're", "really", "greatly", "much", "very", "appreciate", "appreciated", "any", "your", "help", "assistance",
    "advice", "please", "so", "ok", "okay", "can", "could", "would", "will", "got", "have", "a", "one", "quick", "small",
    "simple", "short", "greetings", "good", *(g[0] for g in GREETINGS), *LEAD_LABELS))
LAST_WORDS = frozenset((
    "thanks", "thank", "you", "ty", "thx", "tia", "cheers", "much", "lot", "ton", "again", "all", "advance", "help",
    "time", "assistance", "advice", "patience", "it", "that", "appreciated", "welcome", "me", "us", "this", "something",
    "problem", "issue", "out", "here", "please", "needed", "wanted", "required", "question", "assist", "greetings",
    "everyone", "guys", "folks", "friend", "there", "morning", "afternoon", "evening", "day", *(g[-1] for g in GREETINGS)))
#: The marks around a unit's first or last word (``_RE_PLAIN``'s but the apostrophe), and a word (``_RE_WORD``'s).
_EDGE_MARKS = " \t\n.,!?:;~*_#>-"
_RE_WORD_RUN = re.compile(r"[A-Za-z0-9']+")
#: A unit that may be courtesy: at most ``COURTESY_CHARS`` ASCII letters, digits, spaces, an apostrophe and the
#: punctuation that ends or opens a sentence, a heading's or emphasis's marks. No quote, bracket or code mark (a unit
#: with one is material: "… Thanks.'"), no other script, no emoji: such a unit is read as written.
_RE_PLAIN = re.compile(rf"[A-Za-z0-9' \t.,!?:;~*_#>\-]{{1,{COURTESY_CHARS}}}")
_RE_WORD = re.compile(r"[a-z0-9']+")
#: Where a unit may end (``answer_format.units``) or a courtesy prefix's ":" stands, or a line.
_RE_BREAK = re.compile(r"[.!?:](?=\s)|\n")


def _words(unit: str) -> str:
    """The lower-cased words of ``unit`` joined by one space; "" if it is no ``_RE_PLAIN`` unit."""
    return " ".join(_RE_WORD.findall(unit.lower())) if _RE_PLAIN.fullmatch(unit) else ""


def _courtesy(unit: str, leading: bool) -> bool:
    """Whether ``unit`` is a whole unit of courtesy (``_RE_COURTESY``); leading, a label too ("# Question", "Task:")."""
    words = _words(unit)
    return bool(words) and (_RE_COURTESY.fullmatch(words) is not None or leading and words in LEAD_LABELS)


def _leading_end(text: str) -> int:
    """Where the courtesy units opening ``text`` end (0 for none); a unit opened by courtesy up to a ":" ends the run
    after its colon ("Hi! I have a question: what …"; a label so, "Question: is it rude …", is the user's own writing:
    ``fewshot.strip_question_frame``). A unit cut by the scan is not read."""
    end, scan = 0, min(len(text), SCAN_CHARS)
    for n, (start, stop) in enumerate(units(text, 0, scan)):
        if n == MAX_UNITS or (stop == scan < len(text) and text[stop] != "\n"):
            break
        unit = text[start:stop]
        if _courtesy(unit, leading=True):
            end = stop
            continue
        colon = unit.find(": ")
        if 0 < colon and _courtesy(unit[:colon], leading=False):  # not a label: "Question: is it rude …" is the user's
            end = start + colon + 1
        break
    return end


def _trailing_start(text: str, lo: int) -> int:
    """Where the courtesy units ending ``text`` start (``len(text)`` for none), none before ``lo``."""
    begin, scan = len(text), max(lo, len(text) - SCAN_CHARS)
    for n, (start, stop) in enumerate(units_from_end(text, scan)):
        cut = start == scan > 0 and text[scan - 1] != "\n"
        if n == MAX_UNITS or cut or not _courtesy(text[start:stop], leading=False):
            break
        begin = start
    return begin


def strip_courtesy(text: str) -> tuple[str, str]:
    """(``text`` without the courtesy units at its start and end, what was dropped); ``(text, "")`` if it has none or
    if nothing with a letter or a digit would remain (courtesy alone is what is asked: small talk). A text whose first
    (last) unit is longer than a courtesy unit, one with no break in its first (last) ``COURTESY_CHARS`` characters, is
    not read at that end (``_RE_BREAK``): one search each, where reading the units took ~5 us."""
    n, span = len(text), COURTESY_CHARS + 2
    if _RE_BREAK.search(text, 0, span) is None:  # a long first unit, or a short text of one unit
        if n <= span:
            return text, ""
        head = 0
    else:
        first = _RE_WORD_RUN.match(text[:span].lstrip(_EDGE_MARKS))
        head = _leading_end(text) if first is not None and first.group().lower() in FIRST_WORDS else 0
    tail = n
    if _RE_BREAK.search(text, max(head, n - span)) is not None:
        last = _RE_WORD_RUN.match(text[-span:].rstrip(_EDGE_MARKS)[::-1])  # the last word, reversed
        if last is not None and last.group()[::-1].lower() in LAST_WORDS:
            tail = _trailing_start(text, head)
            if text[:tail].rstrip().endswith(":"):  # the material a colon opens: "Translate into French:\nThank you."
                tail = n
    if head == 0 and tail == len(text):
        return text, ""
    question = text[head:tail].strip()
    if not any(c.isalnum() for c in question):
        return text, ""
    return question, " ".join(part for part in (text[:head].strip(), text[tail:].strip()) if part)
