"""Answer-shape cues and head n-grams: the inputs of the answer-length model only.

The cues are the named groups of one regex (``_RE_SHAPE``) found by ``finditer`` over the
lower-cased head of the last user turn. ``shape_matches`` reproduces that ``finditer`` exactly
but only tries the alternatives at the word starts where one can match (see its docstring);
``shape_matches_reference`` is the plain ``finditer`` it is tested against. With the C accelerator
the same walk runs in C (``_speedups_shape.c``) on ASCII heads; ``shape_matches_python`` is the
fallback.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from itertools import accumulate, compress, pairwise

from classifiers.lexicons import SPEEDUPS, lower_words
from classifiers.text import Conversation

#: The answer-length model reads n-grams from the head of the last user turn only: the
#: instruction is there, and the input text that follows it says little beyond its length.
GRAM_CHARS = 300
_NUMWORD = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
            "twelve": 12, "fifteen": 15, "twenty": 20, "a few": 3, "several": 5}
#: A count: digits (thousands separated by commas, "1,000", or not followed by such a group, so the
#: "1" of "1,000 words" is no list size), or a number word.
_NUM = r"(\d{1,3}(?:,\d{3})+(?!,?\d)|\d{1,4}(?!,\d{3})|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|a few|several)"
#: One pass of one regex over the lower-cased head; the named group that matched is the cue.
_RE_SHAPE = re.compile(
    r"(?P<listn>\b(?:list|give|name|provide|suggest|generate|write|create|come up with|brainstorm|recommend)"
    r"\b[^.?!\n]{0,25}?\b" + _NUM + r"\b(?![ -]?(?:words?|sentences?|paragraphs?|lines?|pages?)\b))"
    r"|(?P<nwords>\b" + _NUM + r"[ -]?(?:words?|sentences?|paragraphs?|lines?|pages?|bullet)\b)"
    r"|(?P<longform>\b(?:essay|story|stories|article|blog|report|letter|speech|script|itinerary|recipe|"
    r"lesson plan|cover letter|guide|tutorial|proposal|outline|chapter|screenplay|dialogue|conversation)\b)"
    r"|(?P<detail>\b(?:in detail|detailed|comprehensive|elaborate|in depth|in-depth|thorough|step by step|"
    r"step-by-step|explain|describe|discuss|analy[sz]e|compare|pros and cons)\b)"
    r"|(?P<short>\b(?:one word|single word|one sentence|a sentence|briefly|brief|short|concise|tl;dr|"
    r"yes or no|true or false|only the|just the|one-word|in a word|one line|number only)\b)"
    r"|(?P<classify>\b(?:classify|categorize|sentiment|label|identify|extract|which of|choose|select|pick|"
    r"is it|true or false|correct answer|spell|fix the grammar|grammar)\b)"
    r"|(?P<code>\b(?:write|implement|create|build|code|program|function|script|class|sql|python|javascript|"
    r"java|c\+\+|regex|html|css|bash)\b)"
    r"|(?P<rewrite>\b(?:rewrite|rephrase|paraphrase|translate|proofread|correct|edit|revise|improve|polish|"
    r"convert|format|reformat|make it|shorten|simplify)\b)"
    r"|(?P<summary>\b(?:summari[sz]e|summary|tl;dr|key points|main points|abstract)\b)"
    r"|(?P<poem>\b(?:poem|haiku|limerick|lyrics|song|rap|slogan|tagline|tweet|title|headline|caption|joke|"
    r"name for|names for)\b)"
    r"|(?P<wh>^(?:what|who|when|where|which)\b)"
    r"|(?P<yn>^(?:is|are|can|does|do|did|was|were|will|would|should|could|has|have)\b)"
    r"|(?P<howwhy>^(?:how|why)\b)"
)
SHAPE_GROUPS: tuple[str, ...] = ("listn", "nwords", "longform", "detail", "short", "classify", "code", "rewrite",
                                 "summary", "poem", "wh", "yn", "howwhy")
SHAPE_NAMES: tuple[str, ...] = (
    *(f"answer cue: {g}" for g in SHAPE_GROUPS),
    "answer cue: list size (log)", "answer cue: requested words (log)",
    "rewrite x input length", "summary x input length", "input after the instruction (log chars)",
    "ends with a question mark", "head has a colon or newline",
)
N_SHAPE = len(SHAPE_NAMES)


def _num(text: str) -> float:
    text = text.strip().replace(",", "")
    if text.isdigit():
        return float(text)
    return float(_NUMWORD.get(text, 0))



def _shape_keywords(src: str) -> dict[str, set[str]]:
    r"""Keywords of the alternative's first ``(?:...)`` list as plain strings (``[sz]``
    expanded), by their first ``\w+`` token."""
    i = src.index("(?:") + 3
    out: dict[str, set[str]] = {}
    for kw in src[i : src.index(")", i)].split("|"):
        kw = kw.replace("\\+", "+")
        variants = [kw]
        if "[" in kw:  # analy[sz]e
            j, k = kw.index("["), kw.index("]")
            variants = [kw[:j] + c + kw[k + 1 :] for c in kw[j + 1 : k]]
        for v in variants:
            assert not any(c in v for c in "\\[]()?*{}|^$") and re.match(r"\w", v), v
            out.setdefault(re.match(r"\w+", v).group(), set()).add(v)  # type: ignore[union-attr]
    return out


#: Alternatives to try at a token, in priority order: (group index, pattern, ``n``, ``second``).
#: ``n > 0``: the pattern is ``\b(?:keywords)\b`` and the token itself is its only keyword
#: starting with that token, so it matches there with exactly the token's ``n`` characters (no
#: regex call). ``second``: when every such keyword has more words ("in detail", "tl;dr"), the
#: set of their second ``\w+`` tokens; the pattern cannot match unless the next token is one.
Attempt = tuple[int, re.Pattern[str], int, "frozenset[str] | None"]
Attempts = tuple[Attempt, ...]


def _alternatives() -> tuple[dict[str, Attempts], dict[str, Attempts], Attempts]:
    r"""``_RE_SHAPE`` split into its alternatives, each compiled alone, indexed by the ``\w+``
    token a match can start at: keyword alternatives by the first token of their keywords,
    ``^``-anchored ones (tried at position 0 only) likewise, and ``nwords`` (a number).
    Every alternative starts with ``\b`` and a word character (or ``^``), so a match starts
    where a ``\w+`` token starts, and ends a keyword with ``\b``, so that token is the
    keyword's first token."""
    srcs = re.split(r"\|(?=\(\?P<)", _RE_SHAPE.pattern)
    assert "|".join(srcs) == _RE_SHAPE.pattern and len(srcs) == len(SHAPE_GROUPS)
    first: dict[str, list[Attempt]] = {}
    anchored: dict[str, list[Attempt]] = {}
    nwords: Attempts = ()
    for gi, src in enumerate(srcs):
        g = SHAPE_GROUPS[gi]
        pat = re.compile(src)
        if g == "nwords":
            nwords = ((gi, pat, 0, None),)
            continue
        table = anchored if src.startswith(f"(?P<{g}>^") else first
        plain = re.fullmatch(rf"\(\?P<{g}>(?:\^|\\b)\(\?:[^()]*\)\\b\)", src) is not None  # \b(?:kw|...)\b
        for tok, kws in _shape_keywords(src).items():
            seconds = [re.findall(r"\w+", kw)[1:2] for kw in kws]
            second = frozenset(x[0] for x in seconds) if all(seconds) else None
            table.setdefault(tok, []).append((gi, pat, len(tok) if plain and kws == {tok} else 0, second))
    # anchored alternatives come last in the regex, so appending them keeps priority order
    assert min(a[0][0] for a in anchored.values()) > max(x[0] for v in first.values() for x in v)
    return {t: tuple(v) for t, v in first.items()}, {t: tuple(v) for t, v in anchored.items()}, nwords


