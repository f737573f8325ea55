"""Domain and task lexicons and their per-prompt hit counts (a block of the score features)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from types import ModuleType

from classifiers.lexicons_intl import DENSE_CUES, OTHER_LANGUAGES

try:  # the C helper behind Counter(iterable), without Counter's Python-level layers (~4 us a call)
    from collections import _count_elements  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - other interpreters
    def _count_elements(mapping: dict[str, int], iterable: list[str]) -> None:
        get = mapping.get
        for x in iterable:
            mapping[x] = get(x, 0) + 1

# Domain and task lexicons, matched on lower-cased words in one pass. Entries are single
# words, multi-word phrases (up to 4 words) or prefixes ending in "*". Kept broad so they
# transfer across sources. Everyday words that are also code words are left out of "code": "go" (the
# language is "golang"), "class" ("class trip"), "library", "swift", "react" (a school class read as code
# kept 3 % of GSM8K's problems from being word problems).
# "knight" is left out of "logic" (version 106): a knights-and-knaves puzzle names its knaves, liars or truth-tellers,
# while a lone knight is a roleplay, a film or a chess piece ("Act as a medieval knight …" opened the reasoning domain).
_LEXICON_TEXT: dict[str, str] = {
    "math": "math mathematics mathematical maths equation equations integer integers prime primes probability "
    "polynomial polynomials triangle "
    "triangles circle circles radius derivative derivatives integral integrals matrix matrices remainder "
    "modulo mod divisible divisor divisors theorem lemma real|numbers real|number solve|for simplify root roots "
    "sequence sequences series limit vector vectors eigen* determinant geometry algebra* calculus combinatori* "
    "permutation permutations combination combinations digit digits fraction fractions ratio area perimeter "
    "volume angle angles perpendicular coordinate coordinates slope inequalit* expected|value variance "
    "logarithm log sin cos tan exponent* factorial gcd lcm parabola hyperbola ellipse polygon hexagon "
    "square|root cube sqrt frac cdot infty leq geq pmod binom",
    "arith": "how|many how|much total each per altogether remaining left|over more|than less|than times|as "
    "twice half percent percentage dollar dollars cent cents hour hours minute minutes mile miles cost costs price "
    "how|old how|tall",
    "code": "code function method methods python* javascript typescript java c++ c# rust golang sql "
    "programming php ruby kotlin scala haskell perl matlab lua cpp django flask pandas numpy pytorch tensorflow "
    "linux "
    "html css bash shell script scripts bug bugs debug* error errors exception exceptions compile* api def "
    "return import regex regular|expression regular|expressions array arrays string strings dict* hashmap hash|map "
    "algorithm algorithms time|complexity space|complexity runtime docker kubernetes git json yaml server servers "
    "database query implement* refactor* unit|test unit|tests "
    "framework variable variables loop loops recursi* pointer pointers struct async thread threads nums int "
    "bool linked|list binary|tree graph node nodes index indices subarray substring",
    "logic": "if|and|only|if implies deduce deduction logic* puzzle puzzles riddle riddles argument arguments "
    "valid fallac* premise premises conclusion conclusions true|or|false truth liar liars knave "
    "knaves contradiction therefore infer* paradox syllogism deductively brainteaser brainteasers brain|teaser "
    "brain|teasers trick|question lateral|thinking",
    "relation": "taller|than shorter|than older|than younger|than heavier|than lighter|than faster|than "
    "slower|than richer|than cheaper|than newer|than north|of south|of east|of west|of to|the|left|of "
    "to|the|right|of",
    "stem": "physics chemistry molecule molecules energy velocity acceleration force mass electron electrons "
    "quantum thermodynamic* circuit circuits voltage reaction reactions enzyme enzymes gene genes protein "
    "proteins statistic* regression hypothesis economics joule joules newton newtons kg wavelength frequency "
    "entropy charge",
    "reason": "step|by|step step steps explain|why justify derive show|that prove proof compute calculate "
    "determine find|all find|the optimi* design plan analy* compare tradeoff tradeoffs trade-off trade-offs "
    "evaluate how|many|ways expected",
    "constraint": "must should at|least at|most exactly without only do|not don't never no|more|than ensure "
    "constraint constraints requirement requirements format output limit within assume given|that such|that",
    "writing": "write poem story stories essay email letter blog post slogan lyrics song rewrite rephrase "
    "summarize summarise tone paragraph creative tweet headline speech caption haiku narrative novel",
    "roleplay": "pretend act|as role roles roleplay imagine|you|are|a imagine|you|are|an imagine|you're|a "
    "imagine|you're|an imagine|yourself|as you|are|a character characters persona "
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
    "estimate value rate minimum maximum smallest largest least greatest",
    "backref": "above previous earlier again instead same modify update change|it rewrite|it fix|it your|answer "
    "you|said you|wrote continue shorter longer more|detail now|make also follow-up",
    "short answer": "one|word yes|or|no true|or|false briefly short shortly concise only|the|answer just|the "
    "classify which|of correct|the fix|the|grammar translate rewrite rephrase paraphrase answer: choose select "
    "pick identify name what|is|the how|many single extract label sentiment",
}
LEXICON_NAMES: tuple[str, ...] = tuple(_LEXICON_TEXT)


def _load_speedups() -> ModuleType | None:
    """The optional C accelerator (``classifiers/_speedups.c``), or ``None``: not built, or
    ``COMPLEXITY_ROUTER_PURE_PYTHON=1`` (read once, at import)."""
    if os.environ.get("COMPLEXITY_ROUTER_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        from classifiers import _speedups
    except ImportError:
        return None
    return _speedups


#: The C accelerator used by the featurizer and the scorer, or ``None`` (pure Python).
SPEEDUPS = _load_speedups()


def _compile() -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]], list[tuple[str, int]], int]:
    words: dict[str, list[int]] = {}
    phrases: dict[str, list[int]] = {}
    prefixes: list[tuple[str, int]] = []
    longest = 1
    for k, (name, text) in enumerate(_LEXICON_TEXT.items()):
        for entry in text.split() + OTHER_LANGUAGES.get(name, "").split():
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
_PUNCT_CHARS = "!\"$%&()*,./;<=>?@[\\]^_`{|}~\u201c\u201d\u2018\u2019\u00ab\u00bb\u00bf\u00a1\u201e\u201a\u2026\u2013\u2014\u0964\u0965\u060c\u061b\u061f"  # ¿ ¡ „ ‚ … – —, Devanagari / Arabic marks
_PUNCT = str.maketrans({c: " " for c in _PUNCT_CHARS})


_CHITCHAT = LEXICON_NAMES.index("chitchat")
#: A greeting or thanks ("Hola, …", "Thanks in advance") in a text longer than this many words, one chitchat word in
#: ``SMALL_TALK_WORDS_PER_CUE`` or fewer, is politeness opening a request, not small talk: the chitchat cue, a sign of an
#: easy turn, is dropped there (version 86: a support request of 40 words opened by "Hola," fell 0.25 -> 0.09 on its
#: greeting; version 93: pure small talk of 30 words keeps it, "Hi! Thanks so much for your help yesterday …" rose 0.08
#: -> 0.36 without it, review rev42 M2).
SMALL_TALK_MAX_WORDS = 20
SMALL_TALK_WORDS_PER_CUE = 20


def small_talk_counts(counts: list[int], n_words: int) -> list[int]:
    """``counts`` with no chitchat cue in a long text with few chitchat words (see ``SMALL_TALK_MAX_WORDS``). Small
    talk of 55 words opened by "Hey!" loses it too (0.16 -> 0.33, review rev42b M2): reading a request instead
    ("?" or "please") lowered alpaca_eval's LOSO APGR 0.5843 -> 0.5828 (its requests are imperatives), so it stays."""
    talk = counts[_CHITCHAT]
    if n_words <= SMALL_TALK_MAX_WORDS or not talk or talk * SMALL_TALK_WORDS_PER_CUE >= n_words:
        return counts
    return [0 if i == _CHITCHAT else k for i, k in enumerate(counts)]


