"""A length the request asks for: "Write a 2,000-word essay", "in 5 paragraphs", "a 3-page report".

The answer-length model reads that a length was named (the ``nwords`` shape cue), not the number: "Write a 5,000-word
story." was forecast at 118 tokens, below "a 500-word essay" (181), and a cost cap sized from the estimate let such a
request cost many times it. A length asked for is the answer's floor (as a returned input is: ``classifiers.echo``), in
the answer model's tokens. English only. None is read from a limit ("in 50 words or less", "no longer than 200
words"), a rate ("10 words a minute"), a count of items ("10 words that rhyme"), the size of the material the request
reads ("summarize a 50-page PDF", "feedback on a 3,000-word story") or a question about lengths ("how long does a
300-page novel take?").
"""

from __future__ import annotations

import math
import re
from itertools import repeat

from classifiers.echo import INSTRUCTION_CHARS
from classifiers.lexicons import lower

#: Answer tokens (characters / 4, the answer model's unit) per unit asked for: an English word is ~5.5 characters with
#: its space; a sentence ~20 words, a paragraph ~100, a page ~500.
UNIT_TOKENS = {"word": 1.35, "sentence": 27.0, "paragraph": 135.0, "page": 675.0}
#: The share of the length asked for that the floor takes: answers run under a long length asked for (in the answer-length
#: data, essays asked 1,000 words ran 842 and 931 tokens, one asked 2,000 ran 847).
FLOOR_SHARE = 0.6
#: The most a floor says (a "50,000-word novel" is capped by what the model may write, not by this).
MAX_FLOOR_TOKENS = 32_768

