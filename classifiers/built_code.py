"""What "implement", "build", "create" and "develop" make: code when what follows them is code, as for "write"
(``written_code``), a request for a program whatever the rest of its words (version 51).

"Write a function …" is a request for a program whatever its topic (``written_code.move_written_code``); the other verbs
of such a request were not read, and a request had to win the code domain over the math domain: an input's bound or a
modulus tied them ("Implement a segment tree … with n up to 10^5." 0.55, "Implement a function that counts the paths
in a grid mod 10**9+7 …" 0.60, with "Write" 0.88-0.91). "Implement" is a programmer's verb: its object is read as
"write"'s is. "Build", "create" and "develop" make plans, lesson modules and algebra's functions too: their object is
code only beside a language (version 52) — "a Python script", "a Python-based tool" no, "a function in Python", "a web
service in Go" — not a bare "function" or "module" ("Create a function f(x) whose graph passes through (1, 2) …" 0.58
-> 0.82, "Create a module on fractions for my 4th graders." 0.35 -> 0.72 in version 51, review_s39_final N1). "Design"
is none: it asks for a design, often in words.
"""

from __future__ import annotations

from classifiers.lexicons import positions
from classifiers.written_code import (
    WRITE_CODE_GAP,
    WRITE_CODE_NOUNS,
    WRITE_FILLERS,
    WRITE_LANGUAGE_NOUNS,
    WRITE_LANGUAGES,
    _writes_code,
    _written_in_language,
)

#: Verbs whose object is read as "write"'s.
IMPLEMENT_VERBS = frozenset(("implement",))
#: Verbs that make things other than programs too: code only beside a language.
MAKE_VERBS = frozenset(("build", "create", "develop"))
BUILD_VERBS = IMPLEMENT_VERBS | MAKE_VERBS
#: Code nouns that name a thing made outside code ("a class schedule", "a training program", "a dress code"), code right
#: after a language.
MADE_NOT_CODE = frozenset(("program", "programs", "class", "classes", "code"))
CODE_NOUNS = WRITE_CODE_NOUNS | WRITE_LANGUAGE_NOUNS | MADE_NOT_CODE
#: Occurrences of each verb read at most (bounded work: "create " repeated over 2,000 characters took 0.68 ms).
MAX_BUILDS = 8


def builds_code(words: list[str]) -> bool:
    """Whether a verb of ``BUILD_VERBS`` in ``words`` (its first ``MAX_BUILDS`` occurrences) makes code."""
    for verb in BUILD_VERBS.intersection(words):
        for n, i in enumerate(positions(words, verb)):
            if n == MAX_BUILDS:
                break
            if _writes_code(words, i) if verb in IMPLEMENT_VERBS else _makes_code(words, i):
                return True
    return False


def _makes_code(words: list[str], i: int) -> bool:
    """Whether the object of the verb ``words[i]`` of ``MAKE_VERBS`` is code beside a language: after at most
    ``WRITE_CODE_GAP`` fillers a language and its code noun ("a new simple Python class"), a language's compound ("a
    Python-function"), or a thing in a programming language (``written_code._written_in_language``)."""
    j, end = i + 1, min(len(words), i + 1 + WRITE_CODE_GAP)
    while j < end and words[j] in WRITE_FILLERS:
        j += 1
    noun = words[j] if j < len(words) else ""
    if words[j - 1] in WRITE_LANGUAGES and (noun in CODE_NOUNS):  # words[i], the verb, is none
        return True
    if noun in WRITE_LANGUAGES and j + 1 < len(words) and words[j + 1] in CODE_NOUNS:  # the fillers' gap ends at it
        return True
    first, _, last = noun.partition("-")  # "a Python-based tool" is no compound of a code noun
    if last and first in WRITE_LANGUAGES and last in CODE_NOUNS:
        return True
    return _written_in_language(words, i)
