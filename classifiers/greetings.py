"""A greeting before a request is no question opener (version 62).

Version 58 made "what's", "how's" question openers, and a greeting opens with them: "Whats up, implement a
thread-safe LRU cache in C++ …" (0.90 -> 0.52) and "How's it going? I need a Java class …" (0.72 -> 0.53) read
as questions about code, not requests for a program. The first words are read after the greeting, as they are after
"Now" / "Then": the request itself decides.
"""

from __future__ import annotations

__all__ = ["GREETINGS", "MAX_GREETINGS", "NOT_AFTER_GREETING", "greeting_end"]

#: Greetings as words (``lexicons.words_of``: punctuation split off), the longer before the shorter they open with.
GREETINGS = (
    ("what's", "up"), ("whats", "up"), ("what's", "good"), ("whats", "good"), ("how's", "it", "going"),
    ("hows", "it", "going"), ("how", "is", "it", "going"), ("how's", "everything"), ("hows", "everything"),
    ("how", "is", "everything"), ("how", "are", "you", "doing"), ("how", "are", "you", "today"), ("how", "are", "you"),
    ("how", "r", "u"), ("hi", "there"), ("hey", "there"), ("hello", "there"), ("hi",), ("hey",), ("hello",),
)
#: A word that makes the phrase the question's own words: "What's up with my loop?", "How's it going to scale?",
#: "How are you supposed to close a channel in Go?"; "doing", "today" end a longer greeting.
NOT_AFTER_GREETING = frozenset(("with", "to", "supposed", "meant", "able", "going", "using", "handling", "getting",
                                "gonna", "planning", "so", "doing", "today"))
#: At most this many greetings are skipped ("Hi! How are you? Can you …").
MAX_GREETINGS = 2
#: GREETINGS by their first word, in their order.
_BY_FIRST: dict[str, tuple[tuple[str, ...], ...]] = {
    first: tuple(g for g in GREETINGS if g[0] == first) for first in dict.fromkeys(g[0] for g in GREETINGS)}


def greeting_end(words: list[str]) -> int:
    """Where ``words`` go on past the greetings that open them (at most ``MAX_GREETINGS``, each followed by a word not
    in ``NOT_AFTER_GREETING``): 0 when no greeting opens them. An index, not a slice: no copy of a long text's words."""
    i = 0
    for _ in range(MAX_GREETINGS):
        for greeting in _BY_FIRST.get(words[i], ()) if i < len(words) else ():
            n = len(greeting)
            if tuple(words[i : i + n]) == greeting and len(words) > i + n and words[i + n] not in NOT_AFTER_GREETING:
                i += n
                break
        else:
            break
    return i
