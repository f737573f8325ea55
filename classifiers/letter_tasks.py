"""Letter-level operations and exact counts that a request asks for: a puzzle, not a piece of writing.

A small model reads tokens, not letters, so without thinking it fails to count the s's in "possessiveness",
to spell a word backwards, to keep the letter e out of a paragraph or to write lines of exactly 8 words.
With thinking it mostly succeeds. The words of such requests, though, are those of plain writing ("Write a
paragraph …") or of a short question, so they scored like a haiku (0.03-0.34; review_s40_sweep40 C3/C4).
The outcome data holds almost none of them (one alpaca_eval prompt, none in arena-bench), so no weight of their own can
be learned, and a fitted cue would be taught by the two or three training prompts that have one. ``features`` therefore
carries them through unfitted routes into what the model already weighs: each kind of task found counts in the
reasoning domain (as a chain of relations does), the request's writing cues are dropped (the paragraph is the
puzzle's answer, not a piece of writing to judge), and the length prior reads the request as ``LETTER_TASK_CHARS``
longer (the work it asks for is not in its words, as for a request for a program).

Only the request is read: the first ``SCAN_HEAD`` and last ``SCAN_TAIL`` characters (pasted material sits
between), lower-cased. Each pattern stays inside one sentence. Not counted: plain lengths ("a 300-word
post", "in under 80 words", "about 100 words"), an acrostic for a name, "What is a palindrome?", a letter
to a landlord, the letter grade B+; nor the format instructions of chat traffic, which a small model follows
("Answer in exactly one word", "in exactly two sentences", "exactly 4 lines", "each sentence no longer than 15
words", "every line starts with 'I remember'", "names that start with the letters A or E": review_s40_diff H2).
Each kind's pattern is searched only in the sentences holding one of its rare trigger substrings, so a request
with none costs a few ``find`` calls.
"""

from __future__ import annotations

import re

from classifiers.lexicons import lower
from classifiers.quantities import digits_zeroed

__all__ = ["KIND_ANCHORS", "LETTER_TASK_CHARS", "MAX_DECIMAL_PAIRS", "MAX_TASKS", "SCAN_HEAD", "SCAN_TAIL", "TASK_PATTERNS", "letter_tasks"]

#: The request is read in the first and last this many characters of the turn.
SCAN_HEAD = 400
SCAN_TAIL = 200
#: Characters a letter task's request reads as longer in the length prior: as for a request for a program
#: (``written_code.REQUEST_EXTRA_CHARS``), the work it asks for is not in its words ("Spell 'encyclopedia' backwards.").
LETTER_TASK_CHARS = 60
#: At most this many distinct kinds of task count (a request names one or two).
MAX_TASKS = 3
_S = r"[^.?!\n]"  # a character inside the sentence
_ENDS = ".?!\n"  # what ends a sentence: no pattern crosses one
_Q = "['\"\u2018\u2019\u201c\u201d]"  # a quote around a letter or a word
_NUM = (r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
        r"|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)")
_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
_TEENS = r"ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
#: An exact count of words worth counting: 8 to 150 ("exactly one word", "in exactly five words" are easy; "exactly 2000
#: words" cannot be counted, thinking or not).
_WORDS_8_150 = rf"(?:(?:[89]|[1-9]\d|1[0-4]\d|150)|eight|nine|{_TEENS}|{_TENS}|(?:one |a )?hundred)"
#: An exact count of syllables, letters or characters worth counting: 5 to 150 (a haiku's five, a six-letter word).
_UNITS_5_150 = rf"(?:(?:[5-9]|[1-9]\d|1[0-4]\d|150)|five|six|seven|eight|nine|{_TEENS}|{_TENS}|(?:one |a )?hundred)"
#: The words or syllables of each line or sentence: three or more, said exactly ("has 8 words", not "no longer than 15").
_PER_LINE = rf"(?:[3-9]|[1-9]\d{{1,2}}|three|four|five|six|seven|eight|nine|{_TEENS}|{_TENS})"
_ORDINAL = (r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|middle|penultimate"
            r"|\d+(?:st|nd|rd|th))")
_UNITS = r"(?:letters?|vowels?|consonants?|syllables?|characters?)"
_ONE_LETTER = rf"{_Q}?[a-z]{_Q}?(?![a-z0-9])"
#: A single letter a word or line starts with: quoted ("'s'", not "'I remember'") or bare before the sentence's end or a
#: comma ("with b.", not "with a word", "with I remember").
_INITIAL = rf"(?:{_Q}[a-z]{_Q}|[a-z](?=[,;:)]|$))"

