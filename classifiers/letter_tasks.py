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
to a landlord, the letter grade B+.
"""

from __future__ import annotations

import re

__all__ = ["LETTER_TASK_CHARS", "MAX_TASKS", "SCAN_HEAD", "SCAN_TAIL", "TASK_PATTERNS", "letter_tasks"]

#: The request is read in the first and last this many characters of the turn.
SCAN_HEAD = 400
SCAN_TAIL = 200
#: Characters a letter task's request reads as longer in the length prior: as for a request for a program
#: (``written_code.REQUEST_EXTRA_CHARS``), the work it asks for is not in its words ("Spell 'encyclopedia' backwards.").
LETTER_TASK_CHARS = 60
#: At most this many distinct kinds of task count (a request names one or two).
MAX_TASKS = 3
_S = r"[^.?!\n]"  # a character inside the sentence
_Q = "['\"\u2018\u2019\u201c\u201d]"  # a quote around a letter or a word
_NUM = (r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
        r"|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)")
_ORDINAL = (r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|middle|penultimate"
            r"|\d+(?:st|nd|rd|th))")
_UNITS = r"(?:letters?|vowels?|consonants?|syllables?|characters?)"
_ONE_LETTER = rf"{_Q}?[a-z]{_Q}?(?![a-z0-9])"

_WORD = r"\b(?:word|name|sentence|phrase|paragraph|text)s?\b"  # what letters are counted in

#: One pattern per kind of task (the name says which); a kind counts once however often it occurs.
_TASKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # how many s's in a word, how many letters or syllables a word has, count the vowels in a name
    ("count", (rf"\bhow many {_UNITS}\b{_S}{{0,40}}(?:{_WORD}|{_Q})",
               rf"\bhow many times (?:does|do|is|are) (?:the )?(?:letter |character )?{_ONE_LETTER} (?:appear|occur|show)",
               rf"\bhow many {_Q}?[a-z]{_Q}?'?s\b (?:are |is )?(?:there )?(?:in|does|appear)\b",
               r"\bhow many words (?:are )?(?:there )?in (?:this|the|that|my|the following) (?:sentence|phrase|line)\b",
               rf"\bcount (?:the )?(?:number of )?(?:{_UNITS}|occurrences of the letter)\b{_S}{{0,40}}(?:{_WORD}|{_Q})")),
    # the 7th letter of a word, the last letter of each word, the third letter from the end
    ("index", (rf"\b{_ORDINAL} letters? (?:of|in) (?:each\b|every\b|the (?:word|name|sentence|phrase)|{_Q})",
               r"\bletters? from the (?:end|start|beginning|right|left)\b")),
    # spelt backwards, the letters reversed
    ("reverse", (rf"\b(?:spell|spelled|spelt|write|written|read|say|print)\b{_S}{{0,40}}\bbackwards?\b",
                 r"\breverse (?:the )?(?:order of (?:the )?)?(?:letters|spelling|characters|word)\b",
                 rf"\b(?:letters|characters)\b{_S}{{0,30}}\bin reverse\b", r"\bbackwards? spelling\b")),
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
    # every word starts with b, lines that begin with the letters s, p, r …, names that end with the letter x
    # (not "names that start with the letter A": easy; nor "every sentence starts with a capital", "each line ending with apple")
    ("starts", ((rf"\b(?:every|each|all) (?:word|line|sentence|verse)s?\b{_S}{{0,40}}"
                 r"\b(?:start|starts|starting|begin|begins|beginning|end|ends|ending) with (?:the |a |an )?"
                 rf"(?:(?:same |next |following )?(?:letters?|vowels?|consonants?|word)\b|(?!a [a-z]){_ONE_LETTER})"),
                r"\b(?:end|ends|ending) with (?:the |a |an )?(?:same )?(?:letters?|vowels?|consonants?)\b",
                (r"\b(?:start|starts|starting|begin|begins|beginning) with (?:the )?(?:letters|next letter|following letter"
                r"|same letter)\b"))),
    # the first letters spell a word; each word one letter longer; under 40 letters
    ("spell", (rf"\b(?:first|initial|last) letters?\b{_S}{{0,60}}\bspell", r"\b(?:one|two|a|\d+) letters? (?:longer|shorter)\b",
               rf"\b(?:under|fewer than|less than|at most|exactly|no more than) {_NUM} letters\b")),
    # exactly 12 lines, exactly ten syllables; every line has 8 words
    ("exact", ((rf"\bexactly {_NUM}(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?[- ]"
               r"(?:words?|lines?|syllables?|sentences?|letters?|characters?)\b"),
               rf"\b(?:every|each) (?:line|sentence|verse)\b{_S}{{0,30}}\b{_NUM} (?:words|syllables)\b")),
)
#: The substrings one of which each kind's pattern needs (a C-speed filter: most requests run none of them).
_KIND_TRIGGERS = {
    "count": ("how many", "count "), "index": ("letter of", "letters of", "letter in", "letters in", "from the"),
    "reverse": ("backward", "reverse"), "order": ("letters of", "letters in", "alphabetical", "by their", "by its", "by the"),
    "anagram": ("anagram",), "palindrome": ("palindrom", "pangram", "lipogram"), "lipogram": ("letter",),
    "starts": ("start with", "starts with", "starting with", "begin with", "begins with", "beginning with", "end with",
               "ends with", "ending with"),
    "spell": ("spell", "longer", "shorter", " letters"),
    "exact": ("exactly", "every line", "each line", "every sentence", "each sentence", "every verse", "each verse"),
}
TASK_PATTERNS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = tuple(
    (name, _KIND_TRIGGERS[name], re.compile("|".join(alternatives))) for name, alternatives in _TASKS)

#: Two decimals compared ("Which is larger: 9.11 or 9.9?", "Is 3.45 bigger than 3.5?"): a trap only when their
#: decimal parts differ in length (a token-reading model compares 11 with 9).
_COMPARE = r"(?:larger|bigger|greater|smaller|less|more|higher|lower|largest|biggest|greatest|smallest)"
_RE_DECIMALS = re.compile(r"(?<![\d.])\d+\.(\d+)\s*(?:or|vs\.?|versus|and|,)\s*\d+\.(\d+)(?![\d.])")
_RE_DECIMALS_THAN = re.compile(rf"(?<![\d.])\d+\.(\d+) (?:is )?{_COMPARE} than \d+\.(\d+)(?![\d.])")
_RE_COMPARE = re.compile(rf"\b{_COMPARE}\b")
COMPARE_BEFORE = 60
COMPARE_AFTER = 40


def _request(text: str) -> str:
    """The lower-cased head and tail of ``text``, where a request's instruction is."""
    if len(text) <= SCAN_HEAD + SCAN_TAIL:
        return text.lower()
    return (text[:SCAN_HEAD] + "\n" + text[-SCAN_TAIL:]).lower()


