"""Whether a request for a program opens as a question, and so gets no ``written_code.REQUEST_EXTRA_CHARS``
(moved here from ``written_code``, version 64, with the context clause before a question)."""

from __future__ import annotations

import re

from classifiers.greetings import greeting_end
from classifiers.lexicons import lower_words

__all__ = ["ASK_CHARS", "CONTEXT_CHARS", "CONTEXT_QUESTION_CHARS", "CONTEXT_SUBJECTS", "CONTEXT_VERBS", "POLITE_OPENERS",
           "QUESTION_OPENERS", "QUESTION_VERBS", "asks_for_code_later", "opens_question"]

#: First words of a question, to which those characters are not added: a question about code ("How do I read a
#: file line by line in Python?", "What does yield do?") is no request for a program (on arena_bench
#: such prompts fail weak models no more than the rest: mean target 0.52 vs 0.54; requests 0.61); nor
#: is a follow-up opened with "Now" ("Now do the same in Java."), which its conversation scores.
QUESTION_OPENERS = frozenset(("how", "what", "why", "when", "which", "where", "who", "is", "are", "can", "could", "does", "do",
                              "should", "would", "will", "explain", "tell", "now",
                              # contracted with "is" (version 58: "What's the difference between let and const in
                              # JavaScript?" read as a request, 0.74, "What is …" 0.41; "What’s" splits at its apostrophe)
                              "what's", "whats", "how's", "why's", "when's", "where's", "who's"))
#: A polite request is no question: "Can you write a function that …", "Could you please prove that …"
#: ask for the work as the imperative does — unless the verb asks for words about it ("Can you explain …").
POLITE_OPENERS = frozenset(("can", "could", "would", "will"))
QUESTION_VERBS = frozenset(("explain", "tell", "help", "describe"))
#: A first sentence saying what the asker is at ("I'm writing a Flask app.", "We are building a React app.") before a
#: question: the question is the request (version 64). "I'm writing a Flask app. How do I return JSON from a route?"
#: 0.76 and "I am building a React app. How do I add a favicon?" 0.73 read as requests for a program, where "How do I
#: return JSON from a Flask route?" is a question (and "I am writing an essay. How do I cite …?" 0.09). A statement of
#: a fault is no such clause: "My Next.js page flashes unstyled content. How do I fix it?" asks for the fix.
CONTEXT_SUBJECTS = (("i'm",), ("im",), ("i", "m"), ("i", "am"), ("we're",), ("we", "are"), ("i've", "been"))
CONTEXT_VERBS = frozenset((
    "writing", "building", "making", "developing", "creating", "coding", "programming", "working", "using", "learning",
    "designing", "trying", "migrating", "setting", "deploying", "porting", "studying",
))
#: Characters read for the context sentence and the first words of the next one.
CONTEXT_CHARS = 200
#: The question after a context clause is the request only when it ends within this many characters (version 68: a
#: short question; what follows it may tell more, "I tried jsonify but it returns HTML.", unless it asks for the code:
#: "We're building a key-value store in Go. How should we implement Raft? Write the code for both." 0.82 -> 0.64 in
#: version 64, ``asks_for_code_later``).
CONTEXT_QUESTION_CHARS = 150
#: Characters read for a later request for the code (version 68).
ASK_CHARS = 600
_RE_SENTENCE_END = re.compile(r"[.!?]+\s+")
_RE_NON_SPACE = re.compile(r"\S")
_RE_QUESTION_END = re.compile(r"[.!?]\s")
#: A later sentence, or a clause after ", and", that asks for the code (version 68, review_s40_b H1): a question
#: "How do I avoid the ABA problem …, and can you write the full implementation?", "What's the best way to implement a
#: persistent segment tree? Write it." (0.81 -> 0.53 after a greeting) asks for the program, not only about it. "Give /
#: show (me) the code" needs "complete", "full" …: "What is a closure in JavaScript? Show me the code." asks for an
#: example (0.43 -> 0.74 as a request).
_RE_ASKS_CODE = re.compile(
    r"(?:[.!?;:]\s+|\n\s*|,\s*and\s+|\band\s+(?=(?:can|could|would|will)\s))"  # a sentence's or a clause's start
    r"(?:then\s+|also\s+|now\s+)?(?:please\s+)?(?:(?:can|could|would|will)\s+you\s+(?:please\s+|also\s+)?)?"
    # a write / build verb, not a log's label ("Build output:", "Build failed") nor an answer's ("Write your answer as")
    r"(?:(?:write|rewrite|implement|build|create|develop)\b"
    r"(?!\s*:|\s+(?:fail|error|log|output|step|succe|time|is\b|was\b|your\s|the\s+(?:final\s+)?answer|down\b))"
    r"|(?:give|show|provide|share|post)\s+(?:me\s+|us\s+)?(?:the\s+|a\s+)?"
    r"(?:complete|full|whole|entire|working|final)\s+(?:code|implementation|program|source)\b)")


