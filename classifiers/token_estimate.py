"""Tokens of a text without a tokenizer: the one estimate behind costs, limits and answer floors.

BPE vocabularies spend about a token on four characters of English or code, on two characters of
accented Latin, Cyrillic, Greek, Arabic or Hebrew, and on about one character of Chinese, Japanese,
Korean, Thai or Devanagari, and about two on an emoji. Those classes are the UTF-8 widths (1, 2, 3 and
4 bytes), so three C-level encodes count them: a loop over the characters took 10 ms at 100,000
characters, this 0.1-0.3 ms.
A flat "characters / 4" read a Chinese article at a quarter of its tokens (and of its cost). A text
longer than ``SAMPLE_CHARS`` is counted on its first and last ``SAMPLE_CHARS / 2`` characters and scaled
to its length: bounded work (a 1 MB Chinese reply took 3.5 ms counted whole).
"""

from __future__ import annotations

import re

#: Characters of ASCII text (English, code) per token.
DEFAULT_CHARS_PER_TOKEN = 4.0
#: Characters per token of two-byte scripts (accented Latin, Cyrillic, Greek, Arabic, Hebrew).
NARROW_CHARS_PER_TOKEN = 2.0
#: Longest text counted whole; a longer one is counted on its two ends (non-ASCII text only).
SAMPLE_CHARS = 65_536
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def estimate_tokens(text: str, chars_per_token: float = DEFAULT_CHARS_PER_TOKEN) -> float:
    """Tokens of ``text``: ASCII at ``chars_per_token``, two-byte characters at two a token,
    wider ones (CJK, kana, Hangul, Thai, Indic scripts) one a token, a four-byte character (an
    emoji) two."""
    n = len(text)
    if text.isascii():
        return n / chars_per_token
    if n > SAMPLE_CHARS:
        half = SAMPLE_CHARS // 2
        return estimate_tokens(text[:half] + text[-half:], chars_per_token) * n / (2 * half)
    ascii_chars = len(text.encode("ascii", "ignore"))
    try:
        utf8 = len(text.encode("utf-8"))
        astral = len(text.encode("utf-16-le")) // 2 - n  # 4 bytes in UTF-8: two UTF-16 units
    except UnicodeEncodeError:  # lone surrogates (a JSON "\ud800"): UTF-16's surrogatepass ran per character, 10 ms for 65,536
        utf8 = len(text.encode("utf-8", "surrogatepass"))
        astral = len(_ASTRAL.findall(text))
    extra = utf8 - ascii_chars - 2 * (n - ascii_chars)
    wide = extra - 2 * astral  # each 3-byte character is one byte over two, each 4-byte one two over
    narrow = n - ascii_chars - wide - astral
    return ascii_chars / chars_per_token + narrow / NARROW_CHARS_PER_TOKEN + wide + 2 * astral
