"""Exception class names as code cues (version 53).

"I keep getting a KeyError when reading config['port']" and "How do I avoid a NullPointerException when the list might
be empty?" scored as everyday questions: the word split lower-cases "KeyError" to "keyerror", no lexicon word, and the
question may hold no other code cue. A CamelCase word ending in "Error", "Exception" or "Warning" after at least one
character, opened by a capital ("AttributeError", "HTTPError", "NullPointerException", "DeprecationWarnings") names a
class of a program's runtime, so each is a code cue. "Error" alone, "ERROR", "TerrorAlert" (the ending is not at the
word's end), "my_Error" (snake case is no class name) and "404Error" are none.

Work is bounded: only the featurizer's head+tail slice is read, each ending is found by a literal-led regex (skipping
ahead at C speed), at most ``MAX_EXCEPTIONS`` occurrences of each ending are read, and the scan back over a word stops
after ``MAX_NAME_CHARS`` characters.
"""

from __future__ import annotations

import itertools
import re

__all__ = ["ENDINGS", "MAX_EXCEPTIONS", "MAX_NAME_CHARS", "exception_names"]

#: Occurrences of each ending read per text (a pasted log repeating one error stays cheap).
MAX_EXCEPTIONS = 16
#: The longest class name read: a longer run of identifier characters is no name.
MAX_NAME_CHARS = 64
#: The endings of an exception's class name.
ENDINGS = ("Error", "Exception", "Warning")
_IDENT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
#: Each ending, plural too, at a word's end; the literal leads, so the search skips ahead at C speed.
_ENDING_RES = tuple((end, re.compile(end + r"s?(?![A-Za-z0-9_])")) for end in ENDINGS)


def exception_names(s: str) -> int:
    """CamelCase exception classes in ``s``: a word of ASCII letters and digits opened by a capital and ended by an
    ``ENDINGS`` word (plural too) after at least one character; at most ``MAX_EXCEPTIONS`` occurrences of each ending."""
    n = 0
    for end, pattern in _ENDING_RES:
        if end not in s:
            continue
        for m in itertools.islice(pattern.finditer(s), MAX_EXCEPTIONS):
            j = start = m.start()
            while start and s[start - 1] in _IDENT and j - start <= MAX_NAME_CHARS:
                start -= 1
            n += (0 < j - start <= MAX_NAME_CHARS and s[start].isupper() and "_" not in s[start:j]
                  and not (start and s[start - 1] in _IDENT))
    return n
