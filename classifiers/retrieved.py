"""Retrieved context (a RAG prompt) is material for the question, not part of it.

A retrieval-augmented prompt puts documents before the question: "Context: … Question: …",
LangChain's "Use the following pieces of context to answer the question at the end. … Question: …",
LlamaIndex's "Context information is below. ----- … ----- Query: …", or tags (``<context>`` …
``<question>``), or no label at all: a short question ending the text after documents the instruction points at
("Answer using only the documents below. … How much is express shipping?", version 78). Read as the question, the documents made a one-line question a long closed
problem, and their figures (prices, dates, phone numbers) a math problem: "Can I get my shipping fee
back?" over two paragraphs of refund policy scored 0.94, the top tier. The length prior reads the
question and the instruction; the cost estimate still counts every character.
"""

from __future__ import annotations

import re

from classifiers.lexicons import lower
from classifiers.word_problems import QUESTION_MARKS, quantities_in

#: Turns shorter than this hold no context worth setting apart.
CONTEXT_MIN_CHARS = 400
#: Less context than this between its label and the question is left as question.
MATERIAL_MIN_CHARS = 200
#: The question label is looked for in this many characters at the end (bounded work).
QUESTION_SEARCH_CHARS = 4_000
#: The context must be named in this many characters at the start (its label, or the instruction).
INSTRUCTION_CHARS = 300
#: A label at a line start that opens the question asked ("Question:", "Query:", "Q:"), or a tag.
#: Searched apart, a label behind a literal line break (one pattern opened by ``(?m)^`` is tried at every position: 38 us
#: on 2,000 characters, 12 so; ``last_question`` is tested equal to it).
_LABEL = r"[ \t]*(?:#+[ \t]*)?(?:(?:user )?question|query|q)[ \t]*:"
_RE_LABEL_LINE = re.compile(rf"(?i)\n({_LABEL})")
_RE_LABEL_AT = re.compile(rf"(?i){_LABEL}")
_RE_QUESTION_TAG = re.compile(r"(?i)<(?:question|query)>")
#: No context found: ``context_span``'s answer.
NO_CONTEXT = (0, 0)
#: Words that name what comes before the question as context: "Context:", "<documents>", "the following
#: pieces of context", "Context information is below", "Passage:", "the retrieved excerpts". A hyphen after one makes
#: another word: "a context-free grammar" (version 79).
_CONTEXT_STEMS = ("context", "doc", "passage", "excerpt", "source", "retrieved", "[1]")  # "[doc1]" ("doc"), "Source 1:"; not "[": code
_WORD_END = r"(?![\w-])"
_RE_CONTEXT = re.compile(rf"\b(?:contexts?|documents?|passages?|excerpts?|sources|retrieved){_WORD_END}", re.IGNORECASE)


#: Version 91: a name and its pointer a verb of pasting apart ("the three documents I pasted below"), or the pointer
#: first ("Below are documents retrieved for the user's query", "Here are three documents"): a document word, not
#: "sources" ("Here are three sources of income: …" are a problem's data).
_DOCS = r"(?:documents?|passages?|excerpts?)"
_PASTED = r"(?:pasted|attached|included|copied|shared|quoted)"
_FEW = r"(?:the|some|two|three|four|five|six|several|[0-9]+)"


def _pointed_name(words: str) -> re.Pattern[str]:
    """A word of ``words`` pointed at: right after "following", "these", "provided", "retrieved", "given" ("Use the
    following documents"), right before "below" / "above" ("the documents below"), or opening a line (a label, a tag,
    a header: "Context:", "<documents>", "## Sources"), a verb of pasting apart or the pointer first (version 91)."""
    return re.compile(rf"(?im)\b(?:following|these|provided|retrieved|given)[ \t]+{words}{_WORD_END}"
                      rf"|\b{words}[ \t]+(?:below|above)\b|^[ \t#<\[]*{words}{_WORD_END}"
                      rf"|\b{_DOCS}[ \t]+(?:(?:i|we|you)(?:'ve|[ \t]+have)?[ \t]+)?{_PASTED}[ \t]+(?:below|above|here)\b"
                      rf"|\b(?:below|here)[ \t]+(?:are|is)[ \t]+(?:{_FEW}[ \t]+)?{_DOCS}{_WORD_END}")