def words_of(low: str) -> list[str]:
    """Lower-cased text → words (punctuation split off; apostrophes, '+', '#', ':' kept)."""
    if low.isascii():  # CPython translates ASCII text through a small cache
        return low.translate(_PUNCT).split()
    # other text: translate looks each character up in the table (~70 ns, 0.14 ms for 2,000
    # characters); a scan per punctuation mark, and a replace for those present, is ~10x cheaper
    for c in _PUNCT_CHARS:
        if c in low:
            low = low.replace(c, " ")
    return low.split()


def words_and_head_words(low: str, n: int) -> tuple[list[str], list[str]]:
    """``(words_of(low), words_of(low[:n]))`` with one ``translate`` (it maps character to character)."""
    t = low.translate(_PUNCT)
    return t.split(), t[:n].split()


def lower_words_python(s: str) -> list[str]:
    """``words_of(s.lower())``: the words of text ``s``."""
    return words_of(s.lower())


def lower_split_python(s: str, n: int) -> tuple[str, list[str], list[str]]:
    """``(s[:n].lower(), words_of(s.lower()), words_of(s[:n].lower()))``: the lower-cased head,
    the words of ``s`` and those of its head."""
    low = s.lower()
    if s.isascii():  # str.lower maps ASCII character to character: the head of low is the lower-cased head
        words, head_words = words_and_head_words(low, n)
        return low[:n], words, head_words
    head = s[:n].lower()
    return head, words_of(low), words_of(head)