_WORD = r"\b(?:word|name|sentence|phrase|paragraph|text)s?\b"  # what letters are counted in

#: One pattern per kind of task (the name says which); a kind counts once however often it occurs.
_TASKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # how many s's in a word, how many letters or syllables a word has, count the vowels in a name, count the r's
    ("count", (rf"\bhow many {_UNITS}\b{_S}{{0,40}}(?:{_WORD}|{_Q})",
               rf"\bhow many times (?:does|do|is|are) (?:the )?(?:letter |character )?{_ONE_LETTER} (?:appear|occur|show)",
               rf"\bhow many times (?:the )?(?:letter|character) {_ONE_LETTER} (?:appears|occurs|shows up)\b",
               rf"\bhow many {_Q}?[a-z]{_Q}?'?s\b (?:are |is )?(?:there )?(?:in|does|appear)\b",
               r"\bhow many words (?:are )?(?:there )?in (?:this|the|that|my|the following) (?:sentence|phrase|line)\b",
               rf"\bcount (?:the )?(?:number of )?(?:{_UNITS}|occurrences of the letter)\b{_S}{{0,40}}(?:{_WORD}|{_Q})",
               rf"\bcount (?:all )?(?:the )?(?:{_Q}[a-z]{_Q}'?s|[a-z]'s) in\b")),
    # the 7th letter of a word, the last letter of each word, the third letter from the end
    ("index", (rf"\b{_ORDINAL} letters? (?:of|in) (?:each\b|every\b|the (?:word|name|sentence|phrase)|{_Q})",
               r"\bletters? from the (?:end|start|beginning|right|left)\b")),
    # spelt backwards or in reverse, the letters reversed (not "in reverse chronological order")
    ("reverse", (rf"\b(?:spell|spelled|spelt|write|written|read|say|print)\b{_S}{{0,40}}\bbackwards?\b",
                 r"\breverse (?:the )?(?:order of (?:the )?)?(?:letters|spelling|characters|word)\b",
                 rf"\b(?:letters|characters|spell|spelled|spelt)\b{_S}{{0,30}}\bin reverse\b",
                 rf"\b(?:write|print|say) (?:the (?:word|name) )?(?:{_Q}[a-z]+{_Q}|[a-z]+) in reverse\b(?! chronolog)",
                 r"\bbackwards? spelling\b")),
    # a word's letters sorted, words sorted by a letter (not "sort these letters by date")
    ("order", ((rf"\b(?:sort|order|alphabeti[sz]e|rearrange|put)\b{_S}{{0,25}}\bletters (?:of|in) "
               rf"(?:the (?:word|name)|{_Q}|each\b|every\b)"),
               rf"\bletters\b{_S}{{0,40}}\balphabetical(?:ly)?\b", rf"\bby (?:their|its|the) {_ORDINAL} letter\b")),
    ("anagram", (r"\banagrams? (?:of|for)\b", rf"\bare\b{_S}{{0,30}}\banagrams\b")),
    # write a palindrome / pangram / lipogram; is 'racecar' a palindrome (not "What is a palindrome?")
    ("palindrome", ((r"\b(?:write|compose|create|make|give|come up with|invent|form|construct|generate|think of)\b"
                    rf"{_S}{{0,40}}\b(?:palindrom|pangram|lipogram)"),
                    rf"(?:{_Q}|\bis (?!it\b|this\b|that\b)[a-z]+) an? (?:palindrome|pangram)\b")),
    # a lipogram: without (using) the letter e, no word contains the letter a
    ("lipogram", ((rf"\b(?:without|no|not|never|avoid\w*|omit\w*|exclud\w*|free of|don'?t use)\b{_S}{{0,30}}"
                  rf"\bletters? {_ONE_LETTER}"),)),
    # every word starts with b, each line begins with the next (a different) letter (review_s40_b L1), lines that begin with the letters s, p, r …,
    # names that end with the letter x (not "names that start with the letter A" nor "the letters A or E": easy; nor
    # "every sentence starts with a capital", "every line starts with 'I remember'", "ends with a word that rhymes")
    ("starts", ((rf"\b(?:every|each|all) (?:word|line|sentence|verse)s?\b{_S}{{0,40}}"
                 r"\b(?:start|starts|starting|begin|begins|beginning|end|ends|ending) with (?:the |a |an )?"
                 rf"(?:(?:same |next |following |different |distinct |successive )?(?:letters?|vowels?|consonants?)\b|{_INITIAL})"),
                r"\b(?:end|ends|ending) with (?:the |a |an )?(?:same )?(?:letters?|vowels?|consonants?)\b",
                (r"\b(?:start|starts|starting|begin|begins|beginning) with (?:the |a )?(?:next letter|following letter"
                 r"|same letter|consecutive letters|letters [a-z]\b(?:(?:, | |,? and |,? then )[a-z]\b){2}"
                 r"|letters [a-z] (?:to|through) [a-z]\b)"))),
    # the first letters spell a word; each word one letter longer; under 40 letters (exactly: the kind "exact")
    ("spell", (rf"\b(?:first|initial|last) letters?\b{_S}{{0,60}}\bspell", r"\b(?:one|two|a|\d+) letters? (?:longer|shorter)\b",
               rf"\b(?:under|fewer than|less than|at most|no more than) {_NUM} letters\b")),
    # exactly 20 words, exactly ten syllables, exactly 6 letters; every line has 8 words (not "exactly one word",
    # "exactly two sentences", "exactly 4 lines": easy; nor "each sentence no longer than 15 words": a maximum)
    ("exact", (rf"\bexactly {_WORDS_8_150}[- ]words?\b",
               rf"\bexactly {_UNITS_5_150}[- ](?:syllables?|letters?|characters?)\b",
               (rf"\b(?:every|each) (?:line|sentence|verse)\b{_S}{{0,30}}\b(?:exactly|has|have|contains?|with|of|is|be"
                rf"|uses?) {_PER_LINE} (?:words|syllables)\b"))),
)
#: The substrings one of which each match of each kind's pattern holds: a kind's pattern is searched only in the sentences
#: that hold one (C-speed ``find``: most requests search none; none of them is common, like "from the").
_KIND_TRIGGERS = {
    "count": ("how many", "count "),
    "index": ("letter of", "letters of", "letter in", "letters in", "letter from", "letters from"),
    "reverse": ("backward", "reverse"), "anagram": ("anagram",),
    # an ordinal's last two letters before " letter": first, second, third, fifth, last, middle, penultimate, 7th
    "order": ("letters of", "letters in", "alphabetical", "st letter", "nd letter", "rd letter", "th letter", "le letter",
              "te letter"),
    "palindrome": ("palindrom", "pangram", "lipogram"), "lipogram": ("letter",),
    "starts": ("start with", "starts with", "starting with", "begin with", "begins with", "beginning with", "end with",
               "ends with", "ending with"),
    "spell": ("spell", "longer", "shorter", " letters"),
    "exact": ("exactly", "every line", "each line", "every sentence", "each sentence", "every verse", "each verse"),
}
TASK_PATTERNS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = tuple(
    (name, _KIND_TRIGGERS[name], re.compile("|".join(alternatives))) for name, alternatives in _TASKS)