#: With no question label, the head must point at its documents by name (version 78; version 79: the name and its
#: pointer side by side — "income from three sources listed below", "the following three sources of reference data"
#: are a problem's own data) ...
_RE_POINTED_CONTEXT = _pointed_name(r"(?:contexts?|documents?|passages?|excerpts?|sources)")
#: ... and a short text, or a system prompt, by a document word: "Context: I run a bakery … Question: …" is a situation,
#: "Keep the following context in mind: grade 4, 9 years old …" a tutor's persona (version 79).
_RE_POINTED_DOCUMENTS = _pointed_name(r"(?:documents?|passages?|excerpts?|sources)")
#: A head that asks to work the text out sets a problem, not documents to look things up in: "Read the following
#: passage about a cyclist and solve the problem." (version 79) — an imperative in its first line, opening it or a
#: sentence or after "and" (version 82: "If you cannot figure out the answer …", "do not compute anything yourself", a
#: document's "To solve login problems …" are none).
_RE_SOLVE = re.compile(r"(?:^|[.!?:] +|\band +)(?:please +)?(?:solve|calculate|compute|prove|derive|work out|figure out)\b")
#: Texts shorter than ``CONTEXT_MIN_CHARS`` from this length may hold a context of at least ``SHORT_MATERIAL_MIN_CHARS``:
#: "Answer based on the documents below." over two one-line documents (version 78).
SHORT_CONTEXT_MIN_CHARS = 200
SHORT_MATERIAL_MIN_CHARS = 120
#: The longest unlabelled question read after documents (``unlabelled_question``).
UNLABELLED_QUESTION_CHARS = 300
#: A template's answer line after the question ("Answer:", "Helpful Answer:").
_RE_ANSWER_LINE = re.compile(r"\n[ \t]*(?:helpful )?answer[ \t]*:[ \t]*$", re.IGNORECASE)


def context_span(text: str, code: bool = False) -> tuple[int, int]:
    """(start, end) of the context in a retrieval-augmented ``text``: from the line of the word that names it
    (in the first ``INSTRUCTION_CHARS``: a label, or the instruction that says how to use it, which is
    boilerplate too) to the last question label (in the last ``QUESTION_SEARCH_CHARS``), or with no label to a
    short question ending the text (``unlabelled_question``) when the head points at the documents; ``NO_CONTEXT``
    without both, or with less than ``MATERIAL_MIN_CHARS`` between them. A text shorter than ``CONTEXT_MIN_CHARS``
    (from ``SHORT_CONTEXT_MIN_CHARS``) needs its documents pointed at by a document word (version 78). ``code``: the
    text pastes code (fences, indented lines), whose question is no unlabelled question over documents. Version 91:
    documents marked "[1]", "[doc1]", "Source 1:" (a second marker after the first) are named, and with none of this
    the question may come first (``question_first``)."""
    n = len(text)
    if n < SHORT_CONTEXT_MIN_CHARS:
        return NO_CONTEXT
    span = _documents_first(text, code)
    return span if span[1] or code or n < CONTEXT_MIN_CHARS else question_first(text)


def last_question(text: str, pos: int) -> int:
    """Where the last question label at a line start ("Question:", "## Query:", "Q:") or tag ("<question>") in
    ``text[pos:]`` starts, or -1."""
    last = 0 if (pos == 0 and _RE_LABEL_AT.match(text) is not None) else -1
    for m in _RE_LABEL_LINE.finditer(text, pos - 1 if pos and text[pos - 1] == "\n" else pos):
        last = m.start(1)
    for m in _RE_QUESTION_TAG.finditer(text, max(pos, last + 1)):
        last = m.start()
    return last