_FIRST, _ANCHORED, _NWORDS = _alternatives()
_PADDED = {t: " " + t + " " for t in _FIRST}  # a token's search key in the padded head
_KEYWORD_TOKENS = frozenset(_FIRST) | frozenset(_ANCHORED)  # all runs of a-z (see _keyword_candidates)
_LISTN = SHAPE_GROUPS.index("listn")
#: Without a number in the head, ``listn`` cannot match: skip its attempts.
_FIRST_NO_NUM = {t: a for t, a in ((t, tuple(x for x in v if x[0] != _LISTN)) for t, v in _FIRST.items()) if a}
#: ``nwords`` starts with a number: a digit or one of these words, which may run straight into
#: the noun ("twowords"), so any token *starting* with one is a candidate ("a few": the token "a").
_NUM_WORDS = tuple(sorted(w for w in _NUMWORD if " " not in w)) + ("a",)
_NUM_TOKENS = frozenset(w.split()[0] for w in _NUMWORD)
_NUM_TOKENS_LISTN = _NUM_TOKENS - {"a"}  # "a" counts only in "a few"
#: Where such a token starts in the padded, translated head ("0": any digit).
_NUM_KEYS = tuple(" " + w for w in _NUM_WORDS[:-1]) + (" a ", " 0")
_NUM_KEYS_LISTN = _NUM_KEYS[:-2] + (" a few", " 0")
_A_FEW = "a few"  # in the head: listn's number is possible
_NWORDS_NOUNS = ("word", "sentence", "paragraph", "line", "page", "bullet")
_RE_WORD = re.compile(r"\w+")
_RE_ASCII_SPLIT = re.compile(r"([a-z]+)")
#: ASCII non-word characters -> space (``\w`` on ASCII text is ``[a-zA-Z0-9_]``), digits -> "0"
#: (no keyword contains a digit; a token starting with one is then found by searching " 0").
_NONWORD = str.maketrans({**{chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")},
                          **{d: "0" for d in "123456789"}})


def _gi(a: Attempt) -> int:
    return a[0]


def _add(cands: dict[int, Attempts], p: int, a: Attempts) -> None:
    old = cands.get(p)
    cands[p] = a if old is None else tuple(sorted(set(old + a), key=_gi))


def _keyword_candidates(head: str) -> list[tuple[int, Attempts]]:
    """``_candidates(head, nouns=False)`` with a Python step per keyword found, not per token: a
    keyword's first token is lower-case ASCII, so a ``\\w+`` token that is one is a run of a-z with
    no word character on either side (``str.isalnum`` or "_": what ``\\w`` matches)."""
    parts = _RE_ASCII_SPLIT.split(head)  # [text before the first run, run, text between, run, ...]
    runs = parts[1::2]
    if _KEYWORD_TOKENS.isdisjoint(runs):
        return []
    starts = list(accumulate(map(len, parts)))  # run k starts at starts[2 * k]
    n = len(head)
    out: list[tuple[int, Attempts]] = []
    for k in compress(range(len(runs)), map(_KEYWORD_TOKENS.__contains__, runs)):
        i = starts[2 * k]
        j = i + len(runs[k])
        if (i and (head[i - 1].isalnum() or head[i - 1] == "_")) or (j < n and (head[j].isalnum() or head[j] == "_")):
            continue  # part of a longer token
        a: Attempts = _FIRST.get(runs[k], ())
        if i == 0:
            a += _ANCHORED.get(runs[k], ())
        if a:
            out.append((i, a))
    return out


def _candidates(head: str, nouns: bool, tr: str = "", toks: list[str] | None = None) -> list[tuple[int, Attempts]]:
    r"""(start, alternatives to try there in priority order) for each ``\w+`` token of ``head``
    at which one can match, by start (the general path: non-ASCII heads, or ``nwords`` possible).
    A superset is harmless (a failed ``match``); only the gates are exact: ``nwords`` needs one
    of its nouns, ``listn`` a number."""
    cands: dict[int, Attempts] = {}
    if toks:  # ASCII: ``tr`` / ``toks`` from ``shape_matches``
        padded = " " + tr + " "
        for t in _FIRST.keys() & toks:
            a = _FIRST[t]
            key = " " + t + " "
            i = padded.find(key)
            while i >= 0:
                cands[i] = a
                i = padded.find(key, i + 1)
        if nouns:
            for key in _NUM_KEYS:
                i = padded.find(key)
                while i >= 0:
                    _add(cands, i, _NWORDS)
                    i = padded.find(key, i + 1)
        if tr[0] != " " and toks[0] in _ANCHORED:
            _add(cands, 0, _ANCHORED[toks[0]])
        return sorted(cands.items())
    if not nouns:
        return _keyword_candidates(head)
    for m in _RE_WORD.finditer(head):
        t, i = m.group(), m.start()
        a: Attempts = _FIRST.get(t, ())
        if nouns and (t[0].isdecimal() or t.startswith(_NUM_WORDS[:-1]) or t == "a"):
            a = tuple(sorted(a + _NWORDS, key=_gi))
        if i == 0:
            a += _ANCHORED.get(t, ())
        if a:
            cands[i] = a
    return list(cands.items())


def shape_matches_python(head: str) -> list[tuple[int, int, int, str | None]]:
    """(group index, start, end, number text of ``listn`` / ``nwords``) of the matches of
    ``_RE_SHAPE.finditer(head)``, in order (``shape_matches`` in Python).

    ``finditer`` tries every alternative, in order, at each position and resumes at the end of
    a match. A match can only start at a candidate token (see ``_alternatives``), so trying the
    candidates' alternatives in order, skipping those inside the previous match, finds the
    same matches."""
    nouns = any(map(head.__contains__, _NWORDS_NOUNS))  # nwords needs one of its nouns
    if not head.isascii():
        return _walk(head, _candidates(head, nouns))
    tr = head.translate(_NONWORD)  # tokens = the \w+ runs, separated by spaces; digits -> "0"
    toks = tr.split()
    if not toks:
        return []
    if nouns:  # nwords possible: its number may run into the noun ("twowords"); general path
        return _walk(head, _candidates(head, nouns, tr, toks))
    has_num = "0" in tr or not _NUM_TOKENS_LISTN.isdisjoint(toks) or _A_FEW in head  # listn's number
    # Common case: only keyword alternatives (+ anchored ones at 0). Walk the tokens in order;
    # a candidate's position is its next occurrence after the previous candidate's.
    first = _FIRST if has_num else _FIRST_NO_NUM
    padded = " " + tr + " "
    out: list[tuple[int, int, int, str | None]] = []
    pos = cur = 0
    if tr[0] != " ":  # a token at 0: anchored alternatives may start there too
        t = toks[0]
        a = first.get(t, ()) + _ANCHORED.get(t, ())
        if a:
            out = _walk(head, [(0, a)])
            if out:
                pos = out[0][2]
        cur = 1
        toks = toks[1:]
    numpos: list[int] | None = None  # starts of tokens that can begin listn's number
    last = len(toks) - 1
    # only the tokens that start an alternative (a C-level filter; most tokens start none)
    for j in compress(range(len(toks)), map(first.__contains__, toks)):
        t = toks[j]
        a = first[t]
        p = padded.find(_PADDED[t], cur)
        cur = p + 1
        if p < pos:
            continue
        for gi, pat, n, second in a:
            if n:
                pos = p + n
                out.append((gi, p, pos, None))
                break
            if second is not None and (j == last or toks[j + 1] not in second):
                continue
            if gi == _LISTN:  # its number starts within 40 characters of the verb
                if numpos is None:
                    numpos = _number_starts(padded)
                k = bisect_right(numpos, p)
                if k == len(numpos) or numpos[k] > p + 40:
                    continue
            m = pat.match(head, p)
            if m is not None:
                pos = m.end()
                out.append((gi, p, pos, m.group(2) if gi <= 1 else None))
                break
    return out


if SPEEDUPS is not None:  # the token walk in C, on any head (since session 46: 65 us -> ~5 us on a head with an nwords
    # noun or other characters than ASCII); the regex only where needed
    _SHAPE_TABLE = SPEEDUPS.shape_table(_FIRST, _ANCHORED, _NUM_TOKENS_LISTN, tuple(k[1:] for k in _NUM_KEYS_LISTN),
                                        (_A_FEW,), _NWORDS_NOUNS, _LISTN, _NWORDS[0], _NUM_WORDS[:-1])
    _c_shape_walk = SPEEDUPS.shape_walk

    def shape_matches(head: str) -> list[tuple[int, int, int, str | None]]:
        """The matches of ``_RE_SHAPE.finditer(head)`` (= ``shape_matches_python``)."""
        return _c_shape_walk(_SHAPE_TABLE, head)
else:
    shape_matches = shape_matches_python


def _number_starts(padded: str) -> list[int]:
    """Sorted starts (in the head) of the tokens of the padded, translated head that begin with a
    digit or a number word (a superset of where listn's number can start)."""
    out = []
    for key in _NUM_KEYS_LISTN:
        i = padded.find(key)
        while i >= 0:
            out.append(i)
            i = padded.find(key, i + 1)
    out.sort()
    return out


def _walk(head: str, candidates: list[tuple[int, Attempts]]) -> list[tuple[int, int, int, str | None]]:
    out: list[tuple[int, int, int, str | None]] = []
    pos = 0
    for p, attempts in candidates:
        if p < pos:
            continue
        for gi, pat, n, _ in attempts:
            if n:
                pos = p + n
                out.append((gi, p, pos, None))
                break
            m = pat.match(head, p)
            if m is not None:
                pos = m.end()
                out.append((gi, p, pos, m.group(2) if gi <= 1 else None))
                break
    return out


_NUM_GROUP = {gi: _RE_SHAPE.groupindex[g] + 1 for gi, g in enumerate(SHAPE_GROUPS) if g in ("listn", "nwords")}


def shape_matches_reference(head: str) -> list[tuple[int, int, int, str | None]]:
    """``shape_matches`` by the single-regex definition (slow: every alternative at every position)."""
    out: list[tuple[int, int, int, str | None]] = []
    for m in _RE_SHAPE.finditer(head):
        gi = SHAPE_GROUPS.index(m.lastgroup or "")
        out.append((gi, m.start(), m.end(), m.group(_NUM_GROUP[gi]) if gi in _NUM_GROUP else None))
    return out


_REWRITE, _SUMMARY = SHAPE_GROUPS.index("rewrite"), SHAPE_GROUPS.index("summary")


def shape_cues(full: str, head: str) -> list[float]:
    """Answer-shape vector (order = ``SHAPE_NAMES``) of the last user turn ``full`` whose
    lower-cased first ``GRAM_CHARS`` characters are ``head``."""
    out = [0.0] * N_SHAPE
    list_n = words_n = 0.0
    for gi, _, _, num in shape_matches(head.lstrip()):
        out[gi] = 1.0
        if gi == 0:
            list_n = max(list_n, _num(num))  # type: ignore[arg-type]
        elif gi == 1:
            words_n = max(words_n, _num(num))  # type: ignore[arg-type]
    n = len(full)
    # the instruction is usually the first line / sentence; the rest is input text to work on
    cut = n
    for i in (full.find("\n"), full.find(": "), full.find(". ")):
        if 0 <= i < cut:
            cut = i
    log = math.log1p
    k = len(SHAPE_GROUPS)
    out[k] = log(min(list_n, 1000.0))
    out[k + 1] = log(min(words_n, 10000.0))
    out[k + 2] = out[_REWRITE] * log(n)
    out[k + 3] = out[_SUMMARY] * log(n)
    out[k + 4] = log(max(n - cut - 1, 0))
    out[k + 5] = 1.0 if full.rstrip()[-1:] == "?" else 0.0
    out[k + 6] = 1.0 if (":" in head or "\n" in head) else 0.0
    return out


def answer_shape(conv: Conversation) -> list[float]:
    """Answer-shape cues of the last user turn (order = ``SHAPE_NAMES``)."""
    return shape_cues(conv.last_user, conv.last_user[:GRAM_CHARS].lower())


def system_words(system: str) -> list[str]:
    """Words of the system prompt's head (``GRAM_CHARS``): the ``sys:`` n-grams."""
    return lower_words(system[:GRAM_CHARS]) if system else []


def gram_keys(head_words: list[str], system: str) -> set[str]:
    """Distinct unigrams and bigrams of the head's words, plus ``sys:``-prefixed words of the
    system prompt's head (``grams`` unsorted)."""
    out = set(head_words)
    out.update(map(" ".join, pairwise(head_words)))
    out.update(["sys:" + t for t in system_words(system)])
    return out


def grams(conv: Conversation) -> list[str]:
    """Distinct word unigrams and bigrams of the head (``GRAM_CHARS``) of the last user turn,
    plus a few system-prompt words (``sys:``-prefixed)."""
    return sorted(gram_keys(lower_words(conv.last_user[:GRAM_CHARS]), conv.system))