#: Substrings one of which each trigger of a kind holds: a kind none of whose anchors the request holds is not looked at
#: (16 searches instead of the triggers' 44 on most requests: 15 of the 40 us this module took on 2,000 characters).
KIND_ANCHORS = {
    "count": ("how many", "count "), "index": ("letter",), "reverse": ("backward", "reverse"), "anagram": ("anagram",),
    "order": ("letter", "alphabetical"), "palindrome": ("palindrom", "gram"), "lipogram": ("letter",), "starts": (" with",),
    "spell": ("spell", "longer", "shorter", "letter"), "exact": ("exactly", "every ", "each "),
}
_ANCHORS = tuple(dict.fromkeys(a for anchors in KIND_ANCHORS.values() for a in anchors))

#: Two decimals compared ("Which is larger: 9.11 or 9.9?", "Is 3.45 bigger than 3.5?"): a trap only when their
#: decimal parts differ in length (a token-reading model compares 11 with 9).
_COMPARE = r"(?:larger|bigger|greater|smaller|less|more|higher|lower|largest|biggest|greatest|smallest)"
_RE_DECIMAL = re.compile(r"\d\.\d")
_RE_DECIMALS = re.compile(r"(?<![\d.])\d+\.(\d+)\s*(?:or|vs\.?|versus|and|,)\s*\d+\.(\d+)(?![\d.])")
_RE_DECIMALS_THAN = re.compile(rf"(?<![\d.])\d+\.(\d+) (?:is )?{_COMPARE} than \d+\.(\d+)(?![\d.])")
#: The same on zeroed text (``digits_zeroed``): a literal "0" opens them, so the engine jumps between digits (a table of
#: figures: 20-25 us for 2,000 characters tried at every position, 5-12 us so), the look-behind after it.
_RE_DECIMALS0 = re.compile(r"0(?<![0.]0)0*\.(0+)\s*(?:or|vs\.?|versus|and|,)\s*0+\.(0+)(?![0.])")
_RE_DECIMALS_THAN0 = re.compile(rf"0(?<![0.]0)0*\.(0+) (?:is )?{_COMPARE} than 0+\.(0+)(?![0.])")
_RE_COMPARE = re.compile(rf"\b{_COMPARE}\b")
_COMPARE_STEMS = ("larg", "bigg", "great", "small", "less", "more", "high", "low")  # one in each word of _COMPARE
COMPARE_BEFORE = 60
COMPARE_AFTER = 40
#: Only the first this many pairs of decimals are looked at for a word of comparison (a table of figures has many).
MAX_DECIMAL_PAIRS = 8