def _documents_first(text: str, code: bool) -> tuple[int, int]:
    """``context_span`` of documents before their question."""
    n = len(text)
    short = n < CONTEXT_MIN_CHARS
    head = lower(text[:INSTRUCTION_CHARS])
    if not any(stem in head for stem in _CONTEXT_STEMS):  # substring tests first: the regexes cost more
        return NO_CONTEXT
    last = last_question(text, max(n - QUESTION_SEARCH_CHARS, 0))
    pointed = short or last < 0
    first_line = head.find("\n")
    if pointed and _RE_SOLVE.search(head, 0, first_line if first_line > 0 else len(head)) is not None:
        return NO_CONTEXT
    end = last if last >= 0 else -1 if code else unlabelled_question(text)
    if end < 0:
        return NO_CONTEXT
    naming = (_RE_POINTED_DOCUMENTS if short else _RE_POINTED_CONTEXT) if pointed else _RE_CONTEXT
    named = naming.search(text, 0, min(INSTRUCTION_CHARS, end))
    at = named.start() if named is not None else -1
    marker = _RE_MARKER.search(text, 0, min(INSTRUCTION_CHARS, end))
    if marker is not None and (at < 0 or marker.start() < at):
        second = _RE_SECOND_MARKER.search(text, marker.end(), min(end, marker.end() + MARKER_SEARCH_CHARS))
        if second is not None and not _exercise(text[marker.end():second.start()]):
            at = marker.start()
    if at < 0:
        return NO_CONTEXT
    start = text.rfind("\n", 0, at) + 1
    if start and _RE_FORWARD.search(text, 0, start) is not None:  # "Given the following information, answer …\nContext:"
        start = 0
    return (start, end) if end - start >= (SHORT_MATERIAL_MIN_CHARS if short else MATERIAL_MIN_CHARS) else NO_CONTEXT


#: Documents marked by number alone, a marker opening a line: "[1]", "[doc1]", "[Document 1]", "Source 1:", "Doc 1:"
#: (version 91: no word named them) — named only with the second marker opening a later line in ``MARKER_SEARCH_CHARS``.
_RE_MARKER = re.compile(r"(?im)^[ \t]*(?:\[(?:doc(?:ument)?[ \t]*)?1\]|(?:source|doc)[ \t]*1[ \t]*:)")
_RE_SECOND_MARKER = re.compile(r"(?im)^[ \t]*(?:\[(?:doc(?:ument)?[ \t]*)?2\]|(?:source|doc)[ \t]*2[ \t]*:)")
MARKER_SEARCH_CHARS = 6_000
#: A numbered block that asks ("?" ending it) or opens with one of these is an exercise, not a document: "[1] A train
#: leaves at 3 pm … How far apart …? [2] …  Can you work through both?" read as documents fell 0.97 -> 0.41 (review
#: rev42 H3; version 93).
EXERCISE_OPENERS = frozenset(("find", "solve", "prove", "compute", "calculate", "what", "how", "show", "evaluate",
                              "simplify", "determine", "write"))


def _exercise(block: str) -> bool:
    """Whether the text between the first and the second marker is an exercise (``EXERCISE_OPENERS``)."""
    block = block.strip()
    first = block[:12].split(None, 1)
    return block.endswith(QUESTION_MARKS) or bool(first) and first[0].lower().strip(".:,") in EXERCISE_OPENERS
#: An instruction before the line naming the context that points forward is the template's too (version 91: Haystack's
#: "Given the following information, answer the question.\nContext: …" read its first line as the question's length).
_RE_FORWARD = re.compile(r"\b(?:following|below)\b", re.IGNORECASE)
#: A question before its documents is its first paragraph, in this many characters (version 91).
QUESTION_FIRST_CHARS = 400
#: ... that names them: a context word pointed at (``_RE_POINTED_CONTEXT``), or a document the question is to be answered
#: from ("Using only the contract excerpt below", "Based on the policy below", "according to the store policies below") ...
_RE_ANSWER_FROM = re.compile(
    r"\b(?:using|use|based[ \t]+(?:only[ \t]+)?on|according[ \t]+to|from|given)[ \t]+(?:only[ \t]+)?(?:the|these|this|our|my)"
    r"[ \t]+(?:[\w'-]+[ \t]+){0,2}?(?:contracts?|polic(?:y|ies)|agreements?|terms|handbook|manual|faq|guidelines|clauses)"
    r"[ \t]+(?:below|provided|attached)\b", re.IGNORECASE)
#: ... or a label naming them opening the paragraph after it ("Question: …?\n\nContext: …").
_RE_CONTEXT_LABEL = re.compile(rf"[ \t#<\[]*(?:contexts?|documents?|passages?|excerpts?|sources){_WORD_END}", re.IGNORECASE)
#: A question is asked in that paragraph: a question mark, or "answer:" / "question:" and the question.
_RE_ASKED = re.compile(r"\b(?:answer|question)[ \t]*:[ \t]*\S", re.IGNORECASE)


