"""Drop the answer-format instructions a harness wraps around a question.

Evaluation harnesses and prompt templates put a paragraph before or after every question of a set
saying how to answer, not what: "Answer the following multiple choice question. The last line of your
response should be of the following format: 'Answer: $LETTER' … Think step by step before answering."
or "Remember to put your answer on its own line after "Answer:", and you do not need to use a \\boxed
command." Read as part of the question it lifts and squeezes every score of the set (an outside
review: a quiz under such a template moved +0.18 on average, its spread halved and its order changed,
Spearman 0.83 with the bare items), and a ``\\boxed`` in it read as notation took word problems out of
the word-problem reading. ``strip_answer_format`` drops such a paragraph at the start or the end of the
text, as ``classifiers.fewshot.strip_reasoning_trigger`` drops a trigger that ends it.

The rule is narrow (a false drop would lose the request): a paragraph goes only if every one of its
sentences is an answer-format sentence (``_RE_FORMAT``) or a generic task line ("Solve the following math
problem step by step.", "You are an expert test taker.", ``_RE_TASK``), at least one is the former, it gives
no number, and another paragraph remains.
"""

from __future__ import annotations

import re

#: What a sentence about the answer's form says (searched in the lower-cased sentence).
_RE_FORMAT = re.compile(
    r"\blast line of your (?:response|answer|reply|output)"
    r"|\$(?:answer|letter)\b|\bwhere \$?(?:letter|answer) is\b"
    r"|\b(?:put|write|give|giving|provide|state|enclose|place|present|mark|end with) (?:your|the) final answer"
    r"|\bfinal answer (?:should|must|is to be|in|within|inside|after|on|as|at)\b"
    r"|\b(?:in|within|inside|use|using|with|a|the) \\boxed\b|\\boxed\{\}|\bwithout (?:the )?quotes\b|\bon (?:its own|a separate|a new|the last) line\b"
    r"|\b(?:respond|answer|reply) (?:with|using) (?:only|just) (?:the|a|one|your)\b"
    r"|\bwith (?:only )?the (?:single )?(?:letter|number) of the (?:correct|right|best) (?:option|answer|choice)\b"
    r"|\bdo not (?:add|include|write|output) anything (?:else|other)\b"
    r"|^(?:let'?s |please )?(?:think|reason) step[- ]by[- ]step(?: before answering)?[.!]?$"
)
#: A generic task line that names no content ("Answer the following multiple choice question.",
#: "Solve this math problem step by step."): whole sentence, lower-cased.
_RE_TASK = re.compile(
    r"(?:please )?(?:solve|answer|read|consider) (?:the|this) (?:following |below |given )?"
    r"(?:math(?:ematical)? |multiple[- ]choice |word )?(?:problem|question)s?(?: below)?"
    r"(?: carefully)?(?:,? (?:step[- ]by[- ]step|carefully))?[.:!]?"
    # and the persona a harness gives: "You are an expert test taker."
    r"|you are an? (?:[a-z-]+ ){0,3}(?:expert|assistant|test[- ]taker|tutor|solver)\.?"
)
#: A paragraph longer than this is no answer-format instruction; only this far into each end of a
#: text is one looked for (bounded work).
FORMAT_PARAGRAPH_CHARS = 500
#: At most this many paragraphs are dropped at each end.
MAX_DROPPED = 2
_RE_PARAGRAPHS = re.compile(r"\n[ \t]*\n\s*")
_RE_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_RE_DIGIT = re.compile(r"[0-9]")


def is_answer_format(paragraph: str) -> bool:
    """Whether every sentence of ``paragraph`` says how to answer (and one of them is no mere task line)."""
    if len(paragraph) > FORMAT_PARAGRAPH_CHARS or _RE_DIGIT.search(paragraph):  # a number is content ("for every n >= 3")
        return False
    formatted = False
    for sentence in _RE_SENTENCE_END.split(paragraph.strip().lower()):
        if _RE_FORMAT.search(sentence):
            formatted = True
        elif _RE_TASK.fullmatch(sentence) is None:
            return False
    return formatted


def strip_answer_format(text: str) -> tuple[str, str]:
    """(``text`` without the answer-format paragraphs at its start and end, what was dropped);
    ``(text, "")`` if it has none, or if nothing but them would remain."""
    if "\n" not in text:
        return text, ""
    head = _RE_PARAGRAPHS.split(text[:FORMAT_PARAGRAPH_CHARS + 2], MAX_DROPPED)
    start = 0
    dropped: list[str] = []
    for paragraph in head[:-1]:  # the last piece may run on past the scanned head
        if not is_answer_format(paragraph):
            break
        start = text.index(paragraph, start) + len(paragraph)
        dropped.append(paragraph.strip())
    end = len(text)
    for _ in range(MAX_DROPPED):
        found = _last_paragraph_break(text, max(start, end - FORMAT_PARAGRAPH_CHARS - 2), end)
        if found is None:
            break
        brk, para_start = found
        if not is_answer_format(text[para_start:end]):
            break
        dropped.append(text[para_start:end].strip())
        end = brk
    kept = text[start:end].strip()
    if not dropped or not kept:
        return text, ""
    return kept, "\n\n".join(dropped)


def _last_paragraph_break(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """(where the last blank-line break in ``text[lo:hi]`` starts, where the paragraph after it starts)."""
    last = None
    for last in _RE_PARAGRAPHS.finditer(text, lo, hi):
        pass
    return None if last is None or not text[last.end():hi].strip() else (last.start(), last.end())
