"""Answers that return their input: a long text to translate, rewrite, proofread or reformat.

The answer-length model learned from questions and requests, whose answers do not grow with the
text they come with: "Translate this article into French:" over 3,300 tokens of article was
expected to take 183 answer tokens, a tenth of its cost. An answer that returns its input is about
as long as the input, so such a request's estimate has that as its floor (``LinearScorer``). One
prompt in the answer-length data has the shape ("Rewrite this song to be about programming" over
372 tokens of lyrics: 421 tokens answered, 108 expected by the model alone).
"""

from __future__ import annotations

import math
import re

#: Shorter turns are left to the model: their answers are short either way.
ECHO_MIN_CHARS = 800
#: Characters at each end of the turn searched for the instruction; the rest is the input.
INSTRUCTION_CHARS = 300
#: Characters per token of English text (the gateway's prompt estimate uses the same ratio).
CHARS_PER_TOKEN = 4.0
#: An instruction that starts a sentence or line with a verb whose answer returns the text
#: ("Translate this …", "Please proofread …", "… Now rewrite it in a formal tone.").
_RE_ECHO = re.compile(r"(?:^|[.!?:\n]\s*)(?:please\s+|can you\s+|could you\s+|now\s+|then\s+)?"
                      r"(?:translate|rewrite|rephrase|paraphrase|proofread|reformat|convert|revise|polish|edit)\b")


def echoed_tokens(text: str) -> float:
    """Tokens of the input an answer to ``text`` returns (0 when it asks for no such answer)."""
    n = len(text)
    if n < ECHO_MIN_CHARS:
        return 0.0
    if _RE_ECHO.search(text[:INSTRUCTION_CHARS].lower()) or _RE_ECHO.search(text[-INSTRUCTION_CHARS:].lower()):
        return (n - INSTRUCTION_CHARS) / CHARS_PER_TOKEN
    return 0.0


def echo_floor(text: str) -> float:
    """``log`` of ``echoed_tokens`` (the floor of the answer's log tokens), 0 when there is none."""
    t = echoed_tokens(text)
    return math.log(t) if t > 1.0 else 0.0