def question_first(text: str) -> tuple[int, int]:
    """The documents after a question that opens ``text`` (version 91): its first paragraph (before a blank line, in
    ``QUESTION_FIRST_CHARS``) asks and names the documents, at least ``MATERIAL_MIN_CHARS`` follow, and no imperative to
    solve opens it: "Using only the contract excerpt below, answer: if the Supplier delivers 8% late … what net amount …?"
    over the clauses was the whole text's problem (its figures no calculation's), 0.67 against 0.87 laid out
    document-first; "Based on the policy below, answer: what is the refund window?" a lookup. ``NO_CONTEXT`` otherwise."""
    cut = text.find("\n\n", 0, QUESTION_FIRST_CHARS)
    if cut < 0 or len(text) - cut < MATERIAL_MIN_CHARS:
        return NO_CONTEXT
    first = text[:cut]
    if not any(mark in first for mark in QUESTION_MARKS) and _RE_ASKED.search(first) is None:
        return NO_CONTEXT
    line = first.find("\n")
    if _RE_SOLVE.search(first.lower(), 0, line if line > 0 else cut) is not None:
        return NO_CONTEXT
    if (_RE_POINTED_CONTEXT.search(first) is None and _RE_ANSWER_FROM.search(first) is None
            and _RE_CONTEXT_LABEL.match(text[cut:cut + 60].lstrip("\n")) is None):
        return NO_CONTEXT
    return (cut, len(text))


def unlabelled_question(text: str) -> int:
    """Where the question that ends ``text`` with no label starts, or -1: its last paragraph (after a blank line or a
    closing tag's line), at most ``UNLABELLED_QUESTION_CHARS``, ending in a question mark (an "Answer:" line after it
    is the template's): "Answer using only the documents below. … \n\nHow much is express shipping?" (version 78)."""
    base = max(len(text) - UNLABELLED_QUESTION_CHARS - 40, 0)  # room for an answer line and trailing space
    tail = text[base:].rstrip()
    answer = _RE_ANSWER_LINE.search(tail)
    if answer is not None:
        tail = tail[:answer.start()].rstrip()
    if not tail.endswith(QUESTION_MARKS):
        return -1
    cut = max(tail.rfind("\n\n"), tail.rfind(">\n"))
    if cut < 0 or len(tail) - cut - 2 > UNLABELLED_QUESTION_CHARS:
        return -1
    return base + cut + 2


def retrieved_chars(text: str, code: bool = False) -> int:
    """Characters of the context in a retrieval-augmented ``text`` (``context_span``; 0 without one)."""
    start, end = context_span(text, code)
    return end - start


def outside_context(text: str, span: tuple[int, int]) -> str:
    """``text`` without its context ``span``: the instruction before it and the question after it. A word problem
    is looked for there (version 75): the documents' prices, rates and dates are facts to look up, not quantities to
    combine ("How much does an incoming wire cost?" over three fee documents scored 0.83 as a word problem, "Is an
    incoming wire free?" 0.37), while a calculation the question sets ("If I keep $40,000 for 3 years at 4.1% …")
    gives its own figures."""
    return text[:span[0]] + text[span[1]:] if span[1] else text


#: A system prompt's documents are read in this many characters (bounded work; a word problem's length).
SYSTEM_DOCUMENTS_CHARS = 600


def with_system_documents(quantities: int, system: str) -> int:
    """A calculation's ``quantities`` (two or more of the question's own) with the figures of the documents its system
    prompt holds (a word naming them in its first ``INSTRUCTION_CHARS``, pointed at; its first ``SYSTEM_DOCUMENTS_CHARS``
    read), as with the documents in the user turn (version 75): "I am a student and want 2 guest passes a month for 12
    months. How much do I pay in total on the monthly plan?" over fee documents in the system prompt scored 0.57, 0.95
    with them in the turn (version 78). A lookup (fewer than two) gets none: the documents' figures are facts."""
    if quantities < 2 or len(system) < MATERIAL_MIN_CHARS:
        return quantities
    if _RE_POINTED_DOCUMENTS.search(system, 0, INSTRUCTION_CHARS) is None:
        return quantities
    return quantities + quantities_in(system[:SYSTEM_DOCUMENTS_CHARS])
