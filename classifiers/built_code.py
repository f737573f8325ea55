"""What "implement", "build", "create" and "develop" make: code when what follows them is code, as for "write"
(``written_code``), a request for a program whatever the rest of its words (version 51).

"Write a function …" is a request for a program whatever its topic (``written_code.move_written_code``); the other verbs
of such a request were not read, and a request had to win the code domain over the math domain. An input's bound or a
modulus ties them: "Implement a segment tree … with n up to 10^5." (0.55), "Implement a function that counts the paths in a
grid mod 10**9+7 …" (0.60), while the same requests with "Write" scored 0.88-0.91. "Implement" is a programmer's verb:
its object is read as "write"'s is. "Build", "create" and "develop" make houses, plans, classes of a school, lesson
modules and programs of an evening too: their object is code when it is a code noun ("a function", "an API"; "a
program", "a class", "code", "a module", "an implementation" only after a language: not "a class schedule", "a program
for the wedding", "a module on fractions for my 4th graders", "an implementation plan" — version 52), a thing in a
programming language, a data structure of its kind ("a segment tree", "a linked list") or a program's part that names
nothing built of wood or organised (not "a pool", "a library", "an engine", "a server", "a generator", ...). A function
of algebra is none: "a function f(x) whose graph …", "a function of x" (``MATH_AFTER_FUNCTION``; version 52: 0.58 ->
0.82 with it). Each verb's first ``MAX_BUILDS`` occurrences are read ("create " repeated over 2,000 characters took
0.68 ms). "Design" is none of them: it asks for a design, often in words ("Design a distributed rate limiter … and
explain the trade-offs" read as a request for code rose 0.54 -> 0.77, the same request in Korean or Chinese did not),
and a reasoning cue of its own.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from classifiers.lexicons import positions
from classifiers.written_code import (
    HEAD_PARTS,
    WRITE_CODE_GAP,
    WRITE_CODE_NOUNS,
    WRITE_FILLERS,
    WRITE_LANGUAGE_NOUNS,
    WRITE_LANGUAGES,
    _writes_a_part,
    _writes_code,
    _written_in_language,
    _written_with_tool,
)

#: Verbs whose object is read as "write"'s.
IMPLEMENT_VERBS = frozenset(("implement",))
#: Verbs that make things other than programs too.
MAKE_VERBS = frozenset(("build", "create", "develop"))
BUILD_VERBS = IMPLEMENT_VERBS | MAKE_VERBS
#: Code nouns that a made thing names outside code ("a class schedule", "a training program", "a dress code"): code
#: after a language only.
MADE_NOT_CODE = frozenset(("program", "programs", "class", "classes", "code", "module", "implementation"))
#: Words after "function" that make it algebra's: "a function f(x) whose graph …", "a function of x".
FUNCTION_NOUNS = frozenset(("function", "functions"))
MATH_AFTER_FUNCTION = frozenset(("of", "whose", "f", "g", "h", "y", "p"))
#: Occurrences of each verb read at most (bounded work).
MAX_BUILDS = 8
#: A program's parts that are built, designed or created outside code too: a pool, a library, an engine, a server of a
#: restaurant, a generator, a collector of rainwater, a stack of boxes, a loop trail.
MADE_EVERYDAY = frozenset((
    "kernel", "kernels", "queue", "queues", "stack", "heap", "cache", "server", "client", "driver", "library", "pool",
    "buffer", "loop", "engine", "generator", "converter", "collector", "wrapper", "calculator", "component",
    "components", "solver", "simulator", "scraper", "interpreter", "assembler", "decoder", "encoder", "scheduler",
))
MADE_PARTS = HEAD_PARTS - MADE_EVERYDAY


def builds_code(words: list[str], present: AbstractSet[str] | None = None) -> bool:
    """Whether a verb of ``BUILD_VERBS`` in ``words`` (its first ``MAX_BUILDS`` occurrences; ``present``: the set of
    ``words``, if known) makes code."""
    for verb in BUILD_VERBS.intersection(words if present is None else present):
        for n, i in enumerate(positions(words, verb)):
            if n == MAX_BUILDS:
                break
            if _writes_code(words, i) if verb in IMPLEMENT_VERBS else _makes_code(words, i):
                return True
    return False


def _makes_code(words: list[str], i: int) -> bool:
    """Whether the object of the verb ``words[i]`` of ``MAKE_VERBS`` is code: after at most ``WRITE_CODE_GAP`` fillers a
    code noun (one of ``MADE_NOT_CODE`` or a script, query, test right after a language only) or a language's compound
    ("a Python-function"), a thing in a programming language, or a part of ``MADE_PARTS``."""
    j, end = i + 1, min(len(words), i + 1 + WRITE_CODE_GAP)
    while j < end and words[j] in WRITE_FILLERS:
        j += 1
    noun = words[j] if j < len(words) else ""
    after_language = words[j - 1] in WRITE_LANGUAGES  # words[i], the verb, is none
    algebra = noun in FUNCTION_NOUNS and j + 1 < len(words) and words[j + 1] in MATH_AFTER_FUNCTION
    if noun in WRITE_CODE_NOUNS and (after_language or noun not in MADE_NOT_CODE) and not algebra:
        return True
    if noun in WRITE_LANGUAGE_NOUNS and after_language:
        return True
    if noun in WRITE_LANGUAGES and j + 1 < len(words) and (words[j + 1] in WRITE_LANGUAGE_NOUNS or words[j + 1] in MADE_NOT_CODE):
        return True  # the fillers' gap ends at the language: "a new simple Python class"
    first, _, last = noun.partition("-")  # "a Python-based tool" is no compound of a code noun
    if last and first in WRITE_LANGUAGES and (last in WRITE_CODE_NOUNS or last in WRITE_LANGUAGE_NOUNS):
        return True
    return _written_in_language(words, i) or _written_with_tool(words, i) or _writes_a_part(words, i, MADE_PARTS)
