"""Retrieved context (a RAG prompt) is material for the question, not part of it.

A retrieval-augmented prompt puts documents before the question: "Context: … Question: …",
LangChain's "Use the following pieces of context to answer the question at the end. … Question: …",
LlamaIndex's "Context information is below. ----- … ----- Query: …", or tags (``<context>`` …
``<question>``). Read as the question, the documents made a one-line question a long closed
problem, and their figures (prices, dates, phone numbers) a math problem: "Can I get my shipping fee
back?" over two paragraphs of refund policy scored 0.94, the top tier. The length prior reads the
question and the instruction; the cost estimate still counts every character.
"""

from __future__ import annotations

import re

#: Turns shorter than this hold no context worth setting apart.
CONTEXT_MIN_CHARS = 400
#: Less context than this between its label and the question is left as question.
MATERIAL_MIN_CHARS = 200
#: The question label is looked for in this many characters at the end (bounded work).
QUESTION_SEARCH_CHARS = 4_000
#: The context must be named in this many characters at the start (its label, or the instruction).
INSTRUCTION_CHARS = 300
#: A label at a line start that opens the question asked ("Question:", "Query:", "Q:"), or a tag.
_RE_QUESTION = re.compile(r"(?im)^[ \t]*(?:#+[ \t]*)?(?:(?:user )?question|query|q)[ \t]*:|<(?:question|query)>")
#: No context found: ``context_span``'s answer.
NO_CONTEXT = (0, 0)
#: Words that name what comes before the question as context: "Context:", "<documents>", "the following
#: pieces of context", "Context information is below", "Passage:", "the retrieved excerpts".
_CONTEXT_STEMS = ("context", "document", "passage", "excerpt", "sources", "retrieved")
_RE_CONTEXT = re.compile(r"\b(?:contexts?|documents?|passages?|excerpts?|sources|retrieved)\b", re.IGNORECASE)


def context_span(text: str) -> tuple[int, int]:
    """(start, end) of the context in a retrieval-augmented ``text``: from the line of the word that names it
    (in the first ``INSTRUCTION_CHARS``: a label, or the instruction that says how to use it, which is
    boilerplate too) to the last question label (in the last ``QUESTION_SEARCH_CHARS``); ``NO_CONTEXT`` without
    both, or with less than ``MATERIAL_MIN_CHARS`` between them."""
    n = len(text)
    if n < CONTEXT_MIN_CHARS:
        return NO_CONTEXT
    head = text[:INSTRUCTION_CHARS].lower()
    if not any(stem in head for stem in _CONTEXT_STEMS):  # substring tests first: the regexes cost more
        return NO_CONTEXT
    last = None
    for last in _RE_QUESTION.finditer(text, max(n - QUESTION_SEARCH_CHARS, 0)):
        pass
    if last is None:
        return NO_CONTEXT
    named = _RE_CONTEXT.search(text, 0, min(INSTRUCTION_CHARS, last.start()))
    if named is None:
        return NO_CONTEXT
    start = text.rfind("\n", 0, named.start()) + 1
    return (start, last.start()) if last.start() - start >= MATERIAL_MIN_CHARS else NO_CONTEXT


def retrieved_chars(text: str) -> int:
    """Characters of the context in a retrieval-augmented ``text`` (``context_span``; 0 without one)."""
    start, end = context_span(text)
    return end - start


def outside_context(text: str, span: tuple[int, int]) -> str:
    """``text`` without its context ``span``: the instruction before it and the question after it. A word problem
    is looked for there (version 75): the documents' prices, rates and dates are facts to look up, not quantities to
    combine ("How much does an incoming wire cost?" over three fee documents scored 0.83 as a word problem, "Is an
    incoming wire free?" 0.37), while a calculation the question sets ("If I keep $40,000 for 3 years at 4.1% …")
    gives its own figures."""
    return text[:span[0]] + text[span[1]:] if span[1] else text