def _compares_decimals(t: str) -> bool:
    """Whether ``t`` compares two decimals whose decimal parts differ in length: "than" between them, or "or" (vs,
    versus, and, a comma) and a word of comparison within ``COMPARE_BEFORE`` characters before or ``COMPARE_AFTER``
    after them."""
    for m in _RE_DECIMALS_THAN.finditer(t):
        if len(m.group(1)) != len(m.group(2)):
            return True
    for m in _RE_DECIMALS.finditer(t):
        if len(m.group(1)) != len(m.group(2)) and _RE_COMPARE.search(
                t[max(m.start() - COMPARE_BEFORE, 0):m.end() + COMPARE_AFTER]) is not None:
            return True
    return False


def letter_tasks(text: str) -> int:
    """The distinct kinds of letter-level or exact-count task the request in ``text`` asks for (at most
    ``MAX_TASKS``; the kinds of ``TASK_PATTERNS`` and a decimal comparison)."""
    t = _request(text)
    n = sum(1 for _, triggers, pat in TASK_PATTERNS if any(k in t for k in triggers) and pat.search(t) is not None)
    if n < MAX_TASKS and "." in t and ("than" in t or "or" in t or "vs" in t or "versus" in t or "and" in t or "," in t) \
            and _compares_decimals(t):
        n += 1
    return min(n, MAX_TASKS)

