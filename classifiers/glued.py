"""Latin-script words written against other characters without a space, read as the words they are.

In "写一个Python函数" (write a Python function) the word split sees one word, and "python" was not read: the cue
lexicons count the ASCII runs of such words too (in Chinese, Japanese and Korean text, where ``features`` calls this).
"""

from __future__ import annotations

from operator import add

from classifiers.lexicons import _PHRASE_BY_FIRST, _PHRASE_START, _SEPS, SPEEDUPS, _count_elements, lexicon_counts

__all__ = ["add_glued_words", "glued_words", "glued_words_python"]

#: bytes.translate table for UTF-8 text: ASCII letters lower-cased, the separators of ``words_of``
#: and every byte of a multi-byte character spaces.
_GLUED_TABLE = bytes(32 if b >= 128 or _SEPS[b] else b + 32 if 65 <= b <= 90 else b for b in range(256))


def glued_words_python(s: str, words: list[str]) -> list[str]:
    """The Latin-script words of text ``s`` (its words: ``words``, of ``lower_words(s)``) written against other
    characters without a space, lower-cased: in "写一个Python函数" (a Python function) the word split sees one word,
    and "python" was not read. They are the text's ASCII words with every other character read as a space, less the
    ASCII words in ``words``."""
    extra: dict[str, int] = {}
    _count_elements(extra, s.encode("utf-8", "replace").translate(_GLUED_TABLE).decode("ascii").split())
    for w in words:
        if w in extra:
            extra[w] -= 1
    return [w for w, k in extra.items() for _ in range(k)]


if SPEEDUPS is not None:
    _c_glued_words = SPEEDUPS.glued_words

    def glued_words(s: str, words: list[str]) -> list[str]:
        """``glued_words_python`` in one C pass (65 -> ~7 us on 2,000 characters of Chinese): the ASCII runs of the
        words that hold another character, in text order. ``lexicon_counts`` reads the order of its words only for a
        phrase, so the reference's (each word where the text first has it, standing alone or glued, as often as it is
        glued) is taken from Python when all the words of a phrase are glued ones (no text of the tiled arena-hard
        prompts); and a Kelvin sign (lower-cased to an ASCII "k") is left to Python too."""
        glued = _c_glued_words(_SEPS, s)
        if glued is None or (glued and _phrase_possible(frozenset(glued))):
            return glued_words_python(s, words)
        return glued
else:
    glued_words = glued_words_python


def _phrase_possible(words: frozenset[str]) -> bool:
    """Whether every word of some lexicon phrase is among ``words``."""
    return any(words >= rest for first in _PHRASE_START.intersection(words) for rest, *_ in _PHRASE_BY_FIRST[first])


def add_glued_words(counts: list[int], s: str, words: list[str]) -> list[int]:
    """``counts`` (of ``lexicon_counts(words)``, the words of text ``s``) plus the cues among its glued words."""
    glued = glued_words(s, words)
    return list(map(add, counts, lexicon_counts(glued))) if glued else counts
