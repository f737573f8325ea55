"""Code cues that are no code: the words of an output-format phrase, and everyday words alone (version 48).

The code lexicon (``classifiers.lexicons``) holds words that are also everyday English: lymph nodes, a bug bite, a
restaurant's server, a needle's thread, a guitar string.
One of them in a short request that opens no question made a request for a program, with the code domain and
``written_code.REQUEST_EXTRA_CHARS`` in the length prior: "My lymph nodes are swollen and I have a sore throat. Should I
see a doctor?" scored 0.74, "I got bitten by a bug while hiking …" 0.70. Such words are code cues only beside another
code cue or code syntax; a request to write one ("write a script") is code by ``written_code.move_written_code``.
"""

from __future__ import annotations

from classifiers.output_format import format_code_cues

#: Code-lexicon words with an everyday sense (each a single word of the lexicon, counted once per occurrence).
EVERYDAY_CODE_WORDS = frozenset((
    "node", "nodes", "bug", "bugs", "server", "servers", "thread", "threads", "loop", "loops",
    "error", "errors", "string", "strings",
))  # not "function", "return", "graph", "array", "script", "method", "index": "Create a function that returns …"
#: A text with more code cues than this is read as code whatever they are (and the check's work stays bounded).
MAX_EVERYDAY_CUES = 3


def not_code_cues(s: str, words: list[str], code: int, code_syntax: int) -> int:
    """The code cues (of ``code``, counted over ``words``, the lower-cased words of ``s``) that are no code: those an
    output-format phrase holds (``output_format.format_code_cues``), and with no code syntax (``code_syntax`` tokens
    such as braces and semicolons, inline code in backticks, an assignment) all the rest when every one is an everyday
    word ("my server doesn't have enough RAM" after `` `rails assets:precompile` `` stays code)."""
    found = format_code_cues(s, words, code)
    rest = code - found
    if (0 < rest <= MAX_EVERYDAY_CUES and not code_syntax and "`" not in s and "=" not in s
            and sum(map(EVERYDAY_CODE_WORDS.__contains__, words)) == rest):
        return code
    return found