def _request(text: str) -> str:
    """The lower-cased head and tail of ``text``, where a request's instruction is."""
    if len(text) <= SCAN_HEAD + SCAN_TAIL:
        return lower(text)
    return lower(text[:SCAN_HEAD] + "\n" + text[-SCAN_TAIL:])


def _compares_decimals(t: str) -> bool:
    """Whether ``t`` compares two decimals whose decimal parts differ in length: "than" between them, or "or" (vs,
    versus, and, a comma) and a word of comparison within ``COMPARE_BEFORE`` characters before or ``COMPARE_AFTER``
    after them (in the first ``MAX_DECIMAL_PAIRS`` such pairs)."""
    # a digit, ".", a digit: "0.0" once its digits are zeroed, a str search (the pattern took 10 us on 600 characters);
    # the pattern where another decimal digit occurs
    if not ("0.0" in t0 if (t0 := digits_zeroed(t)) is not None else _RE_DECIMAL.search(t) is not None):
        return False
    than, pairs, u = (_RE_DECIMALS_THAN, _RE_DECIMALS, t) if t0 is None else (_RE_DECIMALS_THAN0, _RE_DECIMALS0, t0)
    if " than " in t:
        for m in than.finditer(u):
            if len(m.group(1)) != len(m.group(2)):
                return True
    for i, m in enumerate(pairs.finditer(u)):
        if i == MAX_DECIMAL_PAIRS:
            break
        if len(m.group(1)) != len(m.group(2)) and _compares(t[max(m.start() - COMPARE_BEFORE, 0):m.end() + COMPARE_AFTER]):
            return True
    return False


def _compares(window: str) -> bool:
    """Whether ``window`` holds a word of comparison (``_RE_COMPARE``, searched only when a stem of one occurs: opened by
    ``\\b``, it is tried at every position, 2-3 us on a pair's 100 characters)."""
    return any(stem in window for stem in _COMPARE_STEMS) and _RE_COMPARE.search(window) is not None


def _in_a_sentence(t: str, triggers: tuple[str, ...], pattern: re.Pattern[str]) -> bool:
    """Whether ``pattern`` matches in a sentence of ``t`` that holds one of ``triggers`` (each such sentence searched once,
    with ``pos``/``endpos``: a sentence's ends are no word characters, so ``\\b`` reads as in the whole text)."""
    searched: set[int] = set()
    for k in triggers:
        p = t.find(k)
        while p >= 0:
            start = max(t.rfind(c, 0, p) for c in _ENDS) + 1
            ends = [e for e in (t.find(c, p) for c in _ENDS) if e >= 0]
            end = min(ends) if ends else len(t)
            if start not in searched:
                searched.add(start)
                if pattern.search(t, start, end) is not None:
                    return True
            p = t.find(k, end)
    return False


def letter_tasks(text: str) -> int:
    """The distinct kinds of letter-level or exact-count task the request in ``text`` asks for (at most
    ``MAX_TASKS``; the kinds of ``TASK_PATTERNS`` and a decimal comparison)."""
    t = _request(text)
    present = set(filter(t.__contains__, _ANCHORS))
    n = sum(1 for name, triggers, pat in TASK_PATTERNS if not present.isdisjoint(KIND_ANCHORS[name]) and _in_a_sentence(t, triggers, pat))
    if n < MAX_TASKS and _compares_decimals(t):
        n += 1
    return min(n, MAX_TASKS)
