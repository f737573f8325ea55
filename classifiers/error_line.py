"""A short question about one everyday error line is no request for a program (version 58).

"IndentationError: unexpected indent. What does this mean?", "git says 'fatal: not a git repository …'. What did I do
wrong?", "My Python script says ModuleNotFoundError: No module named 'requests'. What do I do?" scored 0.74-0.79 (the
expensive tier): the exception's name (version 53) and the code words gave the code domain, the question came after the
error, not first, and the prompt read as a request to write code (``written_code.REQUEST_EXTRA_CHARS`` in the length
prior), while "I get 'bash: npm: command not found'. How do I fix it?" (no code cue) scored 0.35. Such a prompt asks
what an error means or how to get past it: one look-up, no program to write.

The reading is narrow. The prompt is short (``ERROR_LINE_MAX_CHARS``, at most ``MAX_LINES`` lines), holds an error
line (an exception's class name, or one of ``ERROR_MARKERS``), and no code or traceback pasted with it (a fence, an
indented line, "Traceback", a ``File "…"`` frame: ``PASTED_MARKERS``), no verb asking for code to be written or changed (``CODE_REQUEST_WORDS``), and
no word of a hard bug (``HARD_STEMS``: concurrency, memory, performance, builds, upgrades, a bug that shows "only" or
"randomly": "After upgrading to Python 3.12 our asyncio service randomly raises RuntimeError …" stays a hard problem).
Work is bounded: only prompts of at most ``ERROR_LINE_MAX_CHARS`` characters are read.
"""

from __future__ import annotations

from classifiers.code_names import exception_names

__all__ = ["CODE_REQUEST_WORDS", "ERROR_LINE_MAX_CHARS", "ERROR_MARKERS", "HARD_STEMS", "MAX_LINES", "PASTED_MARKERS",
           "asks_about_an_error"]

#: The longest prompt read as one error line and a question about it (a pasted log or a story of a bug is longer).
ERROR_LINE_MAX_CHARS = 240
#: The error line and the question, on one line or two: more lines are code or a log pasted without a fence
#: ("const total = 0\ntotal += 5\nTypeError: Assignment to constant variable.\nWhy?").
MAX_LINES = 2
#: An error line without an exception's class name: a tool's or a shell's message (lower-cased).
ERROR_MARKERS = ("fatal:", "error:", "command not found", "permission denied", "no such file or directory",
                 "is not recognized as", "cannot find module", "errno", "err!", "cannot connect to", "could not find",
                 "could not resolve")
#: Code or a traceback pasted with the error: then the question is over that code.
PASTED_MARKERS = ("```", "\n    ", "\n\t", "traceback", 'file "')
#: Words asking for code to be written or changed: a request for a program, whatever error it names ("Rewrite it so
#: the KeyError …", "Implement a retry on ConnectionError").
CODE_REQUEST_WORDS = frozenset((
    "write", "rewrite", "implement", "refactor", "optimize", "optimise", "create", "build", "develop", "generate",
    "port", "convert",
))
#: Stems (lower-cased, read anywhere in the prompt) of a hard bug: concurrency, memory, performance, compiling and
#: building, an upgrade or a migration, production, a bug that shows only sometimes.
HARD_STEMS = ("async", "await", "thread", "concurren", "parallel", "deadlock", "race", "segfault", "segmentation",
              "valgrind", "-o2", "-o3", "memory", "leak", "heap", "overflow", "upgrad", "migrat", "performance", "slow",
              "latency", "production", "random", "intermittent", "sometimes", "only ", "compil", "linker", "build",
              "release", "cuda", "gpu", "kernel", "overhead")


def asks_about_an_error(text: str, words: list[str]) -> bool:
    """Whether ``text`` (``words`` its lower-cased words) is a short question about one everyday error line: at most
    ``ERROR_LINE_MAX_CHARS`` characters on at most ``MAX_LINES`` non-blank lines, an exception's class name or an ``ERROR_MARKERS`` line, nothing pasted
    (``PASTED_MARKERS``), no ``CODE_REQUEST_WORDS`` and no ``HARD_STEMS``."""
    if len(text) > ERROR_LINE_MAX_CHARS or sum(1 for line in text.split("\n") if line.strip()) > MAX_LINES:
        return False
    low = text.lower()
    if not (exception_names(text) or any(m in low for m in ERROR_MARKERS)):
        return False
    return (CODE_REQUEST_WORDS.isdisjoint(words) and not any(m in low for m in PASTED_MARKERS)
            and not any(m in low for m in HARD_STEMS))