#: The ASCII characters ``words_of`` splits at (whitespace, and punctuation it maps to a space).
_SEPS = bytes(chr(c).translate(_PUNCT).isspace() for c in range(128))
if SPEEDUPS is not None:  # in one C pass (ASCII text: lower-case and split; other text: str.lower, then split)
    _c_lower_words, _c_lower_split = SPEEDUPS.lower_words, SPEEDUPS.lower_split

    def lower_words(s: str) -> list[str]:
        """``words_of(s.lower())`` (= ``lower_words_python``)."""
        return _c_lower_words(_SEPS, s)

    def lower_split(s: str, n: int) -> tuple[str, list[str], list[str]]:
        """``(s[:n].lower(), words_of(s.lower()), words_of(s[:n].lower()))`` (= ``lower_split_python``)."""
        return _c_lower_split(_SEPS, s, n)
else:
    lower_words, lower_split = lower_words_python, lower_split_python
#: ``str.lower`` (in C one pass, in place, 2-4x faster: the featurizer lower-cases a prompt's head and tail a dozen times).
lower: Callable[[str], str] = str.lower if SPEEDUPS is None else SPEEDUPS.lower


#: Bound on the word memo below (a few MB at most); a full memo is replaced by an empty one, not
#: frozen, so a long-running worker keeps its working set hot instead of slow lookups.
_MEMO_MAX = 50_000


def _word_ids(w: str) -> tuple[int, ...]:
    """Lexicons whose entries (single words or ``prefix*``) match word ``w``."""
    ids = _WORDS.get(w, ())
    if not ids and w.startswith(_PREFIX_TUPLE):
        ids = tuple(k for pre, k in _PREFIXES if w.startswith(pre))
    return ids


#: Phrases by first word: (its other words, padded search string, lexicon ids, can overlap itself).
_PHRASE_BY_FIRST: dict[str, list[tuple[frozenset[str], str, tuple[int, ...], bool]]] = {}
for _p, _ids in _PHRASES.items():
    _t = tuple(_p.split())
    _PHRASE_BY_FIRST.setdefault(_t[0], []).append(
        (frozenset(_t[1:]), " " + "  ".join(_t) + " ", _ids, any(_t[k:] == _t[: len(_t) - k] for k in range(1, len(_t)))))
_SEEN: dict[str, tuple[int, ...]] = {}  # every word looked up -> its lexicons (memo, bounded)
_HITS: dict[str, tuple[int, ...]] = {}  # the words of _SEEN that belong to some lexicon


def _learn(words: set[str], seen: dict[str, tuple[int, ...]], hits: dict[str, tuple[int, ...]]) -> None:
    """Look up never-seen words and memoize them."""
    for w in words:
        ids = seen[w] = _word_ids(w)
        if ids:
            hits[w] = ids


def _fresh_memos() -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]:
    """New, empty memos (replaced, never cleared in place: a concurrent call keeps a consistent pair)."""
    global _SEEN, _HITS
    _SEEN, _HITS = {}, {}
    return _SEEN, _HITS


