"""How much algorithm a request for a program asks for: the cues of an algorithmic problem and of plumbing (version 45).

A request to write code reads ``written_code.REQUEST_EXTRA_CHARS`` (245) characters longer in the length prior: the
work it asks for is not in its words. Those characters levelled code requests: "Write a Python function that checks
whether a string is a palindrome" scored 0.81, "Implement a lock-free multi-producer queue with hazard pointers" 0.74,
and inside a set of coding problems the order was little more than length (LeetCode's Easy / Medium / Hard: Spearman
0.299, length 0.269). The words of a request say how much work it asks for: an optimum or a count over subsequences,
a count of ways modulo a prime, a graph, intervals, inputs of 10^5, a lock-free structure ask for an algorithm; checking
whether a number is even, reversing a string, converting Celsius, averaging a list ask for a few lines. Each distinct
algorithmic cue adds ``ALGORITHMIC_CHARS`` to the request's extra characters (at most ``ALGORITHMIC_MAX`` cues); without
one, each distinct plumbing cue takes ``PLUMBING_CHARS`` away (at most ``PLUMBING_MAX``). The cues were written from
what makes a programming problem hard, not picked from a benchmark's words (docs/classifier.md, version 45).
"""

from __future__ import annotations

from classifiers.lexicons import positions

#: Cues of an algorithmic problem in lower-cased words: single words, and phrases written with "|" (consecutive words).
#: Each counts once, however often it occurs.
ALGORITHMIC_TEXT = (
    # an optimum or a count to find
    "minimum|number maximum|number minimum|cost number|of|ways minimize minimise minimized maximize maximise maximized "
    "optimal optimally lexicographically lexicographical "
    # the structures and techniques of algorithmic problems
    "subsequence subsequences subarray subarrays dynamic|programming memoization memoize knapsack backtracking "
    "graph graphs edges vertices vertex dijkstra bfs dfs topological bipartite connected spanning|tree shortest|path "
    "cycle cycles intervals queries xor bitwise bitmask bitmasks k-th kth trie fenwick segment|tree union|find "
    "sliding|window partition partitions at|most|k at|least|k "
    # concurrency and guarantees
    "lock-free wait-free thread-safe concurrent concurrency atomic atomics hazard amortized"
)
#: Cues of plumbing: a check, a conversion, a string or list chore. "Read a file" and "print" are none: on arena_bench
#: "a bash script that backs up a folder to a NAS", "a kernel module to print EPT" and "a python script to analyze a CSV
#: file" are no chores.
PLUMBING_TEXT = (
    "true|if check|if check|whether checks|if checks|whether even|or|odd is|even is|odd leap|year celsius fahrenheit "
    "vowels vowel reverse|a reverse|the reverses|a reverses|the average uppercase factorial palindrome"
)
#: "modulo" before a large prime ("modulo 10^9 + 7", "mod 1e9+7", "modulo 1000000007"; "109 + 7" where a superscript was
#: lost): a count too large to enumerate.
MODULO_WORDS = frozenset(("modulo", "mod"))
#: The moduli read after them: "10^9 + 7" is the words "10", "9"; "modulo 10" alone asks for a last digit.
LARGE_MODULI = frozenset(("109", "1e9", "1e9+7", "1000000007", "998244353"))
#: "queries" after these words are a search engine's or a database's, not a problem's ("related search queries").
QUERIES_OF = frozenset(("search", "sql", "database", "db", "related", "user", "customer"))
#: A bound of ten to the fourth power or more ("1 <= n <= 10^5", "up to 10**18", "1e5 points"): an input too large for
#: a quadratic algorithm. "10^5" is read as the words "10" and "5".
LARGE_POWERS = frozenset(str(k) for k in range(4, 19))
LARGE_E = frozenset(f"1e{k}" for k in range(4, 19))
#: A time bound ("in O(n log n)", "O(1) per operation"): the word "o" before one of these.
COMPLEXITY_AFTER_O = frozenset(("1", "n", "log", "logn", "nlogn", "n2", "m", "k", "v", "e", "sqrt"))
#: The cues are read in a request that names a program: "graph" alone made "Describe how a graph of supply and demand
#: shows a price ceiling" a request for a program (a code cue above the rest), and no problem's.
#: Not "method", "solution" (a study's method, a problem's solution: version 49).
PROGRAM_WORDS = frozenset((
    "function", "functions", "program", "programs", "code", "implement", "implementation", "class", "algorithm",
    "algorithms", "script", "def", "return", "returns", "python", "java", "javascript", "typescript", "c++", "c#",
    "rust", "golang", "kotlin", "swift", "ruby", "php", "scala", "haskell", "sql",
))
#: "return" names a program's result unless these follow it: "maximize return on ad spend" (0.75 -> 0.91 with an
#: optimum's cue), "return to the office" (version 49).
RETURN_WORDS = frozenset(("return", "returns"))
NOT_A_RESULT = frozenset(("on", "to"))
#: Characters of work each distinct algorithmic cue adds to a request for a program, at most ``ALGORITHMIC_MAX`` cues:
#: LeetCode (held out) 0.299 -> 0.37 at 200 (60 / 120 / 300: 0.33 / 0.35 / 0.38, a probe of written requests
#: 0.79 / 0.78 / 0.76), the rows training never sees and the test sets as much.
ALGORITHMIC_CHARS = 200
ALGORITHMIC_MAX = 4
#: Characters each distinct plumbing cue takes from the request's extra characters, when it has no algorithmic cue
#: ("return true if the graph has a cycle" keeps them), at most ``PLUMBING_MAX`` cues (245 -> 45).
PLUMBING_CHARS = 100
PLUMBING_MAX = 2


