"""A short question about one everyday error line is no request for a program (version 58).

"IndentationError: unexpected indent. What does this mean?", "git says 'fatal: not a git repository …'. What did I do
wrong?", "My Python script says ModuleNotFoundError: No module named 'requests'. What do I do?" scored 0.74-0.79 (the
expensive tier): the exception's name (version 53) and the code words gave the code domain, the question came after the
error, not first, and the prompt read as a request to write code (``written_code.REQUEST_EXTRA_CHARS`` in the length
prior), while "I get 'bash: npm: command not found'. How do I fix it?" (no code cue) scored 0.35. Such a prompt asks
what an error means or how to get past it: one look-up, no program to write.

The reading is narrow. The prompt is short (``ERROR_LINE_MAX_CHARS``, at most ``MAX_LINES`` lines), holds an error
line (an exception's class name, or one of ``ERROR_MARKERS``), and no code or traceback pasted with it (a fence, an
indented line, "Traceback", a ``File "…"`` frame: ``PASTED_MARKERS``), no verb asking for code to be written or built
(``written_code.WRITE_VERBS``, ``built_code.BUILD_VERBS``). Version 62: what it says besides the error (the error's
quoted span, or its clause: up to a sentence's end, a comma, "but", "when", "after" …) is a bare question about it:
at most ``CONTEXT_WORDS`` words outside ``BARE_WORDS`` (question frames, reporting verbs, function words) and no word of
a hard bug (``HARD_STEMS`` opening a word: concurrency, memory, performance, builds, upgrades, a bug that shows "only"
or "randomly"). Version 58 read any short prompt without a hard word, and a hard bug told in a few words read as a
look-up: "error: lifetime may not live long enough. I'm returning a reference from a closure in Rust, how do I fix
it?" 0.71 -> 0.40, "git says fatal: refusing to merge unrelated histories. How do I combine both repos and keep all
history?" 0.73 -> 0.37; and it read its hard words in the error message too ("can only concatenate str", "module
'random' has no attribute …"). Work is bounded: only prompts of at most ``ERROR_LINE_MAX_CHARS`` characters are read.
"""

from __future__ import annotations

import re

from classifiers.built_code import BUILD_VERBS
from classifiers.code_names import exception_names
from classifiers.lexicons import lower, words_of
from classifiers.written_code import WRITE_VERBS

__all__ = ["BARE_WORDS", "CLAUSE_ENDS", "CODE_REQUEST_WORDS", "CONTEXT_WORDS", "ERROR_LINE_MAX_CHARS", "ERROR_MARKERS",
           "HARD_STEMS", "MAX_LINES", "OPENING_REQUEST_WORDS", "PASTED_MARKERS", "QUOTES", "asks_about_an_error",
           "error_span"]

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
#: Words asking for code to be written or built: a request for a program, whatever error it names ("Write a function
#: that retries on ConnectionError", "Implement a context manager that suppresses FileNotFoundError").
CODE_REQUEST_WORDS = frozenset(WRITE_VERBS) | BUILD_VERBS
#: ... and, opening the prompt, verbs that ask for code only there ("Make a Python class that raises ValueError on
#: negative deposits."; "How do I make this error go away?" asks about it).
OPENING_REQUEST_WORDS = frozenset(("make", "add"))
#: Stems opening a word (lower-cased, read outside the error's span) of a hard bug: concurrency, memory, performance,
#: compiling and building, an upgrade or a migration, production, a bug that shows only sometimes.
HARD_STEMS = ("async", "await", "thread", "concurren", "parallel", "deadlock", "race", "segfault", "segmentation",
              "valgrind", "-o2", "-o3", "memory", "leak", "heap", "overflow", "upgrad", "migrat", "performance", "slow",
              "latency", "production", "random", "intermittent", "sometimes", "only", "compil", "linker", "build",
              "release", "cuda", "gpu", "kernel", "overhead")