def lexicon_counts_python(words: list[str]) -> list[int]:
    """Occurrences of each lexicon's entries (order = ``LEXICON_NAMES``), in Python.

    Words are counted in C; set operations on the distinct words (cost proportional to the
    prompt, not to the memo) find the lexicon hits and the words never seen before, which alone
    go through the Python lookup. Phrases are counted only when all their words occur: the same
    counts as scanning every position (``lexicon_counts_reference``).
    """
    counts = [0] * len(LEXICON_NAMES)
    seen, hits = _SEEN, _HITS
    cnt: dict[str, int] = {}
    _count_elements(cnt, words)
    keys = cnt.keys()
    new = set(keys).difference(seen)  # a dict argument: iterates the (small) left side
    if new:
        if len(seen) + len(new) > _MEMO_MAX:  # full: start over (this prompt's words included)
            seen, hits = _fresh_memos()
            new = set(keys)
        _learn(new, seen, hits)
    for w in keys & hits.keys():  # the view intersection iterates the smaller side
        c = cnt[w]
        for k in hits[w]:
            counts[k] += c
    starts = _PHRASE_START.intersection(keys)
    if not starts:
        return counts
    # Phrases: count " a  b " in " w1  w2  ... " (every word padded by one space on each side,
    # so a match starts and ends on word boundaries); only phrases whose words all occur.
    joined = None
    for a in starts:
        for rest, pat, ids, overlap in _PHRASE_BY_FIRST[a]:
            if keys >= rest:  # all its words occur (iterates ``rest``)
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


if SPEEDUPS is not None:
    _TABLE = SPEEDUPS.lexicon_table(_WORDS, _PREFIXES, _PHRASES, len(LEXICON_NAMES))
    _c_counts = SPEEDUPS.lexicon_counts

    def lexicon_counts(words: list[str]) -> list[int]:
        """Occurrences of each lexicon's entries (order = ``LEXICON_NAMES``): the C scan of every
        position (= ``lexicon_counts_reference``); ``lexicon_counts_python`` unless a list of str
        without spaces (``words_of`` output always is)."""
        out = _c_counts(_TABLE, words)
        return lexicon_counts_python(words) if out is None else out
else:
    lexicon_counts = lexicon_counts_python


#: Chinese and Japanese cues (``lexicons_intl.DENSE_CUES``): their lexicons' indexes and substrings,
#: and (lexicon index, cue) by the cue's first character.
_DENSE_IDS = tuple(LEXICON_NAMES.index(k) for k in DENSE_CUES)
_DENSE_GROUPS = tuple(DENSE_CUES.values())
_DENSE_BY_FIRST: dict[str, list[tuple[int, str]]] = {}
for _k, _group in zip(_DENSE_IDS, _DENSE_GROUPS):
    for _cue in _group:
        _DENSE_BY_FIRST.setdefault(_cue[0], []).append((_k, _cue))
_DENSE_FIRST_TUPLE = tuple(_DENSE_BY_FIRST)


def add_dense_cues_python(counts: list[int], s: str) -> list[int]:
    """``counts`` (of ``lexicon_counts``) plus the occurrences of the Chinese and Japanese cues in
    text ``s`` (``str.count`` of each: words are not separated there); only the cues whose first
    character occurs are counted (a ``str.count`` per cue would cost 0.4 ms on 2,000 characters). Those
    characters are looked for one by one (``in``: 19 us on 2,000 characters of Chinese; the set of the
    text's characters, 61 us)."""
    for ch in _DENSE_FIRST_TUPLE:
        if ch not in s:
            continue
        for k, cue in _DENSE_BY_FIRST[ch]:
            counts[k] += s.count(cue)
    return counts


if SPEEDUPS is not None:  # every cue counted in one C pass over ``s``
    _DENSE_TABLE = SPEEDUPS.count_table(_DENSE_GROUPS)
    _count_groups = SPEEDUPS.count_groups

    def add_dense_cues(counts: list[int], s: str) -> list[int]:
        """``add_dense_cues_python`` in one C pass."""
        for k, c in zip(_DENSE_IDS, _count_groups(_DENSE_TABLE, s)):
            counts[k] += c
        return counts
else:
    add_dense_cues = add_dense_cues_python


def positions(words: list[str], word: str) -> Iterator[int]:
    """The indices of ``word`` in ``words``, in order, each found with ``list.index`` (a C scan: a Python loop over the
    words, or a regex over them joined, cost several times more on 2,000 characters)."""
    i = -1
    while True:
        try:
            i = words.index(word, i + 1)
        except ValueError:
            return
        yield i

