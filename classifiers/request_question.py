"""Whether a request for a program opens as a question, and so gets no ``written_code.REQUEST_EXTRA_CHARS``
(moved here from ``written_code``, version 64, with the context clause before a question)."""

from __future__ import annotations

import re

from classifiers.greetings import greeting_end
from classifiers.lexicons import lower_words

__all__ = ["CONTEXT_CHARS", "CONTEXT_VERBS", "POLITE_OPENERS", "QUESTION_OPENERS", "QUESTION_VERBS", "opens_question"]

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
_RE_SENTENCE_END = re.compile(r"[.!?]+\s+")


def opens_question(words: list[str], text: str = "") -> bool:
    """Whether the first word opens a question, a polite request ("Can you [please] write …") excepted; after a
    connective ("Now", "Then") the next word decides: "Now do the same in Java." follows up, "Now show that …
    by induction" asks for a proof (it read as a question: 0.47, against 0.75 without "Now"); so does the word after a
    greeting ("Whats up, implement …", "How's it going? I need …": version 62). Or the first sentence of ``text`` (the
    text ``words`` come from) is a context clause (``CONTEXT_SUBJECTS`` + ``CONTEXT_VERBS``) and the next one opens a
    question."""
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
    next sentence opens a question (``opens_question`` of its first words)."""
    k = next((len(s) for s in CONTEXT_SUBJECTS if words[:len(s)] == list(s)), 0)
    if not k or words[k:k + 1] == [] or words[k] not in CONTEXT_VERBS:
        return False
    end = _RE_SENTENCE_END.search(text, 0, CONTEXT_CHARS)
    return end is not None and opens_question(lower_words(text[end.end():end.end() + 40])[:4])