def opens_question(words: list[str], text: str = "") -> bool:
    """Whether the first word opens a question, a polite request ("Can you [please] write …") excepted; after a
    connective ("Now", "Then") the next word decides: "Now do the same in Java." follows up, "Now show that …
    by induction" asks for a proof (it read as a question: 0.47, against 0.75 without "Now"); so does the word after a
    greeting ("Whats up, implement …", "How's it going? I need …": version 62). Or the first sentence of ``text`` (the
    text ``words`` come from) is a context clause (``CONTEXT_SUBJECTS`` + ``CONTEXT_VERBS``) and the next one opens a
    question."""
    return _opens_question(words, text) and not (text and asks_for_code_later(text))


def asks_for_code_later(text: str) -> bool:
    """Whether a sentence after the first of ``text`` (its first ``ASK_CHARS`` characters), or a clause after ", and",
    opens by asking for the code: a write / build verb ("Write it.", "and write the whole thing"), "can you write",
    "give (me) the complete / full code" (version 68; not "show me the code": an example for a question). A question that also asks for the code is a request
    for the program."""
    return _RE_ASKS_CODE.search(text[:ASK_CHARS].lower()) is not None


def _opens_question(words: list[str], text: str) -> bool:
    """``opens_question`` without the later request for the code."""
    start = greeting_end(words)
    words = words[start:start + 5]  # the opener, "you", "please", the verb; one more after "Now" (no copy of the text)
    if words[:1] in (["now"], ["then"]) and len(words) > 1:
        words = words[1:]
    if not words or words[0] not in QUESTION_OPENERS:
        return bool(text) and _context_then_question(words, text)
    if words[0] not in POLITE_OPENERS or words[1:2] != ["you"]:
        return True
    verb = words[3:4] if words[2:3] == ["please"] else words[2:3]
    return not verb or verb[0] in QUESTION_VERBS


def _context_then_question(words: list[str], text: str) -> bool:
    """Whether ``text`` opens with a context clause, its sentence ended within ``CONTEXT_CHARS`` characters, and the
    next sentence opens a question (``opens_question`` of its first words) and ends within ``CONTEXT_QUESTION_CHARS``
    characters (version 68)."""
    k = next((len(s) for s in CONTEXT_SUBJECTS if words[:len(s)] == list(s)), 0)
    if not k or words[k:k + 1] == [] or words[k] not in CONTEXT_VERBS:
        return False
    end = _RE_SENTENCE_END.search(text, 0, CONTEXT_CHARS)
    if end is None:
        return False
    # a short question (version 68): it ends (".", "!" or "?" and a space, or the text's end) within
    # CONTEXT_QUESTION_CHARS characters; what follows it may tell more ("I tried jsonify but it returns HTML.")
    e = end.end()
    rest = text[e:e + CONTEXT_QUESTION_CHARS + 1]
    if _RE_QUESTION_END.search(rest) is None and _RE_NON_SPACE.search(text, e + CONTEXT_QUESTION_CHARS):
        return False
    return _opens_question(lower_words(rest[:40])[:4], "")