def _compile(text: str) -> tuple[frozenset[str], dict[str, tuple[tuple[int, tuple[str, ...]], ...]]]:
    """(single words, key word of a phrase -> (the key's place in each phrase it keys, the phrase)). A phrase is looked
    for at its longest word, the rarest: "is|even" at "even", not at every "is"."""
    words: set[str] = set()
    phrases: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
    for entry in text.split():
        if "|" in entry:
            parts = tuple(entry.split("|"))
            key = max(range(len(parts)), key=lambda k: len(parts[k]))
            phrases.setdefault(parts[key], []).append((key, parts))
        else:
            words.add(entry)
    return frozenset(words), {k: tuple(v) for k, v in phrases.items()}


_ALGO_WORDS, _ALGO_PHRASES = _compile(ALGORITHMIC_TEXT)
_PLUMB_WORDS, _PLUMB_PHRASES = _compile(PLUMBING_TEXT)


def _cues(words: list[str], present: set[str], singles: frozenset[str], phrases: dict[str, tuple[tuple[int, tuple[str, ...]], ...]]) -> int:
    """Distinct cues of one kind in ``words`` (``present``: their set; then ``list.index`` per phrase opener present)."""
    hits = singles & present
    n = len(hits)
    if "queries" in hits and all(i and words[i - 1] in QUERIES_OF for i in positions(words, "queries")):  # (first: a problem's)
        n -= 1
    for key in phrases.keys() & present:
        found: set[tuple[str, ...]] = set()
        for i in positions(words, key):
            for at, phrase in phrases[key]:
                if phrase not in found and i >= at and tuple(words[i - at : i - at + len(phrase)]) == phrase:
                    found.add(phrase)
        n += len(found)
    return n


def _followed(words: list[str], first: str, after: frozenset[str], nine: bool = False) -> bool:
    """Whether ``first`` occurs in ``words`` before a word of ``after`` (and that one before "9" with ``nine``: "10 9")."""
    return any(words[i + 1 : i + 2] and words[i + 1] in after and (not nine or words[i + 2 : i + 3] == ["9"])
               for i in positions(words, first))


def _bounds(words: list[str], present: set[str]) -> int:
    """A modulus of a large prime, a large bound and a time bound: one cue each."""
    modulo = any(_followed(words, w, LARGE_MODULI) or _followed(words, w, _TEN, nine=True) for w in MODULO_WORDS & present)
    large = not LARGE_E.isdisjoint(present) or ("10" in present and _followed(words, "10", LARGE_POWERS))
    bound = "o" in present and _followed(words, "o", COMPLEXITY_AFTER_O)
    return modulo + large + bound


_TEN = frozenset(("10",))


def algorithmic_cues(words: list[str], plumbing: bool = True) -> tuple[int, int]:
    """(distinct algorithmic cues, distinct plumbing cues) in the lower-cased ``words``; the plumbing cues are not
    counted (0) when ``plumbing`` is false and an algorithmic cue is found."""
    present = set(words)
    algo = _cues(words, present, _ALGO_WORDS, _ALGO_PHRASES) + _bounds(words, present)
    return algo, (_cues(words, present, _PLUMB_WORDS, _PLUMB_PHRASES) if plumbing or not algo else 0)


def _returns_a_result(words: list[str]) -> bool:
    """Whether some "return" in ``words`` is not followed by "on" or "to" (``NOT_A_RESULT``)."""
    return any(i + 1 == len(words) or words[i + 1] not in NOT_A_RESULT
               for word in RETURN_WORDS.intersection(words) for i in positions(words, word))


def request_work_chars(words: list[str]) -> int:
    """Characters a request's cues add to (or take from) its ``REQUEST_EXTRA_CHARS`` in the length prior (none unless
    it names a program, ``PROGRAM_WORDS``)."""
    named = PROGRAM_WORDS.intersection(words)
    if not named or (named <= RETURN_WORDS and not _returns_a_result(words)):
        return 0
    algo, plumbing = algorithmic_cues(words, plumbing=False)
    if algo:
        return ALGORITHMIC_CHARS * min(algo, ALGORITHMIC_MAX)
    return -PLUMBING_CHARS * min(plumbing, PLUMBING_MAX)
