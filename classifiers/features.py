"""Hand-crafted, transferable prompt features plus hashed word presence.

Work is bounded: regex features read a head+tail slice of each part
(``HEAD_CHARS`` + ``TAIL_CHARS``); whole-text counts use ``str.count`` (O(n), C speed).
Everything is deterministic across processes (``zlib.crc32`` hashing, no ``hash()``).
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter

import numpy as np

from classifiers.text import Conversation

FEATURE_VERSION = "6"  # 6: answer-shape cues + head n-grams for the answer-length model
HEAD_CHARS = 3000
TAIL_CHARS = 1000
HASH_BITS = 15
HASH_DIM = 1 << HASH_BITS
_MASK = HASH_DIM - 1


# Domain and task lexicons, matched on lower-cased words in one pass. Entries are single
# words, multi-word phrases (up to 4 words) or prefixes ending in "*". Kept broad so they
# transfer across sources.
_LEXICON_TEXT: dict[str, str] = {
    "math": "equation equations integer integers prime primes probability polynomial polynomials triangle "
    "triangles circle circles radius derivative derivatives integral integrals matrix matrices remainder "
    "modulo mod divisible divisor divisors theorem lemma real|numbers real|number solve|for simplify root roots "
    "sequence sequences series limit vector vectors eigen* determinant geometry algebra* calculus combinatori* "
    "permutation permutations combination combinations digit digits fraction fractions ratio area perimeter "
    "volume angle angles perpendicular coordinate coordinates slope inequalit* expected|value variance "
    "logarithm log sin cos tan exponent* factorial gcd lcm parabola hyperbola ellipse polygon hexagon "
    "square|root cube sqrt frac cdot infty leq geq pmod binom",
    "arith": "how|many how|much total each per altogether remaining left|over more|than less|than times|as "
    "twice half percent dollar dollars cent cents hour hours minute minutes mile miles cost costs price",
    "code": "code function class method methods python javascript typescript java c++ c# rust golang go sql "
    "html css bash shell script scripts bug bugs debug* error errors exception exceptions compile* api def "
    "return import regex array arrays string strings dict* hashmap hash|map algorithm algorithms runtime docker "
    "kubernetes git json yaml server servers database query implement* refactor* unit|test unit|tests library "
    "framework variable variables loop loops recursi* pointer pointers struct async thread threads nums int "
    "bool null none self linked|list binary|tree graph node nodes index indices subarray substring",
    "logic": "if|and|only|if implies deduce deduction logic* puzzle puzzles riddle riddles argument arguments "
    "valid fallac* premise premises conclusion conclusions true|or|false truth liar liars knight knights knave "
    "knaves contradiction therefore infer* paradox syllogism deductively",
    "stem": "physics chemistry molecule molecules energy velocity acceleration force mass electron electrons "
    "quantum thermodynamic* circuit circuits voltage reaction reactions enzyme enzymes gene genes protein "
    "proteins statistic* regression hypothesis economics joule joules newton newtons kg wavelength frequency "
    "entropy charge",
    "reason": "step|by|step step steps explain|why justify derive show|that prove proof compute calculate "
    "determine find|all find|the optimi* design plan analy* compare tradeoff tradeoffs trade-off trade-offs "
    "evaluate minimum maximum smallest largest least greatest how|many|ways expected",
    "constraint": "must should at|least at|most exactly without only do|not don't never no|more|than ensure "
    "constraint constraints requirement requirements format output limit within assume given|that such|that",
    "writing": "write poem story stories essay email letter blog post slogan lyrics song rewrite rephrase "
    "summarize summarise tone paragraph creative tweet headline speech caption haiku narrative novel",
    "roleplay": "pretend act|as role roles roleplay imagine|you you|are|a character characters persona "
    "in|the|style|of play|the embody",
    "chitchat": "hi hello hey thanks thank|you how|are|you joke jokes lol good|morning chat fun",
    "knowledge": "what|is what|are who|is who|was when|did where|is history capital define definition "
    "meaning|of famous list|of tell|me|about recommend* suggest* tips ideas best",
    "advice": "how|do|i how|can|i how|to should|i advice help|me",
    "long answer": "explain describe detail detailed in|detail essay article blog list example examples step "
    "steps guide tutorial outline plan compare pros|and|cons write generate create story report "
    "comprehensive elaborate implement* code program script discuss itinerary recipe",
    "quiz": "calculate compute which|of|the|following must|be|true except not incorrect false least|likely "
    "cannot best|explains most|likely statement statements i|and|ii ii|and|iii assume suppose approximately "
    "estimate value rate",
    "backref": "above previous earlier again instead same modify update change|it rewrite|it fix|it your|answer "
    "you|said you|wrote continue shorter longer more|detail now|make also follow-up",
    "short answer": "one|word yes|or|no true|or|false briefly short shortly concise only|the|answer just|the "
    "classify which|of correct|the fix|the|grammar translate rewrite rephrase paraphrase answer: choose select "
    "pick identify name what|is|the how|many single extract label sentiment",
}
LEXICON_NAMES: tuple[str, ...] = tuple(_LEXICON_TEXT)


def _compile() -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]], list[tuple[str, int]], int]:
    words: dict[str, list[int]] = {}
    phrases: dict[str, list[int]] = {}
    prefixes: list[tuple[str, int]] = []
    longest = 1
    for k, (name, text) in enumerate(_LEXICON_TEXT.items()):
        for entry in text.split():
            if entry.endswith("*"):
                prefixes.append((entry[:-1], k))
            elif "|" in entry:
                parts = entry.split("|")
                longest = max(longest, len(parts))
                phrases.setdefault(" ".join(parts), []).append(k)
            else:
                words.setdefault(entry, []).append(k)
    return ({w: tuple(v) for w, v in words.items()}, {p: tuple(v) for p, v in phrases.items()}, prefixes, longest)


_WORDS, _PHRASES, _PREFIXES, _LONGEST = _compile()
_PHRASE_NEXT: dict[str, frozenset[str]] = {}
for _p in _PHRASES:
    _a, _b = _p.split()[:2]
    _PHRASE_NEXT[_a] = _PHRASE_NEXT.get(_a, frozenset()) | {_b}
_PHRASE_START = frozenset(_PHRASE_NEXT)
_PREFIX_TUPLE = tuple(p for p, _ in _PREFIXES)
_PUNCT = str.maketrans({c: " " for c in "!\"$%&()*,./;<=>?@[\\]^_`{|}~\u201c\u201d\u2018\u2019\u00ab\u00bb"})


def words_of(low: str) -> list[str]:
    """Lower-cased text → words (punctuation split off; apostrophes, '+', '#', ':' kept)."""
    return low.translate(_PUNCT).split()


_MEMO: dict[str, tuple[int, ...]] = {}
_MEMO_MAX = 50_000  # bounded: a few MB at most


def _word_ids(w: str) -> tuple[int, ...]:
    ids = _MEMO.get(w)
    if ids is None:
        ids = _WORDS.get(w, ())
        if not ids and w.startswith(_PREFIX_TUPLE):
            ids = tuple(k for pre, k in _PREFIXES if w.startswith(pre))
        if len(_MEMO) < _MEMO_MAX:
            _MEMO[w] = ids
    return ids


#: Phrases by first word: (other words, padded search string, lexicon ids, can overlap itself).
_PHRASE_BY_FIRST: dict[str, list[tuple[tuple[str, ...], str, tuple[int, ...], bool]]] = {}
for _p, _ids in _PHRASES.items():
    _t = tuple(_p.split())
    _PHRASE_BY_FIRST.setdefault(_t[0], []).append(
        (_t[1:], " " + "  ".join(_t) + " ", _ids, any(_t[k:] == _t[: len(_t) - k] for k in range(1, len(_t)))))
_HITS: dict[str, tuple[int, ...]] = {}  # words seen that belong to some lexicon (memo, bounded)
_MISSES: set[str] = set()  # words seen that belong to none (memo, bounded)


def lexicon_counts(words: list[str]) -> list[int]:
    """Occurrences of each lexicon's entries (order = ``LEXICON_NAMES``).

    Set operations on the distinct words (C speed) find the lexicon hits; only words never
    seen before go through the Python lookup. Phrases are counted from n-gram Counters, built
    only when a phrase's first word occurs: the same counts as scanning every position.
    """
    counts = [0] * len(LEXICON_NAMES)
    cnt = Counter(words)
    keys = cnt.keys()
    new = keys - _HITS.keys() - _MISSES if len(_MISSES) + len(_HITS) < 2 * _MEMO_MAX else ()
    for w in new:
        ids = _word_ids(w)
        if ids:
            _HITS[w] = ids
        else:
            _MISSES.add(w)
    hits = _HITS
    for w in keys & hits.keys():
        c = cnt[w]
        for k in hits[w]:
            counts[k] += c
    if not hits.keys() >= keys and new == ():  # memo full: look the rest up directly
        for w in keys - hits.keys():
            for k in _word_ids(w):
                counts[k] += cnt[w]
    if _PHRASE_START.isdisjoint(keys):
        return counts
    # Phrases: count " a  b " in " w1  w2  ... " (every word padded by one space on each side,
    # so a match starts and ends on word boundaries); only phrases whose words all occur.
    joined = None
    for a in _PHRASE_START.intersection(keys):
        for rest, pat, ids, overlap in _PHRASE_BY_FIRST[a]:
            for w in rest:
                if w not in cnt:
                    break
            else:
                if joined is None:
                    joined = " " + "  ".join(words) + " "
                if overlap:  # the phrase can overlap itself ("step by step by step"): count every start
                    c, i = 0, joined.find(pat)
                    while i >= 0:
                        c += 1
                        i = joined.find(pat, i + 1)
                else:
                    c = joined.count(pat)
                if c:
                    for k in ids:
                        counts[k] += c
    return counts


def lexicon_counts_reference(words: list[str]) -> list[int]:
    """The position-scanning implementation (kept to test that ``lexicon_counts`` equals it)."""
    counts = [0] * len(LEXICON_NAMES)
    for w in words:
        for k in _word_ids(w):
            counts[k] += 1
    n = len(words)
    for i in range(n):
        for L in range(2, _LONGEST + 1):
            if i + L <= n:
                for k in _PHRASES.get(" ".join(words[i : i + L]), ()):
                    counts[k] += 1
    return counts


_RE_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_RE_LATEX = re.compile(r"\\[a-zA-Z]+")
_MATHOPS = tuple("=+*/^<>≤≥∑∫√π")
_DEL_MATHOPS = str.maketrans("", "", "".join(_MATHOPS))
_CODESYN = ("{", "}", ";", "=>", "->", "::", "==", "!=", "()", "[]")
_RE_INDENT = re.compile(r"(?m)^(?:    |\t)\S")
_RE_LIST = re.compile(r"(?m)^\s*(?:[-*•]|\d+[.)])\s")
_RE_MCQ = re.compile(r"(?m)^[ \t]*\(?[A-Ea-e][).:][ \t]")
_SENT = (". ", "? ", "! ", ".\n", "?\n", "!\n", "。", "？", "！")
_SENT_ASCII = tuple(c for c in _SENT if c.isascii())


def _count(text: str, sub: str) -> int:
    """``text.count(sub)``, skipping the scan when the first character is absent (a memchr)."""
    return text.count(sub) if sub[0] in text else 0

#: The multi-line patterns without their leading ``(?m)^``, behind a literal newline: a fast
#: literal-prefix search finds the next line start where the pattern can match.
_NL_INDENT = re.compile(r"\n(?:    |\t)\S")
_NL_LIST = re.compile(r"\n\s*(?:[-*•]|\d+[.)])\s")
_NL_MCQ = re.compile(r"\n[ \t]*\(?[A-Ea-e][).:][ \t]")


def _count_lines(pat: re.Pattern[str], nl: re.Pattern[str], s: str) -> int:
    r"""``len(pat.findall(s))`` for a ``(?m)^...`` pattern ``pat`` that never matches empty,
    where ``nl`` is the same pattern with ``\n`` in place of ``(?m)^``. Matches only start at
    line starts; findall resumes at the end of the previous match."""
    n = pos = 0
    while True:
        if pos == 0 or s[pos - 1] == "\n":  # pos itself is a line start
            m = pat.match(s, pos)
            if m is not None:
                n += 1
                pos = m.end()
                continue
        m = nl.search(s, pos)  # the next line start after pos where the pattern matches
        if m is None:
            return n
        n += 1
        pos = m.end()
_RE_UNIT = re.compile(r"\d\s?(?:%|°|\$|kg|km|cm|mm|m/s|mph|mol|ml|hz|kj|j|n|w|v|s|m|g|l|k)\b", re.I)
#: Numbers and numbers-with-units in one pass: a unit can only follow the last digit of a
#: number, so this counts exactly what ``_RE_NUMBER`` and ``_RE_UNIT`` count separately.
_RE_NUM_UNIT = re.compile(r"\d+(?:[.,]\d+)?(\s?(?i:%|°|\$|kg|km|cm|mm|m/s|mph|mol|ml|hz|kj|j|n|w|v|s|m|g|l|k)\b)?")
_HIST_TAIL = 4000

FEATURE_NAMES: tuple[str, ...] = (
    "prompt length",
    "word count",
    "system prompt length",
    "history length",
    "user turns",
    "line count",
    "code fences",
    "indented lines",
    "code syntax density",
    "LaTeX commands",
    "math operator density",
    "numbers",
    "number density",
    "questions",
    "list items",
    "sentences",
    "mean word length",
    "non-ASCII share",
    "multiple-choice options",
    *(f"{k} cues" for k in LEXICON_NAMES),
    *(f"{k} density" for k in ("math", "code", "logic", "reason", "writing", "knowledge")),
    "math domain",
    "code domain",
    "reasoning domain",
    "writing domain",
    "length x math",
    "length x code",
    "length x reasoning",
    "length x writing",
    "numbers x math",
    "sentences x math",
    "units",
    "quiz x quantitative",
    "history code",
    "history math",
    "short follow-up",
    "length in a math/code/reasoning domain",
)
#: Index of the within-domain length feature; its weight is a LOSO-chosen prior, not fitted.
PRIOR_FEATURE = len(FEATURE_NAMES) - 1
#: Log-characters above which the within-domain length bonus starts (e^4 ≈ 55 characters).
LENGTH_ANCHOR = 4.0
N_FEATURES = len(FEATURE_NAMES)


def _slice(text: str) -> str:
    if len(text) <= HEAD_CHARS + TAIL_CHARS:
        return text
    return text[:HEAD_CHARS] + "\n" + text[-TAIL_CHARS:]


def handcrafted(conv: Conversation) -> list[float]:
    """The hand-crafted feature vector (order = ``FEATURE_NAMES``)."""
    full = conv.last_user
    n = len(full)
    s = _slice(full)
    low = s.lower()
    ns = max(len(s), 1)
    multiline = "\n" in s
    n_nl = full.count("\n") if multiline or n > len(s) else 0
    words = max(full.count(" ") + n_nl + 1, 1) if n else 0
    wl = words_of(low)
    nw = max(len(wl), 1)
    has_digit = any(d in s for d in "0123456789")
    if has_digit:
        nu = _RE_NUM_UNIT.findall(s)
        numbers = len(nu)
        units = len(nu) - nu.count("")
    else:
        numbers = units = 0
    non_ascii = (len(s.encode("utf-8", "replace")) - len(s)) / ns
    lex = dict(zip(LEXICON_NAMES, lexicon_counts(wl)))
    log = math.log1p
    feats = [
        log(n),
        log(words),
        log(len(conv.system)),
        log(len(conv.history)),
        log(conv.n_user_turns),
        log(n_nl),
        log(_count(full, "```") + _count(conv.history, "```") + _count(conv.system, "```")),
        log(_count_lines(_RE_INDENT, _NL_INDENT, s) if multiline else 0),
        100.0 * sum([s.count(c) for c in _CODESYN if c[0] in s]) / ns,
        log((len(_RE_LATEX.findall(s)) if "\\" in s else 0) + _count(full, "$") // 2),
        100.0 * (len(s) - len(s.translate(_DEL_MATHOPS))) / ns,
        log(numbers),
        min(numbers / nw, 2.0),
        log(_count(full, "?")),
        log(_count_lines(_RE_LIST, _NL_LIST, s) if multiline else 0),
        log(sum([s.count(c) for c in (_SENT_ASCII if s.isascii() else _SENT) if c[0] in s])
            + (1 if s.rstrip()[-1:] in ".!?" else 0)),
        min(sum(map(len, wl)) / nw, 20.0),
        min(non_ascii, 3.0),
        log((_count_lines(_RE_MCQ, _NL_MCQ, s) if multiline else 0) + (low.count("options:") if ":" in low else 0)),
        *(log(v) for v in lex.values()),
        *(min(lex[k] / nw, 1.0) for k in ("math", "code", "logic", "reason", "writing", "knowledge")),
    ]
    latex = feats[9]
    d_math = min(1.0, 8.0 * (lex["math"] + 0.6 * lex["arith"] + 0.5 * numbers) / nw + 0.5 * latex)
    d_code = min(1.0, 8.0 * lex["code"] / nw + feats[8] / 8.0 + (0.5 if "```" in full else 0.0))
    d_reason = min(1.0, 8.0 * (lex["logic"] + lex["reason"] + lex["stem"]) / nw)
    d_write = min(1.0, 8.0 * (lex["writing"] + lex["roleplay"]) / nw)
    ln = feats[0]
    mcq = feats[18]
    quant = min(1.0, (numbers + lex["math"] + lex["stem"] + units) / 4.0)
    hist = conv.history
    if hist:
        ht = hist[-_HIST_TAIL:]
        h_code = log(ht.count("```") + ht.count("def ") + ht.count("{") + ht.count(";"))
        h_math = log(ht.count("$") + ht.count("=") + ht.count("\\"))
        follow = log(len(hist)) / (1.0 + ln / 5.0)
    else:
        h_code = h_math = follow = 0.0
    feats += [
        d_math, d_code, d_reason, d_write,
        ln * d_math, ln * d_code, ln * d_reason, ln * d_write,
        feats[11] * d_math, feats[15] * d_math,
        log(units),
        (mcq + log(lex["quiz"])) * quant,
        h_code, h_math, follow,
        max(d_math, d_code, d_reason) - d_write if max(d_math, d_code, d_reason) > d_write else 0.0,
    ]
    feats[-1] *= max(ln - LENGTH_ANCHOR, 0.0)
    return feats


def tokens(conv: Conversation) -> set[str]:
    """Distinct lower-cased word tokens of the last user turn (head+tail slice) and system prompt."""
    toks = set(words_of(_slice(conv.last_user).lower()))
    if conv.system:
        toks.update("sys:" + t for t in words_of(_slice(conv.system).lower()))
    return toks


_BUCKETS: dict[str, int] = {}


def bucket(token: str) -> int:
    """Stable hash bucket of a token (memoized, bounded)."""
    b = _BUCKETS.get(token)
    if b is None:
        b = zlib.crc32(token.encode("utf-8", "replace")) & _MASK
        if len(_BUCKETS) < _MEMO_MAX:
            _BUCKETS[token] = b
    return b


def buckets(tokens: list[str]) -> list[int]:
    """``[bucket(t) for t in tokens]`` (memo lookups in one C-level pass)."""
    out = list(map(_BUCKETS.get, tokens))
    if None in out:
        out = [bucket(t) if b is None else b for t, b in zip(tokens, out)]
    return out  # type: ignore[return-value]


def hashed_indices(toks: set[str]) -> np.ndarray:
    """Sorted unique bucket indices for a token set."""
    return np.unique(np.fromiter((bucket(t) for t in toks), dtype=np.int64, count=len(toks)))


# ---- answer-length features (used by the answer-token model only) --------------------------
#: The answer-length model reads n-grams from the head of the last user turn only: the
#: instruction is there, and the input text that follows it says little beyond its length.
GRAM_CHARS = 300
_NUMWORD = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
            "twelve": 12, "fifteen": 15, "twenty": 20, "a few": 3, "several": 5}
_NUM = r"(\d{1,4}|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|a few|several)"
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
_GROUP_INDEX = {g: i for i, g in enumerate(SHAPE_GROUPS)}


def _num(text: str) -> float:
    text = text.strip()
    if text.isdigit():
        return float(text)
    return float(_NUMWORD.get(text, 0))


# ``_RE_SHAPE`` split into its 13 alternatives, each compiled alone. ``finditer`` of the whole
# alternation = at each step, the alternative whose next match starts first (ties: the earlier
# alternative), then continue from that match's end. An alternative can only match where its
# keyword starts a ``\w+`` token, so one whose keyword tokens are all absent from the head is
# skipped, and a search starts at the first occurrence of a present keyword (same matches as
# the single regex, which tries every alternative at every position).
_SHAPE_SRC: list[str] = re.split(r"\|(?=\(\?P<)", _RE_SHAPE.pattern)


def _shape_keywords(src: str) -> dict[str, tuple[str, ...]]:
    r"""Keywords of the alternative's first ``(?:...)`` list as plain strings (``[sz]`` and
    ``s?`` expanded), keyed by their first ``\w+`` token."""
    i = src.index("(?:") + 3
    out: dict[str, set[str]] = {}
    for kw in src[i : src.index(")", i)].split("|"):
        kw = kw.replace("\\+", "+")
        variants = [kw]
        if "[" in kw:  # analy[sz]e
            j, k = kw.index("["), kw.index("]")
            variants = [kw[:j] + c + kw[k + 1 :] for c in kw[j + 1 : k]]
        elif kw.endswith("s?"):  # words?
            variants = [kw[:-2], kw[:-1]]
        for v in variants:
            assert not any(c in v for c in "\\[]()?*{}|^$") and re.match(r"\w", v), v
            out.setdefault(re.match(r"\w+", v).group(), set()).add(v)  # type: ignore[union-attr]
    return {t: tuple(sorted(vs)) for t, vs in out.items()}


_SHAPE_ALTS: list[tuple[int, re.Pattern[str], dict[str, tuple[str, ...]] | None, frozenset[str]]] = []
for _src in _SHAPE_SRC:
    _g = _src[4 : _src.index(">")]
    _kw = None if _src.startswith(f"(?P<{_g}>^") or _g == "nwords" else _shape_keywords(_src)
    _SHAPE_ALTS.append((SHAPE_GROUPS.index(_g), re.compile(_src), _kw, frozenset(_kw or ())))
assert "|".join(_SHAPE_SRC) == _RE_SHAPE.pattern and [a[0] for a in _SHAPE_ALTS] == list(range(len(SHAPE_GROUPS)))
_NWORDS_NOUNS = ("word", "sentence", "paragraph", "line", "page", "bullet")
_NUM_TOKENS = frozenset(w.split()[0] for w in _NUMWORD)
_RE_WORD = re.compile(r"\w+")
_RE_DIGIT = re.compile(r"\d")
#: ASCII non-word characters -> space (``\w`` on ASCII text is ``[a-zA-Z0-9_]``).
_NONWORD = str.maketrans({chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")})


_KW_KEYS: dict[str, str] = {}  # keyword -> its search string in the blanked text (fixed set)


def _keyword_starts(head: str, padded: str, kw: str) -> list[int]:
    """Start positions in ``head`` where keyword ``kw`` (which the pattern brackets with ``\\b``)
    can match: for ASCII text, whole-word occurrences in ``padded`` (`` `` + head with every
    non-word character blanked + `` ``); otherwise every occurrence (a superset)."""
    out = []
    if padded:
        key = _KW_KEYS.get(kw)
        if key is None:
            key = _KW_KEYS[kw] = " " + kw.translate(_NONWORD) + (" " if kw[-1].isalnum() or kw[-1] == "_" else "")
        i = padded.find(key)
        while i >= 0:
            out.append(i)
            i = padded.find(key, i + 1)
    else:
        i = head.find(kw)
        while i >= 0:
            out.append(i)
            i = head.find(kw, i + 1)
    return out


def _shape_matches(head: str) -> list[tuple[int, re.Match[str]]]:
    """(group index, match) of ``_RE_SHAPE.finditer(head)``, in order."""
    if head.isascii():
        tr = head.translate(_NONWORD)
        padded, toks = " " + tr + " ", set(tr.split())
    else:
        padded, toks = "", set(_RE_WORD.findall(head))
    # per candidate alternative: [group, pattern, start positions or None (= regex search), index, next match]
    cands: list[list] = []
    has_num = None
    occ: dict[str, list[int]] = {}
    for gi, pat, kwmap, kwfirst in _SHAPE_ALTS:
        if kwmap is None:
            if gi == 1:  # nwords: a number, then one of the nouns
                if not any(n in head for n in _NWORDS_NOUNS):
                    continue
                if has_num is None:
                    has_num = not _NUM_TOKENS.isdisjoint(toks) or _RE_DIGIT.search(head) is not None
                if not has_num:
                    continue
                cands.append([gi, pat, None, 0, None])
            else:  # anchored at the start: one attempt
                m = pat.match(head)
                if m is not None:
                    cands.append([gi, pat, [0], 1, m])
            continue
        present = kwfirst.intersection(toks)
        if not present:
            continue
        if gi == 0:  # listn: also needs a number
            if has_num is None:
                has_num = not _NUM_TOKENS.isdisjoint(toks) or _RE_DIGIT.search(head) is not None
            if not has_num:
                continue
        starts: list[int] = []
        for t in present:
            for kw in kwmap[t]:
                ps = occ.get(kw)
                if ps is None:
                    ps = occ[kw] = _keyword_starts(head, padded, kw)
                starts += ps
        if not starts:
            continue
        starts.sort()
        cands.append([gi, pat, starts, 0, None])
    out: list[tuple[int, re.Match[str]]] = []
    if not cands:
        return out
    pos = 0
    while True:
        best = None
        bs = 0
        for c in cands:
            m = c[4]
            if m is None or m.start() < pos:
                starts = c[2]
                if starts is None:
                    m = c[1].search(head, pos)
                    if m is None:
                        c[2] = ()
                else:
                    m = None
                    j, n, match = c[3], len(starts), c[1].match
                    while j < n:
                        p = starts[j]
                        j += 1
                        if p >= pos:
                            m = match(head, p)
                            if m is not None:
                                break
                    c[3] = j
                c[4] = m
                if m is None:
                    continue
            st = m.start()
            if best is None or st < bs:
                best, bs = c, st
        if best is None:
            return out
        m = best[4]
        out.append((best[0], m))
        pos = m.end()


def answer_shape(conv: Conversation) -> list[float]:
    """Answer-shape cues of the last user turn (order = ``SHAPE_NAMES``)."""
    full = conv.last_user
    head = full[:GRAM_CHARS].lower()
    out = [0.0] * N_SHAPE
    list_n = words_n = 0.0
    for gi, m in _shape_matches(head.lstrip()):
        out[gi] = 1.0
        if gi == 0:
            list_n = max(list_n, _num(m.group(2)))
        elif gi == 1:
            words_n = max(words_n, _num(m.group(2)))
    n = len(full)
    # the instruction is usually the first line / sentence; the rest is input text to work on
    cut = min((i for i in (full.find("\n"), full.find(": "), full.find(". ")) if i >= 0), default=n)
    rest = math.log1p(max(n - cut - 1, 0))
    k = len(SHAPE_GROUPS)
    out[k] = math.log1p(min(list_n, 1000.0))
    out[k + 1] = math.log1p(min(words_n, 10000.0))
    out[k + 2] = out[_GROUP_INDEX["rewrite"]] * math.log1p(n)
    out[k + 3] = out[_GROUP_INDEX["summary"]] * math.log1p(n)
    out[k + 4] = rest
    out[k + 5] = 1.0 if full.rstrip()[-1:] == "?" else 0.0
    out[k + 6] = 1.0 if (":" in head or "\n" in head) else 0.0
    return out


def grams(conv: Conversation) -> list[str]:
    """Distinct word unigrams and bigrams of the head (``GRAM_CHARS``) of the last user turn,
    plus a few system-prompt words (``sys:``-prefixed)."""
    w = words_of(conv.last_user[:GRAM_CHARS].lower())
    out = set(w)
    out.update(a + " " + b for a, b in zip(w, w[1:]))
    if conv.system:
        out.update("sys:" + t for t in words_of(conv.system[:GRAM_CHARS].lower()))
    return sorted(out)
