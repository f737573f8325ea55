"""Where the sentence around a position starts and ends, read in a bounded window.

The rules that judge a phrase by its own sentence (an output-format phrase, an answer template's lead) share one
reading of a sentence end: a line break, or ".", "!" or "?" before a space or the text's end ("3.5", "e.g.x" and
"node.js" end nothing). The window keeps the work bounded on huge prompts.
"""

from __future__ import annotations

import re

RE_SENTENCE_END = re.compile(r"\n|[.!?](?=\s|$)")


def sentence_start(low: str, i: int, lo: int) -> int:
    """Where the sentence holding position ``i`` starts (after the last sentence end before ``i``), at least ``lo``."""
    last = lo
    for m in RE_SENTENCE_END.finditer(low, lo, i + 1):  # i + 1: a "." right before i is followed by its character
        if m.start() < i:
            last = m.end()
    return last


def sentence_end(low: str, i: int, chars: int) -> int:
    """Where the sentence holding position ``i`` ends, at most ``chars`` after it."""
    m = RE_SENTENCE_END.search(low, i, i + chars + 1)  # + 1: a "." is followed by its character
    return min(len(low), i + chars) if m is None or m.start() >= i + chars else m.start()