#: Words of a bare question about an error, outside it: question frames ("What does this mean?", "How do I fix it?",
#: "What did I do wrong?", "Help?"), verbs reporting the error ("git says", "Java keeps throwing", "I get"), function
#: words.
BARE_WORDS = frozenset((
    "what", "what's", "whats", "why", "how", "does", "do", "did", "doing", "mean", "means", "meaning", "fix", "solve",
    "resolve", "get", "rid", "help", "wrong", "going", "happening", "cause", "causes", "causing", "usually", "should",
    "can", "could", "please", "explain", "anyone", "know", "any", "idea", "ideas", "thanks", "you", "avoid", "stop",
    "go", "away", "i", "i'm", "im", "i've", "me", "my", "we", "it", "it's", "its", "this", "that", "the", "a", "an", "is",
    "am", "are", "was", "were", "be", "there", "here", "so", "and", "or", "but", "to", "in", "on", "at", "for", "with",
    "of", "when", "just", "now", "keep", "keeps", "still", "again", "always", "error", "errors", "message", "gets",
    "getting", "got", "says", "say", "said", "shows", "showing", "prints", "printing", "throws", "throwing", "threw",
    "raises", "raising", "gives", "giving", "gave", "show", "see", "seeing", "appears", "pops", "up", "tells", "told", "run",
    "running", "try", "trying", "tried", "start", "starting", "install", "installing", "use", "using",
))
#: The most words of the question besides the error and ``BARE_WORDS``: a tool or where it showed ("my Python
#: script", "in my React project"); more is a bug told ("… returning a reference from a closure in Rust").
CONTEXT_WORDS = 3
#: Where an unquoted error's clause ends: a sentence's end, a clause told after it.
CLAUSE_ENDS = (". ", "? ", "! ", "\n", ", ", "; ", " but ", " when ", " whenever ", " after ", " while ", " because ",
               " though ", " although ", " since ", " even ",
               # where it happens, told after an unquoted message ("panic: … index out of range in my Go implementation
               # of a B+ tree split": review_s40_b M5)
               " in my ", " in our ", " in the ", " in a ", " inside ", " from my ", " from our ")
#: Quotes around an error: the opening one, its closing one.
QUOTES = {"'": "'", '"': '"', "`": "`", "‘": "’", "“": "”"}
#: Where an exception's class name (``code_names.exception_names``: a capital, at most 63 more letters or digits, the
#: ending) opens, in a prompt of at most ``ERROR_LINE_MAX_CHARS``.
_EXCEPTION = re.compile(r"(?<![A-Za-z0-9_])[A-Z][A-Za-z0-9]{0,63}(?:Error|Exception|Warning)s?(?![A-Za-z0-9_])")


def error_span(low: str, start: int, marker_end: int, message: bool = True) -> tuple[int, int]:
    """The span of the error at ``start`` in the lower-cased ``low``: its quotes when an opening quote (after no word
    character) before it in its sentence closes after ``marker_end``, else from ``start`` to the first ``CLAUSE_ENDS``
    after ``marker_end`` (the error's own words) when a ``message`` follows it, else to ``marker_end`` (an exception's
    name with no ":" after it: "StackOverflowError in my recursive descent parser …" tells the bug, not the message)."""
    head = low[:start]
    cut = max(head.rfind(". "), head.rfind("? "), head.rfind("! "), head.rfind("\n"))
    for i in range(start - 1, cut, -1):
        close = QUOTES.get(low[i])
        if close is not None and (i == 0 or not low[i - 1].isalnum()):
            j = low.find(close, marker_end)
            while j >= 0 and j + 1 < len(low) and low[j + 1].isalnum():  # an apostrophe inside ("doesn't")
                j = low.find(close, j + 1)
            if j >= 0:
                return i, j + 1
            break
    if not message:
        return start, marker_end
    ends = [k for k in (low.find(e, marker_end) for e in CLAUSE_ENDS) if k >= 0]
    return start, min(ends, default=len(low))


def asks_about_an_error(text: str, words: list[str]) -> bool:
    """Whether ``text`` (``words`` its lower-cased words) is a short question about one everyday error line: at most
    ``ERROR_LINE_MAX_CHARS`` characters on at most ``MAX_LINES`` non-blank lines, an exception's class name or an
    ``ERROR_MARKERS`` line, nothing pasted (``PASTED_MARKERS``), no ``CODE_REQUEST_WORDS`` (``OPENING_REQUEST_WORDS``
    first), and besides the error's span
    at most ``CONTEXT_WORDS`` words outside ``BARE_WORDS`` and no word opened by ``HARD_STEMS``."""
    if len(text) > ERROR_LINE_MAX_CHARS or sum(1 for line in text.split("\n") if line.strip()) > MAX_LINES:
        return False
    low = lower(text)
    found = [(k, k + len(m), True) for m in ERROR_MARKERS if (k := low.find(m)) >= 0]
    if exception_names(text) and (name := _EXCEPTION.search(text)):
        found.append((*name.span(), text[name.end() : name.end() + 1] == ":"))
    if (not found or not CODE_REQUEST_WORDS.isdisjoint(words) or words[:1] and words[0] in OPENING_REQUEST_WORDS
            or any(m in low for m in PASTED_MARKERS)):
        return False
    begin, end = error_span(low, *min(found))
    rest = [w.strip(":") for w in words_of(low[:begin] + " " + low[end:])]
    return (len({w for w in rest if w and w not in BARE_WORDS}) <= CONTEXT_WORDS
            and not any(w.startswith(HARD_STEMS) for w in rest))