_UNITS = ("word", "sentence", "paragraph", "page")
_NUMBER_WORDS = {"one": 1, "a single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100}
_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?k?|" + "|".join(_NUMBER_WORDS)
_ASKED = re.compile(rf"(?<![\w.,$£€])({_NUMBER})\+?(?:\s*(?:-|–|to)\s*(?:{_NUMBER}))?[ -]?(words?|sentences?|paragraphs?|pages?)\b",
                    re.IGNORECASE)
#: A count these precede (by at most three words: "limit your answer to 100 words") or follow is a limit, not a length asked for.
_LIMIT_BEFORE = re.compile(r"\b(?:under|below|less than|fewer than|at most|no more than|not more than|up to|maximum|max|within|"
                           r"limit|exceed|exceeding|shorter than|longer than|only|brief)\b(?:\W+\w+){0,3}\W*$", re.IGNORECASE)
_LIMIT_AFTER = re.compile(r"^\s*(?:or (?:less|fewer|under|below|shorter)|-?\s*(?:max(?:imum)?|limit|cap)\b|at most|long at most)",
                          re.IGNORECASE)
#: A count these end right before describes the material, not the answer ("this 300-page report", "feedback on a 3,000-word
#: story", "the book has 300 pages").
_MATERIAL_BEFORE = re.compile(r"\b(?:this|the|that|these|those|my|your|his|her|its|our|their|has|have|had|contains?|containing|"
                              r"read|wrote|written|(?:for|on|of|about|from|over|than)\s+(?:a|an))\s+(?:(?!(?:in|to|into)\b)\w+\s+)?$",
                              re.IGNORECASE)
#: A count right after "a"/"an" that a verb reading or handling a text governs is that text's size: "summarize a 300-page
#: report", "a script that reads a 500-page PDF", "celebrating a 300-page dissertation", "help with a 10-page paper".
_READ_BEFORE = re.compile(r"\b(?:summari[sz]e|explain|review|critique|proofread|translate|edit|grade|analy[sz]e|check|"
                          r"reads?|reading|process(?:es|ing)?|pars(?:e|es|ing)|split(?:s|ting)?|extract(?:s|ing)?|announc(?:e|es|ing)|"
                          r"celebrat(?:e|es|ing)|finished|submit(?:s|ted|ting)?|help(?:\s+me)?\s+with)\s+(?:\w+\s+)?(?:a|an)\s+$",
                          re.IGNORECASE)
#: A sentence that asks about a length ("how long does a 300-page novel take?"), asks for a program that handles a text
#: ("a function to count words in a 1000-page document"), or is about the asker's own writing ("I want to write a
#: 50,000-word novel. Where do I start?") asks for none.
_NO_LENGTH_SENTENCE = re.compile(r"\bhow long\b|\b(?:tips|advice|how)\s+(?:for|on|to)\s+writ(?:e|ing)\b|\b(?:script|function|code|program|regex|query|bot|app|tool)\s+(?:that|to|which)\b"
                                 r"|\b(?:i|we)\s+(?:want|need|plan|have|am going|'m going|hope|would like)\s+to\s+(?:write|submit|finish|publish)\b",
                                 re.IGNORECASE)
#: A count of items: "10 words that rhyme with cat", "5 words starting with b".
_ITEMS_AFTER = re.compile(r"^\s+(?:that|which|to|for|from|starting|beginning|ending|rhyming|like|meaning|where)\b", re.IGNORECASE)
#: A request for writing in the count's sentence: an imperative at its start or after "please", "you (to)", "me", "and"
#: ("Write me a 2,000-word essay", "Can you write …", "I want you to write …", "… and write a 1,000-word essay"), or a
#: length it sets ("The essay should be 1,500 words long", "Length: 2,000 words"). A word problem's statement asks for no
#: length: "A 420-page book contains 600 words per page", "Cyrus has been contracted to write a 500 page book".
_REQUEST_VERBS = ("write|compose|draft|create|generate|produce|give|make|prepare|craft|expand|describe|explain|summari[sz]e|tell|"
                  "provide|rewrite|continue|answer|respond|reply|shorten|condense|reduce|trim|cut|turn|convert|expand")
_REQUEST = re.compile(r"(?:^\W*|[,;:]\s*|\b(?:please,?|you|me|us|and|then|now)\s+(?:to\s+)?)(?:" + _REQUEST_VERBS + r")\b"
                      r"|\b(?:i|we)\s+(?:need|want|would like)\b|\b(?:i|we)'d like\b|\bcan i (?:get|have)\b|\blength\s*[:=]|\bminimum length\b"
                      r"|\b(?:it|this|the (?:essay|answer|response|text|article|story|post|piece|summary|letter|report))\s+"
                      r"(?:should|must|needs? to|has to)\s+be\b",
                      re.IGNORECASE)
#: What every alternative of ``_REQUEST`` holds, lower-cased: a sentence with none is not searched (the pattern took
#: 80 us on 300 characters), unless it holds a letter the case-blind match reads as an ASCII one (``_FOLD``).
_REQUEST_WORDS = (*_REQUEST_VERBS.replace("[sz]e", "").split("|"), "need", "want", "would like", "'d like", "can i", "length", "should",
                  "must", "has to")
#: A sentence that opens with the length of a piece of writing asks for it: "500 word essay on my summer vacation".
_WRITING_AFTER = re.compile(r"^\s+(?:\w+\s+)?(?:essay|article|story|post|blog|report|paper|summary|speech|letter|poem|review|chapter)\b",
                            re.IGNORECASE)
#: A rate ("10 words a minute", "600 words per page") is no length.
_RATE_AFTER = re.compile(r"^\s*(?:per|a|an|each|every)\b", re.IGNORECASE)
_ITEMS_BEFORE = re.compile(r"\b(?:list|set|number|pair|group)s?\s+of\s+$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?\n]")
#: What ``_counted_unit`` reads: a unit, and a count's end right before it (at most "+" and a space or hyphen between).
_UNIT = re.compile("|".join(_UNITS))
#: The letters ``_ASKED``'s case-blind match reads as ASCII ones: a count or unit holding one is read as it ("5 ſentences"
#: raised a KeyError, "fıve words" a ValueError).
_FOLD = str.maketrans({"ı": "i", "İ": "i", "ſ": "s", "\u212a": "k"})
#: Those letters that ``str.lower`` leaves non-ASCII (the Kelvin sign lower-cases to "k"): a text holding one is searched.
_READ_AS_ASCII = "ıſİ"
_COUNT_END = re.compile(rf"(?:\d|k|{'|'.join(_NUMBER_WORDS)})\+?[ -]?$")


def asked_tokens(text: str) -> float:
    """Answer tokens the length ``text`` asks for (0 for none), read in its instruction: the first and last
    ``INSTRUCTION_CHARS`` of a longer text (a document's "300 pages" is its content, not the request)."""
    if len(text) > 2 * INSTRUCTION_CHARS:
        text = text[:INSTRUCTION_CHARS] + "\n" + text[-INSTRUCTION_CHARS:]
    lowered = lower(text)
    if not any(unit in lowered for unit in _UNITS) or not _counted_unit(text, lowered):  # most prompts: the regexes stay unrun
        return 0.0
    best = 0.0
    requests: dict[str, bool] = {}  # what the sentence-wide searches found, per sentence: counts can share one
    no_length: dict[str, bool] = {}
    for match in _ASKED.finditer(text):
        before, after = text[max(0, match.start() - 30): match.start()], text[match.end():]
        before = _SENTENCE_END.split(before)[-1]  # in the count's sentence only ("… the topic below. Minimum length 1500 words")
        if _LIMIT_AFTER.match(after) or _RATE_AFTER.match(after) or _ITEMS_AFTER.match(after):
            continue
        sentence = _sentence(text, match.start(), match.end())  # (each test a filter: the cheap ones first)
        if not (_read(_REQUEST, sentence, requests, _REQUEST_WORDS) or (sentence.lstrip().startswith(match.group(0)) and _WRITING_AFTER.match(after))):
            continue
        if (_LIMIT_BEFORE.search(before) or _MATERIAL_BEFORE.search(before) or _ITEMS_BEFORE.search(before) or _READ_BEFORE.search(before)
                or _read(_NO_LENGTH_SENTENCE, sentence, no_length)):
            continue
        best = max(best, _count(match.group(1)) * UNIT_TOKENS[match.group(2).translate(_FOLD).lower().rstrip("s")] * FLOOR_SHARE)
    return min(best, MAX_FLOOR_TOKENS)


def _counted_unit(text: str, lowered: str) -> bool:
    """Whether a unit in ``lowered`` (``text`` lower-cased) follows what can end a count: a digit, "k", a number word
    (the ``_ASKED`` scan, 50 us on 600 characters, then runs only there: "password", "pages" alone name no length).
    Where ``_ASKED``'s case-blind match reads a character as an ASCII letter that ``str.lower`` does not make one
    ("ı", "ſ", "İ"), it always runs."""
    return any(_COUNT_END.search(lowered, max(0, unit.start() - 12), unit.start()) for unit in _UNIT.finditer(lowered)) or any(
        map(text.__contains__, _READ_AS_ASCII))


def asked_floor(text: str) -> float:
    """``log`` of ``asked_tokens`` (a floor of the answer's log tokens), 0 when nothing is asked."""
    tokens = asked_tokens(text)
    return math.log(tokens) if tokens > 1.0 else 0.0


def _read(pattern: re.Pattern[str], sentence: str, found: dict[str, bool], words: tuple[str, ...] = ()) -> bool:
    """Whether ``pattern`` occurs in ``sentence``, searched once per sentence (``found``: what earlier ones gave; a request
    repeating "100-word" in one 600-character sentence searched it for each count: 1.3 ms); with ``words``, only in a
    sentence whose lower case holds one of them or that holds a letter the case-blind match reads as an ASCII one."""
    if (hit := found.get(sentence)) is None:
        hit = found[sentence] = (not words or any(map(sentence.lower().__contains__, words)) or any(map(sentence.__contains__, _READ_AS_ASCII))) and (
            pattern.search(sentence) is not None)
    return hit


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence (or line) holding ``text[start:end]`` (from the last end before it: one ``rfind`` per end mark; a scan
    of every end before each count took 1.4 ms on a request repeating "100-word")."""
    after = _SENTENCE_END.search(text, end)
    return text[max(map(text.rfind, ".!?\n", repeat(0), repeat(start))) + 1: after.start() if after else len(text)]


def _count(text: str) -> float:
    lowered = lower(text.translate(_FOLD))
    if lowered in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[lowered])
    if lowered.endswith("k"):
        return float(lowered[:-1]) * 1000
    return float(lowered.replace(",", ""))
