"""How much algorithm a request for a program asks for: the cues of an algorithmic problem and of plumbing (version 45,
everyday words and phrasing cues version 50).

A request to write code reads ``written_code.REQUEST_EXTRA_CHARS`` (245) characters longer in the length prior: the
work it asks for is not in its words. Those characters levelled code requests: "Write a Python function that checks
whether a string is a palindrome" scored 0.81, "Implement a lock-free multi-producer queue with hazard pointers" 0.74,
and inside a set of coding problems the order was little more than length (LeetCode's Easy / Medium / Hard: Spearman
0.299, length 0.269). The words of a request say how much work it asks for: an optimum or a count over subsequences,
a count of ways modulo a prime, a graph, intervals, inputs of 10^5, a lock-free structure ask for an algorithm; checking
whether a number is even, reversing a string, converting Celsius ask for a few lines. Each distinct
algorithmic cue adds ``ALGORITHMIC_CHARS`` to the request's extra characters (at most ``ALGORITHMIC_MAX`` cues); without
one, each distinct plumbing cue takes ``PLUMBING_CHARS`` away (at most ``PLUMBING_MAX``). The cues were written from
what makes a programming problem hard, not picked from a benchmark's words (docs/classifier_history.md, version 45).
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

from classifiers.lexicons import lower, positions
from classifiers.program_words import NAMES_A_PROGRAM

#: Cues of an algorithmic problem in lower-cased words: single words, and phrases written with "|" (consecutive words).
#: Each counts once, however often it occurs. "minimum number" only before "of": "returns the minimum number in a list"
#: is a chore (0.76 -> 0.85 on 7.36.0; version 50).
ALGORITHMIC_TEXT = (
    # an optimum or a count to find
    "minimum|number|of maximum|number|of minimum|cost number|of|ways minimize minimise minimized maximize maximise "
    "maximized optimal optimally lexicographically lexicographical "
    # the structures and techniques of algorithmic problems
    "subsequence subsequences subarray subarrays dynamic|programming memoization memoize knapsack backtracking "
    "graph graphs edges vertices vertex dijkstra bfs dfs topological bipartite connected spanning|tree shortest|path "
    "cycle cycles intervals queries xor bitwise bitmask bitmasks k-th kth trie fenwick segment|tree union|find "
    "sliding|window partition partitions at|most|k at|least|k "
    # concurrency and guarantees
    "lock-free wait-free thread-safe concurrent concurrency atomic atomics hazard amortized"
)
#: Words of that list with an everyday sense count only beside a word of their problem (version 50): "plot a bar graph",
#: "connected to Wi-Fi", "the billing cycle", "cycles through the images", "rounded edges" beside no other graph word;
#: "partitions a USB disk" beside no sequence; "minimize the window" beside no quantity (each 0.75-0.78 -> 0.85-0.86 on
#: 7.36.0). A graph word's own singular or plural does not vouch for it; dependencies and a linked list are graphs too
#: ("a list of prerequisite pairs … -1 if there is a cycle").
GRAPH_CONTEXT = frozenset(("graph", "graphs", "node", "nodes", "vertex", "vertices", "edge", "edges", "directed",
                           "undirected", "weighted", "acyclic", "dag", "linked", "dependency", "dependencies",
                           "prerequisite", "prerequisites", "grid", "matrix", "island", "islands", "region", "regions",
                           "component", "components", "coloring", "colouring", "permutation", "permutations"))
SEQUENCE_CONTEXT = frozenset(("array", "arrays", "nums", "integer", "integers", "numbers", "string", "strings", "list",
                              "lists", "subset", "subsets", "substring", "substrings", "subarray", "subarrays", "set",
                              "multiset", "weights", "items"))
QUANTITY_CONTEXT = frozenset(("sum", "cost", "costs", "number", "total", "difference", "product", "score", "profit",
                              "distance", "count", "maximum", "minimum", "array", "arrays", "nums", "integers", "value",
                              "revenue", "area", "makespan", "weight", "length"))
EVERYDAY_CONTEXT: dict[str, frozenset[str]] = {
    **{w: GRAPH_CONTEXT for w in ("connected", "cycle", "cycles")},
    **{w: GRAPH_CONTEXT - {"graph", "graphs"} for w in ("graph", "graphs")},
    "edges": GRAPH_CONTEXT - {"edge", "edges"},
    **{w: SEQUENCE_CONTEXT for w in ("partition", "partitions")},
    **{w: QUANTITY_CONTEXT for w in ("minimize", "minimise", "minimized", "maximize", "maximise", "maximized")},
}
#: Cues of plumbing: a chore named by its object (a parity, a leap year, a unit conversion, vowels, a reversal, a
#: factorial, a palindrome, a primality check). "Read a file" and "print" are none: on arena_bench "a bash script that
#: backs up a folder to a NAS", "a kernel module to print EPT" and "a python script to analyze a CSV file" are no chores.
#: Nor are "check whether", "true if", "average" (version 50): they say how a task is put, not how much it asks ("returns
#: true if a 9x9 Sudoku grid has a unique solution" 0.80 -> 0.73, "checks whether two binary trees are isomorphic"
#: 0.77 -> 0.71 on 7.36.0).
PLUMBING_TEXT = (
    "even|or|odd is|even is|odd is|prime leap|year celsius fahrenheit vowels vowel reverse|a reverse|the reverses|a "
    "reverses|the uppercase factorial palindrome"
)
#: "modulo" before a large prime ("modulo 10^9 + 7", "mod 1e9+7", "mod 10**9+7", "modulo 1000000007"; "109 + 7" where a
#: superscript was lost): a count too large to enumerate. One cue: the 10^9 of the modulus is no large bound (version 50).
MODULO_WORDS = frozenset(("modulo", "mod"))
#: The moduli read after them: "10^9 + 7" is the words "10", "9" ("10^9+7": "10", "9+7"); "modulo 10" alone asks for a
#: last digit.
LARGE_MODULI = frozenset(("109", "109+7", "1e9", "1e9+7", "10**9", "10**9+7", "10\u2079", "10\u2079+7", "1000000007",
                          "998244353"))
NINE = frozenset(("9", "9+7"))
#: "queries" after these words are a search engine's or a database's, not a problem's ("related search queries").
QUERIES_OF = frozenset(("search", "sql", "database", "db", "related", "user", "customer"))
#: "intervals" after these words are a timer's ("pings a server at regular intervals"; version 50).
INTERVALS_OF = frozenset(("regular", "fixed", "set", "random", "timed", "periodic", "specified", "certain", "short", "long"))
NOT_AFTER = {"queries": QUERIES_OF, "intervals": INTERVALS_OF}
#: A bound of ten to the fourth power or more ("1 <= n <= 10^5", "up to 10**18", "1e5 points", "10\u2075"): an input too
#: large for a quadratic algorithm. "10^5" is read as the words "10" and "5".
LARGE_POWERS = frozenset(str(k) for k in range(4, 19))
_SUPERSCRIPT = str.maketrans("0123456789", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")
LARGE_E = frozenset(w for k in range(4, 19) for w in (f"1e{k}", f"10**{k}", "10" + str(k).translate(_SUPERSCRIPT)))
#: A time bound ("in O(n log n)", "O(1) per operation", "O(V + E)", "O(nlogn)", "O (n)", "O(n log(n))"): "O(" in the
#: text (a space between them allowed), not after a letter or digit, then at most 24 characters to its ")" holding only
#: a complexity's words (``COMPLEXITY_WORDS``, or one or two letters: n, nm, V, E, h; not Portuguese "o(s)", "o(a)")
#: and signs. The word "o" before "1", "n" or "log" was the Portuguese article and the Spanish and Italian "or"
#: ("retorna o log do arquivo", "devuelva 0 o 1": 0.78-0.80 -> 0.86-0.87 on 7.36.0; version 50); "O(nlogn)",
#: "O(logn)", "O (n)" were lost with it (review_s39_diff F4, version 51).
COMPLEXITY_WORDS = frozenset(("log", "logn", "nlogn", "lg", "lgn", "nlgn", "loglogn", "sqrt", "logk", "klogn", "nlogk",
                              "mlogn", "nlogm", "poly", "exp"))
NOT_COMPLEXITY = frozenset(("s", "a", "as", "os", "es"))
#: What "O(" holds up to its ")"; a "(" is looked for first, an "o" before it then (the "o" of every word was a slower
#: place to start: 30 us on 2,000 characters).
_INSIDE_O = re.compile(r"((?:[^()\n]|\([^()\n]{0,8}\)){1,24})\)")
_WORD_CHAR = re.compile(r"[^\W_]")
_COMPLEXITY_SIGNS = re.compile(r"[0-9\s^*+·×/.,()\-\u221a\u00b2\u00b3\u207f]*")
_LETTERS = re.compile(r"[a-z]+")


def _time_bound(text: str) -> bool:
    """Whether ``text`` writes a time bound: "O(" or "O (", not after a letter or digit, holding a complexity."""
    j = text.find("(")
    while j >= 0:
        k = j - 2 if j >= 2 and text[j - 1] == " " else j - 1
        if k >= 0 and text[k] in "oO" and (k == 0 or not _WORD_CHAR.match(text, k - 1)):
            m = _INSIDE_O.match(text, j + 1)
            if m is not None and _is_complexity(m.group(1)):
                return True
        j = text.find("(", j + 1)
    return False


def _is_complexity(inside: str) -> bool:
    """Whether the text inside "O(…)" is a complexity: its letter runs complexity words or one or two letters, nothing
    but digits, spaces and arithmetic signs between them, and some letter or digit."""
    low = lower(inside)
    runs = _LETTERS.findall(low)  # (the runs first: a word of prose after "o(" fails there, before the two scans)
    return (all((len(r) <= 2 and r not in NOT_COMPLEXITY) or r in COMPLEXITY_WORDS for r in runs)
            and any(c.isalnum() for c in low) and _COMPLEXITY_SIGNS.fullmatch(_LETTERS.sub("", low)) is not None)


#: The cues are read in a request that names a program: "graph" alone made "Describe how a graph of supply and demand
#: shows a price ceiling" a request for a program (a code cue above the rest), and no problem's.
#: Not "method", "solution" (a study's method, a problem's solution: version 49). The shared words of
#: ``program_words.NAMES_A_PROGRAM`` (version 50), with "return" (a program's result) and Swift.
PROGRAM_WORDS = NAMES_A_PROGRAM | frozenset(("return", "returns", "swift"))
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
    """Distinct cues of one kind in ``words`` (``present``: their set; then ``list.index`` per phrase opener present).
    A word of ``EVERYDAY_CONTEXT`` counts beside a word of its context, one of ``NOT_AFTER`` where some occurrence opens
    the text or follows no word of its set (the first: a problem's)."""
    hits = singles & present
    n = len(hits)
    for word in hits & EVERYDAY_CONTEXT.keys():
        n -= EVERYDAY_CONTEXT[word].isdisjoint(present)
    for word in hits & NOT_AFTER.keys():
        n -= all(i and words[i - 1] in NOT_AFTER[word] for i in positions(words, word))
    for key in phrases.keys() & present:
        found: set[tuple[str, ...]] = set()
        for i in positions(words, key):
            for at, phrase in phrases[key]:
                if phrase not in found and i >= at and tuple(words[i - at : i - at + len(phrase)]) == phrase:
                    found.add(phrase)
        n += len(found)
    return n


def _moduli(words: list[str], present: set[str]) -> set[int]:
    """The places of the moduli in ``words``: a word of ``LARGE_MODULI``, or "10" before "9" / "9+7", after a modulo
    word."""
    return {i + 1 for w in MODULO_WORDS & present for i in positions(words, w)
            if words[i + 1 : i + 2] and (words[i + 1] in LARGE_MODULI or words[i + 1] == "10" and words[i + 2 : i + 3]
                                         and words[i + 2] in NINE)}


def _bounds(words: list[str], present: set[str], text: str) -> int:
    """A modulus of a large prime, a large bound (not the modulus's 10^9) and a time bound in ``text``: one cue each."""
    moduli = _moduli(words, present) if not MODULO_WORDS.isdisjoint(present) else set()
    large = any(i not in moduli for w in LARGE_E & present for i in positions(words, w)) or (
        "10" in present and any(i not in moduli and words[i + 1 : i + 2] and words[i + 1] in LARGE_POWERS
                                for i in positions(words, "10")))
    bound = "o" in present and _time_bound(text)  # the word "o" is read wherever "O(" is written
    return bool(moduli) + large + bound


#: A bound's coefficient ("2 * 10^5") and the "+ 7" of a modulus written apart ("10^9 + 7", "1e9 +7").
COEFFICIENTS = frozenset("23456789")
PLUS_SEVEN = ("+", "7")
_RE_DIGITS = re.compile(r"[0-9]+")


def bound_numbers(words: list[str]) -> int:
    """How many of the numbers of ``words`` (as ``quantities.count_quantities`` counts them: runs of digits) are an
    input's large bound or a modulus ("n up to 10^5", "2 * 10^5 queries", "1e5", "modulo 10^9 + 7"), in a text that
    names a program (version 51). They are the program's specification, no math: "10^5" is two numbers and the math
    domain tied the code domain, so "Implement a segment tree … with n up to 10^5." lost the program reading (0.55;
    "up to 100000" 0.88). Read only where the features weigh that reading; "How many divisors does 10^6 have?" names
    no program."""
    present = set(words)
    if ("10" not in present and LARGE_E.isdisjoint(present) and MODULO_WORDS.isdisjoint(present)) or not names_a_program(words):
        return 0
    at = {i for w in LARGE_E & present for i in positions(words, w)}
    for i in _moduli(words, present) if not MODULO_WORDS.isdisjoint(present) else ():
        at.update((i, i + 1) if words[i] == "10" else (i,))
    for i in positions(words, "10") if "10" in present else ():
        if words[i + 1 : i + 2] and (words[i + 1] in LARGE_POWERS or words[i + 1] in NINE):
            at.update((i, i + 1) if i == 0 or words[i - 1] not in COEFFICIENTS else (i - 1, i, i + 1))
    for i in [i for i in at if words[i].endswith(("9", "\u2079"))]:  # the "+ 7" after a 9
        at.update((i + 1,) if words[i + 1 : i + 2] == ["+7"] else (i + 2,) if tuple(words[i + 1 : i + 3]) == PLUS_SEVEN else ())
    return sum(len(_RE_DIGITS.findall(words[i])) for i in at)


def algorithmic_cues(words: list[str], text: str, plumbing: bool = True, present: AbstractSet[str] | None = None) -> tuple[int, int]:
    """(distinct algorithmic cues, distinct plumbing cues) in the lower-cased ``words`` of ``text`` (where a time bound
    is read; ``present``: the set of ``words``, if known); the plumbing cues are not counted (0) when ``plumbing`` is
    false and an algorithmic cue is found."""
    present = set(words) if present is None else present
    algo = _cues(words, present, _ALGO_WORDS, _ALGO_PHRASES) + _bounds(words, present, text)
    return algo, (_cues(words, present, _PLUMB_WORDS, _PLUMB_PHRASES) if plumbing or not algo else 0)


def _returns_a_result(words: list[str]) -> bool:
    """Whether some "return" in ``words`` is not followed by "on" or "to" (``NOT_A_RESULT``)."""
    return any(i + 1 == len(words) or words[i + 1] not in NOT_A_RESULT
               for word in RETURN_WORDS.intersection(words) for i in positions(words, word))


def names_a_program(words: list[str], present: AbstractSet[str] | None = None) -> bool:
    """Whether ``words`` (``present``: their set, if known) name a program (``PROGRAM_WORDS``; "return" only before a
    result, ``NOT_A_RESULT``)."""
    named = PROGRAM_WORDS.intersection(words if present is None else present)
    return bool(named) and (not named <= RETURN_WORDS or _returns_a_result(words))


def request_work_chars(words: list[str], text: str, present: AbstractSet[str] | None = None) -> int:
    """Characters a request's cues add to (or take from) its ``REQUEST_EXTRA_CHARS`` in the length prior (none unless
    it names a program, ``PROGRAM_WORDS``); ``words`` are those of ``text``, a bounded slice of the request, ``present``
    their set if the caller has it (each set of 2,000 characters' words: 4 us)."""
    present = set(words) if present is None else present
    if not names_a_program(words, present):
        return 0
    algo, plumbing = algorithmic_cues(words, text, plumbing=False, present=present)
    if algo:
        return ALGORITHMIC_CHARS * min(algo, ALGORITHMIC_MAX)
    return -PLUMBING_CHARS * min(plumbing, PLUMBING_MAX)
